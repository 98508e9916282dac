// One order-lifecycles run of the build in the current folder, as one JSON line:
//   node --expose-gc [--trace-gc-nvp] <this> ORDERS [RATE_PER_SEC|0]
// RATE 0 or absent: unpaced (window 4,000), as bench/profile-orders.ts; otherwise paced at that rate.
import { pathToFileURL } from 'node:url';
const { orderLifecycles } = await import(pathToFileURL(`${process.cwd()}/dist/bench/orders.js`).href);
const orders = Number(process.argv[2] ?? 30_000);
const rate = Number(process.argv[3] ?? 0);
let venue;
const r = await orderLifecycles({
  orders,
  warmup: Math.min(5_000, orders),
  window: 4_000,
  venueTickMs: 10,
  ...(rate > 0 ? { ratePerSec: rate } : {}),
  beforeClose: async (host) => {
    venue = await host.venue.venueStats();
  },
});
const pick = ({ ordersPerSec, cpuMicrosPerOrder, hostThreadCpuMicrosPerOrder, venueCpuMicrosPerOrder, filled }) => ({ filled, ordersPerSec: Math.round(ordersPerSec), cpuMicrosPerOrder: +cpuMicrosPerOrder.toFixed(2), hostThreadCpuMicrosPerOrder: +hostThreadCpuMicrosPerOrder.toFixed(2), venueCpuMicrosPerOrder: +venueCpuMicrosPerOrder.toFixed(2) });
// A last full collection, so that --trace-gc-nvp's "allocated" over the main isolate counts everything allocated.
globalThis.gc?.();
// The venue's frames over the whole run (warm-up included): in from the gateway, out to it.
process.stdout.write(JSON.stringify({ ...pick(r), venueFramesIn: venue?.framesIn, venueFramesOut: venue?.framesOut }) + '\n');
process.exit(0);
