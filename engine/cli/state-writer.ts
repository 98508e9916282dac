import type { OmsProjection } from '../oms/projection.ts';
import { alertViews, clientViews, fillView, instrumentViews, orderView, sessionView } from '../oms/views.ts';

/** Rows `after` (inclusive) to `after + limit` (exclusive) of the orders and of the fills, by position (the API's cursors). */
export interface StatePage {
  readonly after: number;
  readonly limit: number;
}

function* take<T>(items: Iterable<T>, n: number): Iterable<T> {
  if (n <= 0) return;
  let i = 0;
  for (const item of items) {
    yield item;
    if (++i >= n) return;
  }
}

function* fillRange(p: OmsProjection, from: number, to: number) {
  for (let i = from; i < to; i++) yield p.fillAt(i)!;
}

/** Text gathered before each write: large enough to keep writes few, small enough to keep memory flat. */
const CHUNK_CHARS = 1 << 16;

/**
 * Writes the projection's state view (toStateView's content, same keys in
 * the same order) as JSON piece by piece: one top-level field per line, and
 * orders and fills one per line, gathered in chunks of ~64 KB through `write`
 * (which should wait while its sink is full), so memory stays flat however
 * large the session (one string of a 5 M-event session's state does not fit
 * in a JS string). Lines are compact JSON: indenting every order (what
 * `JSON.stringify(view, null, 2)` did) took half the time of a large state.
 * `extra` fields (e.g. stateHash) come last.
 */
export async function writeStateJson(write: (text: string) => Promise<void>, p: OmsProjection, asOfSeq: number | undefined, extra: Record<string, unknown> = {}, page?: StatePage): Promise<void> {
  let buf = '{';
  let first = true;
  const flushIfFull = async () => {
    if (buf.length >= CHUNK_CHARS) {
      const text = buf;
      buf = '';
      await write(text);
    }
  };
  const key = (k: string) => {
    buf += `${first ? '' : ','}\n${JSON.stringify(k)}: `;
    first = false;
  };
  const field = (k: string, v: unknown) => {
    if (v === undefined) return;
    key(k);
    buf += JSON.stringify(v);
  };
  const list = async <T>(k: string, items: Iterable<T>, view: (item: T) => unknown) => {
    key(k);
    let n = 0;
    for (const item of items) {
      buf += `${n === 0 ? '[' : ','}\n${JSON.stringify(view(item))}`;
      n++;
      await flushIfFull();
    }
    buf += n === 0 ? '[]' : '\n]';
  };
  field('session', sessionView(p));
  field('instruments', instrumentViews(p));
  field('clients', clientViews(p));
  if (page) {
    // One page (decision 186): the counts, the rows from the cursor, and where the next page starts (as GET /api/state?at=).
    field('orderCount', p.orderCount);
    field('fillCount', p.fillCount);
    const orderEnd = Math.min(p.orderCount, page.after + page.limit);
    const fillEnd = Math.min(p.fillCount, page.after + page.limit);
    await list('orders', take(p.orders(Math.min(page.after, p.orderCount)), Math.max(0, orderEnd - page.after)), orderView);
    await list('fills', fillRange(p, page.after, fillEnd), fillView);
    field('ordersAfter', orderEnd < p.orderCount ? orderEnd : undefined);
    field('fillsAfter', fillEnd < p.fillCount ? fillEnd : undefined);
  } else {
    await list('orders', p.orders(), orderView);
    await list('fills', p.fills(), fillView);
  }
  field('components', []);
  field('alerts', alertViews(p));
  field('asOfSeq', asOfSeq);
  for (const [k, v] of Object.entries(extra)) field(k, v);
  buf += '\n}';
  await write(buf);
}
