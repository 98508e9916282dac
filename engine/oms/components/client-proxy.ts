import type { CancelResult, NewOrderRequest, ReplaceRequest, Result } from '../../../contract/api.ts';
import type { CommandReply } from '../../bus/command-client.ts';
import type { CommandSink, ComponentLogic } from '../../component/logic.ts';
import type { CommandBody, EventOf, Sequenced } from '../../protocol/events.ts';
import { Reason, reasonName } from '../../protocol/reasons.ts';
import { normalisePrice } from '../money.ts';
import { betweenSessions, checkCancel, checkReplace, checkReplaceBetweenSessions, checkSessionTakesCancels, checkSessionTakesOrders } from '../rules.ts';
import { InFlightTable, Waiting } from './in-flight.ts';
import { ProjectedComponent } from './projected.ts';
import type { OmsProjection, OriginalTerms } from '../projection.ts';

type OrderResult = Result<{ orderId: number }>;
type NewOrderBody = EventOf<'OrderPending'>;

/** The fields of a new order that make two submissions "the same order" (idempotent entry). */
function sameOrder(a: OriginalTerms, b: OriginalTerms): boolean {
  return (
    a.symbol === b.symbol && a.side === b.side && a.orderType === b.orderType && a.timeInForce === b.timeInForce &&
    a.quantity === b.quantity && a.price === b.price && (a.expireAt ?? 0) === (b.expireAt ?? 0) &&
    (a.locate ?? false) === (b.locate ?? false) && (a.intentional ?? false) === (b.intentional ?? false)
  );
}

/** How long a trader's request waits for its event before the API answers UNAVAILABLE. */
export const REQUEST_TIMEOUT_MS = 5000;
/** How often waiting requests are checked for their deadline. */
const SWEEP_MS = 250;

/**
 * Client proxy: the entry point of traders' orders. Checks requests against
 * the session and order rules, allocates order ids, and answers each request
 * once the sequencer has stamped it (or refused it).
 */
export class ClientProxyComponent extends ProjectedComponent implements ComponentLogic {
  readonly role = 'proxy';
  private sink: CommandSink | undefined;
  /** Ids handed out but maybe not yet in the log. */
  private nextLocalId = 0;
  /** Requests sent and not yet answered; a new order's entry is found by (clientId, clientOrderId): a retry joins it. */
  private readonly waiting = new InFlightTable();
  /** Requests made since the last sweep, their deadline not yet set (Infinity until it is). */
  private readonly unstamped: Waiting[] = [];
  private sweeper: NodeJS.Timeout | undefined;

  /** @param instanceId this proxy's component id, to recognise its own events. */
  constructor(
    private readonly instanceId: string,
    shared?: OmsProjection,
  ) {
    super(shared);
  }

  /**
   * A new order. Idempotent by (clientId, clientOrderId): the same order sent
   * again (a client retrying after a lost answer) gets the original orderId
   * and nothing is sequenced; a different order under a clientOrderId already
   * used is refused (DUPLICATE_CLIENT_ORDER_ID), nothing sequenced. A limit
   * price off the tick only by float noise is snapped to the tick.
   */
  submit(req: NewOrderRequest): Promise<OrderResult> {
    const closed = checkSessionTakesOrders(this.projection);
    if (closed) return Promise.resolve(refusal(closed.reason, closed.text));
    let expireAt: number | undefined;
    if (req.expireTime !== undefined) {
      // The edge turns the trader's time into the order's field; the venue's clock expires it (decision 071).
      expireAt = Date.parse(req.expireTime) * 1000;
    }
    const tick = this.projection.instrument(req.symbol)?.tickSize;
    const body: NewOrderBody = {
      type: 'OrderPending',
      orderId: 0,
      clientId: req.clientId,
      clientOrderId: req.clientOrderId,
      symbol: req.symbol,
      side: req.side,
      orderType: req.orderType,
      timeInForce: req.timeInForce,
      quantity: req.quantity,
      price: req.orderType === 'limit' ? normalisePrice(req.price ?? 0, tick) : 0,
    };
    if (expireAt !== undefined) body.expireAt = expireAt;
    if (req.locate === true) body.locate = true;
    if (req.intentional === true) body.intentional = true;
    const repeat = this.repeatOf(body);
    if (repeat) return repeat;
    if (expireAt !== undefined && !(expireAt > Date.now() * 1000)) {
      return Promise.resolve(refusal(Reason.BAD_EXPIRY, `expireTime ${req.expireTime} is not in the future`));
    }
    const orderId = Math.max(this.projection.nextOrderId, this.nextLocalId);
    body.orderId = orderId;
    const cseq = this.send(body);
    if (cseq === 0) return Promise.resolve(unavailable());
    this.nextLocalId = orderId + 1;
    // The waiter is the order's in-flight entry, forgotten as it is answered (issue 15: one object per request).
    return this.wait(cseq, orderId, body) as Promise<OrderResult>;
  }

