import type { CommandSink, ComponentLogic } from '../../../engine/component/logic.ts';
import { ClientProxyComponent } from '../../../engine/oms/components/client-proxy.ts';
import { GatewayLogic } from '../../../engine/oms/components/gateway-logic.ts';
import { RiskComponent } from '../../../engine/oms/components/risk.ts';
import { RouterComponent } from '../../../engine/oms/components/router.ts';
import { isTerminalStage } from '../../../engine/oms/order-state.ts';
import { OmsProjection } from '../../../engine/oms/projection.ts';
import type { ReferenceData } from '../../../engine/oms/reference.ts';
import { OmsSequencerPolicy } from '../../../engine/oms/sequencer-policy.ts';
import type { Snapshot } from '../../../engine/oms/snapshot.ts';
import type { CommandBody, OrdoEvent, Sequenced } from '../../../engine/protocol/events.ts';
import { Exchange } from '../../../engine/venue/exchange.ts';
import { Prng } from '../../../engine/venue/prng.ts';
import type { VenueReply, VenueRequest } from '../../../engine/venue/protocol.ts';
import { Reason } from '../../../engine/protocol/reasons.ts';

/**
 * A deterministic simulation of the OMS bus and the venue (FoundationDB /
 * TigerBeetle style): the real proxy, risk, router and gateway logic, each
 * with its own projection fed by its own event queue; a sequencer that takes
 * one command at a time from any component's FIFO; the real matching engine
 * as the venue, with the gateway's requests and the venue's replies in
 * queues of their own; and a "street" that adds liquidity so orders fill.
 * A seeded scheduler picks, at every step, which queue moves (so any
 * component may lag behind any other, and the venue may fill an order while
 * a cancel is on its way) or which trader action happens next. Same seed,
 * same run.
 *
 * The venue's reference model is the record of what the venue reported per
 * order (every Fill, and whether it still holds the order live), kept from
 * its reply stream; the checks compare the OMS log's projection against it
 * after every step.
 */

export const SIM_REFERENCE: ReferenceData = {
  venues: [{ venueId: 'XSIM', name: 'Sim' }],
  instruments: [
    { symbol: 'AAA', name: 'AAA', instrumentType: 'equity', venue: 'XSIM', currency: 'USD', tickSize: 0.01, lotSize: 1, referencePrice: 100 },
  ],
  clients: [
    { clientId: 'C1', name: 'One', maxOrderNotional: 1e9, maxOpenNotional: 1e12, allowedSymbols: ['*'], requireLocate: false, duplicateWindowMs: 0 },
    { clientId: 'C2', name: 'Two', maxOrderNotional: 1e9, maxOpenNotional: 1e12, allowedSymbols: ['*'], requireLocate: false, duplicateWindowMs: 0 },
  ],
};

const STREET = 'street';
const GW = 'gw';
/** Street orders' ids are far above the OMS's. */
const STREET_ID_BASE = 1_000_000_000;

/** What the venue said of one OMS order, from its reply stream. */
interface VenueRecord {
  fills: Map<number, { quantity: number; price: number }>;
  filled: number;
}

type Queue<T> = T[];

interface SimComponent {
  readonly name: string;
  readonly logic: ComponentLogic & { projection: OmsProjection };
  readonly inbox: Queue<Sequenced>;
  readonly outbox: Queue<CommandBody>;
  cseq: number;
}

/** A violation of the lifecycle invariant, with what the scheduler did last. */
export class InvariantError extends Error {}

export interface SimOptions {
  seed: number;
  steps: number;
  /** Weight of trader/street actions against queue moves. Default 0.25. */
  actionRate?: number;
  /** Close the session (and open the next) at some point of the run. Default true. */
  sessionClose?: boolean;
}

