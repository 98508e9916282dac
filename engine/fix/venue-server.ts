import { join } from 'node:path';
import type { IJsFixConfig, ILooseObject } from 'jspurefix';
import { VenueClient } from '../venue/client.ts';
import type { NewOrderMsg, VenueReply } from '../venue/protocol.ts';
import { CxlRejReason, CxlRejResponseTo, ExecType, fixOrdType, fixSide, fixTif, OrdStatus, ordoOrdType, ordoSide, ordoTif } from './fields.ts';
import { listenFix, type FixListener } from './jspurefix.ts';
import { OrdoFixSession, type SessionHooks } from './session.ts';

/** The simulated venue's CompID on FIX. */
export const SIM_VENUE_COMP_ID = 'ORDOSIM';

interface SimOrder {
  readonly id: number;
  readonly peer: string;
  clOrdId: string;
  readonly symbol: string;
  readonly side: NewOrderMsg['side'];
  readonly ordType: NewOrderMsg['orderType'];
  readonly tif: NewOrderMsg['timeInForce'];
  qty: number;
  price: number;
  cum: number;
  value: number;
  status: string;
  cancel: { clOrdId: string; orig: string } | undefined;
  replace: { clOrdId: string; orig: string } | undefined;
}

/**
 * The simulated venue, served over FIX 4.4 (acceptor, any SenderCompID,
 * TargetCompID ORDOSIM): D, F, G and H in, ExecutionReports and
 * OrderCancelRejects out, in front of the same in-process order books. With
 * it, a default install routes over FIX end to end (`--venue-fix-port` plus
 * a venues file naming this port); the in-process path stays the default.
 */
export class SimVenueFixServer {
  private listener: FixListener | undefined;
  private readonly client: VenueClient;
  private readonly sessions = new Map<string, OrdoFixSession>();
  private readonly orders = new Map<number, SimOrder>();
  private readonly byClOrdId = new Map<string, number>();
  private readonly owed = new Map<string, [string, ILooseObject][]>();
  private nextId = 1;

  private constructor(
    venueEndpoint: string,
    private readonly storeDir: string,
  ) {
    this.client = new VenueClient({ endpoint: venueEndpoint, routingId: `fix-sim-${process.pid}-${Date.now()}` });
    this.client.onMessage((m) => this.onVenue(m));
  }

  /** Listens on host:port (port 0: a free one) in front of the simulated venue at `venueEndpoint`. */
  static async start(opts: { venueEndpoint: string; port: number; host?: string; dataDir: string }): Promise<SimVenueFixServer> {
    const s = new SimVenueFixServer(opts.venueEndpoint, join(opts.dataDir, 'fix', 'sim-venue'));
    s.listener = await listenFix(
      {
        role: 'acceptor',
        name: 'ordo-sim-venue',
        begin: 'FIX.4.4',
        senderCompId: SIM_VENUE_COMP_ID,
        targetCompId: '*',
        host: opts.host ?? '127.0.0.1',
        port: opts.port,
        heartbeatSeconds: 30,
        storeDir: s.storeDir,
      },
      (config: IJsFixConfig) => new OrdoFixSession(config, s.hooks, s.storeDir),
    );
    return s;
  }

