import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Dealer, Publisher, Router, Subscriber } from 'zeromq';
import { receiveEach } from '../../engine/bus/receive-loop.ts';

// Decision 262: the bus's receive loops (the sequencer's ROUTER, EventStream's SUB, CommandClient's DEALER)
// await socket.receive() themselves instead of `for await` over the socket. receiveEach must keep what the
// iterator gave them: every message once, in order, all its parts; a quiet end when the socket closes; and a
// throw from the handler ending the loop with that error.

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function ipcEndpoint(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ordo-receive-loop-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return `ipc://${join(dir, name)}`;
}

async function pair(): Promise<{ router: Router; dealer: Dealer }> {
  const endpoint = ipcEndpoint('router');
  const router = new Router();
  router.linger = 0;
  await router.bind(endpoint);
  const dealer = new Dealer();
  dealer.linger = 0;
  dealer.connect(endpoint);
  cleanup.push(() => {
    dealer.close();
    router.close();
  });
  return { router, dealer };
}

describe('receiveEach over real ZeroMQ sockets', () => {
  it('hands every message to the handler once, in order, with all its parts', async () => {
    const { router, dealer } = await pair();
    const got: { id: string; body: number; parts: number }[] = [];
    let allIn: () => void = () => undefined;
    const done = new Promise<void>((r) => (allIn = r));
    const loop = receiveEach(router, (msg) => {
      got.push({ id: msg[0]!.toString('hex'), body: msg[1]!.readUInt32LE(0), parts: msg.length });
      if (got.length === 3000) allIn();
    });
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(i);
      await dealer.send(b);
    }
    await done;
    expect(got.map((g) => g.body)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(new Set(got.map((g) => g.id)).size).toBe(1);
    expect(got.every((g) => g.parts === 2)).toBe(true);
    router.close();
    await expect(loop).resolves.toBeUndefined();
  });

  it('resolves, without an error, when the socket closes while it waits for a message', async () => {
    const endpoint = ipcEndpoint('events');
    const sub = new Subscriber();
    sub.linger = 0;
    sub.connect(endpoint);
    sub.subscribe();
    const pub = new Publisher();
    pub.linger = 0;
    await pub.bind(endpoint);
    cleanup.push(() => pub.close());
    let calls = 0;
    const loop = receiveEach(sub, () => calls++);
    // Let the loop reach its pending receive, then close under it.
    await new Promise((r) => setTimeout(r, 20));
    sub.close();
    await expect(loop).resolves.toBeUndefined();
    expect(calls).toBe(0);
  });

  it('resolves at once on a socket already closed', async () => {
    const sub = new Subscriber();
    sub.close();
    await expect(receiveEach(sub, () => undefined)).resolves.toBeUndefined();
  });

  it('ends with the handler’s error, and hands it no message after that', async () => {
    const { router, dealer } = await pair();
    const seen: number[] = [];
    const loop = receiveEach(router, (msg) => {
      const n = msg[1]!.readUInt32LE(0);
      seen.push(n);
      if (n === 2) throw new Error('handler failed at 2');
    });
    for (let i = 0; i < 5; i++) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(i);
      await dealer.send(b);
    }
    await expect(loop).rejects.toThrow('handler failed at 2');
    expect(seen).toEqual([0, 1, 2]);
  });
});
