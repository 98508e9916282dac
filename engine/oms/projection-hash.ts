import { createHash } from 'node:crypto';
import type { SessionState } from '../../contract/domain.ts';
import type { OrderTable } from './order-table/order-table.ts';
import type { ClientBook } from './projection-clients.ts';
import type { CommandSeqs } from './projection-cseq.ts';
import { orderStateOf } from './order-state.ts';
import type { AlertRecord, InstrumentInfo, RequestRefusal, VenueInfo } from './projection-types.ts';

/** Everything the log determines, as the projection holds it. */
export interface HashedState {
  readonly sessionId: number;
  readonly sessionState: SessionState;
  readonly previousSessionId: number;
  readonly orderIdBase: number;
  readonly restoredOrders: number;
  readonly carriedOrders: number;
  readonly seq: number;
  readonly ts: number;
  readonly nextOrderId: number;
  readonly venues: ReadonlyMap<string, VenueInfo>;
  readonly instruments: ReadonlyMap<string, InstrumentInfo>;
  /** The latest ReferencePriceMoved price by symbol. */
  readonly referenceMoves: ReadonlyMap<string, number>;
  readonly clients: ReadonlyMap<string, ClientBook>;
  /** ClientBook by OrderTable client number. */
  readonly books: readonly ClientBook[];
  /** The orders and, in log order, their fills. */
  readonly table: OrderTable;
  readonly roles: ReadonlyMap<string, string>;
  /** Alerts by their key (instance NUL kind). */
  readonly alerts: ReadonlyMap<string, AlertRecord>;
  readonly cseqs: CommandSeqs;
  /** The latest cancel/replace request refused at its seq. */
  readonly refusal: RequestRefusal | undefined;
}

/**
 * SHA-256 (hex) over a canonical serialization of everything the log
 * determines: session, venues, instruments, clients (with open notional),
 * orders by orderId, fills in log order, active roles, alerts and command
 * seqs. (The clientOrderId index is left out: it is a function of the
 * orders.) Equal logs give equal hashes on any replica. The line layout is
 * part of the hash: changing it changes every recorded hash.
 *
 * Each line is the JSON of an array. Nearly all of the text is one line per
 * order and per fill, so those are made without extra work: rows in orderId
 * order without a sort when orders came in id order (as they do), fill lines
 * straight from the fill table's columns, no carried-entry pass when no order
 * carries one (issue #9: the hash of a 1 M event session costs no more than
 * before the OrderTable split although its order lines hold three more fields).
 */
export function hashState(st: HashedState): string {
  const h = new CanonicalHasher();
  h.line([
    'S', st.sessionId, st.sessionState, st.previousSessionId, st.orderIdBase,
    st.restoredOrders, st.carriedOrders, st.seq, st.ts, st.nextOrderId,
  ]);
  for (const k of sortedKeys(st.venues)) {
    const v = st.venues.get(k)!;
    h.line(['V', v.venueId, v.name]);
  }
  for (const k of sortedKeys(st.instruments)) {
    const i = st.instruments.get(k)!;
    h.line([
      'I', i.symbol, i.name, i.instrumentType, i.venue, i.currency, i.tickSize, i.lotSize, i.referencePrice,
      i.underlying ?? null, i.strike ?? null, i.expiry ?? null, i.putCall ?? null, i.roundLot ?? null,
    ]);
  }
  for (const k of sortedKeys(st.clients)) {
    const c = st.clients.get(k)!;
    const info = c.info;
    h.line([
      'C', c.clientId, info?.name ?? null, info?.maxOrderNotional ?? null, info?.maxOpenNotional ?? null,
      info?.allowedSymbols ?? null, c.openUnits,
    ]);
  }
  const t = st.table;
  const rows = rowsByOrderId(t);
  const books = st.books;
  for (let k = 0; k < rows.length; k++) h.line(orderLine(t, books, rows[k]!));
  // Carried entry times as lines of their own: a log without any hashes as it did before they were carried.
  if (t.carriedEntries > 0) for (const r of rows) if (t.hasCarriedEntry(r)) h.line(['E', t.orderId(r), t.enteredTs(r)]);
  const fills = t.fills;
  for (let f = 0; f < fills.size; f++) h.line(fillLine(t, f));
  for (const k of sortedKeys(st.roles)) h.line(['R', k, st.roles.get(k)!]);
  for (const k of sortedKeys(st.alerts)) {
    const a = st.alerts.get(k)!;
    h.line(['A', a.instance, a.kind, a.message, a.seq, a.ts]);
  }
  for (const src of sorted([...st.cseqs.sources()])) h.line(['Q', src, st.cseqs.last(src)]);
  // Appended, and only where the log moved a reference price: logs without such a move hash as before.
  for (const k of sortedKeys(st.referenceMoves)) h.line(['M', k, st.referenceMoves.get(k)!]);
  if (st.refusal !== undefined) h.line(['X', st.refusal.seq, st.refusal.orderId, st.refusal.reason, st.refusal.text]);
  return h.digest();
}

