// usage: node wrap.mjs ROOT RESERVE_MIB ordo-args...  (reserve 0: none)
import { createRequire } from 'node:module';
const [root, mib, ...args] = process.argv.slice(2);
if (Number(mib) > 0) {
  const a = createRequire(import.meta.url)('/work/wt17/memory/native/sched-slice/build/Release/sched_slice.node');
  const r = a.reserveHeap(Number(mib) * 2 ** 20);
  process.stderr.write(`reserved ${r}\n`);
}
const { run } = await import(root + '/dist/engine/cli/main.js');
process.exitCode = await run(args);
