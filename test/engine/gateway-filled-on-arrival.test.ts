import { describe, expect, it } from 'vitest';
import type { CommandBody } from '../../engine/protocol/events.ts';
import { GatewayLogic } from '../../engine/oms/components/gateway-logic.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import type { VenueReply } from '../../engine/venue/protocol.ts';

/**
 * Decision 251: an order the venue acknowledges and fills completely in one
 * report frame is logged by its fills alone; every other acknowledgement is
 * logged as before.
 */
function gateway(): { logic: GatewayLogic; sent: CommandBody[]; sink: { send(b: CommandBody): number } } {
  const sent: CommandBody[] = [];
  const logic = new GatewayLogic(new OmsProjection(), () => {});
  return { logic, sent, sink: { send: (b) => sent.push(b) } };
}

const ack = (orderId: number): VenueReply => ({ type: 'Ack', orderId });
const fill = (orderId: number, execId: number, quantity: number, leaves: number): VenueReply => ({ type: 'Fill', orderId, execId, quantity, price: 100, leaves });

describe('gateway: acknowledgements of orders filled on arrival', () => {
  it('an order acked and filled completely in one frame: its fills alone', () => {
    const g = gateway();
    g.logic.onVenueBatch([ack(1), fill(1, 11, 3, 7), fill(1, 12, 7, 0)], g.sink);
    expect(g.sent.map((c) => c.type)).toEqual(['OrderExecuted', 'OrderExecuted']);
    expect(g.sent.map((c) => (c.type === 'OrderExecuted' ? c.fillQty : 0))).toEqual([3, 7]);
  });

  it('an order that rests, or fills only in part, keeps its acknowledgement (it is working at the venue)', () => {
    const g = gateway();
    g.logic.onVenueBatch([ack(1), ack(2), fill(2, 21, 4, 6)], g.sink);
    expect(g.sent.map((c) => `${c.type}:${'orderId' in c ? c.orderId : ''}`)).toEqual(['OrderAcknowledged:1', 'OrderAcknowledged:2', 'OrderExecuted:2']);
  });

  it('an ack and the fill that completes the order in different frames: both logged', () => {
    const g = gateway();
    g.logic.onVenueBatch([ack(1)], g.sink);
    g.logic.onVenueBatch([fill(1, 11, 5, 0)], g.sink);
    expect(g.sent.map((c) => c.type)).toEqual(['OrderAcknowledged', 'OrderExecuted']);
  });

  it('only the filled order of a frame loses its ack; another order in the same frame keeps its own', () => {
    const g = gateway();
    g.logic.onVenueBatch([ack(1), ack(2), fill(2, 21, 1, 0), fill(1, 11, 1, 4)], g.sink);
    expect(g.sent.map((c) => `${c.type}:${'orderId' in c ? c.orderId : ''}`)).toEqual(['OrderAcknowledged:1', 'OrderExecuted:2', 'OrderExecuted:1']);
  });
});
