import type { NewOrderRequest, OrderView, Result, StateView } from '../../../contract/api.ts';
import { startHost, type Host, type HostOptions } from '../../../engine/host/host.ts';
import { orderView } from '../../../engine/oms/views.ts';
import { removeDir, tempDir, waitFor } from './backbone.ts';

/** A whole in-process host on a temp data dir and a free port. */
export async function startTestHost(opts: Partial<HostOptions> = {}): Promise<Host & { dir: string; dispose(): Promise<void> }> {
  const dir = opts.dataDir ?? tempDir('ordo-host-');
  const host = await startHost({ dataDir: dir, port: 0, venueTickMs: 50, staticDir: '/nonexistent', ...opts });
  return Object.assign(host, {
    dir,
    async dispose() {
      await host.close();
      removeDir(dir);
    },
  });
}

/** A JSON answer, loosely typed: tests look at the fields they check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
export type ApiBody = any;

/** Calls the HTTP API with the host's token (or `token`), returns status and JSON body. */
export async function http(host: { port: number; token: string }, method: string, path: string, body?: unknown, token = host.token): Promise<{ status: number; body: ApiBody }> {
  const res = await fetch(`http://127.0.0.1:${host.port}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

let coid = 0;
/** A limit order for ALPHA (allowed everything) with a fresh clientOrderId. */
export function order(symbol: string, side: 'buy' | 'sell', quantity: number, price: number | undefined, extra: Partial<NewOrderRequest> = {}): NewOrderRequest {
  return {
    clientId: 'ALPHA',
    clientOrderId: `t${process.pid}-${++coid}`,
    symbol,
    side,
    orderType: price === undefined ? 'market' : 'limit',
    quantity,
    ...(price !== undefined ? { price } : {}),
    timeInForce: 'day',
    ...extra,
  };
}

export async function state(host: Host): Promise<StateView> {
  return unwrap(await host.api.getState());
}

/** Waits until the host's view shows the order in a state that `pred` accepts. */
export async function waitOrder(host: Host, orderId: number, pred: (o: OrderView) => boolean, what = 'order state'): Promise<OrderView> {
  let last: OrderView | undefined;
  try {
    await waitFor(() => {
      const o = host.view.projection.order(orderId);
      last = o ? orderView(o) : undefined;
      return last !== undefined && pred(last);
    }, `${what} of order ${orderId}`);
  } catch (err) {
    // The state it ended in says why (a refusal, a fill): the message is made after the wait, not before it.
    throw new Error(`${(err as Error).message} (last state: ${last?.state ?? 'none'})`);
  }
  return last!;
}

export { removeDir, tempDir, waitFor };
