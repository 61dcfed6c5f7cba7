/**
 * The single executables that `npm run build:agents` writes to dist/agents (manifest.json names
 * each target's file, its gzip twin, sizes and SHA-256), and how one is put on the wire under a
 * per-download name without touching its bytes (a changed byte breaks its code signature):
 *
 * - Windows: the .exe as it is, sent with Content-Encoding gzip from the prebuilt .gz when the
 *   browser accepts it (every browser does), so the wire carries the compressed size.
 * - macOS and Linux: a ZIP whose single entry carries the name and mode 0755, because a plain
 *   download loses the run bit. When the browser accepts Brotli (every browser does over HTTPS,
 *   Chromium on loopback too) the entry is stored and the ZIP travels as Brotli from the build's
 *   template (zip-br.ts), which keeps every target within 40 MB on the wire. Otherwise the
 *   entry's deflated data is the .gz file's own deflate stream (a gzip member is a header, raw
 *   deflate, CRC-32 and size). Either way nothing is compressed per download: only the ZIP's
 *   headers, which hold the name, are written.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrTemplate, brParts, readBrTemplate } from './zip-br.ts';

/** The targets the build makes, in the order the /go page's chooser lists them. */
export const TARGETS = [
  'windows-x64',
  'windows-arm64',
  'macos-arm64',
  'macos-x64',
  'linux-x64',
  'linux-arm64',
] as const;
export type Target = (typeof TARGETS)[number];

export const DEFAULT_AGENTS_DIR = fileURLToPath(new URL('../../dist/agents/', import.meta.url));

export interface Executable {
  target: Target;
  /** Absolute paths of the raw executable and its gzip twin. */
  path: string;
  gzipPath: string;
  sha256: string;
  size: number;
  gzipSize: number;
  /** The Brotli twin (smaller on the wire), when the build made one. */
  br?: { path: string; size: number };
  /** macOS and Linux: the Brotli template of the ZIP with a stored entry, when the build made one. */
  zipBr?: BrTemplate;
  /** Where the raw deflate stream starts in the .gz file, and its length. */
  deflateStart: number;
  deflateLength: number;
  /** The CRC-32 of the raw executable, from the gzip trailer. */
  crc32: number;
}

export class ManifestError extends Error {}

export const isTarget = (value: string): value is Target => (TARGETS as readonly string[]).includes(value);
export const isWindows = (target: Target): boolean => target.startsWith('windows-');

