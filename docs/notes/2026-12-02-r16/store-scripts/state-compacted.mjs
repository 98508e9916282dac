// The time machine on a compacted live-like log, with one build's own code end to end:
//   node state-compacted.mjs ROOT DIR EVENTS
// writes session 1 of EVENTS order events in 3-event frames into DIR (ROOT's bench writer), `ordo checkpoint`
// (ROOT's), compacts the whole session (ROOT's compactSession, as the host's background compactor merges),
// then `ordo state --at` the last seq and the API's first page there, each in a fresh process (ROOT's).
// Prints one JSON line.
import { join } from 'node:path';
const [root, dir, eventsArg] = process.argv.slice(2);
const d = (p) => import(join(root, 'dist', p));
const { writeLiveLikeLog } = await d('bench/recovery.js');
const { checkpointInChild, statePageInChild } = await d('bench/state-at-scale.js');
const { stateAtInChild } = await d('bench/replay.js');
const { compactSession } = await d('engine/store/compaction.js');
const { openWritableLog } = await d('engine/store/log.js');
const events = writeLiveLikeLog(dir, Number(eventsArg), 3);
const ckptS = await checkpointInChild(dir);
const w = openWritableLog(join(dir, 'ordo.db'), { backgroundCheckpoint: false });
let compacted;
try {
  compacted = compactSession(w, 1, w.lastSeq(1), true);
} finally {
  w.close();
}
const st = await stateAtInChild(dir, events);
const page = await statePageInChild(dir, events);
console.log(JSON.stringify({ root, events, ckptS, framesRemoved: compacted.framesRemoved, stateAtMs: st.code === 0 ? st.ms : -1, stateAtRssMiB: st.maxRssBytes / 2 ** 20, pageMs: page?.ms ?? -1, pageFromCheckpoint: page?.fromCheckpoint ?? -1, load: (await import('node:os')).loadavg()[0] }));