/** Code-unit order, independent of locale. */
function sorted<K extends string | number>(keys: K[]): K[] {
  return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function sortedKeys<K extends string | number>(m: ReadonlyMap<K, unknown>): K[] {
  return sorted([...m.keys()]);
}

/** Rows by ascending orderId: the rows themselves when, as usual, orders first appeared in orderId order. */
function rowsByOrderId(t: OrderTable): Int32Array | number[] {
  const n = t.size;
  let sortedAlready = true;
  for (let r = 1; r < n && sortedAlready; r++) sortedAlready = t.orderId(r - 1) < t.orderId(r);
  if (sortedAlready) {
    const rows = new Int32Array(n);
    for (let r = 0; r < n; r++) rows[r] = r;
    return rows;
  }
  return Array.from({ length: n }, (_, r) => r).sort((a, b) => t.orderId(a) - t.orderId(b));
}

/** The order's line (the layout is part of the hash). */
function orderLine(t: OrderTable, books: readonly ClientBook[], r: number): unknown[] {
  const cp = t.cancelPending(r);
  const rp = t.replacePending(r);
  const stage = t.stateName(r);
  return [
    'O', t.orderId(r), books[t.client(r)]!.clientId, t.clientOrderId(r), t.symbol(r), t.side(r), t.orderType(r),
    t.timeInForce(r), t.quantity(r), t.price(r), orderStateOf(stage, cp, rp),
    t.filledQuantity(r), t.leavesQuantity(r), t.avgPrice(r),
    t.filledValue(r), t.venue(r) ?? null, t.rejectCode(r), t.rejectReason(r) ?? null, t.createdTs(r), t.updatedTs(r),
    rp, cp, t.valuationPrice(r), t.openUnits(r), t.eventSeqs(r),
    stage, t.expireAt(r), t.replaceHistory(r) ?? null,
  ];
}

/** The fill's line, from the table's columns (no FillRecord per fill). */
function fillLine(t: OrderTable, f: number): unknown[] {
  const fills = t.fills;
  const orderId = fills.orderId(f);
  const r = t.row(orderId);
  return [
    'F', fills.execId(f), orderId, r < 0 ? '' : t.symbol(r), r < 0 ? 'buy' : t.side(r),
    fills.quantity(f), fills.price(f), fills.seq(f), fills.ts(f),
  ];
}

/** Feeds JSON lines to SHA-256 in ~64 KiB chunks. */
class CanonicalHasher {
  private readonly hash = createHash('sha256');
  private buf = '';
  line(values: readonly unknown[]): void {
    this.text(JSON.stringify(values) + '\n');
  }
  /** A line already written as JSON, with its newline. */
  text(jsonLine: string): void {
    this.buf += jsonLine;
    if (this.buf.length > 65_536) {
      this.hash.update(this.buf, 'utf8');
      this.buf = '';
    }
  }
  digest(): string {
    this.hash.update(this.buf, 'utf8');
    return this.hash.digest('hex');
  }
}
