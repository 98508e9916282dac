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
  const message = err instanceof Error ? err.message : String(err);
  return { line: `ordo: unexpected error: ${message.split('\n')[0]}`, code: 1 };
}
