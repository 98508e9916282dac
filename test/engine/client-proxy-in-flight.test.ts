import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NewOrderRequest } from '../../contract/api.ts';
import { ClientProxyComponent } from '../../engine/oms/components/client-proxy.ts';
import { InFlightTable, Waiting } from '../../engine/oms/components/in-flight.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import type { CommandBody, EventOf } from '../../engine/protocol/events.ts';

type NewOrderBody = EventOf<'OrderPending'>;

// Client ids and clientOrderIds from a small set, so that the same pair comes again; NUL inside them is allowed
// (the table keeps clientId and clientOrderId apart, no joined key).
const CLIENTS = ['ALPHA', 'BETA', 'AL', 'A\u0000B'];
const COIDS = ['1', '2', 'PHA', 'B\u0000C', ''];

function orderBody(clientId: string, clientOrderId: string): NewOrderBody {
  return { type: 'OrderPending', orderId: 0, clientId, clientOrderId, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 10, price: 1 };
}

const tableOp = fc.oneof(
  fc.record({ op: fc.constant('order' as const), client: fc.nat(CLIENTS.length - 1), coid: fc.nat(COIDS.length - 1) }),
  fc.record({ op: fc.constant('request' as const) }),
  fc.record({ op: fc.constant('take' as const), pick: fc.nat(40) }),
  fc.record({ op: fc.constant('sweep' as const) }),
);

describe("the client proxy's in-flight table (issue 15: its entry is the waiter)", () => {
  it('agrees with a plain Map by cseq and one by (clientId, clientOrderId) after every step of random runs', () => {
    fc.assert(
      fc.property(fc.array(tableOp, { maxLength: 80 }), (ops) => {
        const table = new InFlightTable();
        // The model: what the proxy kept before, a Map by cseq and a Map by a key joined without ambiguity.
        const byCseq = new Map<number, Waiting>();
        const byKey = new Map<string, Waiting>();
        const key = (c: string, o: string) => JSON.stringify([c, o]);
        let cseq = 0;
        for (const step of ops) {
          if (step.op === 'order' || step.op === 'request') {
            const body = step.op === 'order' ? orderBody(CLIENTS[step.client]!, COIDS[step.coid]!) : undefined;
            const w = new Waiting(++cseq, cseq * 10, body);
            table.add(w);
            byCseq.set(w.cseq, w);
            if (body) byKey.set(key(body.clientId, body.clientOrderId), w);
          } else if (step.op === 'take') {
            const c = step.pick === 0 ? cseq + 1 : ((step.pick - 1) % Math.max(cseq, 1)) + 1; // sometimes none waits
            const expected = byCseq.get(c);
            expect(table.take(c)).toBe(expected);
            byCseq.delete(c);
            const body = expected?.body;
            if (body && byKey.get(key(body.clientId, body.clientOrderId)) === expected) byKey.delete(key(body.clientId, body.clientOrderId));
          } else {
            table.dropIdleClients();
            expect(table.clients).toBe(new Set([...byKey.values()].map((w) => w.body!.clientId)).size);
          }
          expect(table.size).toBe(byCseq.size);
          expect([...table.values()]).toEqual([...byCseq.values()]);
          for (let c = 1; c <= cseq + 1; c++) expect(table.get(c)).toBe(byCseq.get(c));
          for (const client of CLIENTS) {
            for (const coid of COIDS) expect(table.order(client, coid)).toBe(byKey.get(key(client, coid)));
          }
        }
        // Everything answered: nothing is kept once a sweep has run.
        for (const w of [...byCseq.values()]) table.take(w.cseq);
        table.dropIdleClients();
        expect(table.size).toBe(0);
        expect(table.clients).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it("settles each request's own promise once, with the first answer", async () => {
    const a = new Waiting(1, 7, undefined);
    const b = new Waiting(2, 8, undefined);
    b.settle({ ok: false, error: { code: 'UNAVAILABLE', message: 'b' } });
    a.settle({ ok: true, value: { orderId: 7 } });
    a.settle({ ok: false, error: { code: 'UNAVAILABLE', message: 'late' } });
    await expect(a.answer).resolves.toEqual({ ok: true, value: { orderId: 7 } });
    await expect(b.answer).resolves.toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'b' } });
  });
});

const proxyOp = fc.oneof(
  fc.record({ op: fc.constant('submit' as const), coid: fc.nat(3), quantity: fc.constantFrom(10, 20) }),
  fc.record({ op: fc.constant('answer' as const), pick: fc.nat(20) }),
);

describe('the client proxy answers new orders, retries and duplicates as a plain model says', () => {
  it('a retry of an order in flight or in the log gets its orderId and sends nothing; other terms are DUPLICATE_CLIENT_ORDER_ID', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(proxyOp, { maxLength: 40 }), async (ops) => {
        const b = new LogBuilder().openSession({ reference: loadReferenceData() });
        const p = new OmsProjection();
        p.applyAll(b.events);
        const proxy = new ClientProxyComponent('proxy-1', p);
        const sent: NewOrderBody[] = [];
        proxy.onActivate({ send: (body: CommandBody) => (sent.push(body as NewOrderBody), sent.length) });
        // The model: each clientOrderId's first terms and orderId; the commands sent and not yet answered.
        const first = new Map<string, { quantity: number; orderId: number | undefined }>();
        const unanswered: number[] = [];
        const answers: Promise<unknown>[] = [];
        for (const step of ops) {
          if (step.op === 'submit') {
            const clientOrderId = `c${step.coid}`;
            const req: NewOrderRequest = { clientId: 'ALPHA', clientOrderId, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: step.quantity, price: 228.45 };
            const before = sent.length;
            const answer = proxy.submit(req);
            const seen = first.get(clientOrderId);
            if (seen === undefined) {
              expect(sent.length).toBe(before + 1);
              const cseq = sent.length;
              first.set(clientOrderId, { quantity: step.quantity, orderId: undefined });
              unanswered.push(cseq);
              answers.push(answer.then((r) => expect(r).toEqual({ ok: true, value: { orderId: sent[cseq - 1]!.orderId } })));
            } else {
              expect(sent.length).toBe(before);
              if (seen.quantity !== step.quantity) {
                expect(await answer).toMatchObject({ ok: false, error: { code: 'DUPLICATE_CLIENT_ORDER_ID' } });
              } else if (seen.orderId !== undefined) {
                expect(await answer).toEqual({ ok: true, value: { orderId: seen.orderId } });
              } else {
                // In flight: joins the first request's answer (awaited once it is answered, below).
                answers.push(answer.then((x) => expect(x).toMatchObject({ ok: true })));
              }
            }
          } else if (unanswered.length > 0) {
            const [cseq] = unanswered.splice(step.pick % unanswered.length, 1);
            const body = sent[cseq! - 1]!;
            const e = { ...b.add(body, 'proxy-1'), cseq: cseq! };
            p.apply(e);
            proxy.apply(1, e);
            proxy.react(1, e);
            first.get(body.clientOrderId)!.orderId = body.orderId;
          }
        }
        for (const cseq of unanswered) {
          const body = sent[cseq - 1]!;
          const e = { ...b.add(body, 'proxy-1'), cseq };
          p.apply(e);
          proxy.apply(1, e);
          proxy.react(1, e);
        }
        await Promise.all(answers);
        proxy.onDeactivate();
      }),
      { numRuns: 200 },
    );
  });
});
