// node catchup.mjs ROOT DB: a joining component's catch-up through the replay service as the host runs it (its own
// thread, ReplayServiceThread) over ipc://, the client asking page after page from seq 1 to the end. ROOT's build.
// Prints one JSON line: events, seconds, events/s, this process's CPU seconds (both threads).
import { join } from 'node:path';
import { tmpdir } from 'node:os';
const [root, db] = process.argv.slice(2);
const { ReplayServiceThread } = await import(join(root, 'dist/engine/host/replay-service-thread.js'));
const { ReplayClient } = await import(join(root, 'dist/engine/bus/replay.js'));
const { readFrameInfo } = await import(join(root, 'dist/engine/protocol/codec.js'));
const at = `ipc://${join(tmpdir(), `store-catchup-${process.pid}.sock`)}`;
const thread = await ReplayServiceThread.start(db, [at]);
const client = new ReplayClient(at);
const c0 = process.cpuUsage();
const t0 = performance.now();
let from = 1, events = 0, bytes = 0;
for (;;) {
  const { header, frames } = await client.request({ session: 1, from });
  if (header.error) throw new Error(header.error);
  for (const f of frames) {
    const i = readFrameInfo(f);
    events += i.firstSeq + i.count - Math.max(i.firstSeq, from);
    from = i.firstSeq + i.count;
    bytes += f.byteLength;
  }
  if (header.complete) break;
}
const s = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0);
client.close();
await thread.close();
console.log(JSON.stringify({ root, events, bytes, seconds: +s.toFixed(3), eps: Math.round(events / s), cpuS: +((c.user + c.system) / 1e6).toFixed(3), load: (await import('node:os')).loadavg()[0] }));
