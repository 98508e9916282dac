import type { CancelResult, Result } from '../../../contract/api.ts';
import type { EventOf } from '../../protocol/events.ts';

type NewOrderBody = EventOf<'OrderPending'>;
type Answer = Result<CancelResult>;
type Resolve = (r: Answer) => void;

// One executor for every request's promise: it hands the resolver out through this slot, so a request makes no
// closure of its own (issue 15: garbage per lifecycle). The Promise constructor runs it synchronously.
let handedOut: Resolve | undefined;
function handOut(resolve: Resolve): void {
  handedOut = resolve;
}

/**
 * A request sent to the sequencer and not yet answered: its promise, its resolver and its deadline in one
 * object. For a new order it is also the order's in-flight entry (its body, to tell a retry from a different
 * order under the same clientOrderId).
 */
export class Waiting {
  readonly answer: Promise<Answer>;
  private readonly resolve: Resolve;
  /** performance.now() at which it is answered UNAVAILABLE; Infinity until the next sweep sets it. */
  deadline = Infinity;

  /**
   * @param cseq the command's sequence number from the proxy's runtime
   * @param orderId the order it names (a new order's allocated id)
   * @param body a new order's body; undefined for a cancel or replace
   */
  constructor(
    readonly cseq: number,
    readonly orderId: number,
    readonly body: NewOrderBody | undefined,
  ) {
    this.answer = new Promise(handOut);
    this.resolve = handedOut!;
    handedOut = undefined;
  }

  /** Answers the request (a second call does nothing, as a promise's). */
  settle(r: Answer): void {
    this.resolve(r);
  }
}

/**
 * The client proxy's requests in flight, by command sequence number (in the order sent, which is deadline
 * order) and, for new orders, by clientId then clientOrderId (no key string built per order). A new order's
 * entry is its waiter: one object per request.
 */
export class InFlightTable {
  private readonly byCseq = new Map<number, Waiting>();
  private readonly byClient = new Map<string, Map<string, Waiting>>();

  /** Requests waiting for their answer. */
  get size(): number {
    return this.byCseq.size;
  }

  /** Clients whose map of new orders is kept (for tests: {@link dropIdleClients} drops the empty ones). */
  get clients(): number {
    return this.byClient.size;
  }

  /**
   * Adds a request. A new order replaces the entry under its (clientId, clientOrderId) if there is one: the
   * proxy answers a retry from the first entry and never adds a second.
   */
  add(w: Waiting): void {
    this.byCseq.set(w.cseq, w);
    const body = w.body;
    if (body === undefined) return;
    let orders = this.byClient.get(body.clientId);
    if (orders === undefined) {
      orders = new Map();
      this.byClient.set(body.clientId, orders);
    }
    orders.set(body.clientOrderId, w);
  }

  /** The request answering command `cseq`, if it is still waiting. */
  get(cseq: number): Waiting | undefined {
    return this.byCseq.get(cseq);
  }

  /** The new order in flight under (clientId, clientOrderId), if any. */
  order(clientId: string, clientOrderId: string): Waiting | undefined {
    return this.byClient.get(clientId)?.get(clientOrderId);
  }

  /** Removes and returns the request answering command `cseq` (undefined if none waits). */
  take(cseq: number): Waiting | undefined {
    const w = this.byCseq.get(cseq);
    if (w === undefined) return undefined;
    this.byCseq.delete(cseq);
    const body = w.body;
    if (body !== undefined) {
      const orders = this.byClient.get(body.clientId);
      // Only its own entry: a replaced entry belongs to the request that replaced it.
      if (orders !== undefined && orders.get(body.clientOrderId) === w) {
        // An emptied client map stays until the next sweep: a client's next order reuses it.
        orders.delete(body.clientOrderId);
      }
    }
    return w;
  }

  /** Drops the maps of clients with no new order in flight (once a sweep: clientIds are the trader's text). */
  dropIdleClients(): void {
    for (const [clientId, orders] of this.byClient) if (orders.size === 0) this.byClient.delete(clientId);
  }

  /** Every waiting request, oldest first. */
  values(): IterableIterator<Waiting> {
    return this.byCseq.values();
  }
}
