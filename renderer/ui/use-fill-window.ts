import { useEffect, useMemo, useRef, useState } from 'react';
import type { OrdoApi } from '../../contract/api.ts';
import type { FillWindowQuery } from '../../contract/fill-window.ts';
import { FILL_WINDOW_REFRESH_MS, FillWindowLoader } from '../lib/fill-window.ts';
import type { LoadedFillWindow } from '../lib/fill-window.ts';
import type { OrdoStore } from '../store/types.ts';

/**
 * The fills blotter's rows in remote mode (decision 166): the window of the
 * host's filtered, sorted fills around the rows in view, live or as of the
 * time machine's seq (`q.at`). A live window is asked again at most once a
 * second while pushes bring fills; a past one never changes. `enabled`
 * false: nothing is asked.
 */
export function useFillWindow(
  api: OrdoApi,
  store: OrdoStore,
  enabled: boolean,
  q: FillWindowQuery,
): { window: LoadedFillWindow | undefined; setRange(start: number, end: number): void } {
  const [win, setWin] = useState<LoadedFillWindow | undefined>(undefined);
  const loaderRef = useRef<FillWindowLoader | undefined>(undefined);
  const past = q.at !== undefined;

  useEffect(() => {
    if (!enabled) {
      setWin(undefined);
      return;
    }
    const loader = new FillWindowLoader({ getFillWindow: (x) => api.getFillWindow(x), onWindow: setWin });
    loaderRef.current = loader;
    let timer: ReturnType<typeof setInterval> | undefined;
    if (!past) {
      let seen = store.getState().fills.version;
      let resets = store.getState().resets;
      timer = setInterval(() => {
        const s = store.getState();
        if (s.fills.version !== seen || s.resets !== resets) {
          seen = s.fills.version;
          resets = s.resets;
          loader.refresh();
        }
      }, FILL_WINDOW_REFRESH_MS);
    }
    return () => {
      clearInterval(timer);
      loader.close();
      loaderRef.current = undefined;
    };
  }, [api, store, enabled, past]);

  useEffect(() => {
    if (enabled) loaderRef.current?.setQuery(q);
  }, [q, enabled, past]);

  const setRange = useMemo(() => (start: number, end: number) => loaderRef.current?.setRange(start, end), []);
  return { window: enabled ? win : undefined, setRange };
}
