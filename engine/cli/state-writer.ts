import type { OmsProjection } from '../oms/projection.ts';
import { alertViews, clientViews, fillView, instrumentViews, orderView, sessionView } from '../oms/views.ts';

/** Text gathered before each write: large enough to keep writes few, small enough to keep memory flat. */
const CHUNK_CHARS = 1 << 16;

/**
 * Writes the projection's state view (toStateView's content) as JSON, exactly
 * as `JSON.stringify(view, null, 2)` would, but piece by piece: orders and
 * fills one at a time, in chunks of ~64 KB through `write` (which should wait
 * while its sink is full), so memory stays flat however large the session
 * (one string of a 5 M-event session's state does not fit in a JS string).
 * `extra` fields (e.g. stateHash) come last.
 */
export async function writeStateJson(write: (text: string) => Promise<void>, p: OmsProjection, asOfSeq: number | undefined, extra: Record<string, unknown> = {}): Promise<void> {
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
    buf += `${first ? '' : ','}\n  ${JSON.stringify(k)}: `;
    first = false;
  };
  /** A value nested at depth 1, as JSON.stringify(…, null, 2) indents it. */
  const value = (v: unknown, indent: string) => JSON.stringify(v, null, 2).replace(/\n/g, `\n${indent}`);
  const field = (k: string, v: unknown) => {
    if (v === undefined) return;
    key(k);
    buf += value(v, '  ');
  };
  const list = async <T>(k: string, items: Iterable<T>, view: (item: T) => unknown) => {
    key(k);
    let n = 0;
    for (const item of items) {
      buf += `${n === 0 ? '[' : ','}\n    ${value(view(item), '    ')}`;
      n++;
      await flushIfFull();
    }
    buf += n === 0 ? '[]' : '\n  ]';
  };
  field('session', sessionView(p));
  field('instruments', instrumentViews(p));
  field('clients', clientViews(p));
  await list('orders', p.orders(), orderView);
  await list('fills', p.fills(), fillView);
  field('components', []);
  field('alerts', alertViews(p));
  field('asOfSeq', asOfSeq);
  for (const [k, v] of Object.entries(extra)) field(k, v);
  buf += '\n}';
  await write(buf);
}