/** One simulated run. `run()` throws InvariantError naming the seed and step on the first violation. */
export class LifecycleSim {
  readonly rng: Prng;
  /** The log as the sequencer emitted it. */
  readonly log: Sequenced[] = [];
  /** The log's projection (what the OMS says, as of the last event). */
  readonly truth = new OmsProjection();
  readonly exchange: Exchange<string>;
  readonly venue = new Map<number, VenueRecord>();
  private readonly toVenue: Queue<VenueRequest> = [];
  /** Frames of venue replies: the replies to one request travel in one frame, as the venue batches them. */
  private readonly fromVenue: Queue<VenueReply[]> = [];
  /** The frame the venue is filling while it handles a request (undefined: each reply is a frame of its own). */
  private venueFrame: VenueReply[] | undefined;
  private readonly components: SimComponent[] = [];
  private readonly gatewayLogic: GatewayLogic;
  private readonly gatewayProjection = new OmsProjection();
  private readonly proxy: ClientProxyComponent;
  private seq = 0;
  /** The sequencer's rules (permissions aside): session closing and opening, as the real sequencer applies them. */
  private readonly policy = new OmsSequencerPolicy(SIM_REFERENCE);
  private phase: 'open' | 'closing' | 'closed' = 'open';
  private sessionId = 1;
  private closeAtStep: number;
  /** This run's session end is a roll (decision 074: carried orders stay live, what the close refuses waits for the next session) rather than an explicit close (decision 075: carried orders are parked at the venue). */
  private readonly rolls: boolean;
  private snapshot: Snapshot | undefined;
  /** Orders of earlier sessions that ended with them: their final cumQty, to compare with the venue at the end. */
  private readonly ended = new Map<number, number>();
  /** Quantity filled in earlier sessions of an order carried over (its fills are not in this session's log). */
  private readonly carriedFilled = new Map<number, number>();
  private ts = 1_767_225_600_000_000;
  private nextStreetId = STREET_ID_BASE;
  private coid = 0;
  private step = 0;
  /** The last moves, formatted only when a check fails. */
  private readonly trace: (() => string)[] = [];
  /** Orders touched since the last check. */
  private readonly dirty = new Set<number>();
  /** Counters for the test's own sanity checks (the run did explore something). */
  readonly counts = {
    submits: 0, cancels: 0, replaces: 0, fills: 0, cancelledAtVenue: 0, refusedAtSeq: 0, tooLate: 0, sessionsClosed: 0, carried: 0,
    rolls: 0, parked: 0, carriedPending: 0, deferredCancels: 0, cancelledAtOpen: 0, filledOnArrival: 0,
  };
  /** Cancels the sequencer stored while no session was open (decision 130), for the next open; and their keys. */
  private deferred: CommandBody[] = [];
  private readonly deferredKeys = new Set<string>();

  constructor(private readonly opts: SimOptions) {
    this.rng = new Prng(opts.seed);
    this.closeAtStep = opts.sessionClose === false ? Infinity : this.rng.int(Math.floor(opts.steps / 3), opts.steps);
    this.rolls = this.rng.float() < 0.5;
    this.exchange = new Exchange<string>({
      instruments: SIM_REFERENCE.instruments.map((i) => ({ symbol: i.symbol, tickSize: i.tickSize, lotSize: i.lotSize, referencePrice: i.referencePrice })),
      seed: opts.seed,
      simulateLiquidity: false,
      deliver: (peer, reply) => {
        if (peer === GW) {
          this.record(reply);
          if (this.venueFrame !== undefined) this.venueFrame.push(reply);
          else this.fromVenue.push([reply]);
        }
      },
    });
    this.proxy = new ClientProxyComponent('proxy-1');
    const add = (name: string, logic: ComponentLogic & { projection: OmsProjection }) =>
      this.components.push({ name, logic, inbox: [], outbox: [], cseq: 0 });
    add('proxy-1', this.proxy);
    add('risk-1', new RiskComponent());
    add('router-1', new RouterComponent());
    this.gatewayLogic = new GatewayLogic(this.gatewayProjection, (req) => this.toVenue.push(req));
    // The gateway's commands are sent from its venue handler, not from react: an outbox of its own.
    this.components.push({
      name: 'gateway-1',
      logic: { role: 'gateway', projection: this.gatewayProjection, apply: (_s, e) => { this.gatewayProjection.apply(e); this.gatewayLogic.apply(e); }, stateHash: () => '' },
      inbox: [],
      outbox: [],
      cseq: 0,
    });
    this.openSession();
    for (const c of this.components) this.deliverAll(c);
    for (const c of this.components) c.logic.onActivate?.(this.sink(c));
  }

