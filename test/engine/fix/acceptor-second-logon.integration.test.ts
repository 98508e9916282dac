import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/backbone.ts';
import { RawFixPeer, loggedOnPeer, fixMessage, fixTime, tagOf } from './helpers/raw-fix.ts';
import { withFixAcceptorHost, type FixTestHost } from './helpers/acceptor-host.ts';

/**
 * A second Logon of a logged-on session (QuickFIX's acceptance cases 1b DuplicateIdentity and AlreadyLoggedOn,
 * FIX's session test 1S b), round 17's left item: a Logon of the same CompID on another connection replaced the
 * logged-on connection (the library's session registry stopped it, before the newcomer's Logon was judged), and the
 * newcomer was told "MsgSeqNum too low". Now the newcomer is closed without a message and the logged-on session goes
 * on; a second Logon on the session's own connection gets a Logout naming why. Decision 297.
 */
describe('FIX acceptor: a second Logon of a logged-on session', () => {
  let host: FixTestHost;
  let port = 0;
  const peers: RawFixPeer[] = [];
  withFixAcceptorHost(peers, (h, p) => ((host = h), (port = p)));

  const newPeer = (client: string): RawFixPeer => {
    const p = new RawFixPeer(port, client);
    peers.push(p);
    return p;
  };

  /** The logged-on session still answers: a TestRequest gets its Heartbeat. */
  async function stillAnswers(p: RawFixPeer, seq: number, id: string): Promise<void> {
    p.send('1', seq, [[112, id]]);
    await p.until(() => p.ofType('0').some((m) => tagOf(m, 112) === id), `the Heartbeat answering ${id}`);
    expect(p.closed).toBe(false);
  }

  it.each([
    { client: 'ALPHA', seq: 1, reset: false },
    { client: 'BRAVO', seq: 2, reset: false },
    { client: 'CHARLIE', seq: 1, reset: true },
  ])('on another connection ($client, MsgSeqNum $seq, reset $reset): the newcomer is closed without a message, the logged-on session goes on', async (c) => {
    const first = await loggedOnPeer(port, c.client, peers);
    const second = newPeer(c.client);
    second.send('A', c.seq, [[98, 0], [108, 30], ...(c.reset ? ([[141, 'Y']] as [number, string][]) : [])]);
    await second.until(() => second.closed, 'the newcomer closed');
    expect(second.received).toEqual([]);
    await stillAnswers(first, 2, `${c.client}-after`);
    const info = host.fix!.sessions().find((s) => s.clientId === c.client)!;
    expect(info.connected).toBe(true);
    expect(info.lastReason).toBe(`a second Logon of '${c.client}' came on another connection while its session is logged on: that connection was closed without a message, the logged-on session goes on`);
    first.close();
    await waitFor(() => host.fix!.sessions().find((s) => s.clientId === c.client)?.connected === false, 'the first connection gone', 15_000);
  });

  it.each([
    { client: 'DELTA', reset: false, text: 'Logon received on a session already logged on: a session logs on once a connection' },
    { client: 'ALPHA', reset: true, text: 'Logon with ResetSeqNumFlag (141) Y on a logged-on session: Ordo does not reset a session in flight; log out, then log on with ResetSeqNumFlag Y' },
  ])('on its own connection (reset $reset): a Logout naming why, then the connection closed', async (c) => {
    const p = await loggedOnPeer(port, c.client, peers);
    p.send('A', c.reset ? 1 : 2, [[98, 0], [108, 30], ...(c.reset ? ([[141, 'Y']] as [number, string][]) : [])]);
    await p.until(() => p.ofType('5').length === 1, 'a Logout');
    expect(tagOf(p.ofType('5')[0]!, 58)).toBe(c.text);
    expect(p.ofType('A')).toHaveLength(1);
    await p.until(() => p.closed, 'the connection closed');
  });

  it('a first message of another FIX version (FIX.3.9 Logon, QuickFIX 1d) is not answered: the connection is closed', async () => {
    const p = newPeer('BRAVO');
    p.write(fixMessage([[35, 'A'], [49, 'BRAVO'], [56, 'ORDO'], [34, 1], [52, fixTime()], [98, 0], [108, 30]], 'FIX.3.9'));
    await p.until(() => p.closed, 'the connection closed');
    expect(p.received).toEqual([]);
  });
});
