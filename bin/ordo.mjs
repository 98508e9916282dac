#!/usr/bin/env node
// The `ordo` command: runs the compiled CLI from dist/ (built by `npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/engine/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('ordo: not built yet; run `npm install` (or `npm run build`) first');
  process.exit(2);
}
const { run, guardStdout } = await import(main);
guardStdout(process.argv[2]);
process.exitCode = await run(process.argv.slice(2));
