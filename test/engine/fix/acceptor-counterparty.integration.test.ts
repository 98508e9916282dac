import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/backbone.ts';
import { loggedOnPeer, fixTime, tagOf, type RawFixPeer } from './helpers/raw-fix.ts';
import { withFixAcceptorHost, type FixTestHost } from './helpers/acceptor-host.ts';

/**
 * A FIX counterparty's cases the team's clients never send (round 16, outside): an F or G that names another
 * order's Symbol or Side, a message sent again (PossDupFlag Y) with a number already received or without
 * OrigSendingTime, an OrderStatusRequest for an order Ordo does not know. Each with a raw TCP peer.
 */
describe('FIX acceptor: what a counterparty may send', () => {
  let host: FixTestHost;
  let port = 0;
  const peers: RawFixPeer[] = [];
  withFixAcceptorHost(peers, (h, p) => ((host = h), (port = p)));

  /** Logs `client` on, after its earlier connection of this file has gone (a second Logon is refused while one is on: decision 297). */
  const loggedOn = async (client: string): Promise<RawFixPeer> => {
    for (const q of peers) if (q.sender === client) q.close();
    await waitFor(() => host.fix!.sessions().find((s) => s.clientId === client)?.connected !== true, `${client}'s earlier connection gone`);
    return loggedOnPeer(port, client, peers);
  };

  async function events(types: string[]): Promise<unknown[]> {
    const pos = host.sequencer.position;
    const r = await host.api.getEvents({ session: pos.session, from: 1, to: pos.seq });
    return (r.ok ? r.value : []).filter((e) => types.includes(e.type));
  }

  it("an F or G naming another order's Symbol or Side gets OrderCancelReject 99 naming the mismatch; nothing is sequenced", async () => {
    const p = await loggedOn('BRAVO');
    // A buy far under the market rests.
    p.send('D', 2, [[11, 'rest-1'], [55, 'AAPL'], [54, 1], [60, fixTime()], [38, 100], [40, 2], [44, 220]]);
    await p.until(() => p.ofType('8').some((m) => tagOf(m, 150) === '0'), 'the order New');
    const before = (await events(['CancelRequested', 'ReplaceRequested'])).length;
    const orderFields = (sym: string, side: number): [number, string | number][] => [[41, 'rest-1'], [55, sym], [54, side], [60, fixTime()]];
    p.send('F', 3, [[11, 'c-1'], ...orderFields('MSFT', 1), [38, 100]]);
    p.send('F', 4, [[11, 'c-2'], ...orderFields('AAPL', 2), [38, 100]]);
    p.send('G', 5, [[11, 'r-1'], ...orderFields('MSFT', 1), [38, 50], [40, 2], [44, 220]]);
    p.send('G', 6, [[11, 'r-2'], ...orderFields('AAPL', 2), [38, 50], [40, 2], [44, 220]]);
    await p.until(() => p.ofType('9').length === 4, 'four OrderCancelRejects');
    const rejects = p.ofType('9');
    expect(rejects.map((m) => [tagOf(m, 11), tagOf(m, 102), tagOf(m, 434), tagOf(m, 58)])).toEqual([
      ['c-1', '99', '1', "Symbol (55) 'MSFT' is not the order's symbol 'AAPL'"],
      ['c-2', '99', '1', "Side (54) '2' is not the order's side (1 buy)"],
      ['r-1', '99', '2', "Symbol (55) 'MSFT' is not the order's symbol 'AAPL'"],
      ['r-2', '99', '2', "Side (54) '2' is not the order's side (1 buy)"],
    ]);
    for (const m of rejects) expect(tagOf(m, 39)).toBe('0'); // the order stands, New
    // The right Symbol and Side cancel it.
    p.send('F', 7, [[11, 'c-3'], ...orderFields('AAPL', 1), [38, 100]]);
    await p.until(() => p.ofType('8').some((m) => tagOf(m, 150) === '4'), 'the order Canceled');
    expect((await events(['CancelRequested', 'ReplaceRequested'])).length).toBe(before + 1);
  });

  it('a message sent again (PossDupFlag Y) with a MsgSeqNum already received is ignored: not applied twice, no Reject', async () => {
    const p = await loggedOn('CHARLIE');
    const status = (seq: number, extra: [number, string | number][] = []) => p.send('H', seq, [[11, 'nosuch-1'], [55, 'AAPL'], [54, 1], ...extra]);
    status(2);
    await p.until(() => p.ofType('8').length === 1, 'the status report');
    // Sent again as a possible duplicate of 2, then a heartbeat with a TestReqID at 3 to see the session still in step.
    status(2, [[43, 'Y'], [122, fixTime(Date.now() - 1000)]]);
    p.send('1', 3, [[112, 'after-dup']]);
    await p.until(() => p.ofType('0').some((m) => tagOf(m, 112) === 'after-dup'), 'the heartbeat answering the TestRequest');
    expect(p.ofType('8')).toHaveLength(1);
    expect(p.ofType('3')).toEqual([]);
    expect(p.ofType('5')).toEqual([]);
  });

  it('a message sent again that fills a gap this session asked for is applied', async () => {
    const p = await loggedOn('DELTA');
    // 2 is missing: Ordo asks for it again and takes 3.
    p.send('H', 3, [[11, 'gap-3'], [55, 'AAPL'], [54, 1]]);
    await p.until(() => p.ofType('2').length === 1, 'a ResendRequest');
    expect(tagOf(p.ofType('2')[0]!, 7)).toBe('2');
    p.send('H', 2, [[43, 'Y'], [122, fixTime(Date.now() - 1000)], [11, 'gap-2'], [55, 'AAPL'], [54, 1]]);
    await p.until(() => p.ofType('8').length === 2, 'both status reports');
    expect(p.ofType('8').map((m) => tagOf(m, 11)).sort()).toEqual(['gap-2', 'gap-3']);
  });

  it('PossDupFlag Y without OrigSendingTime gets a session Reject (tag 122 required) and is not applied', async () => {
    const p = await loggedOn('ALPHA');
    p.send('H', 2, [[43, 'Y'], [11, 'nosuch-2'], [55, 'AAPL'], [54, 1]]);
    await p.until(() => p.ofType('3').length === 1, 'a Reject');
    const r = p.ofType('3')[0]!;
    expect([tagOf(r, 45), tagOf(r, 371), tagOf(r, 373), tagOf(r, 372)]).toEqual(['2', '122', '1', 'H']);
    expect(tagOf(r, 58)).toBe('OrigSendingTime (122) is required when PossDupFlag (43) is Y');
    // Its number was taken: 3 is next, no ResendRequest.
    p.send('1', 3, [[112, 'after-reject']]);
    await p.until(() => p.ofType('0').some((m) => tagOf(m, 112) === 'after-reject'), 'the heartbeat');
    expect(p.ofType('8')).toEqual([]);
    expect(p.ofType('2')).toEqual([]);
  });

  it('an OrderStatusRequest for an unknown order: ExecutionReport ExecType I, OrdStatus 8, OrdRejReason 5, naming it unknown', async () => {
    const p = await loggedOn('BRAVO');
    p.send('H', 2, [[11, 'never-sent'], [37, '999999'], [55, 'AAPL'], [54, 1]]);
    await p.until(() => p.ofType('8').length === 1, 'the status report');
    const m = p.ofType('8')[0]!;
    expect([tagOf(m, 37), tagOf(m, 11), tagOf(m, 150), tagOf(m, 39), tagOf(m, 103)]).toEqual(['NONE', 'never-sent', 'I', '8', '5']);
    expect(tagOf(m, 58)).toBe("unknown order: no order of BRAVO has ClOrdID 'never-sent' or OrderID '999999'");
  });
});
