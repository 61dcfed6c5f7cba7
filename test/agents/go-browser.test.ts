/**
 * The /go page in headless Chromium, as a person uses it on the broken computer: type the code
 * from the phone, get the download for this OS and CPU (User-Agent Client Hints set through the
 * DevTools protocol, as a Windows or Mac browser sends them) under a name carrying the code,
 * with the steps the OS will ask for. A wrong code, an expired one (the store's clock is
 * injected) and a burst of wrong codes each get their own sentence, and the live code is never
 * used up by any of it. Screenshots at 1280x800 and 390x844 go to test-results/.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { brotliDecompressSync, crc32, gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { mintCode } from '../../bot/agents/code.ts';
import { REFUSALS } from '../../bot/agents/go.ts';
import type { RunningBot } from '../../bot/app.ts';
import { openSqliteStore } from '../../bot/store/sqlite.ts';
import { CHROMIUM, CHROMIUM_FLAGS, NO_CHROMIUM, RESULTS, WAIT } from '../bot/phone-page.ts';
import { type FixtureAgents, writeAgentsFixture } from './agents-fixture.ts';
import { startAgentBot } from './chat-bot.ts';
import { tempDir } from './harness.ts';

const tmp = tempDir('reconnect-go-');
let t = Date.parse('2026-12-01T10:00:00Z');
const clock = { now: () => t };
let bot: RunningBot;
let fixture: FixtureAgents;
let browser: BrowserContext;
let live: { code: string; display: string };

before(async () => {
  mkdirSync(join(tmp.dir, 'agents'));
  // linux-x64 is a real program (a shell script), so the test can run what it unpacks.
  fixture = await writeAgentsFixture(join(tmp.dir, 'agents'), {
    body: (target) =>
      target === 'linux-x64'
        ? Buffer.from(`#!/bin/sh\necho "reconnect agent $0"\n# ${'padding '.repeat(2000)}\n`)
        : Buffer.from(
            Array.from({ length: 4000 }, (_, i) => `${target} line ${i} ${(i * 7919) % 1000}\n`).join(''),
          ),
  });
  const store = openSqliteStore({ dataDir: join(tmp.dir, 'data'), now: clock.now });
  bot = await startAgentBot(join(tmp.dir, 'data'), { store, agents: { agentsDir: fixture.dir } });
  live = mintCode();
  await bot.store.pairing.put({ code: live.code, sessionId: 'session-live', ttlMs: 10 * 60_000 });
  if (!NO_CHROMIUM)
    browser = await chromium.launchPersistentContext(join(tmp.dir, 'profile'), {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
      args: CHROMIUM_FLAGS,
    });
});

after(async () => {
  await browser?.close();
  await bot?.close();
  await bot?.store.close();
  tmp.remove();
});

const WINDOWS_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
const MAC_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';

/** A page whose browser claims `platform` and `architecture`, in the UA and the client hints. */
async function pageAs(userAgent: string, platform: string, architecture: string): Promise<Page> {
  const page = await browser.newPage();
  const cdp = await browser.newCDPSession(page);
  await cdp.send('Emulation.setUserAgentOverride', {
    userAgent,
    userAgentMetadata: {
      brands: [{ brand: 'Chromium', version: '142' }],
      fullVersion: '142.0.0.0',
      platform,
      platformVersion: platform === 'Windows' ? '15.0.0' : '15.1.0',
      architecture,
      bitness: '64',
      model: '',
      mobile: false,
    },
  });
  await page.goto(`${bot.url}/go`);
  return page;
}

async function typeCode(page: Page, code: string): Promise<string> {
  await page.fill('#code', code);
  const answered = page.waitForResponse((r) => r.url().endsWith('/go/check'), WAIT);
  await page.click('#check');
  await answered;
  await page.waitForFunction(() => document.querySelector('#message')?.className !== '', undefined, WAIT);
  return (await page.textContent('#message')) ?? '';
}

const shot = async (page: Page, name: string) => {
  mkdirSync(RESULTS, { recursive: true });
  const { width, height } = page.viewportSize()!;
  await page.screenshot({ path: join(RESULTS, `${name}-${width}x${height}.png`), fullPage: true });
};

