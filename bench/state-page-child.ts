/**
 * The API's first page of a past state, as GET /api/state?at= builds it
 * (projectionAt, then boundedState), in this fresh process; prints one JSON
 * line to stderr: wall time, where the replay started, peak RSS.
 *
 *   node dist/bench/state-page-child.js <data-dir> <seq>
 */
import { join } from 'node:path';
import { boundedState, STATE_LIST_LIMIT } from '../engine/host/host-api.ts';
import { projectionAt } from '../engine/oms/projection-at.ts';
import { openReadableLog } from '../engine/store/log.ts';

const [dir, seqText] = process.argv.slice(2);
const t0 = performance.now();
const log = openReadableLog(join(dir!, 'ordo.db'));
const at = projectionAt(log, 1, Number(seqText));
if (!at.ok) throw new Error(at.problem);
const body = JSON.stringify(boundedState(at.projection, STATE_LIST_LIMIT));
const ms = performance.now() - t0;
log.close();
process.stderr.write(JSON.stringify({ ms, fromCheckpoint: at.fromCheckpoint, bodyBytes: body.length, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
