import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import {
  decodeReplies,
  decodeRequests,
  encodeReplies,
  encodeRequests,
  VENUE_ORDER_STATES,
  VENUE_PROTOCOL_VERSION,
  VenueDecodeError,
  WIRE_ORDER_TYPES,
  WIRE_SIDES,
  WIRE_TIME_IN_FORCE,
  type NewOrderMsg,
  type VenueReply,
  type VenueRequest,
} from '../../engine/venue/protocol.ts';

// The venue's binary frames (decision 277): every message both ways survives the wire, bad bytes give one clear
// line (VenueDecodeError or a per-message error), never a stack trace from a reader past the end.

const id = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const num = fc.double({ noNaN: true });
const text = fc.string({ unit: 'grapheme', maxLength: 40 });

const newOrder: fc.Arbitrary<VenueRequest> = fc
  .record({
    orderId: id,
    symbol: text,
    side: fc.constantFrom(...WIRE_SIDES),
    orderType: fc.constantFrom(...WIRE_ORDER_TYPES),
    timeInForce: fc.constantFrom(...WIRE_TIME_IN_FORCE),
    quantity: num,
    price: num,
    owner: fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: undefined }),
    expireAt: fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }),
    protectionPrice: fc.option(fc.double({ min: 0.0001, max: 1e9, noNaN: true }), { nil: undefined }),
  })
  .map((r) => {
    const m: NewOrderMsg = { type: 'NewOrder', orderId: r.orderId, symbol: r.symbol, side: r.side, orderType: r.orderType, timeInForce: r.timeInForce, quantity: r.quantity, price: r.price };
    if (r.owner !== undefined) m.owner = r.owner;
    if (r.expireAt !== undefined) m.expireAt = r.expireAt;
    if (r.protectionPrice !== undefined) m.protectionPrice = r.protectionPrice;
    return m;
  });

const request: fc.Arbitrary<VenueRequest> = fc.oneof(
  newOrder,
  id.map((orderId) => ({ type: 'Cancel' as const, orderId })),
  fc.record({ orderId: id, quantity: num, price: num }).map((r) => ({ type: 'Replace' as const, ...r })),
  fc.array(id, { maxLength: 20 }).map((orderIds) => ({ type: 'Status' as const, orderIds })),
  fc.record({ orderId: id, reason: fc.integer({ min: 0, max: 1000 }) }).map((r) => ({ type: 'Expire' as const, ...r })),
);

const reply: fc.Arbitrary<VenueReply> = fc.oneof(
  id.map((orderId) => ({ type: 'Ack' as const, orderId })),
  fc.record({ orderId: id, execId: id, quantity: num, price: num, leaves: num }).map((r) => ({ type: 'Fill' as const, ...r })),
  fc.record({ type: fc.constantFrom('Cancelled' as const, 'Expired' as const), orderId: id, reason: fc.integer({ min: 0, max: 1000 }) }),
  fc.record({ type: fc.constantFrom('Rejected' as const, 'ReplaceRejected' as const, 'CancelRejected' as const), orderId: id, reason: fc.integer({ min: 0, max: 1000 }), text }),
  fc.record({ orderId: id, quantity: num, price: num, leaves: num }).map((r) => ({ type: 'ReplaceAck' as const, ...r })),
  fc
    .record({
      orderId: id,
      state: fc.constantFrom(...VENUE_ORDER_STATES),
      quantity: num,
      price: num,
      filledQuantity: num,
      leaves: num,
      fills: fc.array(fc.record({ execId: id, quantity: num, price: num }), { maxLength: 5 }),
    })
    .map((r) => ({ type: 'OrderStatus' as const, ...r })),
  text.map((t) => ({ type: 'ProtocolError' as const, text: t })),
);

