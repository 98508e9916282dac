import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The calls of Ordo's native addon (native/sched-slice, built by `npm install`; a failed build is one warning and
 * Ordo runs without it): the scheduler slice (decision 283), the huge-page heap (decision 290) and its trim (decision 294).
 */
export interface OrdoAddon {
  setSlice(tid: number, ns: number): number;
  getSlice(tid: number): number;
  /** Bytes of the heap advised for 2 MiB pages (0: none), or -errno; an addon built before 290 has no such call. */
  reserveHeap?(bytes: number): number;
  /** malloc_trim(0): 1 when memory was given back, 0 when none was, -errno; an addon built before 294 has no such call. */
  trimHeap?(): number;
}

const ADDON = join('native', 'sched-slice', 'build', 'Release', 'sched_slice.node');

let loaded: OrdoAddon | string | undefined;

/**
 * The built addon, looked for from this module up to the package's root (source and dist/ are at different
 * depths), loaded once; or why there is none, in a few words. ORDO_NATIVE=off: none, as if the build had failed.
 */
export function loadAddon(): OrdoAddon | string {
  if (loaded !== undefined) return loaded;
  // The way to run as a failed build would (decision 294): every native call falls back, nothing else changes.
  if (process.env['ORDO_NATIVE'] === 'off') return (loaded = 'turned off (ORDO_NATIVE=off)');
  loaded = 'the addon is not built (npm run build:native)';
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++, dir = dirname(dir)) {
    const file = join(dir, ADDON);
    if (!existsSync(file)) continue;
    try {
      loaded = createRequire(import.meta.url)(file) as OrdoAddon;
    } catch (err) {
      loaded = `the addon does not load: ${(err as Error).message.split('\n')[0]}`;
    }
    break;
  }
  return loaded;
}
