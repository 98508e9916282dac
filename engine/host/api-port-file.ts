import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The running host's API port, kept in its data dir while it runs, so
 * command-line admin commands (`ordo session roll --data-dir D`) find the
 * host of a data dir without being told its port. The token is already there.
 */
export function apiPortFile(dataDir: string): string {
  return join(dataDir, 'api-port');
}

/** Written once the API server listens; removed when the host stops. */
export function writeApiPort(dataDir: string, port: number): () => void {
  const file = apiPortFile(dataDir);
  writeFileSync(file, `${port}\n`, { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

/** The port the data dir's host said it listens on, or undefined if no host wrote one. */
export function readApiPort(dataDir: string): number | undefined {
  const file = apiPortFile(dataDir);
  if (!existsSync(file)) return undefined;
  const n = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}
