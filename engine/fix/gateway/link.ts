import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IJsFixConfig, ILooseObject } from 'jspurefix';
import { Reason } from '../../protocol/reasons.ts';
import type { NewOrderMsg, VenueReply, VenueRequest } from '../../venue/protocol.ts';
import { fixOrdType, fixSide, fixTif } from '../fields.ts';
import { connectFix, type BeginString, type FixConnection } from '../jspurefix.ts';
import { OrdoFixSession, type SessionHooks } from '../session.ts';
import { log } from '../../log.ts';

/** How Ordo reaches one venue over FIX (one entry of the venues file). */
export interface FixVenueConfig {
  readonly venueId: string;
  readonly host: string;
  readonly port: number;
  readonly beginString: BeginString;
  /** Ordo's CompID towards the venue. */
  readonly senderCompId: string;
  /** The venue's CompID. */
  readonly targetCompId: string;
  readonly heartbeatSeconds?: number;
  readonly password?: string;
  /** Seconds between reconnect attempts. Default 1. */
  readonly reconnectSeconds?: number;
  /** How long reconciliation waits for the venue's answers before new orders go out anyway. Default 3000 ms. */
  readonly reconcileTimeoutMs?: number;
}

/** An order as the link needs it to reconcile: the OMS's view (from the projection). */
export interface LiveOrder {
  readonly orderId: number;
  readonly symbol: string;
  readonly side: NewOrderMsg['side'];
  readonly quantity: number;
  readonly filledQuantity: number;
  readonly avgPrice: number;
}

export interface LinkOptions {
  readonly config: FixVenueConfig;
  /** Where the FIX store and the link's ClOrdID file go. */
  readonly dir: string;
  /** Orders the OMS believes live at this venue (reconciled at every logon). */
  readonly liveOrders: () => LiveOrder[];
  readonly onReply: (reply: VenueReply) => void;
  /** Every message in and out (tests, logs). */
  readonly onTraffic?: (direction: 'in' | 'out', text: string) => void;
}

/** FNV-1a, 48 bits: a venue's string ExecID as the number Ordo's fills carry (same string, same number). */
export function execIdNumber(s: string): number {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return Number(h & 0xffffffffffffn);
}

interface OrderIds {
  /** ClOrdID the venue knows the order by now. */
  current: string;
  /** Requests sent: how many ClOrdIDs this order has used. */
  n: number;
  symbol: string;
  side: NewOrderMsg['side'];
  /** ClOrdIDs of cancels in flight (an unsolicited cancel has none). */
  cancels: string[];
  /**
   * Ordo's Expire (a park at an explicit close, a day order's end) sent as an
   * OrderCancelRequest: its ClOrdID → the reason the venue's confirmation is
   * reported with (decision 105).
   */
  expires?: Record<string, number>;
  /** Taken off the venue by a park: its next NewOrder is a re-entry under a new ClOrdID. */
  parked?: boolean;
  /** Filled before the venue's current order (a parked order re-entered): the venue knows only the rest. */
  filledBefore?: number;
  /** Their value (quantity × average price), for the price of a fill found by reconciliation. */
  valueBefore?: number;
}

/**
 * One FIX session to a venue (jspurefix initiator, reconnecting, sequence
 * numbers and messages in a file store): Ordo's venue requests out as FIX
 * 4.2 or 4.4, ExecutionReports and OrderCancelRejects back as venue replies.
 * After every logon, the orders the OMS believes live at the venue are
 * reconciled with OrderStatusRequests before any new order goes out.
 */
export class FixVenueLink {
  private readonly conn: FixConnection;
  private session: OrdoFixSession | undefined;
  private readonly ids = new Map<number, OrderIds>();
  private readonly idsPath: string;
  /** Requests waiting for the link (down, or reconciling). */
  private held: VenueRequest[] = [];
  private reconciling = new Set<number>();
  private reconcileTimer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly fix44: boolean;
  private nextReq = 1;
  private closed = false;

