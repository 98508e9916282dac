import { describe, expect, it } from 'vitest';
import { CommandClient } from '../../engine/bus/command-client.ts';
import type { OrdoEvent } from '../../engine/protocol/events.ts';
import { emptyPolicy, type SequencerPolicy } from '../../engine/sequencer/policy.ts';
import { openReadableLog } from '../../engine/store/log.ts';
import { backbonesPerTest, waitFor, type Backbone } from './helpers/backbone.ts';

let bb: Backbone | undefined;
const backbones = backbonesPerTest();

/** A policy where new orders wait while closing and the close waits for OrderExpired of order 1 (the venue's confirmation). */
function closingPolicy(): SequencerPolicy {
  let confirmed = false;
  return {
    ...emptyPolicy,
    reset: () => (confirmed = false),
    apply: (_s, e) => {
      if (e.event.type === 'OrderExpired' && e.event.orderId === 1) confirmed = true;
      if (e.event.type === 'SessionOpened') confirmed = false;
    },
    closingRefusal: (body) => (body.type === 'OrderPending' ? { code: 'SESSION_CLOSING', message: 'closing' } : undefined),
    readyToClose: () => confirmed,
    snapshot: () => ({ body: { carried: 'yes' }, carriedOrders: 0 }),
  };
}

const pending = (orderId: number): OrdoEvent => ({
  type: 'OrderPending',
  orderId,
  clientId: 'A',
  clientOrderId: `c${orderId}`,
  symbol: 'X',
  side: 'buy',
  orderType: 'limit',
  timeInForce: 'day',
  quantity: 1,
  price: 1,
});