  /** Runs the configured number of steps, checking the invariant after each, then drains and checks the end state. */
  run(): void {
    for (this.step = 1; this.step <= this.opts.steps; this.step++) {
      this.once();
      this.check(false);
    }
    this.drain();
    this.check(true);
    void this.proxy.onDeactivate();
  }

  /** Moves every queue until nothing is left (no new actions). */
  drain(): void {
    for (let guard = 0; guard < 100_000; guard++) {
      if (!this.moveSomething()) return;
      this.check(false);
    }
    throw new InvariantError(this.describe('the system did not settle'));
  }

  private openSession(): void {
    const prev = this.snapshot;
    this.emit({ type: 'SessionOpened', sessionId: this.sessionId, previousSessionId: this.sessionId - 1, orderIdBase: this.policy.orderIdBase(prev) }, 'sequencer', 0);
    const opening = this.policy.openingEvents(prev, this.deferred);
    this.deferred = [];
    this.deferredKeys.clear();
    for (const e of opening) if (e.type === 'OrderCancelled') this.counts.cancelledAtOpen++;
    for (const e of opening) this.emit(e, 'sequencer', 0);
    for (const e of opening) if (e.type === 'OrderRestored' && e.filledQuantity > 0) this.carriedFilled.set(e.orderId, e.filledQuantity);
    this.emit({ type: 'SessionReady', restoredOrders: opening.filter((e) => e.type === 'OrderRestored').length }, 'sequencer', 0);
    this.phase = 'open';
  }

  /** As the sequencer does: SessionClosing and the orders that never left expire; SessionClosed once the venue confirmed the rest. */
  private startClose(): void {
    this.note(() => (this.rolls ? 'roll the session' : 'close the session'));
    this.emit(this.rolls ? { type: 'SessionClosing', roll: true } : { type: 'SessionClosing' }, 'sequencer', 0);
    this.phase = 'closing';
    for (const e of this.policy.closingEvents()) this.emit(e, 'sequencer', 0);
    this.closeWhenReady();
  }

  private closeWhenReady(): void {
    if (this.phase !== 'closing' || !this.policy.readyToClose()) return;
    const snap = this.policy.snapshot();
    this.emit({ type: 'SessionClosed', carriedOrders: snap.carriedOrders }, 'sequencer', 0);
    this.phase = 'closed';
    this.counts.sessionsClosed++;
    this.counts.carried += snap.carriedOrders;
    for (const o of snap.body.orders) if (o.cancelPending === true || o.replacePendingClientOrderId !== undefined) this.counts.carriedPending++;
    const carried = new Set(snap.body.orders.map((o) => o.orderId));
    for (const o of this.truth.orders()) {
      if (carried.has(o.orderId)) continue;
      if (!isTerminalStage(o.stage)) this.fail(`order ${o.orderId} is ${o.state} at SessionClosed and not carried`);
      this.ended.set(o.orderId, o.filledQuantity);
    }
    this.snapshot = snap.body;
    this.sessionId++;
    this.closeAtStep = Infinity;
    // A roll opens the next session in the same transaction as SessionClosed.
    if (this.rolls) {
      this.counts.rolls++;
      this.openSession();
    }
  }

  private once(): void {
    if (this.step >= this.closeAtStep && this.phase === 'open') return this.startClose();
    // Between sessions (closed), time passes: the venue and the components go on; the next session opens later.
    if (this.phase === 'closed' && this.rng.float() < 0.05) return this.openSession();
    const rate = this.opts.actionRate ?? 0.25;
    if (this.rng.float() < rate || !this.moveSomething()) this.action();
  }

