import { describe, expect, it } from 'vitest';
import { RawFixPeer, loggedOnPeer, fixMessage, fixTime, tagOf } from './helpers/raw-fix.ts';
import { withFixAcceptorHost, type FixTestHost } from './helpers/acceptor-host.ts';

/**
 * Round 17, outside: once logged on, a message with another BeginString, another session's SenderCompID or a
 * SendingTime ten minutes off was taken as if it were the session's own (a FIX.4.2 heartbeat answered; a D applied).
 * FIX (and QuickFIX's acceptance cases 2i, 2k, 2o) refuse each and end the session; decision 292.
 */
describe('FIX acceptor: the header of every message of a logged-on session is checked', () => {
  let host: FixTestHost;
  let port = 0;
  const peers: RawFixPeer[] = [];
  withFixAcceptorHost(peers, (h, p) => ((host = h), (port = p)));

  const loggedOn = (client: string): Promise<RawFixPeer> => loggedOnPeer(port, client, peers);

  async function pendingOrders(): Promise<string[]> {
    const pos = host.sequencer.position;
    const r = await host.api.getEvents({ session: pos.session, from: 1, to: pos.seq });
    return (r.ok ? r.value : []).filter((e) => e.type === 'OrderPending').map((e) => (e as unknown as { clientOrderId: string }).clientOrderId);
  }

  const order = (id: string): [number, string | number][] => [[11, id], [55, 'AAPL'], [54, 1], [60, fixTime()], [38, 10], [40, 2], [44, 220]];
  const header = (sender: string, target: string, time: string): [number, string | number][] => [[35, 'D'], [49, sender], [56, target], [34, 2], [52, time]];

  it.each([
    { client: 'ALPHA', clOrdId: 'hdr-begin', begin: 'FIX.4.2', sender: 'ALPHA', target: 'ORDO', ms: 0, reject: undefined, text: 'Incorrect BeginString FIX.4.2: this session is FIX.4.4' },
    { client: 'BRAVO', clOrdId: 'hdr-sender', begin: 'FIX.4.4', sender: 'CHARLIE', target: 'ORDO', ms: 0, reject: '9', text: "CompID problem: SenderCompID (49) 'CHARLIE' and TargetCompID (56) 'ORDO' are not this session's 'BRAVO' and 'ORDO'" },
    { client: 'CHARLIE', clOrdId: 'hdr-target', begin: 'FIX.4.4', sender: 'CHARLIE', target: 'OTHER', ms: 0, reject: '9', text: "CompID problem: SenderCompID (49) 'CHARLIE' and TargetCompID (56) 'OTHER' are not this session's 'CHARLIE' and 'ORDO'" },
    { client: 'DELTA', clOrdId: 'hdr-time', begin: 'FIX.4.4', sender: 'DELTA', target: 'ORDO', ms: -600_000, reject: '10', text: "SendingTime accuracy problem: SendingTime (52) is 600 s from this host's clock (at most 120 s)" },
  ])('$clOrdId: refused, a Logout saying why, the connection closed, the order not applied', async (c) => {
    const p = await loggedOn(c.client);
    p.write(fixMessage([...header(c.sender, c.target, fixTime(Date.now() + c.ms)), ...order(c.clOrdId)], c.begin));
    await p.until(() => p.ofType('5').length === 1, 'a Logout');
    const rejects = p.ofType('3');
    if (c.reject === undefined) expect(rejects).toEqual([]);
    else expect(rejects.map((m) => [tagOf(m, 45), tagOf(m, 373), tagOf(m, 58)])).toEqual([['2', c.reject, c.text]]);
    expect(tagOf(p.ofType('5')[0]!, 58)).toBe(c.text);
    await p.until(() => p.closed, 'the connection closed');
    expect(p.ofType('8')).toEqual([]);
    expect(await pendingOrders()).not.toContain(c.clOrdId);
  });

  it.each(['0', '-5', '1.5', 'abc', '99999'])('a Logon with HeartBtInt %s is refused with a Logout saying why (0 was dropped without a word)', async (hb) => {
    const p = new RawFixPeer(port, 'BRAVO');
    peers.push(p);
    p.write(fixMessage([[35, 'A'], [49, 'BRAVO'], [56, 'ORDO'], [34, 1], [52, fixTime()], [98, 0], [108, hb], [141, 'Y']]));
    await p.until(() => p.ofType('5').length === 1, 'a Logout');
    expect(p.ofType('A')).toEqual([]);
    expect(tagOf(p.ofType('5')[0]!, 58)).toBe(`onLogon failed: HeartBtInt (108) must be a whole number of seconds from 1 to 3600, got '${hb}'`);
    await p.until(() => p.closed, 'the connection closed');
  });

  it("the Logon's answer echoes the client's HeartBtInt and Ordo heartbeats at it (QuickFIX 4a, 6, 21; Ordo answered 30 whatever was asked)", async () => {
    const p = new RawFixPeer(port, 'DELTA');
    peers.push(p);
    p.write(fixMessage([[35, 'A'], [49, 'DELTA'], [56, 'ORDO'], [34, 1], [52, fixTime()], [98, 0], [108, 1], [141, 'Y']]));
    await p.until(() => p.ofType('A').length === 1, 'the Logon answered');
    expect(tagOf(p.ofType('A')[0]!, 108)).toBe('1');
    // Nothing is sent to it (no TestRequest to answer): a Heartbeat from Ordo comes at the client's interval.
    await p.until(() => p.ofType('0').length >= 1, "Ordo's Heartbeat");
    p.close();
  });

  it('a Logon whose SendingTime is more than 120 s off is refused with a Logout saying so', async () => {
    const p = new RawFixPeer(port, 'CHARLIE');
    peers.push(p);
    p.write(fixMessage([[35, 'A'], [49, 'CHARLIE'], [56, 'ORDO'], [34, 1], [52, fixTime(Date.now() + 300_000)], [98, 0], [108, 30], [141, 'Y']]));
    await p.until(() => p.ofType('5').length === 1, 'a Logout');
    expect(p.ofType('A')).toEqual([]);
    expect(tagOf(p.ofType('5')[0]!, 58)).toMatch(/^onLogon failed: SendingTime accuracy problem: SendingTime \(52\) is (299|300) s from this host's clock \(at most 120 s\)$/);
    await p.until(() => p.closed, 'the connection closed');
  });

  it('a SendingTime within 120 s is taken, and the session goes on', async () => {
    const p = await loggedOn('ALPHA');
    p.write(fixMessage([...header('ALPHA', 'ORDO', fixTime(Date.now() - 100_000)), ...order('hdr-ok')]));
    await p.until(() => p.ofType('8').length >= 1, 'the order acknowledged');
    expect(p.ofType('3')).toEqual([]);
    expect(p.ofType('5')).toEqual([]);
    expect(await pendingOrders()).toContain('hdr-ok');
  });
});
