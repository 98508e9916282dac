// node mklog.mjs ROOT EVENTS OUTDIR : a frame log of EVENTS order events (bench's writer), checkpointed by `ordo checkpoint`
import { renameSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
const [root, n, out] = process.argv.slice(2);
const { writeFrameLog } = await import(join(root, 'dist/bench/replay.js'));
const s = writeFrameLog(Number(n));
mkdirSync(out, { recursive: true });
renameSync(s.db, join(out, 'ordo.db'));
console.log(`events ${s.events}`);
const r = spawnSync(process.execPath, [join(root, 'bin/ordo.mjs'), 'checkpoint', '--data-dir', out], { stdio: 'inherit' });
console.log('checkpoint exit', r.status);
