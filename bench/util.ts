import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp folder for one scenario's files; `dispose` removes it. */
export function tempFolder(prefix: string): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), `ordo-bench-${prefix}-`));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Resolves after the current I/O turn (lets sockets and timers run). */
export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every `everyMs` until it holds; throws after `ms`. */
export async function until(cond: () => boolean, what: string | (() => string), ms = 60_000, everyMs = 1): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(everyMs);
  }
}

/** Runs the garbage collector if node was started with --expose-gc. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Runs a bench entry point: exit 0 when it resolves, 1 with the error when it throws. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    },
  );
}

/** One figure of the bench's table: its value, unit, optional target and note. */
export interface BenchRow {
  key: string;
  label: string;
  value: number;
  unit: string;
  target?: { op: '>=' | '<='; value: number };
  note?: string;
}
