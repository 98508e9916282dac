import { describe, expect, it } from 'vitest';
import { writeStateJson } from '../../engine/cli/state-writer.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { toStateView } from '../../engine/oms/views.ts';
import { orderSession } from '../../bench/session.ts';

async function streamed(p: OmsProjection, at: number | undefined, extra?: Record<string, unknown>): Promise<{ text: string; writes: number; largest: number }> {
  const parts: string[] = [];
  await writeStateJson(async (t) => void parts.push(t), p, at, extra);
  return { text: parts.join(''), writes: parts.length, largest: Math.max(...parts.map((s) => s.length)) };
}

describe('writeStateJson (ordo state output, streamed)', () => {
  it('writes the view (same keys, same order), one order or fill per line, in bounded pieces', async () => {
    const p = new OmsProjection();
    let last = 0;
    for (const e of orderSession(20_000)) {
      p.apply(e);
      last = e.seq;
    }
    expect(p.orderCount).toBeGreaterThan(4000);
    const out = await streamed(p, last, { stateHash: p.stateHash() });
    const view = { ...toStateView(p, last), stateHash: p.stateHash() };
    expect(out.text).toBe(JSON.stringify(JSON.parse(out.text)) === JSON.stringify(view) ? out.text : 'differs from the view');
    const lines = out.text.split('\n');
    expect(lines.length).toBe(1 + 3 + (1 + view.orders.length + 1) + (1 + view.fills.length + 1) + 4 + 1);
    expect(JSON.parse(lines[5]!.replace(/,$/, ''))).toEqual(view.orders[0]);
    expect(out.writes).toBeGreaterThan(10);
    expect(out.largest).toBeLessThan(80_000);
  });

  it('writes an empty projection too (empty lists, no asOfSeq)', async () => {
    const p = new OmsProjection();
    expect(JSON.parse((await streamed(p, undefined)).text)).toEqual(toStateView(p));
  });
});
