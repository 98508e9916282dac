import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { orderSession, storeSession } from '../../bench/session.ts';
import { checkpointRound } from '../../engine/host/checkpoint-maker.ts';
import { findHostStart, sequencerResume } from '../../engine/host/start-point.ts';
import { prefetchStartCheckpoint, type PrefetchedCheckpoint } from '../../engine/host/checkpoint-prefetch.ts';
import { log as logger } from '../../engine/log.ts';
import { CHECKPOINT_FORMAT, encodeCheckpoint, encodeProjection } from '../../engine/oms/checkpoint-codec.ts';
import { CheckpointFold } from '../../engine/oms/checkpoint-fold.ts';
import { RiskState } from '../../engine/oms/exposure/risk-state.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { OmsSequencerPolicy } from '../../engine/oms/sequencer-policy.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import type { OrdoEvent, Sequenced } from '../../engine/protocol/events.ts';
import { Reason } from '../../engine/protocol/reasons.ts';
import { Sequencer } from '../../engine/sequencer/sequencer.ts';
import { CheckpointWriter } from '../../engine/store/checkpoints.ts';
import { checkpointFileOf } from '../../engine/store/checkpoint-file.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

/**
 * Host start-up from an in-session checkpoint (decision 140), on a real
 * SQLite log: the sequencer (its position, dedupe table, roles, phase), its
 * policy (projection, risk state, the close's awaiting set, hence the close
 * snapshot) and the host's shared projection and risk state, resumed from a
 * checkpoint plus the tail, hash equal to a replay from seq 1 — from the
 * newest checkpoint (taken while the session is closing, with orders still
 * awaited) and from one several checkpoints back; a damaged or old-format
 * checkpoint is skipped with one log line, never used.
 */

const dirs: string[] = [];
afterEach(() => {
  dirs.splice(0).forEach(removeDir);
  vi.restoreAllMocks();
});

const EVERY = 5_000;
const SOURCES = ['host', 'sequencer', 'proxy-1', 'risk-1', 'router-1', 'gateway-1', 'monitor-1'];