describe('sequencer session roll', () => {
  it('holds new orders (and what their sender sends after them) until the venue confirms, then opens the next session in the same transaction and sequences them there', async () => {
    bb = await backbones.start({ policy: closingPolicy() });
    const seq = bb.sequencer;
    let cseq = 1;
    const host = (body: Parameters<typeof seq.request>[0]['body']) => seq.request({ src: 'host', cseq: cseq++, body });
    expect(await host({ type: 'OpenSession' })).toBeUndefined();
    expect(await host({ type: 'ComponentActivated', role: 'proxy', instance: 'p' })).toBeUndefined();
    expect(await host({ type: 'ComponentActivated', role: 'gateway', instance: 'g' })).toBeUndefined();
    const p = new CommandClient(bb.endpoints.commands, 'p');
    const g = new CommandClient(bb.endpoints.commands, 'g');
    backbones.defer(() => p.close(), () => g.close());
    const refusals: unknown[] = [];
    p.onReply((r) => refusals.push(r));

    expect(await host({ type: 'RollSession' })).toBeUndefined();
    expect(seq.position).toMatchObject({ session: 1, phase: 'closing' });
    expect(seq.roll.rolling).toBe(true);
    // A new order is held; the cancel after it from the same sender waits behind it; a resend is dropped.
    p.send([{ cseq: 1, body: pending(10) }]);
    p.send([{ cseq: 2, body: { type: 'CancelRequested', orderId: 10 } }]);
    p.send([{ cseq: 1, body: pending(10) }]);
    await waitFor(() => seq.roll.held === 2, 'the order and the cancel held');
    const inProcess = host(pending(11));
    await waitFor(() => seq.roll.held === 3, 'three commands held');
    // Reports are taken by the closing session as usual.
    g.send([{ cseq: 1, body: { type: 'OrderExecuted', orderId: 2, execId: 1, fillQty: 1, fillPrice: 1 } }]);
    await waitFor(() => seq.position.seq === 6, 'the report in session 1');
    expect(seq.position.session).toBe(1);
    // The venue confirms: SessionClosed, and session 2 opens at once with the held commands.
    g.send([{ cseq: 2, body: { type: 'OrderExpired', orderId: 1, reason: 1 } }]);
    expect(await inProcess).toBeUndefined();
    expect(seq.position).toMatchObject({ session: 2, phase: 'open' });
    expect(seq.roll).toEqual({ rolling: false, held: 0 });
    expect(refusals).toEqual([]);

    const log = openReadableLog(bb.dbPath);
    try {
      const types = (s: number) => [...log.events(s)].map((e) => `${e.event.type}${e.src === 'sequencer' ? '' : `<${e.src}:${e.cseq}`}`);
      expect(types(1)).toEqual([
        'SessionOpened<host:1',
        'SessionReady',
        'ComponentActivated<host:2',
        'ComponentActivated<host:3',
        'SessionClosing<host:4',
        'OrderExecuted<g:1',
        'OrderExpired<g:2',
        'SessionClosed',
      ]);
      expect(types(2)).toEqual([
        'SessionOpened',
        'ComponentActivated',
        'ComponentActivated',
        'SessionReady',
        'OrderPending<p:1',
        'CancelRequested<p:2',
        'OrderPending<host:5',
      ]);
      expect([...log.events(1, 5, 5)][0]!.event).toEqual({ type: 'SessionClosing', roll: true });
      // Closed and opened in one write: the same timestamp on the close and the open.
      const [s1, s2] = log.sessions();
      expect(s1).toMatchObject({ id: 1, state: 'closed' });
      expect(s2).toMatchObject({ id: 2, state: 'open' });
      expect([...log.events(2, 1, 1)][0]!.ts).toBe([...log.events(1, 8, 8)][0]!.ts);
      expect(log.snapshot(1)!.body).toEqual({ carried: 'yes' });
    } finally {
      log.close();
    }
  });

  it('a sequencer restarted in the middle of a roll reads the roll from the log and finishes it on the confirmation', async () => {
    const first = await backbones.start({ policy: closingPolicy() });
    let cseq = 1;
    const host1 = (body: Parameters<typeof first.sequencer.request>[0]['body']) => first.sequencer.request({ src: 'host', cseq: cseq++, body });
    await host1({ type: 'OpenSession' });
    await host1({ type: 'ComponentActivated', role: 'gateway', instance: 'g' });
    expect(await host1({ type: 'RollSession' })).toBeUndefined();
    const lost = host1(pending(7));
    await waitFor(() => first.sequencer.roll.held === 1, 'an order held');
    await first.close();
    // Held commands live in memory only: the stop refuses nothing stored, and the order is not in the log.
    expect(await Promise.race([lost, new Promise((r) => setTimeout(() => r('unanswered'), 50))])).toBe('unanswered');
    bb = await backbones.start({ dir: first.dir, policy: closingPolicy() });
    const seq = bb.sequencer;
    expect(seq.position).toMatchObject({ session: 1, phase: 'closing' });
    expect(seq.roll).toEqual({ rolling: true, held: 0 });
    const again = seq.request({ src: 'host', cseq: seq.nextCseq('host'), body: pending(8) });
    await waitFor(() => seq.roll.held === 1, 'a new order held after the restart');
    // The venue's confirmation, through the gateway (its own source: not held behind the host's order).
    const g = new CommandClient(bb.endpoints.commands, 'g');
    backbones.defer(() => g.close());
    g.send([{ cseq: 1, body: { type: 'OrderExpired', orderId: 1, reason: 1 } }]);
    expect(await again).toBeUndefined();
    expect(seq.position).toMatchObject({ session: 2, phase: 'open' });
    const log = openReadableLog(bb.dbPath);
    try {
      expect([...log.events(2)].map((e) => e.event.type)).toEqual(['SessionOpened', 'ComponentActivated', 'SessionReady', 'OrderPending']);
      expect([...log.events(1)].some((e) => e.event.type === 'OrderPending')).toBe(false);
    } finally {
      log.close();
    }
  });

  it('refuses a roll unless a session is open, and a force ends a waiting roll', async () => {
    bb = await backbones.start({ policy: closingPolicy() });
    const seq = bb.sequencer;
    let cseq = 1;
    const host = (body: Parameters<typeof seq.request>[0]['body']) => seq.request({ src: 'host', cseq: cseq++, body });
    expect(await host({ type: 'RollSession' })).toEqual({ code: 'SESSION_NOT_OPEN', message: 'cannot roll: no session has been opened' });
    await host({ type: 'OpenSession' });
    expect(await host({ type: 'RollSession' })).toBeUndefined();
    expect(await host({ type: 'RollSession' })).toEqual({ code: 'SESSION_NOT_OPEN', message: 'cannot roll: session 1 is closing' });
    const held = host(pending(5));
    expect(await host({ type: 'CloseSession', force: true })).toBeUndefined();
    expect(await held).toBeUndefined();
    expect(seq.position).toMatchObject({ session: 2, phase: 'open' });
    await host({ type: 'CloseSession', force: true });
    expect(await host({ type: 'RollSession' })).toEqual({ code: 'SESSION_NOT_OPEN', message: 'cannot roll: session 2 is closed' });
  });
});
