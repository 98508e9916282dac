import type { CommandSink, ComponentLogic } from '../../component/logic.ts';
import type { Sequenced } from '../../protocol/events.ts';
import type { MarketData } from '../../venue/protocol.ts';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from '../checks.ts';
import { RiskState } from '../exposure/risk-state.ts';
import { decideOrder } from '../risk.ts';
import { ProjectedComponent } from './projected.ts';
import type { OmsProjection } from '../projection.ts';

/** At most one ReferencePriceMoved per symbol per this many ms (wall clock: the I/O side, not a handler). */
const MARK_THROTTLE_MS = 1000;

/**
 * Risk / validator: answers every pending order with OrderAccepted or
 * OrderRejected (a market order's MarketOrderCollared first), sequences
 * InstrumentExpired once the log's time passes an expiry, and, fed the
 * venue's market data, ReferencePriceMoved when the market moved away from
 * the mark (so bands and collars follow the market, replayably).
 */
export class RiskComponent extends ProjectedComponent implements ComponentLogic {
  readonly role = 'risk';
  /** Risk's own projection (or the process's shared one, applied by its owner). */
  readonly risk: RiskState;
  private readonly ownsRisk: boolean;
  private out: CommandSink | undefined;
  private readonly expirySent = new Set<string>();
  private nextExpiryUs = 0;
  private expirySession = -1;
  private readonly markSentMs = new Map<string, number>();
  /** Detaches this instance from the market data it was attached to (see attachMarketData). */
  private detachMarketData: (() => void) | undefined;

  constructor(
    private readonly config: RiskConfig = DEFAULT_RISK_CONFIG,
    shared?: OmsProjection,
    sharedRisk?: RiskState,
  ) {
    super(shared);
    this.risk = sharedRisk ?? new RiskState();
    this.ownsRisk = sharedRisk === undefined;
  }

  override apply(session: number, e: Sequenced): void {
    super.apply(session, e);
    if (this.ownsRisk) this.risk.apply(e);
  }

  override stateHash(): string {
    return `${super.stateHash()}:${this.risk.stateHash()}`;
  }

  protected override ownRisk(): RiskState | undefined {
    return this.ownsRisk ? this.risk : undefined;
  }

  react(_session: number, e: Sequenced, out: CommandSink): void {
    const ev = e.event;
    if (ev.type === 'OrderPending' || (ev.type === 'OrderRestored' && ev.state === 'pending')) this.decide(ev.orderId, out);
    this.expire(e.ts, out);
  }

  /** On taking over: decide every order still pending. */
  onActivate(out: CommandSink): void {
    this.out = out;
    for (const o of this.projection.orders()) if (o.stage === 'pending') this.decide(o.orderId, out);
    this.expire(this.risk.lastTs, out);
  }

  onDeactivate(): void {
    this.out = undefined;
  }

  /**
   * Feeds this instance from a market-data source until it is closed. The
   * listener goes with the instance: a restarted risk attaches its own and the
   * stopped one's is removed (else every restart would leave one behind).
   */
  attachMarketData(source: { onData(handler: (md: MarketData) => void): () => void }): void {
    this.detachMarketData?.();
    this.detachMarketData = source.onData((md) => this.onMarketData(md));
  }

  /** Stops: the market-data listener goes too. */
  close(): void {
    this.detachMarketData?.();
    this.detachMarketData = undefined;
    this.out = undefined;
  }

  /**
   * The venue's market data (only the host feeds it): while active, a last
   * trade `markMoveFraction` or more away from the mark is sequenced as
   * ReferencePriceMoved, at most once a second per symbol.
   */
  onMarketData(md: MarketData, nowMs: number = Date.now()): void {
    const out = this.out;
    if (out === undefined || md.last === null || !(md.last > 0) || this.projection.session.state !== 'open') return;
    const mark = this.risk.mark(md.symbol);
    if (mark === undefined || !(mark > 0)) return;
    if (Math.abs(md.last - mark) / mark < (this.config.markMoveFraction ?? 0.01)) return;
    const sent = this.markSentMs.get(md.symbol);
    if (sent !== undefined && nowMs - sent < MARK_THROTTLE_MS) return;
    this.markSentMs.set(md.symbol, nowMs);
    out.send({ type: 'ReferencePriceMoved', symbol: md.symbol, price: md.last });
  }

  /** Sequences InstrumentExpired for instruments whose expiry the log's time (`tsUs`) has passed. */
  private expire(tsUs: number, out: CommandSink): void {
    if (this.projection.session.state !== 'open') return;
    if (this.expirySession !== this.risk.session) {
      this.expirySession = this.risk.session;
      this.expirySent.clear();
      this.nextExpiryUs = 0;
    }
    if (tsUs < this.nextExpiryUs) return;
    let next = Infinity;
    for (const i of this.risk.instruments()) {
      if (i.expiresAtUs === undefined || this.risk.expiredSymbols().has(i.symbol)) continue;
      if (tsUs >= i.expiresAtUs) {
        if (!this.expirySent.has(i.symbol)) {
          this.expirySent.add(i.symbol);
          out.send({ type: 'InstrumentExpired', symbol: i.symbol });
        }
      } else if (i.expiresAtUs < next) next = i.expiresAtUs;
    }
    this.nextExpiryUs = next;
  }

  private decide(orderId: number, out: CommandSink): void {
    const o = this.projection.order(orderId);
    if (!o || o.stage !== 'pending') return;
    const flags = this.risk.flags(orderId);
    const d = decideOrder(
      {
        orderId, clientId: o.clientId, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, orderType: o.orderType,
        timeInForce: o.timeInForce, quantity: o.quantity, price: o.price, locate: flags.locate, intentional: flags.intentional,
      },
      this.projection,
      this.risk,
      this.config,
      o.createdTs,
    );
    if (d.refusal) {
      out.send({ type: 'OrderRejected', orderId, reason: d.refusal.reason, text: d.refusal.text });
      return;
    }
    if (d.protectionPrice !== undefined) out.send({ type: 'MarketOrderCollared', orderId, protectionPrice: d.protectionPrice });
    out.send({ type: 'OrderAccepted', orderId });
  }
}
