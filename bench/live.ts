import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { frameKey, seqOfKey } from '../engine/store/frame-key.ts';
import { orderLifecycles, type OrdersResult } from './orders.ts';

/** What a live host wrote while taking orders at a steady rate. */
export interface LiveFrames {
  /** Offered orders per second. */
  readonly ratePerSec: number;
  readonly orders: OrdersResult;
  /** Events per stored frame, in log order (the measured run only). */
  readonly frameSizes: readonly number[];
  readonly events: number;
  /** Frame body bytes per event (the encoded frames only, no SQLite overhead). */
  readonly bodyBytesPerEvent: number;
}

/**
 * Runs a real host (startHost) and submits `orders` marketable orders paced
 * at `ratePerSec` through its API, then reads back the frames its sequencer
 * committed during the run: the frame sizes a live host produces at that
 * rate (group commit per I/O turn), which the replay scenario reproduces at
 * 1 M and 5 M events.
 */
export async function liveFrames(ratePerSec: number, orders: number, venueTickMs: number): Promise<LiveFrames> {
  let frameSizes: number[] = [];
  let bodyBytes = 0;
  const result = await orderLifecycles({
    orders,
    warmup: Math.min(1000, Math.ceil(orders / 10)),
    window: Math.max(64, Math.ceil(ratePerSec / 10)),
    venueTickMs,
    ratePerSec,
    // The frames as the sequencer committed them: the host's compactor would merge the older ones during the run.
    compactFrames: false,
    afterClose(dbPath, measured) {
      const db = new Database(dbPath, { readonly: true });
      try {
        // Keys are session * SEQ_SPAN + first seq (frame-key.ts).
        const session = db.prepare('SELECT max(id) FROM sessions').pluck().get() as number;
        const rows = (
          db
            .prepare('SELECT key, n, length(body) FROM frames WHERE key >= ? AND key <= ? ORDER BY key')
            .raw(true)
            .all(frameKey(session, measured.firstSeq), frameKey(session, measured.lastSeq)) as [number, number, number][]
        ).filter((r) => seqOfKey(r[0]) + r[1] - 1 <= measured.lastSeq);
        frameSizes = rows.map((r) => r[1]);
        for (const r of rows) bodyBytes += r[2];
      } finally {
        db.close();
      }
    },
  });
  const events = frameSizes.reduce((a, b) => a + b, 0);
  keepFrameSizes(ratePerSec, frameSizes);
  return { ratePerSec, orders: result, frameSizes, events, bodyBytesPerEvent: bodyBytes / Math.max(1, events) };
}

/**
 * With ORDO_BENCH_FRAME_SIZES=file.json, the frame sizes of every live run go into that file under the order
 * rate (the format bench/live-frame-sizes.ts writes), so the bytes of two builds can be taken over the sizes a
 * bench run recorded: `node dist/bench/frame-bytes.js 1000000 @file.json:1000`.
 */
function keepFrameSizes(ratePerSec: number, sizes: readonly number[]): void {
  const file = process.env['ORDO_BENCH_FRAME_SIZES'];
  if (!file) return;
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, readonly number[]>) : {};
  saved[String(ratePerSec)] = sizes;
  writeFileSync(file, JSON.stringify(saved));
}
