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
});
