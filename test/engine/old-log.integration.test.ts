import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrderView } from '../../contract/api.ts';
import { CODEC_VERSION, storedTagVersion } from '../../engine/protocol/codec.ts';
import { compactSession } from '../../engine/store/compaction.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { frameKey, framesLayout, MAX_SEQ } from '../../engine/store/frame-key.ts';
import { runOrdo } from './helpers/cli.ts';
import { order, removeDir, startTestHost, tempDir, unwrap, waitFor } from './helpers/host.ts';

/*
 * A log written by the last build that shipped (a1c4d71; frames of codec
 * version 1, decision 068), as that build left it: test/fixtures/log-a1c4d71
 * (made by its make-fixture.mjs). Session 1 closed (with its snapshot),
 * session 2 open; both hold OrderPending, CancelRequested, ReplaceRequested,
 * ClientAdded, and session 1 SessionClosing. `checkpointed`: everything in
 * ordo.db; `wal`: ordo.db plus the ordo.db-wal the old host left.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/log-a1c4d71/', import.meta.url));

/** One order as the a1c4d71 host's getState showed it (its `type` and `state` are today's orderType and stage). */
interface OldOrder {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: string;
  type: string;
  quantity: number;
  price: number;
  timeInForce: string;
  state: string;
  filledQuantity: number;
  avgPrice: number;
}
const EXPECTED = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as { session: { id: number; seq: number }; orders: OldOrder[] };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

/** A data dir holding a copy of the fixture's files (variant `checkpointed` or `wal`). */
function copyOf(variant: 'checkpointed' | 'wal'): string {
  const dir = tempDir('ordo-oldlog-');
  dirs.push(dir);
  for (const f of readdirSync(join(FIXTURE, variant))) copyFileSync(join(FIXTURE, variant, f), join(dir, f));
  return dir;
}

/** The fields the old build showed, from today's view of the order. */
function asOld(o: OrderView): OldOrder {
  // A replace the old build wrote has no clientOrderId of its own: today's rules name the new terms `<id>~R1` and keep the old id.
  const clientOrderId = o.origClientOrderIds?.[0] ?? o.clientOrderId;
  return {
    orderId: o.orderId,
    clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.orderType,
    quantity: o.quantity,
    price: o.price,
    timeInForce: o.timeInForce,
    state: o.stage ?? o.state,
    filledQuantity: o.filledQuantity,
    avgPrice: o.avgPrice,
  };
}

/** Codec version bytes of every stored frame of `session`. */
function frameVersions(db: string, session: number): Set<number> {
  const d = new Database(db, { readonly: true });
  try {
    const rows = d.prepare('SELECT body FROM frames WHERE key >= ? AND key <= ?').all(frameKey(session, 0), frameKey(session, MAX_SEQ)) as { body: Buffer }[];
    // The codec version: byte 1 of the wire form ('O' first), or in the stored form's tag (decisions 269, 275).
    return new Set(rows.map((r) => (r.body[0] === 0x4f ? r.body[1]! : storedTagVersion(r.body[0]!))));
  } finally {
    d.close();
  }
}

