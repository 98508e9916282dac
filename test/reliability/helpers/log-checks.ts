import { join } from 'node:path';
import type { Sequenced } from '../../../engine/protocol/events.ts';
import { OmsProjection } from '../../../engine/oms/projection.ts';
import { openReadableLog, type CorruptionReport, type SessionRow } from '../../../engine/store/log.ts';

/** What the checks found in one data dir's log, read read-only with the engine's own log reader. */
export interface LogAudit {
  sessions: SessionRow[];
  /** Events by session id. */
  events: Map<number, Sequenced[]>;
  problems: CorruptionReport[];
  /** Seqs that are missing or out of place (must be empty: gap-free from 1). */
  seqGaps: string[];
  /** (session, src, cseq) that produced more than one event (must be empty). */
  duplicateCommands: string[];
  snapshots: number;
}

export function dbPath(dataDir: string): string {
  return join(dataDir, 'ordo.db');
}

/** Reads every session of the log and checks: checksums (verify), gap-free seqs, one event per (src, cseq). */
export function auditLog(dataDir: string): LogAudit {
  const log = openReadableLog(dbPath(dataDir));
  // One read transaction: a host still running keeps appending (fills from the venue's market maker), and
  // the session rows and the events must be read from the same snapshot of the log.
  log.db.exec('BEGIN');
  try {
    const sessions = log.sessions();
    const problems = log.verify();
    const events = new Map<number, Sequenced[]>();
    const seqGaps: string[] = [];
    const duplicateCommands: string[] = [];
    let snapshots = 0;
    for (const s of sessions) {
      const list = [...log.events(s.id)];
      events.set(s.id, list);
      list.forEach((e, i) => {
        if (e.seq !== i + 1) seqGaps.push(`session ${s.id}: event #${i + 1} has seq ${e.seq}`);
      });
      if (list.length !== s.lastSeq) seqGaps.push(`session ${s.id}: ${list.length} events but last seq ${s.lastSeq}`);
      const seen = new Set<string>();
      for (const e of list) {
        if (e.cseq === 0) continue;
        const k = `${e.src}#${e.cseq}`;
        if (seen.has(k)) duplicateCommands.push(`session ${s.id}: ${k}`);
        seen.add(k);
      }
      if (log.snapshot(s.id)) snapshots++;
    }
    return { sessions, events, problems, seqGaps, duplicateCommands, snapshots };
  } finally {
    if (log.db.inTransaction) log.db.exec('COMMIT');
    log.close();
  }
}

/** A fresh projection of `events` (a replay), and its state hash. */
export function replay(events: readonly Sequenced[]): { projection: OmsProjection; hash: string } {
  const p = new OmsProjection();
  for (const e of events) p.apply(e);
  return { projection: p, hash: p.stateHash() };
}

/** Events of one type, narrowed. */
export function ofType<T extends Sequenced['event']['type']>(events: readonly Sequenced[], type: T): (Sequenced & { event: Extract<Sequenced['event'], { type: T }> })[] {
  return events.filter((e) => e.event.type === type) as (Sequenced & { event: Extract<Sequenced['event'], { type: T }> })[];
}

/** orderId → number of risk decisions (OrderAccepted + OrderRejected) in the events. */
export function decisionsPerOrder(events: readonly Sequenced[]): Map<number, number> {
  const n = new Map<number, number>();
  for (const e of events) {
    if (e.event.type === 'OrderAccepted' || e.event.type === 'OrderRejected') n.set(e.event.orderId, (n.get(e.event.orderId) ?? 0) + 1);
  }
  return n;
}
