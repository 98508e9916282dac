/**
 * The venue protocol's own cost per order lifecycle (decision 277): a NewOrder one way, an Ack and a Fill back, in
 * frames of 200 orders, each encoded and decoded. Prints heap bytes and CPU per lifecycle and the frames' sizes:
 *
 *   node --expose-gc --min-semi-space-size=256 --max-semi-space-size=256 dist/bench/venue-wire.js [frames]
 *
 * (the large young generation keeps a scavenge out of the measured loop, so the heap's growth is what it allocated).
 */
import { decodeReplies, decodeRequests, encodeReplies, encodeRequests, type VenueReply, type VenueRequest } from '../engine/venue/protocol.ts';
import { collectGarbage, runMain } from './util.ts';

const BATCH = 200;

runMain(async () => {
  const frames = Number(process.argv[2] ?? 500);
  const requests: VenueRequest[] = [];
  const replies: VenueReply[] = [];
  for (let i = 0; i < BATCH; i++) {
    const orderId = 100_000 + i;
    requests.push({ type: 'NewOrder', orderId, symbol: 'AAPL', side: i % 2 ? 'buy' : 'sell', orderType: 'limit', timeInForce: 'day', quantity: 100, price: 187.25, owner: 'ALPHA' });
    replies.push({ type: 'Ack', orderId }, { type: 'Fill', orderId, execId: 9_000_000 + i, quantity: 100, price: 187.25, leaves: 0 });
  }
  let seen = 0;
  const round = (): void => {
    seen += decodeRequests(encodeRequests(requests)).msgs.length + decodeReplies(encodeReplies(replies)).length;
  };
  for (let i = 0; i < 300; i++) round();
  collectGarbage();
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < frames; i++) round();
  const cpu = process.cpuUsage(cpu0);
  const heap = process.memoryUsage().heapUsed - heap0;
  const n = BATCH * frames;
  const out = {
    lifecycles: n,
    heapBytesPerLifecycle: Math.round(heap / n),
    cpuNanosPerLifecycle: Math.round(((cpu.user + cpu.system) * 1000) / n),
    requestFrameBytes: encodeRequests(requests).length,
    replyFrameBytes: encodeReplies(replies).length,
    decoded: seen,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
});