  constructor(private readonly opts: LinkOptions) {
    const c = opts.config;
    this.fix44 = c.beginString === 'FIX.4.4';
    this.idsPath = join(opts.dir, `${c.venueId}-clordids.json`);
    this.load();
    const hooks: SessionHooks = {
      logon: () => undefined,
      ready: (s) => this.onReady(s),
      message: (_s, msgType, body) => this.onMessage(msgType, body),
      stopped: (s) => {
        if (this.session === s) this.session = undefined;
      },
      traffic: (_s, direction, text) => opts.onTraffic?.(direction, text),
    };
    this.conn = connectFix(
      {
        role: 'initiator',
        name: `venue-${c.venueId}`,
        begin: c.beginString,
        senderCompId: c.senderCompId,
        targetCompId: c.targetCompId,
        host: c.host,
        port: c.port,
        heartbeatSeconds: c.heartbeatSeconds ?? 30,
        storeDir: join(opts.dir, 'store'),
        resilient: true,
        reconnectSeconds: c.reconnectSeconds ?? 1,
        ...(c.password !== undefined ? { password: c.password } : {}),
      },
      (config: IJsFixConfig) => {
        const s = new OrdoFixSession(config, hooks, join(opts.dir, 'store'));
        s.peerCompId = c.targetCompId;
        return s;
      },
    );
  }

  /** True while logged on and not reconciling. */
  get ready(): boolean {
    return this.session !== undefined && this.reconciling.size === 0;
  }

