import { describe, expect, it } from 'vitest';
import { RiskComponent } from '../../../engine/oms/components/risk.ts';
import { loadReferenceData, type ReferenceData } from '../../../engine/oms/reference.ts';
import { LogBuilder } from '../../../engine/oms/testkit.ts';
import type { CommandBody } from '../../../engine/protocol/events.ts';
import type { MarketData } from '../../../engine/venue/protocol.ts';

const shipped = loadReferenceData();
const ref: ReferenceData = {
  ...shipped,
  instruments: [
    ...shipped.instruments,
    {
      symbol: 'AAPL 250620C200', name: 'expired call', instrumentType: 'option', venue: 'XCBO', currency: 'USD', tickSize: 0.05, lotSize: 1,
      referencePrice: 30, underlying: 'AAPL', strike: 200, expiry: '2025-06-20', putCall: 'call', multiplier: 100,
    },
  ],
};

function sink() {
  const sent: CommandBody[] = [];
  return { sent, out: { send: (b: CommandBody) => sent.push(b) } };
}

describe('the risk component', () => {
  it('sequences InstrumentExpired once the log time passes an expiry, once; then refuses orders for it', () => {
    const log = new LogBuilder().openSession({ reference: ref }); // 2026-01-01: the 2025 option has expired
    const risk = new RiskComponent();
    const { sent, out } = sink();
    for (const e of log.events) {
      risk.apply(1, e);
      risk.react(1, e, out);
    }
    expect(sent).toEqual([{ type: 'InstrumentExpired', symbol: 'AAPL 250620C200' }]);
    const e = log.add({ type: 'OrderPending', orderId: 1, clientId: 'ALPHA', clientOrderId: 'x', symbol: 'AAPL 250620C200', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 1, price: 30 });
    risk.apply(1, e);
    risk.react(1, e, out);
    expect(sent.slice(1)).toEqual([{ type: 'OrderRejected', orderId: 1, reason: 113, text: 'AAPL 250620C200 expired on 2025-06-20' }]);
  });

  it('a market order gets MarketOrderCollared before OrderAccepted; the market data moves the mark only past the threshold', () => {
    const log = new LogBuilder().openSession({ reference: shipped });
    const risk = new RiskComponent();
    const { sent, out } = sink();
    for (const e of log.events) risk.apply(1, e);
    const e = log.add({ type: 'OrderPending', orderId: 1, clientId: 'ALPHA', clientOrderId: 'm', symbol: 'NVDA', side: 'sell', orderType: 'market', timeInForce: 'day', quantity: 10, price: 0, locate: true });
    risk.apply(1, e);
    risk.onActivate(out);
    expect(sent).toEqual([
      { type: 'MarketOrderCollared', orderId: 1, protectionPrice: 135.71 },
      { type: 'OrderAccepted', orderId: 1 },
    ]);
    sent.length = 0;
    const md: MarketData = { symbol: 'NVDA', seq: 1, timeMs: 0, bid: null, bidSize: 0, ask: null, askSize: 0, last: null, lastSize: 1, volume: 1, bids: [], asks: [] };
    risk.onMarketData({ ...md, last: 143.5 }, 0); // 0.46 % from 142.85: no
    risk.onMarketData({ ...md, last: 145 }, 1); // 1.5 %: yes
    risk.onMarketData({ ...md, last: 146 }, 500); // throttled (under 1 s)
    expect(sent).toEqual([{ type: 'ReferencePriceMoved', symbol: 'NVDA', price: 145 }]);
  });
});
