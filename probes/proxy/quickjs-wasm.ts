/**
 * The QuickJS WebAssembly binary behind the PAC sandbox. One job: find the bytes. From the
 * sources it is quickjs-wasi's file; the one-file agent bundle replaces this module with one
 * that unpacks the copy it carries (scripts/build.ts).
 */
import { readFile } from 'node:fs/promises';

export async function quickJsWasm(): Promise<Uint8Array<ArrayBuffer>> {
  return readFile(new URL(import.meta.resolve('quickjs-wasi/quickjs.wasm')));
}
