import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../engine/protocol/codec.ts';
import { openWritableLog, type WritableLog } from '../../engine/store/log.ts';
import { frameKey, MAX_SEQ } from '../../engine/store/frame-key.ts';
import { salvageLog } from '../../engine/cli/salvage.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

/** The deferred_commands table (decision 130): one row per (closed session, key), read in the order taken. */

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

function closedSessions(n: number): { path: string; log: WritableLog } {
  const dir = tempDir('ordo-deferred-');
  dirs.push(dir);
  const path = join(dir, 'ordo.db');
  const log = openWritableLog(path);
  for (let id = 1; id <= n; id++) {
    log.transaction(() => {
      log.openSession(id, id * 10);
      log.appendFrame(id, 1, 1, encodeFrame(id, [{ seq: 1, ts: id * 10, src: 'sequencer', cseq: 0, event: { type: 'SessionOpened', sessionId: id, previousSessionId: id - 1, orderIdBase: 1 } }]));
      log.closeSession(id, id * 10 + 1, { seq: 1, body: { orders: [] } });
    });
  }
  return { path, log };
}

describe('commands stored between sessions', () => {
  it('stores a request once per key, reads them back in the order taken, per closed session; survives reopening the file', () => {
    const { path, log } = closedSessions(2);
    const cancel = (orderId: number) => ({ type: 'CancelRequested' as const, orderId });
    expect(log.transaction(() => log.deferred.add({ session: 2, key: 'cancel:7', src: 'proxy-1', ts: 100, body: cancel(7) }))).toBe(true);
    expect(log.transaction(() => log.deferred.add({ session: 2, key: 'cancel:3', src: 'proxy-1', ts: 101, body: cancel(3) }))).toBe(true);
    // The same request again is the same row: nothing more stored.
    expect(log.transaction(() => log.deferred.add({ session: 2, key: 'cancel:7', src: 'proxy-1', ts: 102, body: { ...cancel(7), clientOrderId: 'x' } }))).toBe(false);
    expect(log.deferred.of(1)).toEqual([]);
    log.close();
    const again = openWritableLog(path);
    expect(again.deferred.of(2).map((d) => [d.key, d.ts, d.body])).toEqual([['cancel:7', 100, cancel(7)], ['cancel:3', 101, cancel(3)]]);
    again.close();
  });

  it('a repair that cuts the log back into or before a closed session drops what was stored after its close', () => {
    const { log } = closedSessions(2);
    log.transaction(() => log.deferred.add({ session: 1, key: 'cancel:1', src: 'host', ts: 50, body: { type: 'CancelRequested', orderId: 1 } }));
    log.transaction(() => log.deferred.add({ session: 2, key: 'cancel:2', src: 'host', ts: 60, body: { type: 'CancelRequested', orderId: 2 } }));
    const row = log.db.prepare('SELECT key FROM frames WHERE key >= ? AND key <= ?').pluck().get(frameKey(2, 0), frameKey(2, MAX_SEQ)) as number;
    // Session 2 loses its only frame: it is removed, and session 1 (still closed) keeps what was stored after it.
    log.transaction(() => log.truncateFrom(2, row));
    expect(log.deferred.of(2)).toEqual([]);
    expect(log.deferred.of(1)).toHaveLength(1);
    log.close();
  });

  it('a salvage into a new file keeps what was stored after the last closed session (the next open still applies it)', () => {
    const { path, log } = closedSessions(2);
    log.transaction(() => log.deferred.add({ session: 2, key: 'cancel:5', src: 'host', ts: 70, body: { type: 'CancelRequested', orderId: 5, clientOrderId: 'c-x' } }));
    log.close();
    const to = join(dirs[dirs.length - 1]!, 'salvaged.db');
    const r = salvageLog(path, to);
    expect(r.stoppedAt).toBeUndefined();
    expect(r.deferred).toBe(1);
    const out = openWritableLog(to);
    expect(out.deferred.of(2).map((d) => [d.key, d.src, d.ts, d.body])).toEqual([['cancel:5', 'host', 70, { type: 'CancelRequested', orderId: 5, clientOrderId: 'c-x' }]]);
    out.close();
  });
});
