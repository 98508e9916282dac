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
