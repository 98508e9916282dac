import { describe, expect, it } from 'vitest';
import { CODEC_VERSION, decodeFrame, encodeFrame, NewerFormatError } from '../../engine/protocol/codec.ts';
import { COMMAND_SPECS } from '../../engine/protocol/events.ts';
import { hasMaskAt, type MessageSpec } from '../../engine/protocol/schema.ts';

/*
 * Every codec version's layout, frozen (decision 068). A message without
 * optional fields has no presence mask, so its first optional field changes
 * its layout: that needs a new CODEC_VERSION and `maskSince`, or the logs of
 * the versions before it stop decoding. These records are history: never
 * edit a version's record, add the next one.
 */

/** Version 1: every message of the last shipped build (a1c4d71) as [code, type, fields in wire order]. */
const V1: readonly (readonly [number, string, string])[] = [
  [1, "SessionOpened", "sessionId:uint,previousSessionId:uint,orderIdBase:uint"],
  [2, "SessionReady", "restoredOrders:uint"],
  [3, "SessionClosing", ""],
  [4, "SessionClosed", "carriedOrders:uint"],
  [20, "ComponentActivated", "role:str,instance:str"],
  [21, "ComponentDeactivated", "role:str,instance:str"],
  [22, "ComponentStopped", "role:str,instance:str"],
  [23, "AlertRaised", "instance:str,kind:str,message:str"],
  [24, "AlertCleared", "instance:str,kind:str"],
  [30, "VenueAdded", "venueId:str,name:str"],
  [31, "InstrumentAdded", "symbol:str,name:str,instrumentType:enum(equity|option),venue:str,currency:str,tickSize:f64,lotSize:uint,referencePrice:f64,underlying:str?,strike:f64?,expiry:str?,putCall:str?"],
  [32, "ClientAdded", "clientId:str,name:str,maxOrderNotional:f64,maxOpenNotional:f64,allowedSymbols:strs"],
  [40, "OrderPending", "orderId:uint,clientId:str,clientOrderId:str,symbol:str,side:enum(buy|sell),orderType:enum(limit|market),timeInForce:enum(day|ioc|gtc),quantity:uint,price:f64"],
  [41, "OrderAccepted", "orderId:uint"],
  [42, "OrderRejected", "orderId:uint,reason:uint,text:str"],
  [43, "OrderRouted", "orderId:uint,venue:str"],
  [44, "OrderExecuted", "orderId:uint,execId:uint,fillQty:uint,fillPrice:f64"],
  [45, "OrderCancelled", "orderId:uint,reason:uint"],
  [46, "OrderExpired", "orderId:uint,reason:uint"],
  [47, "VenueRejected", "orderId:uint,reason:uint,text:str"],
  [48, "CancelRequested", "orderId:uint"],
  [49, "CancelRejected", "orderId:uint,reason:uint,text:str"],
  [50, "ReplaceRequested", "orderId:uint,quantity:uint,price:f64"],
  [51, "OrderReplaced", "orderId:uint,quantity:uint,price:f64"],
  [52, "ReplaceRejected", "orderId:uint,reason:uint,text:str"],
  [53, "OrderRestored", "orderId:uint,clientId:str,clientOrderId:str,symbol:str,side:enum(buy|sell),orderType:enum(limit|market),timeInForce:enum(day|ioc|gtc),quantity:uint,price:f64,state:enum(pending|accepted|rejected|routed|partially_filled|filled|cancelled|expired),filledQuantity:uint,avgPrice:f64,venue:str?"],
  [200, "OpenSession", ""],
  [201, "CloseSession", ""],
];

/** Version 2: the codes of the messages without a mask (no optional field) in frames of version 2. */
const V2_NO_MASK = [1, 2, 4, 20, 21, 22, 23, 24, 30, 41, 42, 43, 44, 45, 46, 47, 49, 51, 52, 54, 71, 72, 73, 74, 75, 76, 77, 200, 206];

function fieldsOf(spec: MessageSpec): string[] {
  return spec.fields.map((f) => `${f.name}:${f.scalar === 'enum' ? `enum(${f.values!.join('|')})` : f.scalar}${f.optional ? '?' : ''}`);
}

/** Whether `now` can read what `then` wrote: same kind, and an enum only appended to. */
function compatible(then: string, now: string): boolean {
  const [, a = ''] = then.split(':');
  const [, b = ''] = now.split(':');
  if (a.startsWith('enum(') && b.startsWith('enum(')) return b.slice(0, -1).startsWith(a.slice(0, -1));
  return a === b;
}

describe('codec versions', () => {
  it('reads version 1 with the layout of a1c4d71: the same fields, a mask only where that build had one', () => {
    expect(CODEC_VERSION).toBeGreaterThanOrEqual(2);
    for (const [code, type, fields] of V1) {
      const spec = COMMAND_SPECS.byCode[code];
      expect(spec?.type, `code ${code}`).toBe(type);
      const old = fields === '' ? [] : fields.split(',');
      const hadMask = old.some((f) => f.endsWith('?'));
      expect(hasMaskAt(spec!, 1), `${type}: a mask in version 1`).toBe(hadMask);
      // Without a mask, version 1 holds exactly the required fields; with one, today's fields start with version 1's.
      const now = fieldsOf(spec!);
      const read = hadMask ? now.slice(0, old.length) : now.filter((f) => !f.endsWith('?'));
      expect(read.length, `${type}: fields read from version 1`).toBe(old.length);
      read.forEach((f, i) => expect(compatible(old[i]!, f), `${type}: ${old[i]} then, ${f} now`).toBe(true));
    }
  });

  it('keeps version 2: a message that had no mask still has none there (a first optional field needs a new version)', () => {
    for (const code of V2_NO_MASK) {
      const spec = COMMAND_SPECS.byCode[code]!;
      expect(hasMaskAt(spec, 2), `${spec.type} (code ${code}) got its first optional field: bump CODEC_VERSION and set maskSince`).toBe(false);
    }
  });

  it('writes the current version, and refuses a newer one with NewerFormatError', () => {
    const bytes = encodeFrame(1, [{ seq: 1, ts: 5, src: 'sequencer', cseq: 0, event: { type: 'SessionClosing' } }]);
    expect(bytes[1]).toBe(CODEC_VERSION);
    expect(decodeFrame(bytes).events[0]!.event).toEqual({ type: 'SessionClosing' });
    const newer = Uint8Array.from(bytes);
    newer[1] = CODEC_VERSION + 1;
    expect(() => decodeFrame(newer)).toThrow(NewerFormatError);
    expect(() => decodeFrame(newer)).toThrow(`an event frame of format version ${CODEC_VERSION + 1}, written by a newer Ordo`);
  });
});
