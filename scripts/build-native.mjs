// Builds Ordo's native calls (native/sched-slice: the scheduler slice, decision 283, and the huge-page heap, 290) with node-gyp, which npm puts on the PATH
// of its scripts. Ordo runs without it (the default slice and heap, as before), so a failed build is one line, not a failed
// install: the product reports at start whether the short slice is in force.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../native/sched-slice/', import.meta.url));
if (process.platform !== 'linux') process.exit(0);
const run = spawnSync('node-gyp', ['rebuild', '--directory', dir], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', shell: false });
if (run.status !== 0) {
  const why = run.error ? run.error.message : (run.stderr.trim().split('\n').filter((l) => /error/i.test(l))[0] ?? `exit ${run.status}`);
  console.warn(`ordo: the native addon was not built (${why}); Ordo runs with the kernel's default scheduler slice and glibc's own heap`);
}