/** orderSession's filled orders, then day orders left at the venue, the close, and the venue expiring half of them. */
function* closingSession(orderEvents: number): Generator<Sequenced> {
  let last: Sequenced | undefined;
  const cseq = new Map<string, number>();
  for (const e of orderSession(orderEvents)) {
    if (e.cseq > 0) cseq.set(e.src, e.cseq);
    last = e;
    yield e;
  }
  let seq = last!.seq;
  const ts = last!.ts + 1;
  const make = (event: OrdoEvent, src: string): Sequenced => {
    const c = src === 'sequencer' ? 0 : (cseq.get(src) ?? 0) + 1;
    if (c > 0) cseq.set(src, c);
    return { seq: ++seq, ts, src, cseq: c, event };
  };
  const open: number[] = [];
  for (let i = 0; i < 300; i++) {
    const orderId = 900_000 + i;
    open.push(orderId);
    yield make({ type: 'OrderPending', orderId, clientId: 'ALPHA', clientOrderId: `C${i}`, symbol: 'AAPL', side: i & 1 ? 'buy' : 'sell', orderType: 'limit', timeInForce: 'day', quantity: 10 + i, price: 190 }, 'proxy-1');
    yield make({ type: 'OrderAccepted', orderId }, 'risk-1');
    yield make({ type: 'OrderRouted', orderId, venue: 'XNAS' }, 'router-1');
    yield make({ type: 'OrderAcknowledged', orderId }, 'gateway-1');
  }
  // Refused orders leave the duplicate memory's lists but stay in its queue (RiskState.forgetRecent).
  for (let i = 0; i < 20; i++) {
    const orderId = 950_000 + i;
    yield make({ type: 'OrderPending', orderId, clientId: 'CHARLIE', clientOrderId: `R${i}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 7, price: 190 }, 'proxy-1');
    if (i % 3 === 0) yield make({ type: 'OrderRejected', orderId, reason: Reason.DUPLICATE_ORDER, text: 'duplicate' }, 'risk-1');
    else yield make({ type: 'OrderAccepted', orderId }, 'risk-1');
  }
  yield make({ type: 'SessionClosing' }, 'host');
  for (const orderId of open.slice(0, 150)) yield make({ type: 'OrderExpired', orderId, reason: Reason.DAY_ORDER_SESSION_END }, 'gateway-1');
}

interface Resumed {
  readonly hash: string;
  readonly awaiting: number[];
  readonly snapshot: unknown;
  readonly sharedProjection: string;
  readonly sharedRisk: string;
  readonly fromSeq: number;
}

/**
 * Recovers a sequencer the way the host does: from findHostStart's
 * checkpoint (when `useCheckpoint`: the policy restores from the one decoded
 * copy, restoreSharing), the tail handed to a shared projection and risk
 * state; either way the policy shares the risk state while recovering, then copies it.
 */
function recover(path: string, useCheckpoint: boolean, prefetched?: PrefetchedCheckpoint): Resumed {
  const read = openReadableLog(path);
  const w = openWritableLog(path, { backgroundCheckpoint: false });
  try {
    const start = useCheckpoint ? findHostStart(read, prefetched) : undefined;
    const projection = start?.shared.projection ?? new OmsProjection();
    const risk = start?.shared.risk ?? new RiskState();
    const policy = new OmsSequencerPolicy(loadReferenceData());
    if (!start) policy.shareRiskWhileRecovering(risk);
    const seq = new Sequencer({
      log: w,
      policy,
      clock: () => 0,
      recoverInto: (_s, e) => {
        projection.apply(e);
        risk.apply(e);
      },
      resumeFrom: (session) => {
        if (!start) return undefined;
        expect(session).toBe(start.session);
        policy.restoreSharing(start.shared.projection, risk, start.shared.awaiting);
        return sequencerResume(start);
      },
    });
    policy.endRiskSharing();
    const own = {
      position: seq.position,
      roll: seq.roll,
      roles: [...seq.activeRoles].sort(),
      cseqs: SOURCES.map((s) => seq.nextCseq(s)),
      policyOrders: policy.orders.stateHash(),
    };
    void seq.close();
    return {
      hash: JSON.stringify(own),
      awaiting: policy.awaitingOrders(),
      snapshot: policy.snapshot(),
      sharedProjection: projection.stateHash(),
      sharedRisk: risk.stateHash(),
      fromSeq: start?.seq ?? 0,
    };
  } finally {
    w.close();
    read.close();
  }
}

function storedLog(orderEvents: number): { path: string; last: number; closingSeq: number } {
  const dir = tempDir('ordo-ckpt-start-');
  dirs.push(dir);
  const path = join(dir, 'ordo.db');
  const w = openWritableLog(path, { backgroundCheckpoint: false });
  let closingSeq = 0;
  const events = [...closingSession(orderEvents)];
  for (const e of events) if (e.event.type === 'SessionClosing') closingSeq = e.seq;
  const last = storeSession(w, events, undefined, [1, 3, 8, 2, 9, 5]);
  w.close();
  return { path, last, closingSeq };
}

/** Writes a checkpoint at `seq` folded from the log by the round's own fold (one at a seq the grid does not have). */
function checkpointAt(path: string, seq: number): void {
  const w = openWritableLog(path, { backgroundCheckpoint: false });
  try {
    const fold = new CheckpointFold();
    w.replay(1, (e) => fold.apply(e), 1, seq);
    new CheckpointWriter(w.db).write(1, seq, CHECKPOINT_FORMAT, encodeCheckpoint(fold.state));
  } finally {
    w.close();
  }
}

function dropCheckpointsAfter(path: string, seq: number): void {
  const w = openWritableLog(path, { backgroundCheckpoint: false });
  try {
    checkpointFileOf(w.db, true)!.prepare('DELETE FROM checkpoints WHERE seq > ?').run(seq);
  } finally {
    w.close();
  }
}

function round(path: string): number[] {
  const w = openWritableLog(path, { backgroundCheckpoint: false });
  try {
    return checkpointRound(w.db, { every: EVERY, retention: { recent: 100, sparse: 1_000_000 } })?.written ?? [];
  } finally {
    w.close();
  }
}

describe('host start-up from an in-session checkpoint', () => {
  it('resumes the sequencer, its policy and the shared states to the same hashes as a replay from seq 1', () => {
    const { path, last, closingSeq } = storedLog(40_000);
    const written = round(path);
    expect(written.length).toBeGreaterThanOrEqual(8);
    // The newest checkpoint is taken while closing, with half of the day orders still awaited.
    const inClose = closingSeq + 40;
    expect(inClose).toBeLessThan(last);
    checkpointAt(path, inClose);

    const full = recover(path, false);
    expect(full.awaiting.length).toBeGreaterThanOrEqual(150);
    expect(JSON.parse(full.hash).position.phase).toBe('closing');

    const fromNewest = recover(path, true);
    expect(fromNewest.fromSeq).toBe(inClose);
    expect(fromNewest).toEqual({ ...full, fromSeq: inClose });

    // Several checkpoints back (the tail crosses the grid's later multiples and the close).
    const back = written[written.length - 4]!;
    dropCheckpointsAfter(path, back);
    const fromBack = recover(path, true);
    expect(fromBack.fromSeq).toBe(back);
    expect(fromBack).toEqual({ ...full, fromSeq: back });
  });

  it('a checkpoint read ahead on a thread (with --fix-port) gives the same start; a stale or damaged one is not used', async () => {
    const { path } = storedLog(20_000);
    round(path);
    const full = recover(path, true);
    const ahead = await prefetchStartCheckpoint(path);
    expect(ahead?.seq).toBe(full.fromSeq);
    expect(recover(path, true, ahead)).toEqual(full);
    // Not the newest checkpoint (the log moved on, say): ignored, the newest is read.
    expect(recover(path, true, { ...ahead!, seq: ahead!.seq - EVERY })).toEqual(full);
    // Damaged bytes: skipped with one line, the same checkpoint read again from the log.
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => {});
    expect(recover(path, true, { ...ahead!, bytes: new Uint8Array(64) })).toEqual(full);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('skips a damaged, an old-format and a projection-only checkpoint with one log line each, and replays from further back', () => {
    const { path } = storedLog(20_000);
    const written = round(path);
    const full = recover(path, false);
    const [a, b, c, d] = written.slice(-4) as [number, number, number, number];
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      // d: a flipped bit (its checksum fails).
      checkpointFileOf(w.db, true)!.prepare('UPDATE checkpoints SET body = ? WHERE seq = ? AND part = 0').run(Buffer.from('flipped'), d);
      // c: written by round 3's codec (format 1 inside; checksum right).
      new CheckpointWriter(w.db).write(1, c, 1, serialize({ format: 1, v8: process.versions.v8, shapes: [], root: {}, objects: [], classes: [] }));
      // b: the projection alone (a time-machine checkpoint): no risk state to start from.
      const p = new OmsProjection();
      w.replay(1, (e) => p.apply(e), 1, b);
      new CheckpointWriter(w.db).write(1, b, CHECKPOINT_FORMAT, encodeProjection(p));
    } finally {
      w.close();
    }
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => {});
    const resumed = recover(path, true);
    expect(resumed.fromSeq).toBe(a);
    expect(resumed).toEqual({ ...full, fromSeq: a });
    expect(warn.mock.calls.map((x) => String(x[0]))).toEqual([
      expect.stringMatching(new RegExp(`^start-up: checkpoint session 1 seq ${d} skipped: checksum mismatch in part 0; replaying from further back$`)),
      expect.stringMatching(new RegExp(`^start-up: checkpoint session 1 seq ${c} skipped: checkpoint format 1 is not ${CHECKPOINT_FORMAT}; replaying from further back$`)),
      expect.stringMatching(new RegExp(`^start-up: checkpoint session 1 seq ${b} skipped: it holds no risk state; replaying from further back$`)),
    ]);
    // None usable: the whole session is replayed, same state.
    const w2 = openWritableLog(path, { backgroundCheckpoint: false });
    checkpointFileOf(w2.db, true)!.prepare('UPDATE checkpoints SET crc = crc + 1').run();
    w2.close();
    expect(recover(path, true)).toEqual(full);
  });

  it('rewrites old-format checkpoints in the next round', () => {
    const { path } = storedLog(12_000);
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      const p = new OmsProjection();
      w.replay(1, (e) => p.apply(e), 1, EVERY);
      new CheckpointWriter(w.db).write(1, EVERY, 1, encodeProjection(p));
    } finally {
      w.close();
    }
    expect(round(path)).toContain(EVERY);
    const read = openReadableLog(path);
    try {
      expect(findHostStart(read)?.seq).toBeGreaterThanOrEqual(EVERY);
    } finally {
      read.close();
    }
  });
});
