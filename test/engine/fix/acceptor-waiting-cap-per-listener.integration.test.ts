import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { listenFix, type FixListener } from '../../../engine/fix/jspurefix.ts';
import { OrdoFixSession, type SessionHooks } from '../../../engine/fix/session.ts';
import { fixMessage, fixTime } from './helpers/raw-fix.ts';

/**
 * Round 17 left the cap on connections waiting to log on (decision 292) in module-global state: every listenFix call
 * reset the cap for all acceptors of the process, and all of them shared one set of waiting connections, so a
 * flood at one port closed connections at another. Each listener has its own now (decision 297).
 */
describe('FIX acceptor: the waiting-to-log-on cap belongs to its listener', () => {
  const listeners: FixListener[] = [];
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    for (const l of listeners) await l.close();
  });

  const hooks: SessionHooks = { logon: () => 'not in this test', ready: () => undefined, message: () => undefined, stopped: () => undefined };
  const listen = async (maxWaiting: number): Promise<FixListener> => {
    const spec = { role: 'acceptor', name: `cap-${maxWaiting}`, begin: 'FIX.4.4', senderCompId: 'ORDO', targetCompId: '*', host: '127.0.0.1', port: 0, heartbeatSeconds: 30 } as const;
    const l = await listenFix(spec, (config) => new OrdoFixSession(config, hooks), { maxWaiting, logonTimeoutMs: 60_000 });
    listeners.push(l);
    return l;
  };

  /** A connection that has sent the start of a Logon and waits (one the acceptor closed at once is closed). */
  async function waiter(port: number, client: string): Promise<{ outcome: () => Promise<'answered' | 'closed'> }> {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let data = false;
    socket.on('data', () => (data = true));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    await new Promise<void>((r, j) => socket.once('connect', () => r()).once('error', j));
    const logon = fixMessage([[35, 'A'], [49, client], [56, 'ORDO'], [34, 1], [52, fixTime()], [98, 0], [108, 30]]);
    socket.write(logon.slice(0, 10));
    return {
      // The rest of the Logon: a connection the acceptor kept answers it (a Logout: this test refuses every
      // Logon) before it closes; one closed at once by the cap closes with nothing.
      outcome: async () => {
        if (!socket.destroyed) socket.write(logon.slice(10));
        await closed;
        return data ? 'answered' : 'closed';
      },
    };
  }

  it("a second listener neither resets the first's cap nor shares its waiting connections", async () => {
    const small = await listen(2);
    const large = await listen(64);
    const a = [await waiter(small.port, 'A1'), await waiter(small.port, 'A2'), await waiter(small.port, 'A3')];
    const other = await listen(2);
    const b = [await waiter(other.port, 'B1'), await waiter(large.port, 'C1')];
    // Before: listening on `large` had set every acceptor's cap to 64, so A3 was kept; and the waiting connections
    // at `small` filled the one set all acceptors shared, so B1 (at a listener with nobody waiting) was closed.
    expect(await Promise.all([...a, ...b].map((w) => w.outcome()))).toEqual(['answered', 'answered', 'closed', 'answered', 'answered']);
  });
});
