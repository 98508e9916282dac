import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FixMsgStoreRecord, type IFixMsgStoreRecord, type ILooseObject } from 'jspurefix';

/** Fields jspurefix encodes from Date objects (UTCTimestamp) that JSON turns into strings. */
const TIME_FIELDS = new Set(['TransactTime', 'SendingTime', 'OrigSendingTime', 'ExpireTime']);

/**
 * The application messages a FIX session sent, by MsgSeqNum, as JSON lines
 * in the FIX store folder: what a ResendRequest is answered from (sent again
 * with PossDupFlag=Y), across reconnects and host restarts.
 */
export class SentJournal {
  private readonly recent = new Map<number, { msgType: string; obj: ILooseObject }>();

  constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }

  add(seq: number, msgType: string, obj: ILooseObject): void {
    appendFileSync(this.path, `${JSON.stringify({ seq, msgType, obj })}\n`, { mode: 0o600 });
    this.recent.set(seq, { msgType, obj });
    if (this.recent.size > 10_000) this.recent.delete(this.recent.keys().next().value!);
  }

  /** Messages with from <= seq <= to, ascending. */
  range(from: number, to: number): IFixMsgStoreRecord[] {
    const found = new Map<number, { msgType: string; obj: ILooseObject }>();
    const first = this.recent.keys().next().value;
    if (first === undefined || from < first) {
      if (existsSync(this.path)) {
        for (const line of readFileSync(this.path, 'utf8').split('\n')) {
          if (!line) continue;
          const r = JSON.parse(line, (k, v: unknown) => (TIME_FIELDS.has(k) && typeof v === 'string' ? new Date(v) : v)) as { seq: number; msgType: string; obj: ILooseObject };
          if (r.seq >= from && r.seq <= to) found.set(r.seq, r);
        }
      }
    }
    for (const [seq, r] of this.recent) if (seq >= from && seq <= to) found.set(seq, r);
    return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([seq, r]) => new FixMsgStoreRecord(r.msgType, new Date(), seq, { ...r.obj }, null));
  }
}
