// Per-thread CPU ticks (10 ms) of a whole orders run; run with two sizes and subtract for the marginal cost per lifecycle.
import { readFileSync, readdirSync } from 'node:fs';
const { orderLifecycles } = await import(`${process.argv[2]}/bench/orders.js`);
const n = Number(process.argv[3]);
let a;
const r = await orderLifecycles({ orders: n, warmup: 5000, window: 4000, venueTickMs: 10, via: 'in-process', beforeClose: async () => {
  a = readdirSync('/proc/self/task').map((t) => { const x = readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1].split(' '); return [Number(t), Number(x[11]) + Number(x[12])]; });
} });
a.sort((x, y) => x[0] - y[0]);
const main = a.find((x) => x[0] === process.pid)[1];
// V8 platform workers: the 4 threads created right after main (tid order); the rest: ZeroMQ, libuv, worker threads.
const rest = a.filter((x) => x[0] !== process.pid);
const v8 = rest.slice(0, 5).reduce((s, x) => s + x[1], 0);
const other = rest.slice(5).reduce((s, x) => s + x[1], 0);
console.log(JSON.stringify({ n, main, v8workers: v8, other, cpuMicrosPerOrder: +r.cpuMicrosPerOrder.toFixed(2) }));
process.exit(0);
