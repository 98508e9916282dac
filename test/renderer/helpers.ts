import type { ClientView, ComponentView, FillView, InstrumentView, OrderView, StateView } from '../../contract/api.ts';

/** Test data builders: valid views with overridable fields. */
export function order(orderId: number, over: Partial<OrderView> = {}): OrderView {
  return {
    orderId,
    clientId: 'ALPHA',
    clientOrderId: `C${orderId}`,
    symbol: 'AAPL',
    side: 'buy',
    orderType: 'limit',
    quantity: 100,
    price: 190,
    timeInForce: 'day',
    state: 'pending_new',
    filledQuantity: 0,
    leavesQuantity: 100,
    avgPrice: 0,
    createdTs: 1_700_000_000_000_000 + orderId * 1000,
    updatedTs: 1_700_000_000_000_000 + orderId * 1000,
    eventSeqs: [orderId],
    ...over,
  };
}

export function fill(execId: number, over: Partial<FillView> = {}): FillView {
  return { execId, orderId: 1, symbol: 'AAPL', side: 'buy', quantity: 10, price: 190, seq: execId * 10, ts: 1_700_000_000_000_000 + execId, ...over };
}

export function instrument(symbol: string, over: Partial<InstrumentView> = {}): InstrumentView {
  return { symbol, name: `${symbol} Inc.`, instrumentType: 'equity', venue: 'XNAS', currency: 'USD', tickSize: 0.01, lotSize: 1, referencePrice: 100, ...over };
}

export function client(clientId: string, over: Partial<ClientView> = {}): ClientView {
  return { clientId, name: `${clientId} Fund`, maxOrderNotional: 1_000_000, maxOpenNotional: 10_000_000, allowedSymbols: [], openNotional: 0, ...over };
}

export function component(id: string, over: Partial<ComponentView> = {}): ComponentView {
  return { id, role: id.replace(/-\d+$/, ''), state: 'active', lastSeq: 100, lag: 0, heartbeatAgeMs: 200, stale: false, active: true, ...over };
}

export function stateView(over: Partial<StateView> = {}): StateView {
  return {
    session: { id: 1, state: 'open', seq: 100, eventRate: 10 },
    instruments: [instrument('AAPL'), instrument('MSFT', { referencePrice: 400 }), instrument('VOD', { lotSize: 100, tickSize: 0.02 })],
    clients: [client('ALPHA'), client('BRAVO', { allowedSymbols: ['MSFT'] })],
    orders: [],
    fills: [],
    components: [],
    alerts: [],
    ...over,
  };
}

/** A frame scheduler the test runs by hand. */
export function manualFrames(): { schedule: (cb: () => void) => () => void; run: () => void; pending: () => number } {
  let queue: (() => void)[] = [];
  return {
    schedule(cb) {
      queue.push(cb);
      return () => {
        queue = queue.filter((x) => x !== cb);
      };
    },
    run() {
      const q = queue;
      queue = [];
      for (const cb of q) cb();
    },
    pending: () => queue.length,
  };
}
