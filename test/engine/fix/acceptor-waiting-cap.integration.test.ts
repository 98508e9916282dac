import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost } from '../helpers/host.ts';
import { RawFixPeer } from './helpers/raw-fix.ts';

/**
 * Round 17, outside: a peer that opens connections to the FIX port and never logs on had no bound: each held a
 * session of the library's for the 10 s logon timeout, and a flood of them (2 × 9,500) kept real clients from logging
 * on and grew the host's memory (RSS ~217 → 280-430 MB at load 13-16). At most 64 connections wait to log on now; the next is closed at once, before the
 * library builds anything for it (decision 292).
 */
describe('FIX acceptor: connections waiting to log on are capped', () => {
  let host: Awaited<ReturnType<typeof startTestHost>>;
  let port = 0;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    host = await startTestHost({ fixPort: 0 });
    port = await host.fix!.whenListening();
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await host.dispose();
  });

  function open(): Promise<{ socket: Socket; closed: Promise<void> }> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.once('connect', () => resolve({ socket, closed }));
      socket.once('error', reject);
    });
  }

  it('the 65th is closed at once while 64 wait; once they go, a client logs on', async () => {
    const held = [];
    // Each sends the start of a message, so the acceptor has certainly taken it before the next one comes.
    for (let i = 0; i < 64; i++) {
      const c = await open();
      c.socket.write('8=FIX.4.4\x01');
      held.push(c);
    }
    const extra = await open();
    await extra.closed;
    expect(held.filter((c) => c.socket.destroyed || c.socket.readableEnded).length).toBe(0);

    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    // The acceptor sees the closes a moment after the client does: a Logon refused by the cap is tried again.
    let answered = false;
    for (let attempt = 0; attempt < 10 && !answered; attempt++) {
      const p = new RawFixPeer(port, 'ALPHA');
      p.send('A', 1, [[98, 0], [108, 30], [141, 'Y']]);
      await p.until(() => p.ofType('A').length === 1 || p.closed, 'a Logon or a close');
      answered = p.ofType('A').length === 1;
      p.close();
    }
    expect(answered).toBe(true);
  });
});
