#!/usr/bin/env node
// `npx reconnect-agent` from a clone: the one-file bundle when `npm install` has built it,
// the TypeScript sources otherwise (Node 24 runs them directly).
import { existsSync } from 'node:fs';

const bundle = new URL('../../dist/reconnect-agent.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : new URL('./main.ts', import.meta.url).href);
