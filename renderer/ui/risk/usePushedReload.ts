import { useEffect, useRef, useState } from 'react';
import type { Result } from '../../../contract/api.ts';
import { useOrdoStore } from '../context.tsx';
import { watchPushes } from './watch-pushes.ts';

/** At most one reload per this many ms however busy the stream is (a fill storm coalesces into one). */
const MIN_GAP_MS = 250;

/**
 * Loads now, then again only when the live view's push stream brings an
 * event whose type is in `types`, or (with `fills`) a new fill, or skipped
 * lines it cannot see into (no timer polls a quiet screen). Loads never
 * overlap: pushes during a load coalesce into one more load after it. `tick`
 * changes force a reload (after an action). Keeps the last good value and the
 * last error.
 */
export function usePushedReload<T>(
  load: () => Promise<Result<T>>,
  types: ReadonlySet<string>,
  opts: { fills?: boolean; tick?: number } = {},
): { value: T | undefined; error: string | undefined } {
  const tick = opts.tick ?? 0;
  const fills = opts.fills === true;
  const store = useOrdoStore();
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    let running = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastRun = 0;
    const run = async (): Promise<void> => {
      running = true;
      lastRun = Date.now();
      try {
        const r = await loadRef.current();
        if (!live) return;
        if (r.ok) {
          setValue(r.value);
          setError(undefined);
        } else setError(r.error.message);
      } catch (err) {
        if (live) setError((err as Error).message);
      } finally {
        running = false;
        if (live && again) {
          again = false;
          schedule();
        }
      }
    };
    const schedule = (): void => {
      if (running) {
        again = true;
        return;
      }
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        void run();
      }, Math.max(0, lastRun + MIN_GAP_MS - Date.now()));
    };
    const unsubscribe = watchPushes(store, { types, fills }, schedule);
    void run();
    return () => {
      live = false;
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [store, types, tick, fills]);
  return { value, error };
}