  /**
   * The answer to a submission whose (clientId, clientOrderId) was seen
   * before (sent and in flight, or in the session's log), or undefined for a
   * new one.
   */
  private repeatOf(body: NewOrderBody): Promise<OrderResult> | undefined {
    const flying = this.waiting.order(body.clientId, body.clientOrderId);
    if (flying) return sameOrder(flying.body!, body) ? (flying.answer as Promise<OrderResult>) : Promise.resolve(duplicate(body));
    const id = this.projection.orderIdForClientOrderId(body.clientId, body.clientOrderId);
    if (id === undefined) return undefined;
    const o = this.projection.order(id);
    const first = o && this.projection.originalTerms(id);
    if (!o || !first) return undefined;
    return Promise.resolve(sameOrder(first, body) ? { ok: true, value: { orderId: id } } : duplicate(body));
  }

  /**
   * A cancel request. `clientOrderId` names the request (FIX ClOrdID of the
   * cancel); whether it is taken (one cancel or replace in flight per order)
   * is decided by the projection at its seq, and the answer says so. Between
   * an explicit close and the next open the sequencer stores it and the order
   * is cancelled when the next session opens (decision 130): the answer then
   * has `queuedForOpen`.
   */
  cancel(orderId: number, clientOrderId?: string): Promise<Result<CancelResult>> {
    const p = this.projection;
    const bad = (betweenSessions(p) ? null : checkSessionTakesCancels(p)) ?? checkCancel(orderId, p);
    if (bad) return Promise.resolve(refusal(bad.reason, bad.text));
    const body: CommandBody = { type: 'CancelRequested', orderId };
    if (clientOrderId !== undefined) body.clientOrderId = clientOrderId;
    const cseq = this.send(body);
    return cseq === 0 ? Promise.resolve(unavailable()) : this.wait(cseq, orderId);
  }

  /**
   * A replace request (cancel/replace: new total quantity and price under a
   * new clientOrderId; by default the order's clientOrderId with `~R<n>`
   * appended). The price is snapped to the tick like a new order's.
   */
  replace(orderId: number, change: ReplaceRequest): Promise<OrderResult> {
    const o = this.projection.order(orderId);
    const price = o === undefined ? change.price : normalisePrice(change.price, this.projection.instrument(o.symbol)?.tickSize);
    const bad = checkReplaceBetweenSessions(this.projection) ?? checkSessionTakesOrders(this.projection) ?? checkReplace(orderId, change.quantity, price, this.projection);
    if (bad) return Promise.resolve(refusal(bad.reason, bad.text));
    const clientOrderId = change.clientOrderId ?? `${o!.clientOrderId.replace(/~R\d+$/, '')}~R${o!.replaceCount + 1}`;
    const cseq = this.send({ type: 'ReplaceRequested', orderId, quantity: change.quantity, price, clientOrderId });
    return cseq === 0 ? Promise.resolve(unavailable()) : this.wait(cseq, orderId);
  }