describe('a log written by the a1c4d71 build', () => {
  for (const variant of ['checkpointed', 'wal'] as const) {
    it(`${variant}: ordo verify is ok, and the state is the one the old build showed`, async () => {
      const dir = copyOf(variant);
      const v = await runOrdo(['verify', '--data-dir', dir], 60_000);
      expect(v.stderr).toBe('');
      expect(v.stdout).toMatch(/^ok: 2 sessions, 176 events/);
      expect(v.code).toBe(0);
      const s = await runOrdo(['state', '--data-dir', dir, '--session', '2', '--at', String(EXPECTED.session.seq)], 60_000);
      expect(s.code).toBe(0);
      const orders = (JSON.parse(s.stdout) as { orders: OrderView[] }).orders;
      expect(orders.map(asOld)).toEqual(EXPECTED.orders);
    }, 120_000);
  }

  it('a host starts on it (with the WAL the old host left), shows its orders, and appends sessions that read back', async () => {
    const dir = copyOf('wal');
    const host = await startTestHost({ dataDir: dir, venueTickMs: 0 });
    let closed = false;
    try {
      // The old session as of its last event, through the host's own time machine.
      const then = unwrap(await host.api.getState({ session: 2, seq: EXPECTED.session.seq }));
      expect(then.orders.map(asOld)).toEqual(EXPECTED.orders);
      // Session 2 goes on: today's frames after the old build's in one session.
      const ref = (s: string) => host.view.projection.instrument(s)!.referencePrice;
      const px = (p: number) => Number((Math.round(p / 0.01) * 0.01).toFixed(2));
      // Past risk and the router: its OrderPending and what followed are in the log.
      const past = (id: number) => {
        const stage = host.view.projection.order(id)?.stage;
        return stage !== undefined && stage !== 'pending' && stage !== 'accepted';
      };
      const a = unwrap(await host.api.submitOrder(order('AAPL', 'buy', 10, px(ref('AAPL') * 0.95), { clientOrderId: 'after-upgrade-1' }))).orderId;
      await waitFor(() => past(a), 'the order after the upgrade routed', 60_000);
      unwrap(await host.api.closeSession());
      await waitFor(() => host.view.projection.session.state === 'closed', 'session 2 closed', 60_000);
      const s3 = unwrap(await host.api.openSession()).sessionId;
      expect(s3).toBe(3);
      await waitFor(() => host.view.projection.session.state === 'open', 'session 3 open', 60_000);
      const b = unwrap(await host.api.submitOrder(order('MSFT', 'sell', 5, px(ref('MSFT') * 1.05), { clientOrderId: 'after-upgrade-2' }))).orderId;
      await waitFor(() => past(b), 'the order of session 3 routed', 60_000);
      await host.close();
      closed = true;
    } finally {
      if (!closed) await host.close();
    }
    const db = join(dir, 'ordo.db');
    expect(frameVersions(db, 1)).toEqual(new Set([1]));
    expect(frameVersions(db, 2)).toEqual(new Set([1, CODEC_VERSION]));
    expect(frameVersions(db, 3)).toEqual(new Set([CODEC_VERSION]));
    const v = await runOrdo(['verify', '--data-dir', dir], 60_000);
    expect(v.stderr).toBe('');
    expect(v.stdout).toMatch(/^ok: 3 sessions, /);
    expect(v.code).toBe(0);
    // Read back every session, old frames and new.
    const log = openReadableLog(db);
    try {
      const types = (session: number) => new Set([...log.events(session)].map((e) => e.event.type));
      for (const t of ['ClientAdded', 'OrderPending', 'CancelRequested', 'ReplaceRequested', 'SessionClosing', 'SessionClosed']) expect(types(1)).toContain(t);
      const pending = (session: number) => [...log.events(session)].flatMap((e) => (e.event.type === 'OrderPending' ? [e.event.clientOrderId] : []));
      expect(pending(2)).toEqual([...EXPECTED.orders.filter((o) => o.orderId > 6).map((o) => o.clientOrderId), 'after-upgrade-1']);
      expect(types(2)).toContain('SessionClosing');
      expect(pending(3)).toEqual(['after-upgrade-2']);
    } finally {
      log.close();
    }
  }, 240_000);

  it('compaction rewrites its frames at the current version with the same events (decision 068)', () => {
    const dir = copyOf('checkpointed');
    const db = join(dir, 'ordo.db');
    const before = new Map<number, unknown[]>();
    const ro = openReadableLog(db);
    try {
      for (const s of [1, 2]) before.set(s, [...ro.events(s)]);
    } finally {
      ro.close();
    }
    const log = openWritableLog(db);
    try {
      for (const s of [1, 2]) expect(compactSession(log, s, EXPECTED.session.seq, true).events).toBe(EXPECTED.session.seq);
      expect(log.verify()).toEqual([]);
      for (const s of [1, 2]) expect([...log.events(s)]).toEqual(before.get(s));
    } finally {
      log.close();
    }
    expect(frameVersions(db, 1)).toEqual(new Set([CODEC_VERSION]));
    expect(frameVersions(db, 2)).toEqual(new Set([CODEC_VERSION]));
  });

  it('a frame of a newer codec version is refused with one clear line', async () => {
    const dir = copyOf('checkpointed');
    const d = new Database(join(dir, 'ordo.db'));
    // The fixture as the old build left it (schema version 1 columns): read as it is, not converted.
    type Row = { id: number; session: number; first_seq: number; last_seq: number; body: Buffer };
    let where = '';
    try {
      const row = d.prepare('SELECT id, session, first_seq, last_seq, body FROM frames ORDER BY id DESC LIMIT 1').get() as Row;
      where = `session ${row.session}, seq ${row.first_seq}-${row.last_seq}`;
      const body = Buffer.from(row.body);
      body[1] = CODEC_VERSION + 1;
      d.prepare('UPDATE frames SET body = ?, crc = ? WHERE id = ?').run(body, crc32(body), row.id);
    } finally {
      d.close();
    }
    const line = `ordo: ${where}: an event frame of format version ${CODEC_VERSION + 1}, written by a newer Ordo (this build reads versions up to ${CODEC_VERSION}): upgrade Ordo to read this log`;
    const v = await runOrdo(['verify', '--data-dir', dir], 60_000);
    expect(v.code).not.toBe(0);
    expect(v.stderr.trim().split('\n')).toEqual([line]);
    // A host does not start on it, and leaves the log as it was.
    // What the log holds, table by table. (Opening a schema-1 log adds schema 2's derivable, empty checkpoints
    // table and converts the frames to schema 4's keyed layout first; every frame's session, seqs, checksum and
    // bytes, and the sessions and snapshots, must stay exactly as they were.)
    const content = (): string => {
      const r = new Database(join(dir, 'ordo.db'), { readonly: true });
      try {
        const L = framesLayout(r);
        const frames = `SELECT ${L.key}, ${L.n}, f.crc & 4294967295, f.body FROM frames f ORDER BY ${L.order}`;
        return [frames, 'SELECT * FROM sessions ORDER BY rowid', 'SELECT * FROM snapshots ORDER BY rowid']
          .map((q) => JSON.stringify(r.prepare(q).raw().all(), (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v)))
          .join('\n');
      } finally {
        r.close();
      }
    };
    const before = content();
    const h = await runOrdo(['host', '--data-dir', dir, '--port', '0'], 60_000);
    expect(h.code).not.toBe(0);
    expect(h.stderr.trim().split('\n')).toEqual([line]);
    expect(content()).toBe(before);
  }, 120_000);
});
