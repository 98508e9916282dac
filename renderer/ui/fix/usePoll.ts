import { useEffect, useState } from 'react';
import type { Result } from '../../../contract/api.ts';

/**
 * FIX sessions connect and drop without any event in the log, so the FIX panel polls.
 * Calls `load` now and every `ms` while mounted; keeps the last good value and
 * the last error. `tick` changes force a reload (after an action).
 */
export function usePoll<T>(load: () => Promise<Result<T>>, ms: number, tick = 0): { value: T | undefined; error: string | undefined } {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const run = async (): Promise<void> => {
      try {
        const r = await load();
        if (!live) return;
        if (r.ok) {
          setValue(r.value);
          setError(undefined);
        } else setError(r.error.message);
      } catch (err) {
        if (live) setError((err as Error).message);
      }
    };
    void run();
    const t = setInterval(() => void run(), ms);
    return () => {
      live = false;
      clearInterval(t);
    };
    // `load` is a fresh closure each render on purpose: the interval and `tick` decide when to reload.
  }, [ms, tick]);
  return { value, error };
}