test('Windows x64: offers windows-x64, and the downloaded .exe is the built file under a name carrying the code', {
  skip: NO_CHROMIUM,
}, async () => {
  const page = await pageAs(WINDOWS_UA, 'Windows', 'x86');
  // Typed the way people type: lower case, no dash.
  assert.equal(
    await typeCode(page, live.display.toLowerCase().replace('-', '')),
    `The code ${live.display} is right.`,
  );
  const link = page.locator('#download-link');
  assert.equal(await link.getAttribute('data-target'), 'windows-x64');
  assert.equal(await link.textContent(), 'Download for Windows (Intel or AMD, 64-bit)');
  const steps = (await page.textContent('#steps')) ?? '';
  assert.match(steps, /More info.*Run anyway/, 'SmartScreen’s way through is on the page');
  await shot(page, 'go-windows');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'go-windows');

  const downloading = page.waitForEvent('download', WAIT);
  await link.click();
  const download = await downloading;
  const port = new URL(bot.url).port;
  assert.equal(download.suggestedFilename(), `Reconnect-${live.display}@127.0.0.1_${port}.exe`);
  const saved = readFileSync((await download.path())!);
  assert.ok(saved.equals(fixture.bytes.get('windows-x64')!), 'the bytes are the built executable, unchanged');
  await page.close();
  assert.equal(
    (await bot.store.pairing.peek(live.code)).ok,
    true,
    'checking and downloading left the code live',
  );
});

test('Apple-silicon Mac: offers macos-arm64, as a ZIP whose entry keeps the name and the run bit', {
  skip: NO_CHROMIUM,
}, async () => {
  const page = await pageAs(MAC_UA, 'macOS', 'arm');
  await typeCode(page, live.display);
  const link = page.locator('#download-link');
  assert.equal(await link.getAttribute('data-target'), 'macos-arm64');
  assert.match((await page.textContent('#steps')) ?? '', /Open Anyway/);
  await shot(page, 'go-mac');
  const downloading = page.waitForEvent('download', WAIT);
  await link.click();
  const download = await downloading;
  const stem = `Reconnect-${live.display}@127.0.0.1_${new URL(bot.url).port}`;
  assert.equal(download.suggestedFilename(), `${stem}.zip`);
  const zip = readFileSync((await download.path())!);
  // fflate inflates the one entry; its CRC-32 must be the one the central directory records.
  // Chromium sent Accept-Encoding: br, so the ZIP came as Brotli with a stored entry (the
  // deflated form is the one for clients without br), and it saved the decoded ZIP.
  assert.equal(zip.readUInt32LE(0), 0x04034b50, 'the saved file starts as a ZIP');
  assert.equal(zip.readUInt16LE(8), 0, 'the entry is stored: the ZIP came as Brotli');
  const entries = Object.entries(unzipSync(new Uint8Array(zip)));
  assert.equal(entries.length, 1);
  const [name, data] = entries[0];
  assert.equal(name, stem);
  assert.ok(Buffer.from(data).equals(fixture.bytes.get('macos-arm64')!));
  // The central directory entry: made by Unix, mode 0100755 in the high half of the attributes.
  const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  assert.equal(zip.readUInt8(central + 5), 3, 'made by: Unix');
  assert.equal((zip.readUInt32LE(central + 38) >>> 16).toString(8), '100755');
  assert.equal(zip.readUInt32LE(central + 16), crc32(data), 'the recorded CRC-32 matches the data');
  await page.close();
});

test('Linux: the ZIP Chromium saves unpacks with unzip to a program that runs, run bit kept', {
  skip: NO_CHROMIUM,
}, async () => {
  const page = await pageAs(
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36',
    'Linux',
    'x86',
  );
  await typeCode(page, live.display);
  const link = page.locator('#download-link');
  assert.equal(await link.getAttribute('data-target'), 'linux-x64');
  const downloading = page.waitForEvent('download', WAIT);
  await link.click();
  const download = await downloading;
  const stem = `Reconnect-${live.display}@127.0.0.1_${new URL(bot.url).port}`;
  assert.equal(download.suggestedFilename(), `${stem}.zip`);
  const out = join(tmp.dir, 'unpacked');
  mkdirSync(out);
  const saved = join(out, download.suggestedFilename());
  await download.saveAs(saved);
  assert.equal(readFileSync(saved).readUInt16LE(8), 0, 'a stored entry: it came as Brotli');
  // As the person would: unzip (Info-ZIP), then start the program by its name.
  execFileSync('unzip', ['-q', saved, '-d', out]);
  const program = join(out, stem);
  assert.equal(statSync(program).mode & 0o777, 0o755, 'the run bit survived');
  assert.ok(readFileSync(program).equals(fixture.bytes.get('linux-x64')!));
  assert.equal(execFileSync(program, { encoding: 'utf8' }), `reconnect agent ${program}\n`);
  await page.close();
});