  react(_session: number, e: Sequenced): void {
    const w = e.src === this.instanceId ? this.waiting.get(e.cseq) : undefined;
    if (!w) return;
    // A cancel or replace may be refused by the projection's rule at its seq (one in flight per order).
    const refused = this.projection.refusedAt(e.seq);
    if (refused !== undefined) this.settle(e.cseq, refusal(refused.reason, refused.text));
    else this.settle(e.cseq, { ok: true, value: { orderId: w.orderId } });
  }

  onActivate(out: CommandSink): void {
    this.sink = out;
  }

  onDeactivate(): void {
    for (const w of [...this.waiting.values()]) this.settle(w.cseq, unavailable());
  }

  /**
   * Every refusal is final for the trader, STORAGE_UNAVAILABLE included:
   * nothing of a refused batch is stored, so the API says so at once and the
   * trader may send again. (Retrying here would leave the trader's request
   * answered UNAVAILABLE on timeout while the order might still get in.)
   */
  onRefused(cseq: number, _body: CommandBody, reply: CommandReply): 'retry' | 'drop' {
    if (reply.code === 'QUEUED_FOR_OPEN') {
      // Not a refusal: stored for the next open (decision 130).
      const orderId = this.waiting.get(cseq)?.orderId ?? 0;
      this.settle(cseq, { ok: true, value: { orderId, queuedForOpen: true, message: `no session is open: the cancel is stored, and order ${orderId} is cancelled when the next session opens, before it is routed` } });
      return 'drop';
    }
    this.settle(cseq, { ok: false, error: { code: reply.code, message: reply.message } });
    return 'drop';
  }

  private send(body: CommandBody): number {
    return this.sink?.send(body) ?? 0;
  }

  /** The answer to command `cseq`; `body`: a new order's, found by its (clientId, clientOrderId) until answered. */
  private wait(cseq: number, orderId: number, body?: NewOrderBody): Promise<Result<CancelResult>> {
    // Its deadline is set by the next sweep (expire): one clock read a sweep, not one an order (issue 15).
    const w = new Waiting(cseq, orderId, body);
    this.waiting.add(w);
    this.unstamped.push(w);
    if (this.sweeper === undefined) {
      // One timer for all requests, not one per order: waiters are in deadline order.
      this.sweeper = setInterval(() => this.expire(), SWEEP_MS);
      this.sweeper.unref();
    }
    return w.answer;
  }

  private expire(): void {
    // Monotonic: a wall-clock step must not time requests out early or late (decision 084). The requests since
    // the last sweep were made before `now`, so none times out before REQUEST_TIMEOUT_MS; some up to a sweep later.
    const now = performance.now();
    for (const w of this.unstamped) w.deadline = now + REQUEST_TIMEOUT_MS;
    this.unstamped.length = 0;
    for (const w of this.waiting.values()) {
      if (w.deadline > now) break;
      this.settle(w.cseq, { ok: false, error: { code: 'UNAVAILABLE', message: 'the sequencer did not answer in time' } });
    }
    this.waiting.dropIdleClients();
    if (this.waiting.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private settle(cseq: number, r: Result<CancelResult>): void {
    this.waiting.take(cseq)?.settle(r);
  }
}

function refusal(reason: number, text: string): Result<never> {
  return { ok: false, error: { code: reasonName(reason), message: text } };
}

function duplicate(body: NewOrderBody): Result<never> {
  return refusal(
    Reason.DUPLICATE_CLIENT_ORDER_ID,
    `clientOrderId "${body.clientOrderId}" of client ${body.clientId} was already used for a different order`,
  );
}

function unavailable(): Result<never> {
  return { ok: false, error: { code: 'UNAVAILABLE', message: 'the client proxy is not active; orders cannot be taken now' } };
}