  /** One queue moves one message; false when every queue is empty. */
  private moveSomething(): boolean {
    const choices: (() => void)[] = [];
    for (const c of this.components) {
      if (c.inbox.length > 0) choices.push(() => this.deliverOne(c));
      // While closed the sequencer refuses commands (components keep reports and resend after the next open),
      // except the proxy's cancels of carried orders, which it stores for the next open (decision 130).
      // During a roll the sequencer holds what the closing session refuses: the sender's queue waits.
      const held = this.rolls && this.phase === 'closing' && c.outbox.length > 0 && this.policy.closingRefusal(c.outbox[0]!) !== undefined;
      const takesNow = this.phase !== 'closed' || c.logic.role === 'proxy';
      if (c.outbox.length > 0 && takesNow && !held) choices.push(() => this.sequence(c));
    }
    if (this.toVenue.length > 0) choices.push(() => {
      const req = this.toVenue.shift()!;
      this.note(() => `venue <- ${JSON.stringify(req)}`);
      const frame: VenueReply[] = [];
      this.venueFrame = frame;
      try {
        this.exchange.handle(GW, req);
      } finally {
        this.venueFrame = undefined;
      }
      if (frame.length > 0) this.fromVenue.push(frame);
    });
    if (this.fromVenue.length > 0) choices.push(() => {
      const frame = this.fromVenue.shift()!;
      this.note(() => `gateway <- ${JSON.stringify(frame)}`);
      // Acknowledged and filled in one frame: the gateway logs the fills alone (decision 251).
      for (const m of frame) if (m.type === 'Fill' && m.leaves === 0 && frame.some((a) => a.type === 'Ack' && a.orderId === m.orderId)) this.counts.filledOnArrival++;
      this.gatewayLogic.onVenueBatch(frame, this.sink(this.gateway()));
    });
    if (choices.length === 0) {
      if (this.phase !== 'closed') return false;
      this.openSession();
      return true;
    }
    choices[this.rng.int(0, choices.length - 1)]!();
    return true;
  }

  private gateway(): SimComponent {
    return this.components[3]!;
  }

  private action(): void {
    const r = this.rng.float();
    const orders = [...this.truth.orders()];
    const live = orders.filter((o) => !isTerminalStage(o.stage));
    const pick = live.length > 0 ? live[this.rng.int(0, live.length - 1)] : undefined;
    const px = (): number => Math.round((99.9 + this.rng.int(0, 20) / 100) * 100) / 100;
    if (r < 0.35 || pick === undefined) {
      const tifs = ['day', 'gtc', 'ioc', 'fok'] as const;
      const market = this.rng.float() < 0.1;
      this.counts.submits++;
      const req = {
        clientId: this.rng.float() < 0.5 ? 'C1' : 'C2',
        clientOrderId: `o${++this.coid}`,
        symbol: 'AAA',
        side: this.rng.float() < 0.5 ? ('buy' as const) : ('sell' as const),
        orderType: market ? ('market' as const) : ('limit' as const),
        quantity: this.rng.int(1, 20),
        price: market ? undefined : px(),
        timeInForce: tifs[this.rng.int(0, tifs.length - 1)]!,
      };
      this.note(() => `submit ${JSON.stringify(req)}`);
      void this.proxy.submit(req);
    } else if (r < 0.55) {
      this.counts.cancels++;
      this.note(() => `cancel ${pick.orderId}`);
      void this.proxy.cancel(pick.orderId);
    } else if (r < 0.75) {
      this.counts.replaces++;
      const quantity = Math.max(1, pick.filledQuantity + this.rng.int(-2, 10));
      this.note(() => `replace ${pick.orderId} ${quantity}`);
      void this.proxy.replace(pick.orderId, { quantity, price: px() });
    } else {
      // The street trades against what rests (or adds liquidity), straight at the venue.
      const side = this.rng.float() < 0.5 ? ('buy' as const) : ('sell' as const);
      const id = this.nextStreetId++;
      const req: VenueRequest = { type: 'NewOrder', orderId: id, symbol: 'AAA', side, orderType: 'limit', timeInForce: this.rng.float() < 0.5 ? 'ioc' : 'day', quantity: this.rng.int(1, 30), price: px(), owner: STREET };
      this.note(() => `street ${JSON.stringify(req)}`);
      this.exchange.handle(STREET, req);
    }
  }

  private sink(c: SimComponent): CommandSink {
    return { send: (body) => { c.outbox.push(body); return ++c.cseq; } };
  }

