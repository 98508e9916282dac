import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { openReadableLog } from '../engine/store/log.ts';
import { writeLiveLikeLog } from './recovery.ts';
import { tempFolder } from './util.ts';

/**
 * The time machine and checkpoints at scale (issues 11 and 15, decision 085):
 * writes a session of N events in live-sized frames, then, each in a fresh
 * process, `ordo state --at` and the API's first page of a past state
 * (`GET /api/state?at=`'s code path), before any checkpoint and after
 * `ordo checkpoint`, at the last seq, just before a checkpoint (the longest
 * tail) and in the middle. Prints one JSON line per measurement.
 *
 *   node dist/bench/state-at-scale.js [events] [frameEvents]
 */

const ORDO = fileURLToPath(new URL('../../bin/ordo.mjs', import.meta.url));
const PAGE = fileURLToPath(new URL('./state-page-child.js', import.meta.url));

/** The API's first page of the state at `seq` of `dir`'s session 1, in a fresh process (state-page-child). */
export async function statePageInChild(dir: string, seq: number): Promise<{ ms: number; fromCheckpoint: number; maxRssMiB: number } | undefined> {
  const r = await timed([PAGE, dir, String(seq)]);
  const line = r.line as { ms?: number; fromCheckpoint?: number; maxRssMiB?: number } | undefined;
  return r.code === 0 && typeof line?.ms === 'number' ? { ms: line.ms, fromCheckpoint: line.fromCheckpoint ?? 0, maxRssMiB: line.maxRssMiB ?? 0 } : undefined;
}

/**
 * The seq of `dir`'s session 1 whose time-machine rebuild has the longest tail after the newest
 * checkpoint at or before it, as the checkpoints kept there lie (retention keeps a sparse grid of old
 * ones, decision 209): the seq just before the kept checkpoint that ends the widest gap, or the last seq.
 */
export function longestTailSeq(dir: string): { seq: number; tail: number } {
  const log = openReadableLog(join(dir, 'ordo.db'));
  try {
    const last = log.lastSeq(1);
    const kept = [0, ...log.checkpoints.seqs(1).filter((s) => s <= last)];
    let best = { seq: last, tail: last - kept[kept.length - 1]! };
    for (let i = 1; i < kept.length; i++) {
      const tail = kept[i]! - 1 - kept[i - 1]!;
      if (tail > best.tail) best = { seq: kept[i]! - 1, tail };
    }
    return best;
  } finally {
    log.close();
  }
}

/** `ordo checkpoint --data-dir dir` (a first round over the whole session); seconds. */
export async function checkpointInChild(dir: string): Promise<number> {
  const r = await timed([ORDO, 'checkpoint', '--data-dir', dir]);
  if (r.code !== 0) throw new Error(`ordo checkpoint failed: ${String(r.line)}`);
  return r.ms / 1000;
}

function timed(args: string[]): Promise<{ ms: number; code: number | null; maxRssMiB?: number; line?: unknown }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    p.on('exit', (code) => {
      const ms = performance.now() - t0;
      const last = err.trim().split('\n').pop() ?? '';
      let line: unknown;
      try {
        line = JSON.parse(last);
      } catch {
        line = last;
      }
      resolve({ ms, code, line });
    });
  });
}

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 5_000_000);
  const frameEvents = Number(process.argv[3] ?? 8);
  const folder = tempFolder('state-at');
  const out = (o: object) => console.log(JSON.stringify(o));
  try {
    let t = performance.now();
    const n = writeLiveLikeLog(folder.dir, events, frameEvents);
    out({ step: 'write', events: n, s: (performance.now() - t) / 1000 });
    const seqs = { last: n, mid: Math.floor(n / 2) + 17, beforeCheckpoint: Math.max(1, Math.floor(n / 1_000_000) * 1_000_000 - 1) };
    const measure = async (phase: string) => {
      for (const [name, seq] of Object.entries(seqs)) {
        out({ phase, what: 'api first page (state-page-child)', name, seq, ...(await timed([PAGE, folder.dir, String(seq)])) });
        out({ phase, what: 'ordo state --at (whole state, streamed)', name, seq, ...(await timed([fileURLToPath(new URL('./state-child.js', import.meta.url)), folder.dir, String(seq)])) });
      }
    };
    await measure('no checkpoints');
    t = performance.now();
    const c = await timed([ORDO, 'checkpoint', '--data-dir', folder.dir]);
    out({ step: 'ordo checkpoint (first round over the whole session)', s: (performance.now() - t) / 1000, code: c.code });
    await measure('with checkpoints');
  } finally {
    folder.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
