/**
 * Schedules one callback for the next animation frame and returns its
 * cancel function. Without `requestAnimationFrame` (Node, tests) it falls
 * back to a timer; with it, a timer backs the frame up because hidden
 * windows get no frames and updates must not pile up behind them.
 */
export type FrameScheduler = (callback: () => void) => () => void;

const FRAME_MS = 16;
const HIDDEN_FALLBACK_MS = 250;

export const scheduleFrame: FrameScheduler = (callback) => {
  let done = false;
  const run = (): void => {
    if (done) return;
    done = true;
    cancelFrame();
    clearTimeout(timer);
    callback();
  };
  let cancelFrame = (): void => {};
  let timer: ReturnType<typeof setTimeout>;
  const raf = globalThis.requestAnimationFrame;
  if (typeof raf === 'function') {
    const handle = raf(run);
    cancelFrame = () => globalThis.cancelAnimationFrame(handle);
    timer = setTimeout(run, HIDDEN_FALLBACK_MS);
  } else {
    timer = setTimeout(run, FRAME_MS);
  }
  return () => {
    done = true;
    cancelFrame();
    clearTimeout(timer);
  };
};

/**
 * A frame scheduler that also keeps `minIntervalMs` between the callbacks it
 * runs: under a stream of pushes the blotters repaint at most 1000/min times a
 * second (each repaint of a full screen costs the same whether one row changed
 * or fifty), while a lone push after a quiet spell still shows on the next frame.
 */
export function throttledFrames(minIntervalMs: number, frame: FrameScheduler = scheduleFrame, now: () => number = () => performance.now()): FrameScheduler {
  let last = Number.NEGATIVE_INFINITY;
  return (callback) => {
    let cancelInner: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = (): void => {
      cancelInner = frame(() => {
        cancelInner = undefined;
        last = now();
        callback();
      });
    };
    const wait = last + minIntervalMs - now();
    if (wait > 0) timer = setTimeout(run, wait);
    else run();
    return () => {
      if (timer !== undefined) clearTimeout(timer);
      cancelInner?.();
    };
  };
}
