import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './procs.ts';

/**
 * Figures of the last run, one JSON line per test, for docs/reliability.md.
 * Written only when ORDO_FIGURES=1 (to dist/reliability-figures.jsonl), so a
 * plain `npx vitest run` writes nothing into the tree.
 */
export function record(test: string, figures: Record<string, unknown>): void {
  if (process.env.ORDO_FIGURES !== '1') return;
  const dir = join(ROOT, 'dist');
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, 'reliability-figures.jsonl'), JSON.stringify({ test, at: new Date().toISOString(), ...figures }) + '\n');
}
