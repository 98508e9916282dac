import Database from 'better-sqlite3';
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
        const rows = db
          .prepare('SELECT first_seq, last_seq, length(body) FROM frames WHERE session = (SELECT max(id) FROM sessions) AND first_seq >= ? AND last_seq <= ? ORDER BY first_seq')
          .raw(true)
          .all(measured.firstSeq, measured.lastSeq) as [number, number, number][];
        frameSizes = rows.map((r) => r[1] - r[0] + 1);
        for (const r of rows) bodyBytes += r[2];
      } finally {
        db.close();
      }
    },
  });
  const events = frameSizes.reduce((a, b) => a + b, 0);
  return { ratePerSec, orders: result, frameSizes, events, bodyBytesPerEvent: bodyBytes / Math.max(1, events) };
}