  /** The sequencer takes the oldest command of `c` and broadcasts its event. */
  private sequence(c: SimComponent): void {
    const body = c.outbox.shift()!;
    const cseq = c.cseq - c.outbox.length;
    if (this.phase === 'closed') return this.deferOrRefuse(c, body, cseq);
    // The policy's own refusals (a second route of an order: DUPLICATE), as the real sequencer applies them.
    const denied = this.policy.authorize(c.name, c.logic.role, body);
    if (denied) {
      this.note(() => `refused ${c.name} ${JSON.stringify(body)}: ${denied.code}`);
      c.logic.onRefused?.(cseq, body, { cseq, ...denied });
      return;
    }
    const refused = this.phase === 'closing' ? this.policy.closingRefusal(body) : undefined;
    if (refused && this.rolls) {
      // A roll holds it (and everything after it from the same sender) for the next session.
      c.outbox.unshift(body);
      return;
    }
    if (refused) {
      this.note(() => `refused ${c.name} ${JSON.stringify(body)}: ${refused.code}`);
      c.logic.onRefused?.(cseq, body, { cseq, ...refused });
      return;
    }
    this.emit(body as OrdoEvent, c.name, cseq);
    this.closeWhenReady();
  }

  /** As the sequencer between sessions: stores a cancel the policy keeps (answered QUEUED_FOR_OPEN), refuses the rest. */
  private deferOrRefuse(c: SimComponent, body: CommandBody, cseq: number): void {
    const d = this.policy.deferWhileClosed(c.name, c.logic.role, body);
    if (d === undefined || 'code' in d) {
      const code = d?.code ?? 'SESSION_NOT_OPEN';
      this.note(() => `refused ${c.name} ${JSON.stringify(body)}: ${code}`);
      c.logic.onRefused?.(cseq, body, { cseq, code, message: 'no session is open' });
      return;
    }
    if (!this.deferredKeys.has(d.key)) {
      this.deferredKeys.add(d.key);
      this.deferred.push(body);
      this.counts.deferredCancels++;
    }
    this.note(() => `stored for the open ${c.name} ${JSON.stringify(body)}`);
    c.logic.onRefused?.(cseq, body, { cseq, code: 'QUEUED_FOR_OPEN', message: 'stored' });
  }

  private emit(event: OrdoEvent, src: string, cseq: number): void {
    this.ts += 1_000;
    const e: Sequenced = { seq: ++this.seq, ts: this.ts, src, cseq, event };
    this.log.push(e);
    this.truth.apply(e);
    this.policy.apply(this.sessionId, e);
    if ('orderId' in event) this.dirty.add(event.orderId);
    if (this.truth.refusedAt(e.seq) !== undefined) this.counts.refusedAtSeq++;
    this.note(() => `#${e.seq} ${src} ${JSON.stringify(event)}`);
    for (const comp of this.components) comp.inbox.push(e);
  }

  private deliverOne(c: SimComponent): void {
    const e = c.inbox.shift()!;
    c.logic.apply(1, e);
    c.logic.react?.(1, e, this.sink(c));
    if (c === this.gateway()) this.gatewayLogic.onEvent(e);
  }

  private deliverAll(c: SimComponent): void {
    while (c.inbox.length > 0) this.deliverOne(c);
  }

  private record(m: VenueReply): void {
    if (m.type !== 'ProtocolError') this.dirty.add(m.orderId);
    if (m.type !== 'Fill') {
      if (m.type === 'Expired' && m.reason === Reason.SESSION_PARKED) this.counts.parked++;
      if ((m.type === 'CancelRejected' || m.type === 'ReplaceRejected') && m.reason === 207) this.counts.tooLate++;
      if (m.type === 'Cancelled') this.counts.cancelledAtVenue++;
      return;
    }
    let r = this.venue.get(m.orderId);
    if (r === undefined) {
      r = { fills: new Map(), filled: 0 };
      this.venue.set(m.orderId, r);
    }
    if (r.fills.has(m.execId)) throw new InvariantError(this.describe(`venue reported exec ${m.execId} twice`));
    r.fills.set(m.execId, { quantity: m.quantity, price: m.price });
    r.filled += m.quantity;
    this.counts.fills++;
  }

