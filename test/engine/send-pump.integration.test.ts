import { afterEach, describe, expect, it } from 'vitest';
import { Dealer, Publisher, Subscriber } from 'zeromq';
import { SendPump } from '../../engine/bus/send-pump.ts';

// Decision 210: a pump on a PUB socket sends without a timeout (a PUB never waits, so zeromq.js need not read
// ZMQ_EVENTS before each send); every other socket keeps the timeout its owner gave it.

const open: { close(): void }[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe('SendPump', () => {
  it('sends on a PUB socket without a send timeout, every message in order; leaves other sockets alone', async () => {
    const pub = new Publisher({ linger: 0 });
    const sub = new Subscriber({ linger: 0 });
    const dealer = new Dealer({ linger: 0, sendTimeout: 5_000 });
    open.push(pub, sub, dealer);
    const endpoint = `inproc://send-pump-${process.pid}`;
    await pub.bind(endpoint);
    sub.connect(endpoint);
    sub.subscribe();
    const queue: string[] = [];
    const pump = new SendPump(pub, () => queue.shift(), (err) => {
      throw err;
    });
    new SendPump(dealer, () => undefined, () => undefined);
    expect(pub.sendTimeout).toBe(0);
    expect(dealer.sendTimeout).toBe(5_000);
    // A PUB drops what it sends before the subscription has reached it: send a probe until one arrives.
    const got: string[] = [];
    const receiving = (async () => {
      for await (const [m] of sub) {
        got.push(m!.toString());
        if (got.at(-1) === 'm-99') return;
      }
    })();
    while (got.length === 0) {
      queue.push('probe');
      pump.kick();
      await new Promise((r) => setTimeout(r, 5));
    }
    for (let i = 0; i < 100; i++) queue.push(`m-${i}`);
    pump.kick();
    await receiving;
    const after = got.slice(got.indexOf('m-0'));
    expect(after).toEqual(Array.from({ length: 100 }, (_, i) => `m-${i}`));
  });

  // Decision 262: the pump runs on callbacks made once instead of an async loop; these hold what the loop did.
  it('reports a failed send and carries on with the next message; idle() waits until the queue is handed over', async () => {
    // A DEALER with no peer and no send timeout refuses every send (EAGAIN): a real failure per message.
    const dealer = new Dealer({ linger: 0, sendTimeout: 0 });
    open.push(dealer);
    const queue = ['a', 'b', 'c'];
    const taken: string[] = [];
    const errors: string[] = [];
    const pump = new SendPump(
      dealer,
      () => {
        const m = queue.shift();
        if (m !== undefined) taken.push(m);
        return m;
      },
      (err) => errors.push((err as { code?: string }).code ?? String(err)),
    );
    pump.kick();
    pump.kick(); // a second kick while busy starts nothing more
    await pump.idle();
    expect(taken).toEqual(['a', 'b', 'c']);
    expect(errors).toEqual(['EAGAIN', 'EAGAIN', 'EAGAIN']);
    await expect(pump.idle()).resolves.toBeUndefined();
  });

  it('sends nothing after stop(), nor on a closed socket, and idle() still resolves', async () => {
    const pub = new Publisher({ linger: 0 });
    open.push(pub);
    await pub.bind(`inproc://send-pump-stop-${process.pid}`);
    let asked = 0;
    const stopped = new SendPump(pub, () => (asked++, 'x'), () => undefined);
    stopped.stop();
    stopped.kick();
    await stopped.idle();
    expect(asked).toBe(0);
    const closed = new Publisher({ linger: 0 });
    let asked2 = 0;
    const onClosed = new SendPump(closed, () => (asked2++, 'x'), () => undefined);
    closed.close();
    onClosed.kick();
    await onClosed.idle();
    expect(asked2).toBe(0);
  });
});
