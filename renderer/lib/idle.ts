/**
 * Runs `fn` at an idle moment of the main thread (between frames), at the
 * latest after `timeoutMs`; returns a cancel. Work that must not land in a
 * frame (reading a font the first time) goes here (issue 14).
 */
export function whenIdle(fn: () => void, timeoutMs = 250): () => void {
  const g = globalThis as unknown as {
    requestIdleCallback?: (cb: () => void, o: { timeout: number }) => number;
    cancelIdleCallback?: (h: number) => void;
  };
  if (g.requestIdleCallback && g.cancelIdleCallback) {
    const h = g.requestIdleCallback(fn, { timeout: timeoutMs });
    const cancel = g.cancelIdleCallback;
    return () => cancel(h);
  }
  const t = setTimeout(fn, 0);
  return () => clearTimeout(t);
}
