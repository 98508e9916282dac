import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../engine/host/host.ts';
import { orderFor } from '../reliability/helpers/http.ts';
import { cleanupAll, tempDir } from '../reliability/helpers/procs.ts';

/**
 * Decision 263: the API WebSocket sends the replies settled in one turn in one write (the socket is corked at the
 * turn's first reply and uncorked after the turn's promise callbacks). Nothing may be held back by it: every call
 * of a burst is answered once, with its own id, and a lone call after the burst (its own turn) is answered too.
 * A real host, a real WebSocket over TCP.
 */
let host: Host;
beforeAll(async () => {
  host = await startHost({ dataDir: join(tempDir(), 'data'), port: 0, venueTickMs: 0 });
});
afterAll(async () => {
  await host.close();
  await cleanupAll();
});

interface Reply {
  id: number;
  result: { ok: boolean; value?: { orderId: number }; error?: { code: string } };
}

describe('API WebSocket replies in one write per turn', () => {
  it('answers every call of a burst once, by id, and a lone call after it', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers: { authorization: `Bearer ${host.token}`, origin: `http://127.0.0.1:${host.port}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const replies = new Map<number, Reply[]>();
    let count = 0;
    let wake: (() => void) | undefined;
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as Reply;
      replies.set(m.id, [...(replies.get(m.id) ?? []), m]);
      count++;
      wake?.();
    });
    const until = async (n: number) => {
      while (count < n) await new Promise<void>((r) => (wake = r));
    };
    const N = 300;
    // New orders (answered when the sequencer stamps them) mixed with reads answered at once.
    for (let i = 1; i <= N; i++) {
      const call = i % 10 === 0 ? { id: i, method: 'getOrders', params: [] } : { id: i, method: 'submitOrder', params: [orderFor('burst', i)] };
      ws.send(JSON.stringify(call));
    }
    await until(N);
    expect([...replies.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    for (const [id, rs] of replies) {
      expect(rs, `call ${id}`).toHaveLength(1);
      expect(rs[0]!.result.ok, `call ${id}: ${JSON.stringify(rs[0]!.result.error)}`).toBe(true);
    }
    const orderIds = [...replies].filter(([id]) => id % 10 !== 0).map(([, rs]) => rs[0]!.result.value!.orderId);
    expect(new Set(orderIds).size).toBe(orderIds.length);
    // A lone call in a turn of its own is not left corked.
    ws.send(JSON.stringify({ id: N + 1, method: 'submitOrder', params: [orderFor('lone', 1)] }));
    await until(N + 1);
    expect(replies.get(N + 1)?.[0]?.result.ok).toBe(true);
    ws.close();
  });
});
