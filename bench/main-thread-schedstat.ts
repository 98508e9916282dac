import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The process's main thread's time on a core and waiting for one, in ms since it started, from
 * /proc/self/task/PID/schedstat (the bench's loop-gap probes split each gap so); NaNs where there is no such file
 * (not Linux). `close` releases the file.
 */
export function mainThreadSchedstat(): { read: () => [number, number]; close: () => void } {
  let fd = -1;
  try {
    fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
  } catch {
    // Not Linux: gaps without the split.
  }
  const buf = Buffer.alloc(128);
  return {
    read: () => {
      if (fd < 0) return [NaN, NaN];
      const n = readSync(fd, buf, 0, buf.length, 0);
      const [run, wait] = buf.toString('latin1', 0, n).split(' ');
      return [Number(run) / 1e6, Number(wait) / 1e6];
    },
    close: () => {
      if (fd >= 0) closeSync(fd);
      fd = -1;
    },
  };
}
