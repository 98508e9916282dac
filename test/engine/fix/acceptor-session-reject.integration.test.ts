import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/backbone.ts';
import { withFixAcceptorHost, type FixTestHost } from './helpers/acceptor-host.ts';
import { fixMessage, fixTime, loggedOnPeer, RawFixPeer, tagOf } from './helpers/raw-fix.ts';

/**
 * FIX's session-level checks of a logged-on client's messages (FIX session test cases 14a-i, 2f, 10; QuickFIX's
 * acceptance cases of those numbers; decision 301): each malformed message gets a session Reject (35=3) naming the
 * field (RefTagID 371) and the reason (373), routed back (OnBehalfOf / DeliverTo reversed), and is not applied; the
 * session goes on. Round 18 left the Rejects without 371, two reasons mixed up, and enums, formats, repeated tags,
 * header order and group counts unchecked (an ExecutionReport or nothing).
 */
describe('FIX acceptor: session Rejects name the field and the reason', () => {
  let host: FixTestHost;
  let port = 0;
  const peers: RawFixPeer[] = [];
  withFixAcceptorHost(peers, (h, p) => ((host = h), (port = p)));

  /** A fresh connection of `client` (its earlier ones closed first: a second Logon is refused while one is on). */
  async function fresh(client: string): Promise<RawFixPeer> {
    for (const q of peers) if (q.sender === client) q.close();
    await waitFor(() => host.fix!.sessions().find((s) => s.clientId === client)?.connected !== true, `${client}'s earlier connection gone`);
    return loggedOnPeer(port, client, peers);
  }

  /** [371, 372, 373, 45] of the n-th Reject received. */
  const rejectOf = (p: RawFixPeer, n = 0): (string | undefined)[] => {
    const r = p.ofType('3')[n]!;
    return [tagOf(r, 371), tagOf(r, 372), tagOf(r, 373), tagOf(r, 45)];
  };

  /** Sends a TestRequest next and waits for its Heartbeat: the session went on, its numbers in step. */
  async function stillOn(p: RawFixPeer, seq: number): Promise<void> {
    p.send('1', seq, [[112, `on-${seq}`]]);
    await p.until(() => p.ofType('0').some((m) => tagOf(m, 112) === `on-${seq}`), `the Heartbeat for TestRequest ${seq}`);
    expect(p.ofType('5')).toEqual([]);
    expect(p.ofType('2')).toEqual([]);
  }

  /** A D's body: a limit buy of 10 AAPL, with the fields in `over` in place of its own. */
  const order = (id: string, over: Record<number, string | number> = {}): [number, string | number][] =>
    ([[11, id], [21, 1], [55, 'AAPL'], [54, 1], [60, fixTime()], [38, 10], [40, 2], [44, 228]] as [number, string | number][]).map(([t, v]) => [t, over[t] ?? v]);

  it('an unknown tag gets 373=0 and a tag of another message type 373=2, each naming the tag (QuickFIX 14a, 14c)', async () => {
    const p = await fresh('ALPHA');
    p.send('0', 2, [[999, 'HI']]);
    await p.until(() => p.ofType('3').length === 1, 'a Reject for tag 999');
    // Before: 45=2 372=0 373=0 with no 371.
    expect(rejectOf(p)).toEqual(['999', '0', '0', '2']);
    p.send('0', 3, [[55, 'MSFT']]);
    await p.until(() => p.ofType('3').length === 2, 'a Reject for tag 55');
    // Before: 373=0 (invalid tag) for a FIX field that heartbeats do not have.
    expect(rejectOf(p, 1)).toEqual(['55', '0', '2', '3']);
    await stillOn(p, 4);
  });

  it('TargetCompID missing or empty gets a Reject naming 56 (373=1, 373=4), not ignored as garbled (QuickFIX 14b, 14d)', async () => {
    const p = await fresh('BRAVO');
    p.write(fixMessage([[35, '0'], [49, 'BRAVO'], [34, 2], [52, fixTime()]]));
    await p.until(() => p.ofType('3').length === 1, 'a Reject for the missing 56');
    expect(rejectOf(p)).toEqual(['56', '0', '1', '2']);
    p.write(fixMessage([[35, '0'], [49, 'BRAVO'], [56, ''], [34, 3], [52, fixTime()]]));
    await p.until(() => p.ofType('3').length === 2, 'a Reject for the empty 56');
    expect(rejectOf(p, 1)).toEqual(['56', '0', '4', '3']);
    await stillOn(p, 4);
  });

  it('a D with a value outside its enumeration, a malformed quantity, a repeated tag, a header field after the body or a wrong group count: a session Reject each, no order (QuickFIX 14e-i)', async () => {
    const p = await fresh('CHARLIE');
    const before = [...host.view.projection.orders()].length;
    p.send('D', 2, order('v-enum', { 21: 4 }));
    p.send('D', 3, order('v-fmt', { 38: '+200.00' }));
    p.send('D', 4, [...order('v-rep'), [40, 1]]);
    p.write(fixMessage([[35, 'D'], ...order('v-order'), [49, 'CHARLIE'], [56, 'ORDO'], [34, 5], [52, fixTime()]]));
    p.send('D', 6, [...order('v-group'), [386, 3], [336, 'PRE-OPEN'], [336, 'AFTER-HOURS']]);
    await p.until(() => p.ofType('3').length === 5, 'five Rejects');
    expect([0, 1, 2, 3, 4].map((n) => rejectOf(p, n))).toEqual([
      ['21', 'D', '5', '2'],
      ['38', 'D', '6', '3'],
      ['40', 'D', '13', '4'],
      ['49', 'D', '14', '5'],
      ['386', 'D', '16', '6'],
    ]);
    await stillOn(p, 7);
    expect(p.ofType('8')).toEqual([]);
    expect([...host.view.projection.orders()].length).toBe(before);
  });

  it('a FIX value Ordo does not offer (OrdType 3, stop) is still an ExecutionReport rejecting the order, not a session Reject', async () => {
    const p = await fresh('ALPHA');
    p.send('D', 2, order('v-stop', { 40: 3 }));
    await p.until(() => p.ofType('8').some((m) => tagOf(m, 11) === 'v-stop'), 'a report of the stop order');
    expect(tagOf(p.ofType('8')[0]!, 39)).toBe('8');
    expect(p.ofType('3')).toEqual([]);
  });

  it("a Reject goes back the way the message came: OnBehalfOf becomes DeliverTo and back, empty ones left out (QuickFIX's ReverseRoute)", async () => {
    const p = await fresh('BRAVO');
    p.send('D', 2, [[115, 'JCD'], [116, 'CS'], ...order('r-1', { 40: 'w' })]);
    p.send('D', 3, [[128, 'JCD'], ...order('r-2', { 40: 'w' })]);
    await p.until(() => p.ofType('3').length === 2, 'two Rejects');
    const [a, b] = p.ofType('3');
    // Before: no session Reject at all (an ExecutionReport without the route).
    expect([tagOf(a!, 128), tagOf(a!, 129), tagOf(a!, 115), tagOf(a!, 371), tagOf(a!, 373)]).toEqual(['JCD', 'CS', undefined, '40', '5']);
    expect([tagOf(b!, 115), tagOf(b!, 128), tagOf(b!, 371)]).toEqual(['JCD', undefined, '40']);
  });

  it('a resent message whose OrigSendingTime is after its SendingTime: Reject 373=10, then a Logout (QuickFIX 2f)', async () => {
    const p = await fresh('DELTA');
    p.send('0', 2);
    p.send('0', 2, [[43, 'Y'], [122, fixTime(Date.now() + 10_000)]]);
    await p.until(() => p.ofType('5').length === 1, 'a Logout');
    // Before: taken (a duplicate ignored), no Reject, no Logout.
    expect(rejectOf(p)).toEqual(['122', '0', '10', '2']);
    expect(tagOf(p.ofType('5')[0]!, 58)).toMatch(/OrigSendingTime/);
  });

  it('a GapFill below the expected number: ignored with PossDupFlag, a Logout "MsgSeqNum too low" without (QuickFIX 10 MsgSeqNumLess)', async () => {
    const p = await fresh('ALPHA');
    p.send('4', 1, [[43, 'Y'], [122, fixTime(Date.now() - 1000)], [36, 20], [123, 'Y']]);
    // Before: taken, the expected number moved to 20, and this TestRequest 2 refused as too low.
    await stillOn(p, 2);
    p.send('4', 1, [[36, 20], [123, 'Y']]);
    await p.until(() => p.ofType('5').length === 1, 'a Logout');
    expect(tagOf(p.ofType('5')[0]!, 58)).toBe('MsgSeqNum too low, expecting 3 but received 1');
  });

  it('a message whose first three fields are out of order is ignored as garbled, the connection kept (QuickFIX 2t)', async () => {
    const p = await fresh('DELTA');
    const S = '\x01';
    p.write(`35=0${S}8=FIX.4.4${S}9=29${S}34=2${S}49=DELTA${S}52=${fixTime()}${S}56=ORDO${S}10=121${S}`);
    p.send('1', 2, [[112, 'after-35-first']]);
    await p.until(() => p.ofType('0').some((m) => tagOf(m, 112) === 'after-35-first'), 'the Heartbeat for TestRequest 2');
    p.write(`8=FIX.4.4${S}34=3${S}35=0${S}49=DELTA${S}52=${fixTime()}${S}56=ORDO${S}10=000${S}`);
    // Before: jspurefix's parser threw and the connection ended at the first of these.
    await stillOn(p, 3);
    expect(p.closed).toBe(false);
  });

  it('a GapFill with PossDupFlag and no OrigSendingTime still fills the gap (QuickFIX asks no OrigSendingTime of a SequenceReset)', async () => {
    const p = await fresh('BRAVO');
    p.send('1', 4, [[112, 'held-4']]);
    await p.until(() => p.ofType('2').length === 1, 'a ResendRequest for 2');
    p.send('4', 2, [[43, 'Y'], [123, 'Y'], [36, 4]]);
    await p.until(() => p.ofType('0').some((m) => tagOf(m, 112) === 'held-4'), 'the held TestRequest answered');
    expect(p.ofType('3')).toEqual([]);
  });

  it('a Logout ahead of a gap is answered without a ResendRequest, and its number is not taken: the next Logon finds the gap', async () => {
    const p = await fresh('CHARLIE');
    p.send('5', 9);
    await p.until(() => p.ofType('5').length === 1, 'the Logout answer');
    // Before: a ResendRequest 2-0 first, and 9 taken as received (2-8 never asked for again).
    expect(p.ofType('2')).toEqual([]);
    p.close();
    await waitFor(() => host.fix!.sessions().find((s) => s.clientId === 'CHARLIE')?.connected !== true, "CHARLIE's connection gone");
    const q = new RawFixPeer(port, 'CHARLIE');
    peers.push(q);
    q.send('A', 10, [[98, 0], [108, 30]]);
    await q.until(() => q.ofType('2').length === 1, 'a ResendRequest after the Logon');
    expect([tagOf(q.ofType('2')[0]!, 7), tagOf(q.ofType('2')[0]!, 16)]).toEqual(['2', '0']);
  });

  it('no report is sent after the Logout answer: those that come later wait for the next Logon', async () => {
    const p = await fresh('DELTA');
    // The order and the Logout arrive together: the order's reports come from the sequencer after the Logout.
    p.write(fixMessage([[35, 'D'], [49, 'DELTA'], [56, 'ORDO'], [34, 2], [52, fixTime()], ...order('late-1')]) + fixMessage([[35, '5'], [49, 'DELTA'], [56, 'ORDO'], [34, 3], [52, fixTime()]]));
    await p.until(() => p.ofType('5').length === 1, 'the Logout answer');
    await new Promise((r) => setTimeout(r, 1000));
    const afterLogout = p.received.slice(p.received.findIndex((m) => m.includes('|35=5|')) + 1);
    // Before: the order's ExecutionReport came after the Logout answer (QuickFIX 14e saw it), read by no one.
    expect(afterLogout.filter((m) => m.includes('|35=8|'))).toEqual([]);
    p.close();
    await waitFor(() => host.fix!.sessions().find((s) => s.clientId === 'DELTA')?.connected !== true, "DELTA's connection gone");
    const q = new RawFixPeer(port, 'DELTA');
    peers.push(q);
    q.send('A', 4, [[98, 0], [108, 30]]);
    await q.until(() => q.ofType('8').some((m) => tagOf(m, 11) === 'late-1'), 'the report after the next Logon');
  });
});
