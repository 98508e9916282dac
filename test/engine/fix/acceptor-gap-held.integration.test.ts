import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/backbone.ts';
import type { RawFixPeer} from './helpers/raw-fix.ts';
import { withFixAcceptorHost, type FixTestHost } from './helpers/acceptor-host.ts';
import { fixMessage, loggedOnPeer, fixTime, tagOf } from './helpers/raw-fix.ts';

/**
 * QuickFIX's acceptance case 2b (MsgSeqNum too high), round 17's left item: a message past the next expected
 * MsgSeqNum was applied at once, before the messages the peer had sent before it, so a cancel could reach the OMS
 * before its order (and be refused as unknown). Now it is held: ResendRequest from the expected number, then the
 * resent messages in order, then the held one (decision 297).
 */
describe('FIX acceptor: a message ahead of a gap waits for the gap to be filled', () => {
  let host: FixTestHost;
  let port = 0;
  const peers: RawFixPeer[] = [];
  withFixAcceptorHost(peers, (h, p) => ((host = h), (port = p)));

  async function eventsOf(clOrdIds: string[]): Promise<string[]> {
    const pos = host.sequencer.position;
    const r = await host.api.getEvents({ session: pos.session, from: 1, to: pos.seq });
    const ids = new Map<number, string>();
    const out: string[] = [];
    for (const e of r.ok ? r.value : []) {
      const ev = e as unknown as { type: string; orderId?: number; clientOrderId?: string };
      if (ev.type === 'OrderPending' && ev.clientOrderId !== undefined && clOrdIds.includes(ev.clientOrderId)) ids.set(ev.orderId!, ev.clientOrderId);
      if (ev.orderId !== undefined && ids.has(ev.orderId) && (ev.type === 'OrderPending' || ev.type === 'CancelRequested')) out.push(`${ev.type} ${ids.get(ev.orderId)}`);
    }
    return out;
  }

  const order = (id: string): [number, string | number][] => [[11, id], [55, 'AAPL'], [54, 1], [60, fixTime()], [38, 10], [40, 2], [44, 228]];
  const resent = (): [number, string][] => [[43, 'Y'], [122, fixTime()]];

  it('a cancel sent ahead of its order waits: ResendRequest 2-0, the order resent, then the cancel, in that order', async () => {
    const p = await loggedOnPeer(port, 'ALPHA', peers);
    // MsgSeqNum 2 (the order) is lost on the way; 3 (its cancel) arrives first.
    p.send('F', 3, [[41, 'gap-x'], [11, 'gap-x-c'], [55, 'AAPL'], [54, 1], [60, fixTime()]]);
    await p.until(() => p.ofType('2').length === 1, 'a ResendRequest');
    expect([tagOf(p.ofType('2')[0]!, 7), tagOf(p.ofType('2')[0]!, 16)]).toEqual(['2', '0']);
    // Before: the cancel was applied at once and refused, the order unknown.
    p.send('D', 2, [...resent(), ...order('gap-x')]);
    await p.until(() => p.ofType('8').some((m) => tagOf(m, 11) === 'gap-x-c'), 'a report of the cancel');
    expect(p.ofType('9')).toEqual([]);
    expect(await eventsOf(['gap-x'])).toEqual(['OrderPending gap-x', 'CancelRequested gap-x']);
  });

  it('three orders: the one ahead of the gap is entered after the two resent before it', async () => {
    const p = await loggedOnPeer(port, 'BRAVO', peers);
    p.send('D', 4, order('gap-late'));
    await p.until(() => p.ofType('2').length === 1, 'a ResendRequest');
    expect([tagOf(p.ofType('2')[0]!, 7), tagOf(p.ofType('2')[0]!, 16)]).toEqual(['2', '0']);
    // A TestRequest ahead of the same gap is held too (QuickFIX answers it once the gap is filled).
    p.send('1', 5, [[112, 'held']]);
    p.send('D', 2, [...resent(), ...order('gap-first')]);
    p.send('D', 3, [...resent(), ...order('gap-second')]);
    await p.until(() => p.ofType('0').some((m) => tagOf(m, 112) === 'held'), 'the held TestRequest answered');
    await p.until(() => ['gap-first', 'gap-second', 'gap-late'].every((id) => p.ofType('8').some((m) => tagOf(m, 11) === id)), 'a report of each order');
    expect(await eventsOf(['gap-first', 'gap-second', 'gap-late'])).toEqual(['OrderPending gap-first', 'OrderPending gap-second', 'OrderPending gap-late']);
    // One ResendRequest for the gap; the session's numbers went on: the next message is 6.
    p.send('1', 6, [[112, 'after']]);
    await p.until(() => p.ofType('0').some((m) => tagOf(m, 112) === 'after'), 'the Heartbeat for 6');
    expect(p.ofType('2')).toHaveLength(1);
    expect(p.ofType('5')).toEqual([]);
  });

  it('a garbled message (bad CheckSum, garbled SenderCompID tag) is ignored, not counted: the next one asks for it again (QuickFIX 2d, 3b)', async () => {
    const p = await loggedOnPeer(port, 'DELTA', peers);
    const bad = (text: string): string => text.replace(/10=\d{3}\x01$/, '10=256\x01');
    p.write(bad(fixMessage([[35, '1'], [49, 'DELTA'], [56, 'ORDO'], [34, 2], [52, fixTime()], [112, 'bad-sum']])));
    p.send('1', 2, [[112, 'good-2']]);
    await p.until(() => p.ofType('0').some((m) => tagOf(m, 112) === 'good-2'), 'the Heartbeat for the good 2');
    p.write(fixMessage([[35, 'D'], [34, 3], [4999, 'DELTA'], [56, 'ORDO'], [52, fixTime()], ...order('gap-garbled')]));
    p.send('1', 4, [[112, 'good-4']]);
    await p.until(() => p.ofType('2').length === 1, 'a ResendRequest for 3');
    expect([tagOf(p.ofType('2')[0]!, 7), tagOf(p.ofType('2')[0]!, 16)]).toEqual(['3', '0']);
    p.send('D', 3, [...resent(), ...order('gap-garbled')]);
    await p.until(() => p.ofType('0').some((m) => tagOf(m, 112) === 'good-4'), 'the held TestRequest answered');
    await p.until(() => p.ofType('8').some((m) => tagOf(m, 11) === 'gap-garbled'), 'a report of the resent order');
    // Before: a Reject for the bad CheckSum, and the garbled SenderCompID ended the session as another's.
    expect(p.ofType('3')).toEqual([]);
    expect(p.ofType('5')).toEqual([]);
    expect(await eventsOf(['gap-garbled'])).toEqual(['OrderPending gap-garbled']);
  });

  it('a SequenceReset-Reset with MsgSeqNum 0 (its number is ignored, QuickFIX 11a) is taken, not ignored as garbled', async () => {
    // ALPHA's connection of the first case goes first (a second Logon is refused while it is on).
    for (const q of peers) if (q.sender === 'ALPHA') q.close();
    await waitFor(() => host.fix!.sessions().find((s) => s.clientId === 'ALPHA')?.connected !== true, "ALPHA's first connection gone");
    const p = await loggedOnPeer(port, 'ALPHA', peers);
    p.send('4', 0, [[36, 25]]);
    p.send('1', 25, [[112, 'after-reset']]);
    await p.until(() => p.ofType('0').some((m) => tagOf(m, 112) === 'after-reset'), 'the Heartbeat for 25');
    expect(p.ofType('2')).toEqual([]);
    expect(p.ofType('3')).toEqual([]);
  });

  it('a gap filled by a SequenceReset-GapFill: the held order is entered next', async () => {
    const p = await loggedOnPeer(port, 'CHARLIE', peers);
    p.send('D', 4, order('gap-after-fill'));
    await p.until(() => p.ofType('2').length === 1, 'a ResendRequest');
    p.send('4', 2, [[43, 'Y'], [122, fixTime()], [123, 'Y'], [36, 4]]);
    await p.until(() => p.ofType('8').some((m) => tagOf(m, 11) === 'gap-after-fill'), 'a report of the held order');
    expect(await eventsOf(['gap-after-fill'])).toEqual(['OrderPending gap-after-fill']);
    expect(p.ofType('3')).toEqual([]);
  });
});
