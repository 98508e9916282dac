import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, waitFor } from '../helpers/backbone.ts';
import { startTestHost, unwrap } from '../helpers/host.ts';
import { freePort } from './helpers/quickfix.ts';

/**
 * A default install routing over FIX end to end: the exchange gateway's
 * FIX link (jspurefix initiator) to the simulated venue's FIX acceptor, in
 * front of the same order books. Fills, a replace and a cancel go both ways.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

describe('simulated venue over FIX', () => {
  it('orders route over FIX 4.4 to the simulated venue and fill; replace and cancel are confirmed', async () => {
    const dir = tempDir('ordo-simfix-');
    dirs.push(dir);
    const port = await freePort();
    const traffic: string[] = [];
    const host = await startTestHost({
      dataDir: join(dir, 'data'),
      venueFixPort: port,
      fixVenues: [{ venueId: 'XNAS', host: '127.0.0.1', port, beginString: 'FIX.4.4', senderCompId: 'ORDO', targetCompId: 'ORDOSIM' }],
      onFixVenueTraffic: (_v, d, t) => traffic.push(`${d} ${t}`),
    });
    try {
      expect(host.venueFix!.port).toBe(port);
      const fill = unwrap(await host.api.submitOrder({ clientId: 'ALPHA', clientOrderId: 's1', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 300, price: 240, timeInForce: 'day' })).orderId;
      await waitFor(() => host.view.projection.order(fill)!.state === 'filled', 'filled over FIX', 20_000);
      const rest = unwrap(await host.api.submitOrder({ clientId: 'ALPHA', clientOrderId: 's2', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 100, price: 210, timeInForce: 'day' })).orderId;
      await waitFor(() => host.view.projection.order(rest)!.state === 'new', 'resting');
      unwrap(await host.api.replaceOrder(rest, { quantity: 120, price: 211 }));
      await waitFor(() => host.view.projection.order(rest)!.quantity === 120 && !host.view.projection.order(rest)!.replacePending, 'replaced over FIX');
      unwrap(await host.api.cancelOrder(rest));
      await waitFor(() => host.view.projection.order(rest)!.state === 'cancelled', 'cancelled over FIX');
      // It really went over FIX: D, G, F out; trades, a replace and a cancel back.
      const out = traffic.filter((t) => t.startsWith('out ')).map((t) => /\|35=(\w+)\|/.exec(t)?.[1]);
      expect(out).toEqual(expect.arrayContaining(['D', 'G', 'F']));
      const execTypes = traffic.filter((t) => t.startsWith('in ') && t.includes('|35=8|')).map((t) => /\|150=(\w)\|/.exec(t)?.[1]);
      expect(execTypes).toEqual(expect.arrayContaining(['0', 'F', '5', '4']));
    } finally {
      await host.dispose();
    }
  }, 60_000);
});