test('the .exe goes out as Brotli when the client accepts it, as gzip otherwise, and as it is for neither', async () => {
  const url = `${bot.url}/go/download/windows-x64?code=${live.code}`;
  const expected = fixture.bytes.get('windows-x64')!;
  for (const [accept, encoding, decode] of [
    ['gzip, deflate, br', 'br', brotliDecompressSync],
    ['gzip, deflate', 'gzip', gunzipSync],
    ['identity', null, (b: Buffer) => b],
  ] as const) {
    // node:http, not fetch: fetch would decode the body itself and hide the encoding.
    const { headers, body } = await rawGet(url, accept);
    assert.equal(headers['content-encoding'] ?? null, encoding, accept);
    assert.equal(headers.vary, 'Accept-Encoding');
    assert.equal(Number(headers['content-length']), body.length);
    assert.ok(decode(body).equals(expected), `${accept}: the bytes decode to the built executable`);
  }
  // None of it used the code up.
  assert.equal((await bot.store.pairing.peek(live.code)).ok, true);
});

test('a macOS or Linux ZIP goes out as Brotli with a stored entry when the client accepts it, deflated otherwise', async () => {
  for (const target of ['macos-x64', 'linux-arm64'] as const) {
    const url = `${bot.url}/go/download/${target}?code=${live.code}`;
    const expected = fixture.bytes.get(target)!;
    for (const [accept, encoding, method] of [
      ['gzip, deflate, br, zstd', 'br', 0],
      ['gzip, deflate', null, 8],
    ] as const) {
      const { headers, body } = await rawGet(url, accept);
      assert.equal(headers['content-encoding'] ?? null, encoding, `${target} ${accept}`);
      assert.equal(headers.vary, 'Accept-Encoding');
      assert.equal(headers['content-type'], 'application/zip');
      assert.equal(headers['x-checksum-sha256'], createHash('sha256').update(expected).digest('hex'));
      assert.equal(Number(headers['content-length']), body.length);
      const zip = encoding ? brotliDecompressSync(body) : body;
      assert.equal(zip.readUInt16LE(8), method, `${target} ${accept}: compression method`);
      const [[name, data]] = Object.entries(unzipSync(new Uint8Array(zip)));
      assert.match(name, /^Reconnect-/);
      assert.ok(Buffer.from(data).equals(expected), `${target} ${accept}: the entry is the built file`);
    }
  }
});

function rawGet(url: string, accept: string): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers: { 'accept-encoding': accept } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

test('the chooser offers every built target when the browser cannot tell', {
  skip: NO_CHROMIUM,
}, async () => {
  const page = await pageAs('Mozilla/5.0 (X11; FreeBSD amd64) Gecko/20100101 Firefox/140.0', 'FreeBSD', '');
  await typeCode(page, live.display);
  assert.equal(await page.locator('#download-link').isHidden(), true, 'no guess is offered as a fact');
  assert.equal(await page.locator('#targets a').count(), 6);
  await page.locator('#targets a[data-target="linux-arm64"]').click();
  assert.equal(await page.locator('#download-link').getAttribute('data-target'), 'linux-arm64');
  assert.match((await page.textContent('#steps')) ?? '', /chmod \+x Reconnect-/);
  await page.close();
});

test('a wrong code, an expired code and a burst of wrong codes each say so; the live code survives', {
  skip: NO_CHROMIUM,
}, async () => {
  const expiring = mintCode();
  await bot.store.pairing.put({ code: expiring.code, sessionId: 'session-old', ttlMs: 60_000 });
  const page = await pageAs(WINDOWS_UA, 'Windows', 'x86');

  const wrong = mintCode();
  assert.equal(await typeCode(page, wrong.display), REFUSALS.invalid_code.message);
  assert.equal(await page.locator('#download').isHidden(), true);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'go-wrong-code');

  t += 60_000;
  assert.equal(await typeCode(page, expiring.display), REFUSALS.expired.message);
  await shot(page, 'go-expired-code');

  const answers: string[] = [];
  for (let i = 0; i < 10 && answers.at(-1) !== REFUSALS.rate_limited.message; i++)
    answers.push(await typeCode(page, mintCode().display));
  assert.equal(answers.at(-1), REFUSALS.rate_limited.message, 'the burst is stopped');
  assert.ok(
    answers.slice(0, -1).every((a) => a === REFUSALS.invalid_code.message),
    'each wrong code before the limit was told it is wrong',
  );
  await shot(page, 'go-too-many');
  await page.close();

  // Nothing above used the live code up: it still redeems, once.
  assert.equal((await bot.store.pairing.redeem(live.code)).ok, true);
});