  /**
   * The invariant: every execution in the log is one the venue reported for
   * that order, once; an order is terminal only when the venue holds no live
   * quantity for it; cumQty never exceeds the venue's. At `settled` (every
   * queue empty): cumQty equals the venue's per order, every venue execution
   * is in the log, nothing is left pending, and live at the venue ⇔ live in the OMS.
   */
  private check(settled: boolean): void {
    // Between steps only the orders the last move touched can have changed; at the end, all.
    const ids = settled ? [...this.truth.orders()].map((o) => o.orderId) : [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      const o = this.truth.order(id);
      if (o === undefined) continue;
      const rec = this.venue.get(o.orderId);
      const fills = this.truth.fillsOf(o.orderId);
      const seen = new Set<number>();
      let cum = 0;
      for (const f of fills) {
        if (seen.has(f.execId)) this.fail(`order ${o.orderId}: exec ${f.execId} applied twice`);
        seen.add(f.execId);
        const v = rec?.fills.get(f.execId);
        if (!v || v.quantity !== f.quantity || v.price !== f.price) this.fail(`order ${o.orderId}: exec ${f.execId} is not the venue's`);
        cum += f.quantity;
      }
      cum += this.carriedFilled.get(o.orderId) ?? 0;
      if (cum !== o.filledQuantity) this.fail(`order ${o.orderId}: cumQty ${o.filledQuantity} is not the sum of its fills ${cum}`);
      const venueFilled = rec?.filled ?? 0;
      if (o.filledQuantity > venueFilled) this.fail(`order ${o.orderId}: cumQty ${o.filledQuantity} above the venue's ${venueFilled}`);
      const liveAtVenue = this.exchange.isLive(o.orderId);
      if (isTerminalStage(o.stage) && liveAtVenue) this.fail(`order ${o.orderId} is ${o.state} in the OMS but live at the venue`);
      // Between an explicit close and the next open the venue holds nothing live of the OMS's (decision 075).
      if (this.phase === 'closed' && liveAtVenue) this.fail(`order ${o.orderId} is live at the venue between sessions`);
      if (settled) {
        if (o.filledQuantity !== venueFilled) this.fail(`order ${o.orderId}: cumQty ${o.filledQuantity}, the venue's ${venueFilled}`);
        if (o.cancelPending || o.replacePending) this.fail(`order ${o.orderId}: still ${o.state} after everything settled`);
        if (!isTerminalStage(o.stage) && !liveAtVenue) this.fail(`order ${o.orderId} is ${o.state} in the OMS but not live at the venue`);
        if (o.stage === 'routed' || o.stage === 'pending' || o.stage === 'accepted') this.fail(`order ${o.orderId} still ${o.stage} after everything settled`);
        const v = this.exchange.status(o.orderId);
        if (v.state !== 'unknown' && v.quantity !== o.quantity && !isTerminalStage(o.stage)) {
          this.fail(`order ${o.orderId}: quantity ${o.quantity} in the OMS, ${v.quantity} at the venue`);
        }
      }
    }
    if (settled) {
      for (const [orderId, filled] of this.ended) {
        if (this.truth.order(orderId) !== undefined) continue;
        const v = this.venue.get(orderId)?.filled ?? 0;
        if (v !== filled) this.fail(`order ${orderId} ended its session with cumQty ${filled}; the venue filled ${v}`);
        if (this.exchange.isLive(orderId)) this.fail(`order ${orderId} ended with its session but is live at the venue`);
      }
      for (const [orderId, rec] of this.venue) {
        if (this.truth.order(orderId) === undefined && !this.ended.has(orderId)) this.fail(`venue filled order ${orderId}, which the OMS does not know`);
        // The venue's own record agrees with its reply stream (the reference model).
        const s = this.exchange.status(orderId);
        if (s.filledQuantity !== rec.filled) this.fail(`venue status of ${orderId} says ${s.filledQuantity} filled, its reports ${rec.filled}`);
      }
    }
  }

  private note(f: () => string): void {
    if (this.trace.length >= 60) this.trace.shift();
    this.trace.push(f);
  }

  private fail(what: string): never {
    throw new InvariantError(this.describe(what));
  }

  private describe(what: string): string {
    return `seed ${this.opts.seed}, step ${this.step}: ${what}\nlast moves:\n  ${this.trace.map((f) => f()).join('\n  ')}`;
  }
}
