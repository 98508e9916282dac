import { UserError } from '../errors.ts';
import { CorruptionError, StoreError } from '../store/errors.ts';

/** Bad command-line use; the message says what to change. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One line for the user, and the exit code, for any error. */
export function describeError(err: unknown): { line: string; code: number } {
  if (err instanceof UsageError) return { line: `ordo: ${err.message} (see 'ordo help')`, code: 2 };
  if (err instanceof UserError || err instanceof StoreError || err instanceof CorruptionError) {
    return { line: `ordo: ${err.message}`, code: 1 };
  }
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) {
    return {
      line:
        `ordo: the event log's database file is damaged at the SQLite page level (${(err as Error).message}); ` +
        `restore a backup (docs/reliability.md), or copy every readable frame into a new file with 'ordo repair --data-dir DIR --salvage-into FILE' and put that in place`,
      code: 1,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { line: `ordo: unexpected error: ${message.split('\n')[0]}`, code: 1 };
}