  get port(): number {
    return this.listener?.port ?? 0;
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) s.logout('simulated venue stopping');
    await this.listener?.close();
    await this.client.close();
  }

  private readonly hooks: SessionHooks = {
    logon: (_peer, target) => (target === SIM_VENUE_COMP_ID ? undefined : `TargetCompID must be ${SIM_VENUE_COMP_ID}, got '${target}'`),
    ready: (s) => {
      const peer = s.peerCompId!;
      this.sessions.set(peer, s);
      const q = this.owed.get(peer) ?? [];
      this.owed.delete(peer);
      for (const [t, b] of q) s.sendApp(t, b);
    },
    stopped: (s) => {
      if (s.peerCompId !== undefined && this.sessions.get(s.peerCompId) === s) this.sessions.delete(s.peerCompId);
    },
    message: (s, msgType, body) => this.onFix(s, msgType, body),
  };

  private to(peer: string, msgType: string, body: ILooseObject): void {
    const s = this.sessions.get(peer);
    if (s) s.sendApp(msgType, body);
    else {
      let q = this.owed.get(peer);
      if (!q) this.owed.set(peer, (q = []));
      q.push([msgType, body]);
    }
  }

  private onFix(s: OrdoFixSession, msgType: string, b: ILooseObject): void {
    const peer = s.peerCompId!;
    const sym = ((b['Instrument'] as ILooseObject | undefined)?.['Symbol'] ?? b['Symbol']) as string | undefined;
    const qty = Number((b['OrderQtyData'] as ILooseObject | undefined)?.['OrderQty'] ?? b['OrderQty'] ?? 0);
    const clOrdId = String(b['ClOrdID'] ?? '');
    const orig = String(b['OrigClOrdID'] ?? '');
    switch (msgType) {
      case 'D': {
        const side = ordoSide(b['Side']);
        const type = ordoOrdType(b['OrdType']);
        const tif = ordoTif(b['TimeInForce']);
        const key = `${peer}\u0001${clOrdId}`;
        if (this.byClOrdId.has(key)) return; // a resend of an order the venue has
        if (!sym || !side || !type || !tif || !(qty > 0)) {
          s.sendApp('8', { OrderID: 'NONE', ClOrdID: clOrdId, ExecID: `rej-${Date.now()}`, ExecType: ExecType.REJECTED, OrdStatus: OrdStatus.REJECTED, Instrument: { Symbol: sym ?? 'NONE' }, Side: String(b['Side'] ?? '1'), LeavesQty: 0, CumQty: 0, AvgPx: 0, Text: 'unsupported or missing order fields' });
          return;
        }
        const o: SimOrder = { id: this.nextId++, peer, clOrdId, symbol: sym, side, ordType: type, tif, qty, price: Number(b['Price'] ?? 0), cum: 0, value: 0, status: OrdStatus.PENDING_NEW, cancel: undefined, replace: undefined };
        this.orders.set(o.id, o);
        this.byClOrdId.set(key, o.id);
        this.client.send({ type: 'NewOrder', orderId: o.id, symbol: sym, side, orderType: type, timeInForce: tif, quantity: qty, price: o.price });
        break;
      }
      case 'F':
      case 'G': {
        const o = this.find(peer, orig);
        if (!o) {
          s.sendApp('9', { OrderID: 'NONE', ClOrdID: clOrdId, OrigClOrdID: orig, OrdStatus: OrdStatus.REJECTED, CxlRejResponseTo: msgType === 'F' ? CxlRejResponseTo.CANCEL : CxlRejResponseTo.REPLACE, CxlRejReason: CxlRejReason.UNKNOWN_ORDER, Text: `unknown order '${orig}'` });
          return;
        }
        this.byClOrdId.set(`${peer}\u0001${clOrdId}`, o.id);
        if (msgType === 'F') {
          o.cancel = { clOrdId, orig };
          this.client.send({ type: 'Cancel', orderId: o.id });
        } else {
          o.replace = { clOrdId, orig };
          this.client.send({ type: 'Replace', orderId: o.id, quantity: qty, price: Number(b['Price'] ?? o.price) });
        }
        break;
      }
      case 'H': {
        const o = this.find(peer, clOrdId);
        if (o) this.report(o, ExecType.ORDER_STATUS, `st-${o.id}-${Date.now()}`);
        else s.sendApp('8', { OrderID: 'NONE', ClOrdID: clOrdId, ExecID: `st-${Date.now()}`, ExecType: ExecType.ORDER_STATUS, OrdStatus: OrdStatus.REJECTED, Instrument: { Symbol: sym ?? 'NONE' }, Side: String(b['Side'] ?? '1'), LeavesQty: 0, CumQty: 0, AvgPx: 0, Text: `unknown order '${clOrdId}'` });
        break;
      }
      default:
        s.sendApp('j', { RefMsgType: msgType, BusinessRejectReason: 3, Text: `MsgType ${msgType} is not supported by the simulated venue` });
    }
  }

  private find(peer: string, clOrdId: string): SimOrder | undefined {
    const id = this.byClOrdId.get(`${peer}\u0001${clOrdId}`);
    return id === undefined ? undefined : this.orders.get(id);
  }

  private report(o: SimOrder, execType: string, execId: string, extra: ILooseObject = {}, clOrdId = o.clOrdId): void {
    this.to(o.peer, '8', {
      OrderID: String(o.id),
      ClOrdID: clOrdId,
      ExecID: execId,
      ExecType: execType,
      OrdStatus: o.status,
      Instrument: { Symbol: o.symbol },
      Side: fixSide(o.side),
      OrderQtyData: { OrderQty: o.qty },
      OrdType: fixOrdType(o.ordType),
      ...(o.ordType === 'limit' ? { Price: o.price } : {}),
      TimeInForce: fixTif(o.tif),
      LeavesQty: ['2', '4', '8', 'C'].includes(o.status) ? 0 : o.qty - o.cum,
      CumQty: o.cum,
      AvgPx: o.cum > 0 ? o.value / o.cum : 0,
      TransactTime: new Date(),
      ...extra,
    });
  }

  private onVenue(m: VenueReply): void {
    if (m.type === 'ProtocolError') return;
    const o = this.orders.get(m.orderId);
    if (!o) return;
    switch (m.type) {
      case 'Ack':
        o.status = OrdStatus.NEW;
        this.report(o, ExecType.NEW, `${o.id}-ack`);
        break;
      case 'Fill':
        o.cum += m.quantity;
        o.value += m.quantity * m.price;
        o.status = o.cum >= o.qty ? OrdStatus.FILLED : OrdStatus.PARTIALLY_FILLED;
        this.report(o, ExecType.TRADE, String(m.execId), { LastQty: m.quantity, LastPx: m.price });
        break;
      case 'Cancelled': {
        o.status = OrdStatus.CANCELED;
        const c = o.cancel;
        o.cancel = undefined;
        if (c) o.clOrdId = c.clOrdId;
        this.report(o, ExecType.CANCELED, `${o.id}-cxl`, c ? { OrigClOrdID: c.orig } : {});
        break;
      }
      case 'Expired':
        o.status = OrdStatus.EXPIRED;
        this.report(o, ExecType.EXPIRED, `${o.id}-exp`);
        break;
      case 'Rejected':
        o.status = OrdStatus.REJECTED;
        this.report(o, ExecType.REJECTED, `${o.id}-rej`, { Text: m.text });
        break;
      case 'ReplaceAck': {
        const r = o.replace;
        o.replace = undefined;
        o.qty = m.quantity;
        o.price = m.price;
        if (r) o.clOrdId = r.clOrdId;
        this.report(o, ExecType.REPLACED, `${o.id}-rpl-${o.clOrdId}`, r ? { OrigClOrdID: r.orig } : {});
        break;
      }
      case 'ReplaceRejected':
      case 'CancelRejected': {
        const req = m.type === 'CancelRejected' ? o.cancel : o.replace;
        if (m.type === 'CancelRejected') o.cancel = undefined;
        else o.replace = undefined;
        this.to(o.peer, '9', {
          OrderID: String(o.id),
          ClOrdID: req?.clOrdId ?? o.clOrdId,
          OrigClOrdID: req?.orig ?? o.clOrdId,
          OrdStatus: o.status,
          CxlRejResponseTo: m.type === 'CancelRejected' ? CxlRejResponseTo.CANCEL : CxlRejResponseTo.REPLACE,
          CxlRejReason: CxlRejReason.OTHER,
          Text: m.text,
        });
        break;
      }
      case 'OrderStatus':
        this.report(o, ExecType.ORDER_STATUS, `${o.id}-st-${m.filledQuantity}`);
        break;
    }
  }
}