describe('venue wire, binary frames (decision 277)', () => {
  it('every request survives the wire, in order, from any slice of a batch', () => {
    fc.assert(
      fc.property(fc.array(request, { maxLength: 30 }), fc.nat(), fc.nat(), (msgs, a, b) => {
        const from = msgs.length === 0 ? 0 : a % msgs.length;
        const to = from + (msgs.length === 0 ? 0 : b % (msgs.length - from + 1));
        const decoded = decodeRequests(encodeRequests(msgs, from, to));
        expect(decoded.errors).toEqual([]);
        expect(decoded.msgs).toEqual(msgs.slice(from, to));
      }),
      { numRuns: 300 },
    );
  });

  it('every reply survives the wire, in order', () => {
    fc.assert(
      fc.property(fc.array(reply, { maxLength: 30 }), (msgs) => {
        expect(decodeReplies(encodeReplies(msgs))).toEqual(msgs);
      }),
      { numRuns: 300 },
    );
  });

  it('whole numbers below 2^31 travel in five bytes and come back as small integers; others (2^31 and up, fractions, negatives, -0, infinities) as float64', () => {
    const small = encodeReplies([{ type: 'Ack', orderId: 2 ** 31 - 1 }]);
    expect(small.length).toBe(1 + 1 + 5);
    for (const orderId of [0, 1, 2 ** 31 - 1, 2 ** 31, Number.MAX_SAFE_INTEGER, 1.5, -1, -0, Infinity, -Infinity]) {
      const [back] = decodeReplies(encodeReplies([{ type: 'Ack', orderId }]));
      expect(Object.is((back as { orderId: number }).orderId, orderId)).toBe(true);
    }
    expect(encodeReplies([{ type: 'Ack', orderId: 2 ** 31 }]).length).toBe(1 + 1 + 9);
  });

  it('a frame is its version byte, then the messages: an empty batch is one byte; a long text (64 KiB+) and a long status list pass', () => {
    expect([...encodeRequests([])]).toEqual([VENUE_PROTOCOL_VERSION]);
    expect(decodeReplies(encodeReplies([]))).toEqual([]);
    const long: VenueReply = { type: 'Rejected', orderId: 1, reason: 2, text: 'é'.repeat(70_000) };
    expect(decodeReplies(encodeReplies([long, { type: 'Ack', orderId: 3 }]))).toEqual([long, { type: 'Ack', orderId: 3 }]);
    const status: VenueRequest = { type: 'Status', orderIds: Array.from({ length: 5_000 }, (_, i) => i * 7) };
    expect(decodeRequests(encodeRequests([status])).msgs).toEqual([status]);
  });

  it('bad frames: one line naming the problem, a VenueDecodeError', () => {
    const v1 = new Packr({ useRecords: false }).pack([1, [20, 5]]);
    expect(() => decodeReplies(v1)).toThrow(new VenueDecodeError(`not a venue frame of protocol version 2 (first byte 0x${v1[0]!.toString(16)})`));
    expect(() => decodeRequests(Buffer.from('not msgpack at all'))).toThrow(/^not a venue frame of protocol version 2 \(first byte 0x6e\)$/);
    expect(() => decodeRequests(new Uint8Array(0))).toThrow(new VenueDecodeError('frame is empty'));
    expect(() => decodeReplies(Uint8Array.of(2, 99))).toThrow(new VenueDecodeError('unknown reply code 99'));
    expect(() => decodeReplies(Uint8Array.of(2, 28, 0, 9, 0, 0, 0, 200))).toThrow(new VenueDecodeError('OrderStatus: bad state 200'));
    // Cut anywhere inside its last message, a frame is refused as a whole, naming the field it ended in.
    const full = encodeReplies([{ type: 'Ack', orderId: 1 }, { type: 'Rejected', orderId: 2, reason: 3, text: 'nope' }]);
    for (let cut = 11; cut < full.length; cut++) {
      expect(() => decodeReplies(full.subarray(0, cut))).toThrow(VenueDecodeError);
      expect(() => decodeReplies(full.subarray(0, cut))).toThrow(/^frame ends inside (a message code|Rejected\.\w+) at byte \d+ \(\d+ bytes\)$/);
    }
    const orders = encodeRequests([{ type: 'Cancel', orderId: 1 }, { type: 'Status', orderIds: [1, 2, 3] }]);
    for (let cut = 11; cut < orders.length; cut++) expect(() => decodeRequests(orders.subarray(0, cut))).toThrow(/^frame ends inside /);
  });

  it('random and mutated bytes: only VenueDecodeError escapes; a huge claimed count is refused at once', () => {
    const decodeOnly = (bytes: Uint8Array): void => {
      for (const decode of [decodeRequests, decodeReplies]) {
        try {
          decode(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(VenueDecodeError);
          expect((e as Error).message).not.toContain('\n');
        }
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => decodeOnly(Uint8Array.of(VENUE_PROTOCOL_VERSION, ...tail))),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 5 }), fc.array(reply, { minLength: 1, maxLength: 5 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (rq, rp, at, byte) => {
        for (const frame of [Buffer.from(encodeRequests(rq)), Buffer.from(encodeReplies(rp))]) {
          const i = 1 + (at % (frame.length - 1));
          frame[i] = byte;
          decodeOnly(frame);
          decodeOnly(frame.subarray(0, i));
        }
      }),
      { numRuns: 1_000 },
    );
    expect(() => decodeReplies(Uint8Array.of(2, 20, 7, 1, 0, 0, 0))).toThrow(new VenueDecodeError('bad number tag 7 in Ack.orderId at byte 2'));
    expect(() => decodeRequests(Uint8Array.of(2, 4, 0xff, 0xff, 0xff, 0xff))).toThrow(/^frame ends inside Status\.orderIds \(4294967295 ids, 0 bytes left\)$/);
  });

  it('bad values in a request frame: that message is reported and skipped, the others decode', () => {
    const good: VenueRequest = { type: 'Cancel', orderId: 4 };
    const badSide: NewOrderMsg = { type: 'NewOrder', orderId: 7, symbol: 'AAPL', side: 'sideways' as never, orderType: 'limit', timeInForce: 'day', quantity: 1, price: 1 };
    const badId: VenueRequest = { type: 'Cancel', orderId: 1.5 };
    const badExpire: VenueRequest = { type: 'Expire', orderId: 3, reason: -1 };
    const badCollar: NewOrderMsg = { type: 'NewOrder', orderId: 8, symbol: 'AAPL', side: 'buy', orderType: 'market', timeInForce: 'ioc', quantity: 1, price: 0, protectionPrice: -2 };
    const d = decodeRequests(encodeRequests([badSide, good, badId, badExpire, badCollar, good]));
    expect(d.msgs).toEqual([good, good]);
    expect(d.errors).toEqual([
      'message 1: NewOrder 7: bad side 255',
      'message 3: Cancel.orderId must be a whole number >= 0',
      'message 4: Expire 3: reason must be a whole number >= 0',
      'message 5: NewOrder 8: protectionPrice must be a number > 0',
    ]);
  });

  it('an unknown request code ends the reading of its frame with one error; the messages before it stand', () => {
    const head = encodeRequests([{ type: 'Cancel', orderId: 4 }]);
    const frame = Buffer.concat([head, Uint8Array.of(77, 1, 2, 3), encodeRequests([{ type: 'Cancel', orderId: 5 }]).subarray(1)]);
    const d = decodeRequests(frame);
    expect(d.msgs).toEqual([{ type: 'Cancel', orderId: 4 }]);
    expect(d.errors).toEqual(['message 2: unknown request code 77; the rest of the frame is not read']);
  });

  it('a frame handed out is the caller\'s own: encoding the next one does not change it', () => {
    const first = encodeReplies([{ type: 'Ack', orderId: 1 }]);
    const copy = Buffer.from(first);
    encodeReplies([{ type: 'Ack', orderId: 2 }, { type: 'ProtocolError', text: 'x'.repeat(10_000) }]);
    expect(first.equals(copy)).toBe(true);
    expect(decodeReplies(first)).toEqual([{ type: 'Ack', orderId: 1 }]);
    // Frames are views of the writer's blocks, one after another: thousands kept, across many blocks and frames
    // larger than a block, each still reads as written.
    const kept: { frame: Buffer; msgs: VenueReply[] }[] = [];
    for (let i = 0; i < 3_000; i++) {
      const msgs: VenueReply[] = Array.from({ length: (i * 37) % 50 }, (_, k) => ({ type: 'Fill', orderId: i, execId: k, quantity: 1, price: 2, leaves: 3 }));
      if (i % 500 === 7) msgs.push({ type: 'ProtocolError', text: 'y'.repeat(100_000 + i) });
      kept.push({ frame: encodeReplies(msgs), msgs });
    }
    for (const k of kept) expect(decodeReplies(k.frame)).toEqual(k.msgs);
  });
});