  send(req: VenueRequest): void {
    if (req.type === 'Status') {
      // Answered from the venue's OrderStatusRequests, whenever the link is up.
      for (const id of req.orderIds) this.held.push({ type: 'Status', orderIds: [id] });
      this.pump();
      return;
    }
    this.held.push(req);
    this.pump();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconcileTimer);
    this.flushIds();
    this.session?.logout('Ordo gateway stopping');
    this.conn.stop();
  }

  private pump(): void {
    const s = this.session;
    if (!s || this.reconciling.size > 0) return;
    const held = this.held;
    this.held = [];
    for (const r of held) this.out(s, r);
  }

  private onReady(s: OrdoFixSession): void {
    this.session = s;
    // Reconcile what the OMS believes is live here before anything new goes out.
    // Only orders this link has sent: one still held here was never at the venue.
    const live = this.opts.liveOrders().filter((o) => this.ids.has(o.orderId));
    this.reconciling = new Set(live.map((o) => o.orderId));
    for (const o of live) this.statusRequest(s, o.orderId, o.symbol, o.side);
    clearTimeout(this.reconcileTimer);
    if (this.reconciling.size > 0) {
      this.reconcileTimer = setTimeout(() => {
        this.reconciling.clear();
        this.pump();
      }, this.opts.config.reconcileTimeoutMs ?? 3000);
    }
    this.pump();
  }

  private idsOf(orderId: number, symbol?: string, side?: NewOrderMsg['side']): OrderIds {
    let ids = this.ids.get(orderId);
    if (!ids) {
      ids = { current: String(orderId), n: 0, symbol: symbol ?? '', side: side ?? 'buy', cancels: [] };
      this.ids.set(orderId, ids);
    }
    return ids;
  }

  private nextClOrdId(ids: OrderIds, orderId: number): string {
    ids.n++;
    this.saveIds();
    return `${orderId}.${ids.n}`;
  }

  private instrument(symbol: string): ILooseObject {
    return this.fix44 ? { Instrument: { Symbol: symbol } } : { Symbol: symbol };
  }

  private qty(q: number): ILooseObject {
    return this.fix44 ? { OrderQtyData: { OrderQty: q } } : { OrderQty: q };
  }

  private out(s: OrdoFixSession, r: VenueRequest): void {
    switch (r.type) {
      case 'NewOrder': {
        const ids = this.idsOf(r.orderId, r.symbol, r.side);
        ids.symbol = r.symbol;
        ids.side = r.side;
        if (ids.parked === true) {
          // Re-entry of a parked order (decision 105): a new order at the venue, for what is left, under the next ClOrdID of its chain.
          ids.parked = false;
          const known = this.opts.liveOrders().find((o) => o.orderId === r.orderId);
          ids.filledBefore = known?.filledQuantity ?? 0;
          ids.valueBefore = known ? known.filledQuantity * known.avgPrice : 0;
          ids.current = this.nextClOrdId(ids, r.orderId);
          this.flushIds();
        }
        this.saveIds();
        s.sendApp('D', {
          ClOrdID: ids.current,
          ...(this.fix44 ? {} : { HandlInst: '1' }),
          ...this.instrument(r.symbol),
          Side: fixSide(r.side),
          TransactTime: new Date(),
          ...this.qty(r.quantity - (ids.filledBefore ?? 0)),
          OrdType: fixOrdType(r.orderType),
          ...(r.orderType === 'limit' ? { Price: r.price } : {}),
          TimeInForce: fixTif(r.timeInForce),
        });
        break;
      }
      case 'Cancel': {
        const ids = this.idsOf(r.orderId);
        const clOrdId = this.nextClOrdId(ids, r.orderId);
        ids.cancels.push(clOrdId);
        s.sendApp('F', { OrigClOrdID: ids.current, ClOrdID: clOrdId, ...this.instrument(ids.symbol), Side: fixSide(ids.side), TransactTime: new Date() });
        break;
      }
      case 'Replace': {
        const ids = this.idsOf(r.orderId);
        const clOrdId = this.nextClOrdId(ids, r.orderId);
        s.sendApp('G', {
          OrigClOrdID: ids.current,
          ClOrdID: clOrdId,
          ...(this.fix44 ? {} : { HandlInst: '1' }),
          ...this.instrument(ids.symbol),
          Side: fixSide(ids.side),
          TransactTime: new Date(),
          ...this.qty(r.quantity - (ids.filledBefore ?? 0)),
          OrdType: '2',
          Price: r.price,
        });
        break;
      }
      case 'Expire': {
        // FIX has no "expire this order": the venue is asked to cancel it, and its confirmation is
        // reported as the expiry Ordo asked for (a park: Expired{SESSION_PARKED}, logged OrderParked).
        const ids = this.idsOf(r.orderId);
        const clOrdId = this.nextClOrdId(ids, r.orderId);
        (ids.expires ??= {})[clOrdId] = r.reason;
        s.sendApp('F', { OrigClOrdID: ids.current, ClOrdID: clOrdId, ...this.instrument(ids.symbol), Side: fixSide(ids.side), TransactTime: new Date() });
        break;
      }
      case 'Status': {
        for (const id of r.orderIds) {
          const ids = this.idsOf(id);
          this.statusRequest(s, id, ids.symbol, ids.side);
        }
        break;
      }
    }
  }

  private statusRequest(s: OrdoFixSession, orderId: number, symbol: string, side: NewOrderMsg['side']): void {
    const ids = this.idsOf(orderId, symbol, side);
    s.sendApp('H', { ClOrdID: ids.current, ...this.instrument(symbol || ids.symbol), Side: fixSide(side), ...(this.fix44 ? { OrdStatusReqID: `s${this.nextReq++}` } : {}) });
  }

  private orderIdOf(clOrdId: unknown): number | undefined {
    if (typeof clOrdId !== 'string' && typeof clOrdId !== 'number') return undefined;
    const head = String(clOrdId).split('.')[0]!;
    return /^\d+$/.test(head) ? Number(head) : undefined;
  }

  private onMessage(msgType: string, body: ILooseObject): void {
    if (msgType === '8') this.onExecutionReport(body);
    else if (msgType === '9') this.onCancelReject(body);
    else if (msgType === 'j' || msgType === '3') this.onBusinessReject(body);
  }

  private onExecutionReport(b: ILooseObject): void {
    const clOrdId = String(b['ClOrdID'] ?? '');
    const orderId = this.orderIdOf(clOrdId) ?? this.orderIdOf(b['OrigClOrdID']);
    if (orderId === undefined) return;
    const ids = this.idsOf(orderId);
    const execType = String(b['ExecType'] ?? '');
    const ordStatus = String(b['OrdStatus'] ?? '');
    const leaves = Number(b['LeavesQty'] ?? 0);
    const reply = this.opts.onReply;
    const lastQty = Number(b['LastQty'] ?? b['LastShares'] ?? 0);
    const lastPx = Number(b['LastPx'] ?? 0);
    if (execType === 'I' || execType === '3' || (execType === '' && this.reconciling.has(orderId))) {
      this.onStatus(orderId, b);
      return;
    }
    switch (execType) {
      case '0':
        reply({ type: 'Ack', orderId });
        break;
      case '1':
      case '2':
      case 'F':
        if (lastQty > 0) reply({ type: 'Fill', orderId, execId: execIdNumber(String(b['ExecID'] ?? '')), quantity: lastQty, price: lastPx, leaves });
        break;
      case '4': {
        const i = ids.cancels.indexOf(clOrdId);
        if (i >= 0) ids.cancels.splice(i, 1);
        ids.current = clOrdId || ids.current;
        // An expire's confirmation (a venue that echoes the order's ClOrdID instead of the cancel's: the one
        // in flight, unless a trader's cancel is too, which then wins: the order ends as the trader asked).
        const expires = ids.expires ?? {};
        const key = clOrdId in expires ? clOrdId : i < 0 && ids.cancels.length === 0 ? Object.keys(expires)[0] : undefined;
        if (key !== undefined) {
          const reason = expires[key]!;
          delete expires[key];
          if (reason === Reason.SESSION_PARKED) ids.parked = true;
          // At once, not batched: a restart must re-enter it as a new order, not resend its old ClOrdID.
          this.flushIds();
          reply({ type: 'Expired', orderId, reason });
          break;
        }
        this.saveIds();
        reply({ type: 'Cancelled', orderId, reason: i >= 0 ? Reason.TRADER_REQUEST : Reason.VENUE_REJECT });
        break;
      }
      case '5': {
        ids.current = clOrdId || ids.current;
        this.saveIds();
        const qty = Number(b['OrderQty'] ?? (b['OrderQtyData'] as ILooseObject | undefined)?.['OrderQty'] ?? 0) + (ids.filledBefore ?? 0);
        reply({ type: 'ReplaceAck', orderId, quantity: qty, price: Number(b['Price'] ?? 0), leaves });
        break;
      }
      case '8':
        reply({ type: 'Rejected', orderId, reason: Reason.VENUE_REJECT, text: String(b['Text'] ?? 'rejected by the venue') });
        break;
      case 'C':
        reply({ type: 'Expired', orderId, reason: Reason.IOC_REMAINDER });
        break;
      default:
        // Pending states and the like tell the OMS nothing new; a status of an order we asked about is handled above.
        void ordStatus;
        break;
    }
  }

  /** An OrderStatusRequest's answer: the venue's state as an Ordo OrderStatus reply (fills summed into one). */
  private onStatus(orderId: number, b: ILooseObject): void {
    const st = String(b['OrdStatus'] ?? '');
    // A venue that does not know the order (OrderID NONE) says so with a reject: to Ordo that is 'unknown' (send it again).
    const unknown = st === '8' && (b['OrderID'] === 'NONE' || b['OrderID'] === undefined);
    const state = unknown ? 'unknown' : st === '2' ? 'filled' : st === '4' ? 'cancelled' : st === '8' ? 'rejected' : st === 'C' ? 'expired' : 'open';
    // A re-entered parked order: the venue's order holds only what was left; Ordo's order is the whole.
    const before = this.ids.get(orderId)?.filledBefore ?? 0;
    const venueCum = Number(b['CumQty'] ?? 0);
    const cum = venueCum + before;
    const known = this.opts.liveOrders().find((o) => o.orderId === orderId);
    const fills = [];
    if (known && cum > known.filledQuantity) {
      // What the venue filled that the OMS has not heard of: one fill for the difference, at the price that makes the average right.
      const qty = cum - known.filledQuantity;
      const px = (venueCum * Number(b['AvgPx'] ?? 0) - (known.filledQuantity * known.avgPrice - (this.ids.get(orderId)?.valueBefore ?? 0))) / qty;
      fills.push({ execId: execIdNumber(`recon-${orderId}-${cum}`), quantity: qty, price: Math.round(px * 1e6) / 1e6 });
    }
    this.opts.onReply({ type: 'OrderStatus', orderId, state, quantity: Number(b['OrderQty'] ?? 0) + before, price: Number(b['Price'] ?? 0), filledQuantity: cum, leaves: Number(b['LeavesQty'] ?? 0), fills });
    this.settleReconcile(orderId);
  }

  private onCancelReject(b: ILooseObject): void {
    const orderId = this.orderIdOf(b['OrigClOrdID']) ?? this.orderIdOf(b['ClOrdID']);
    if (orderId === undefined) return;
    const ids = this.idsOf(orderId);
    const clOrdId = String(b['ClOrdID'] ?? '');
    if (ids.expires !== undefined && clOrdId in ids.expires) {
      // Too late to take it off (it filled, or the venue does not know it): the venue's status settles it
      // (its fills complete a filled order; one the venue does not know is as good as parked: decision 105).
      delete ids.expires[clOrdId];
      this.saveIds();
      if (this.session) this.statusRequest(this.session, orderId, ids.symbol, ids.side);
      return;
    }
    const i = ids.cancels.indexOf(clOrdId);
    if (i >= 0) ids.cancels.splice(i, 1);
    const text = String(b['Text'] ?? 'refused by the venue');
    const replace = String(b['CxlRejResponseTo'] ?? '1') === '2';
    this.opts.onReply(replace ? { type: 'ReplaceRejected', orderId, reason: Reason.VENUE_REJECT, text } : { type: 'CancelRejected', orderId, reason: Reason.VENUE_REJECT, text });
  }

  /** A venue that does not support OrderStatusRequest says so: reconciliation cannot wait for it. */
  private onBusinessReject(b: ILooseObject): void {
    const ref = String(b['RefMsgType'] ?? '');
    if (ref === 'H' || this.reconciling.size > 0) {
      this.reconciling.clear();
      this.pump();
    }
  }

  private settleReconcile(orderId: number): void {
    if (!this.reconciling.delete(orderId)) return;
    if (this.reconciling.size === 0) {
      clearTimeout(this.reconcileTimer);
      this.pump();
    }
  }

  private load(): void {
    if (!existsSync(this.idsPath)) return;
    try {
      const d = JSON.parse(readFileSync(this.idsPath, 'utf8')) as Record<string, OrderIds>;
      for (const [k, v] of Object.entries(d)) this.ids.set(Number(k), v);
    } catch {
      log.warn(`fix: ${this.idsPath} is unreadable; ClOrdIDs restart from the order ids`);
    }
  }

  private saveIds(): void {
    if (this.closed) return;
    this.saveTimer ??= setTimeout(() => this.flushIds(), 20);
  }

  private flushIds(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 });
    writeFileSync(`${this.idsPath}.tmp`, JSON.stringify(Object.fromEntries(this.ids)), { mode: 0o600 });
    renameSync(`${this.idsPath}.tmp`, this.idsPath);
  }
}