/** Reads manifest.json and each target's gzip framing; cached until the manifest changes. */
export function executablesReader(dir: string): () => Promise<Map<Target, Executable> | undefined> {
  const manifestPath = join(dir, 'manifest.json');
  let cached: { key: string; value: Map<Target, Executable> } | undefined;
  return async () => {
    let key: string;
    try {
      const s = await stat(manifestPath);
      key = `${s.size}:${s.mtimeMs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    if (cached?.key !== key) cached = { key, value: await readManifest(manifestPath) };
    return cached.value;
  };
}

async function readManifest(path: string): Promise<Map<Target, Executable>> {
  const manifest = JSON.parse(await readFile(path, 'utf8')) as {
    targets?: Record<string, Record<string, unknown>>;
  };
  const out = new Map<Target, Executable>();
  for (const [target, entry] of Object.entries(manifest.targets ?? {})) {
    if (!isTarget(target)) continue;
    const file = String(entry.file ?? '');
    const gzipFile = String(entry.gzipFile ?? '');
    if (!file || !gzipFile || /[\\/]/.test(file) || /[\\/]/.test(gzipFile))
      throw new ManifestError(`${path}: target ${target} needs flat "file" and "gzipFile" names`);
    const gzipPath = join(dirname(path), gzipFile);
    const size = Number(entry.size);
    const framing = await gzipFraming(gzipPath, size);
    const brFile = typeof entry.brFile === 'string' ? entry.brFile : '';
    if (/[\\/]/.test(brFile)) throw new ManifestError(`${path}: target ${target} needs a flat "brFile" name`);
    const br = brFile
      ? { path: join(dirname(path), brFile), size: (await stat(join(dirname(path), brFile))).size }
      : undefined;
    const zipBrFile = typeof entry.zipBrFile === 'string' && !isWindows(target) ? entry.zipBrFile : '';
    if (/[\\/]/.test(zipBrFile))
      throw new ManifestError(`${path}: target ${target} needs a flat "zipBrFile" name`);
    let zipBr: BrTemplate | undefined;
    try {
      zipBr = zipBrFile ? await readBrTemplate(join(dirname(path), zipBrFile)) : undefined;
    } catch (error) {
      throw new ManifestError(`${path}: target ${target}: ${(error as Error).message}`);
    }
    out.set(target, {
      ...(br ? { br } : {}),
      ...(zipBr ? { zipBr } : {}),
      target,
      path: join(dirname(path), file),
      gzipPath,
      sha256: String(entry.sha256),
      size,
      gzipSize: framing.fileSize,
      ...framing,
    });
  }
  return out;
}

/** RFC 1952: the header's optional fields, then deflate, then CRC-32 and ISIZE (8 bytes). */
async function gzipFraming(path: string, size: number) {
  const file = await open(path, 'r');
  try {
    const { size: fileSize } = await file.stat();
    const head = Buffer.alloc(Math.min(fileSize, 64 * 1024));
    await file.read(head, 0, head.length, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b || head[2] !== 8)
      throw new ManifestError(`${path} is not a gzip (deflate) file`);
    const flags = head[3];
    let at = 10;
    if (flags & 4) at += 2 + head.readUInt16LE(at);
    for (const bit of [8, 16]) if (flags & bit) at = head.indexOf(0, at) + 1;
    if (flags & 2) at += 2;
    const tail = Buffer.alloc(8);
    await file.read(tail, 0, 8, fileSize - 8);
    if (tail.readUInt32LE(4) !== size % 2 ** 32)
      throw new ManifestError(
        `${path}: its gzip trailer says ${tail.readUInt32LE(4)} bytes, the manifest ${size}`,
      );
    return { fileSize, deflateStart: at, deflateLength: fileSize - 8 - at, crc32: tail.readUInt32LE(0) };
  } finally {
    await file.close();
  }
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const STORE = 0;
const DEFLATE = 8;
const UTF8_NAMES = 0x0800;
/** "Made by" Unix (3), so unzip and macOS Archive Utility apply the mode in the attributes. */
const MADE_BY_UNIX = (3 << 8) | 20;
/** A regular file, rwxr-xr-x, in the high half of the external attributes. */
const MODE_0755 = (0o100755 << 16) >>> 0;
/** 1980-01-01 00:00, the DOS epoch: the same download gives the same bytes. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/**
 * The extra field that pads a local header (the id Android's zipalign uses for the same job);
 * readers skip extra fields they do not know, and the central directory does not repeat it.
 */
const PADDING_EXTRA = 0xd935;

export interface ZipEntry {
  name: string;
  crc32: number;
  /** The executable's size, and its data's size in the ZIP (equal when stored). */
  size: number;
  dataLength: number;
  method: 'deflate' | 'store';
  /** Pads the local header and name to exactly this many bytes, with zeros at the end. */
  headLength?: number;
}

/** The ZIP around one entry: the bytes before its data and after it; undefined if it cannot pad. */
export function zipFrame(entry: ZipEntry): { head: Buffer; tail: Buffer; length: number } | undefined {
  const fileName = Buffer.from(entry.name, 'utf8');
  const method = entry.method === 'store' ? STORE : DEFLATE;
  // A padding field is its 4-byte header and data; 2 zero bytes at least end every padded head.
  const padding = entry.headLength === undefined ? 0 : entry.headLength - 30 - fileName.length;
  if (entry.headLength !== undefined && (padding < 6 || padding > 0xffff)) return undefined;
  const extra = Buffer.alloc(padding);
  if (padding) {
    extra.writeUInt16LE(PADDING_EXTRA, 0);
    extra.writeUInt16LE(padding - 4, 2);
  }
  const local = Buffer.alloc(30);
  local.writeUInt32LE(LOCAL, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(UTF8_NAMES, 6);
  local.writeUInt16LE(method, 8);
  local.writeUInt16LE(DOS_DATE, 12);
  local.writeUInt32LE(entry.crc32, 14);
  local.writeUInt32LE(entry.dataLength, 18);
  local.writeUInt32LE(entry.size, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(extra.length, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(CENTRAL, 0);
  central.writeUInt16LE(MADE_BY_UNIX, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(UTF8_NAMES, 8);
  central.writeUInt16LE(method, 10);
  central.writeUInt16LE(DOS_DATE, 14);
  central.writeUInt32LE(entry.crc32, 16);
  central.writeUInt32LE(entry.dataLength, 20);
  central.writeUInt32LE(entry.size, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE(MODE_0755, 38);
  central.writeUInt32LE(0, 42); // the local header's offset: the archive's only entry, at 0
  const head = Buffer.concat([local, fileName, extra]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(head.length + entry.dataLength, 16);
  const tail = Buffer.concat([central, fileName, end]);
  return { head, tail, length: head.length + entry.dataLength + tail.length };
}

/** What a ZIP download sends: `prefix`, bytes [from, to) of `file`, then `suffix`. */
export interface ZipDownload {
  /** Set when the bytes are a Brotli stream (Content-Encoding: br) of the ZIP. */
  encoding?: 'br';
  file: string;
  prefix: Buffer;
  from: number;
  to: number;
  suffix: Buffer;
  /** The bytes on the wire. */
  length: number;
}

/**
 * The download of a macOS or Linux executable as a ZIP whose entry is `name`: a stored entry in
 * Brotli when `brotli` (the client accepts it) and the build made the template, else the
 * deflated entry. A name too long for the template's head falls back to the deflated ZIP.
 */
export function zipDownload(exe: Executable, name: string, options: { brotli: boolean }): ZipDownload {
  const entry = { name, crc32: exe.crc32, size: exe.size };
  if (options.brotli && exe.zipBr) {
    const headLength = exe.zipBr.headLength;
    const frame = zipFrame({ ...entry, dataLength: exe.size, method: 'store', headLength });
    if (frame) return { encoding: 'br', file: exe.zipBr.path, ...brParts(exe.zipBr, frame.head, frame.tail) };
  }
  const frame = zipFrame({ ...entry, dataLength: exe.deflateLength, method: 'deflate' });
  if (!frame) throw new Error('an unpadded ZIP frame always fits');
  return {
    file: exe.gzipPath,
    prefix: frame.head,
    from: exe.deflateStart,
    to: exe.deflateStart + exe.deflateLength,
    suffix: frame.tail,
    length: frame.length,
  };
}
