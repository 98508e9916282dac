import type { NewOrderRequest, ReplaceRequest, Result } from '../../../contract/api.ts';
import type { CommandReply } from '../../bus/command-client.ts';
import type { CommandSink, ComponentLogic } from '../../component/logic.ts';
import type { CommandBody, Sequenced } from '../../protocol/events.ts';
import { reasonName } from '../../protocol/reasons.ts';
import { checkCancel, checkReplace, checkSessionOpen } from '../rules.ts';
import { ProjectedComponent } from './projected.ts';
import type { OmsProjection } from '../projection.ts';

type Waiter = (r: Result<{ orderId: number }>) => void;

/** How long a trader's request waits for its event before the API answers UNAVAILABLE. */
export const REQUEST_TIMEOUT_MS = 5000;

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
  private readonly waiters = new Map<number, { orderId: number; done: Waiter; deadline: number }>();
  private sweeper: NodeJS.Timeout | undefined;

  /** @param instanceId this proxy's component id, to recognise its own events. */
  constructor(
    private readonly instanceId: string,
    shared?: OmsProjection,
  ) {
    super(shared);
  }

  submit(req: NewOrderRequest): Promise<Result<{ orderId: number }>> {
    const closed = checkSessionOpen(this.projection);
    if (closed) return Promise.resolve(refusal(closed.reason, closed.text));
    const orderId = Math.max(this.projection.nextOrderId, this.nextLocalId);
    const cseq = this.send({
      type: 'OrderPending',
      orderId,
      clientId: req.clientId,
      clientOrderId: req.clientOrderId,
      symbol: req.symbol,
      side: req.side,
      orderType: req.type,
      timeInForce: req.timeInForce,
      quantity: req.quantity,
      price: req.type === 'limit' ? (req.price ?? 0) : 0,
      ...(req.locate === true ? { locate: true } : {}),
      ...(req.intentional === true ? { intentional: true } : {}),
    });
    if (cseq === 0) return Promise.resolve(unavailable());
    this.nextLocalId = orderId + 1;
    return this.wait(cseq, orderId);
  }

  cancel(orderId: number): Promise<Result<{ orderId: number }>> {
    const bad = checkSessionOpen(this.projection) ?? checkCancel(orderId, this.projection);
    if (bad) return Promise.resolve(refusal(bad.reason, bad.text));
    const cseq = this.send({ type: 'CancelRequested', orderId });
    return cseq === 0 ? Promise.resolve(unavailable()) : this.wait(cseq, orderId);
  }

  replace(orderId: number, change: ReplaceRequest): Promise<Result<{ orderId: number }>> {
    const bad = checkSessionOpen(this.projection) ?? checkReplace(orderId, change.quantity, change.price, this.projection);
    if (bad) return Promise.resolve(refusal(bad.reason, bad.text));
    const cseq = this.send({ type: 'ReplaceRequested', orderId, quantity: change.quantity, price: change.price });
    return cseq === 0 ? Promise.resolve(unavailable()) : this.wait(cseq, orderId);
  }

  react(_session: number, e: Sequenced): void {
    const w = e.src === this.instanceId ? this.waiters.get(e.cseq) : undefined;
    if (w) this.settle(e.cseq, { ok: true, value: { orderId: w.orderId } });
  }

  onActivate(out: CommandSink): void {
    this.sink = out;
  }

  onDeactivate(): void {
    for (const cseq of [...this.waiters.keys()]) this.settle(cseq, unavailable());
  }

  /**
   * Every refusal is final for the trader, STORAGE_UNAVAILABLE included:
   * nothing of a refused batch is stored, so the API says so at once and the
   * trader may send again. (Retrying here would leave the trader's request
   * answered UNAVAILABLE on timeout while the order might still get in.)
   */
  onRefused(cseq: number, _body: CommandBody, reply: CommandReply): 'retry' | 'drop' {
    this.settle(cseq, { ok: false, error: { code: reply.code, message: reply.message } });
    return 'drop';
  }

  private send(body: CommandBody): number {
    return this.sink?.send(body) ?? 0;
  }

  private wait(cseq: number, orderId: number): Promise<Result<{ orderId: number }>> {
    return new Promise((done) => {
      this.waiters.set(cseq, { orderId, done, deadline: Date.now() + REQUEST_TIMEOUT_MS });
      if (this.sweeper === undefined) {
        // One timer for all requests, not one per order: waiters are in deadline order.
        this.sweeper = setInterval(() => this.expire(), 250);
        this.sweeper.unref();
      }
    });
  }

  private expire(): void {
    const now = Date.now();
    for (const [cseq, w] of this.waiters) {
      if (w.deadline > now) break;
      this.settle(cseq, { ok: false, error: { code: 'UNAVAILABLE', message: 'the sequencer did not answer in time' } });
    }
    if (this.waiters.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private settle(cseq: number, r: Result<{ orderId: number }>): void {
    const w = this.waiters.get(cseq);
    if (!w) return;
    this.waiters.delete(cseq);
    w.done(r);
  }
}

function refusal(reason: number, text: string): Result<never> {
  return { ok: false, error: { code: reasonName(reason), message: text } };
}

function unavailable(): Result<never> {
  return { ok: false, error: { code: 'UNAVAILABLE', message: 'the client proxy is not active; orders cannot be taken now' } };
}
