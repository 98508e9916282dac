// node reader-answer.mjs ROOT DB TO: the replay service's answers (ReplayReader.answer, page after page, as a joining
// component asks) over seqs 1..TO of session 1, ROOT's build. Prints frames and bytes sent.
import { join } from 'node:path';
const [root, db, to] = process.argv.slice(2);
const { openReadableLog } = await import(join(root, 'dist/engine/store/log.js'));
const { ReplayReader } = await import(join(root, 'dist/engine/bus/replay.js'));
const { decodeFrame } = await import(join(root, 'dist/engine/protocol/codec.js'));
const r = new ReplayReader(openReadableLog(db));
let frames = 0, bytes = 0, from = 1;
for (let id = 1; ; id++) {
  const [head, ...parts] = await r.answer(Buffer.from(JSON.stringify({ id, session: 1, from, to: Number(to) })));
  const h = JSON.parse(head.toString());
  if (h.error) throw new Error(h.error);
  frames += parts.length;
  for (const p of parts) bytes += p.length;
  if (h.complete || parts.length === 0) break;
  const last = decodeFrame(parts[parts.length - 1]);
  from = last.firstSeq + last.count;
}
r.close();
console.log(frames, bytes);
