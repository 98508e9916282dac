import { encodeFrame } from '../engine/protocol/codec.ts';
import type { OrdoEvent, Sequenced } from '../engine/protocol/events.ts';
import { loadReferenceData, type InstrumentRef } from '../engine/oms/reference.ts';
import { OmsSequencerPolicy } from '../engine/oms/sequencer-policy.ts';
import { MAX_FRAME_EVENTS } from '../engine/sequencer/sequencer.ts';
import type { WritableLog } from '../engine/store/log.ts';
import { Prng } from '../engine/venue/prng.ts';

/**
 * A synthetic but realistic trading session, event by event: the opening the
 * sequencer itself writes (SessionOpened, static data, activations,
 * SessionReady), then order lifecycles as the OMS components produce them
 * (OrderPending from the proxy, OrderAccepted from risk, OrderRouted from the
 * router, one or two OrderExecuted from the gateway), pipelined the way a
 * busy system interleaves them. Every order ends filled.
 */

const ROLES = ['proxy', 'risk', 'router', 'gateway', 'monitor'] as const;
/** Orders per pipeline stage: the pending events of one group, then the accepts of the previous, … */
const GROUP = 64;

interface Tradable {
  readonly symbol: string;
  readonly venue: string;
  readonly tick: number;
  readonly refTicks: number;
}

function tradables(instruments: readonly InstrumentRef[]): Tradable[] {
  return instruments
    .filter((i) => i.instrumentType === 'equity' && i.lotSize === 1)
    .map((i) => ({ symbol: i.symbol, venue: i.venue, tick: i.tickSize, refTicks: Math.round(i.referencePrice / i.tickSize) }));
}

/** The session's events in seq order, until at least `orderEvents` order events were produced (whole orders). */
export function* orderSession(orderEvents: number, startTs = 1_767_225_600_000_000): Generator<Sequenced> {
  const reference = loadReferenceData();
  const opening = new OmsSequencerPolicy(reference).openingEvents(undefined);
  const symbols = tradables(reference.instruments);
  const clients = ['ALPHA', 'CHARLIE'];
  // The project's seeded generator, so every run stores the same session.
  const prng = new Prng(20_260_101);
  const random = (): number => prng.float();
  let seq = 0;
  let ts = startTs;
  const cseq = new Map<string, number>();
  const make = (event: OrdoEvent, src: string): Sequenced => {
    let c = 0;
    if (src !== 'sequencer') {
      c = (cseq.get(src) ?? 0) + 1;
      cseq.set(src, c);
    }
    // ~4 M events/s of sequencer time: the timestamps a busy sequencer stamps.
    if ((seq & 3) === 0) ts++;
    return { seq: ++seq, ts, src, cseq: c, event };
  };

  yield make({ type: 'SessionOpened', sessionId: 1, previousSessionId: 0, orderIdBase: 1 }, 'host');
  for (const e of opening) yield make(e, 'sequencer');
  for (const role of ROLES) yield make({ type: 'ComponentActivated', role, instance: `${role}-1` }, 'host');
  yield make({ type: 'SessionReady', restoredOrders: 0 }, 'sequencer');

  interface Live {
    orderId: number;
    quantity: number;
    price: number;
    venue: string;
    partial: boolean;
  }
  // Orders waiting for their accept, their route and their fills.
  let toAccept: Live[] = [];
  let toRoute: Live[] = [];
  let toFill: Live[] = [];
  let produced = 0;
  let nextOrderId = 1;
  let execId = 1_000_000_000;
  while (produced < orderEvents || toAccept.length + toRoute.length + toFill.length > 0) {
    for (const o of toFill) {
      if (o.partial) {
        const first = Math.max(1, Math.floor(o.quantity / 3));
        yield make({ type: 'OrderExecuted', orderId: o.orderId, execId: execId++, fillQty: first, fillPrice: o.price }, 'gateway-1');
        yield make({ type: 'OrderExecuted', orderId: o.orderId, execId: execId++, fillQty: o.quantity - first, fillPrice: o.price }, 'gateway-1');
        produced += 2;
      } else {
        yield make({ type: 'OrderExecuted', orderId: o.orderId, execId: execId++, fillQty: o.quantity, fillPrice: o.price }, 'gateway-1');
        produced++;
      }
    }
    for (const o of toRoute) {
      yield make({ type: 'OrderRouted', orderId: o.orderId, venue: o.venue }, 'router-1');
      produced++;
    }
    for (const o of toAccept) {
      yield make({ type: 'OrderAccepted', orderId: o.orderId }, 'risk-1');
      produced++;
    }
    toFill = toRoute;
    toRoute = toAccept;
    toAccept = [];
    if (produced >= orderEvents) continue;
    for (let i = 0; i < GROUP; i++) {
      const s = symbols[Math.floor(random() * symbols.length)]!;
      const ticks = s.refTicks + Math.round((random() - 0.5) * s.refTicks * 0.02);
      const price = Number((ticks * s.tick).toFixed(2));
      const quantity = 1 + Math.floor(random() * 500);
      const orderId = nextOrderId++;
      yield make(
        {
          type: 'OrderPending',
          orderId,
          clientId: clients[orderId & 1]!,
          clientOrderId: `B${orderId.toString(36).toUpperCase()}`,
          symbol: s.symbol,
          side: random() < 0.5 ? 'buy' : 'sell',
          orderType: 'limit',
          timeInForce: 'day',
          quantity,
          price,
        },
        'proxy-1',
      );
      produced++;
      toAccept.push({ orderId, quantity, price, venue: s.venue, partial: random() < 0.25 });
    }
  }
}

/**
 * Stores `events` as session 1 through the log's own append path, written in
 * transactions of many frames. Frames hold MAX_FRAME_EVENTS events, or, given
 * `frameSizes`, the sizes a live host's sequencer committed, in their order
 * (repeated from the start when the list runs out). Returns how many events
 * were stored.
 */
export function storeSession(log: WritableLog, events: Iterable<Sequenced>, openedTs = 1_767_225_600_000_000, frameSizes?: readonly number[]): number {
  let sizeAt = 0;
  const nextSize = () => (frameSizes === undefined || frameSizes.length === 0 ? MAX_FRAME_EVENTS : frameSizes[sizeAt++ % frameSizes.length]!);
  let size = nextSize();
  let chunk: Sequenced[] = [];
  let frames: { first: number; last: number; bytes: Uint8Array }[] = [];
  let total = 0;
  const writeFrames = () => {
    const batch = frames;
    frames = [];
    log.transaction(() => {
      for (const f of batch) log.appendFrame(1, f.first, f.last, f.bytes);
    });
  };
  log.transaction(() => log.openSession(1, openedTs));
  for (const e of events) {
    chunk.push(e);
    if (chunk.length >= size) {
      frames.push({ first: chunk[0]!.seq, last: e.seq, bytes: encodeFrame(1, chunk) });
      total += chunk.length;
      chunk = [];
      size = nextSize();
      if (frames.length === 1024) writeFrames();
    }
  }
  if (chunk.length > 0) {
    frames.push({ first: chunk[0]!.seq, last: chunk[chunk.length - 1]!.seq, bytes: encodeFrame(1, chunk) });
    total += chunk.length;
  }
  if (frames.length > 0) writeFrames();
  return total;
}
