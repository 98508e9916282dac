import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from './helpers/backbone.ts';
import { runOrdo, startHostProcess } from './helpers/cli.ts';
import { http } from './helpers/host.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const oneLine = (s: string) => s.trim().split('\n').length === 1 && !/\bat .*\.js:\d+/.test(s);

describe('ordo session roll', () => {
  it('rolls the running host of a data dir; a gtc order stays live; refused with one line when closed or no host runs', async () => {
    const base = tempDir('ordo-roll-cli-');
    dirs.push(base);
    const d = join(base, 'data');
    const h = await startHostProcess(['--data-dir', d, '--venue-tick-ms', '50']);
    try {
      expect(existsSync(join(d, 'api-port'))).toBe(true);
      const st = await http(h, 'GET', '/api/state');
      const msft = st.body.instruments.find((i: { symbol: string }) => i.symbol === 'MSFT');
      const price = Number((msft.referencePrice * 0.95).toFixed(2));
      const r = await http(h, 'POST', '/api/orders', { clientId: 'ALPHA', clientOrderId: 'roll-cli-1', symbol: 'MSFT', side: 'buy', orderType: 'limit', quantity: 10, price, timeInForce: 'gtc' });
      expect(r.status).toBe(200);

      const rolled = await runOrdo(['session', 'roll', '--data-dir', d]);
      expect(rolled.stderr).toBe('');
      expect(rolled.code).toBe(0);
      expect(JSON.parse(rolled.stdout)).toMatchObject({ closedSessionId: 1, sessionId: 2, forced: false });
      const after = await http(h, 'GET', '/api/state');
      expect(after.body.session).toMatchObject({ id: 2, state: 'open' });
      expect(after.body.orders.find((o: { orderId: number }) => o.orderId === r.body.orderId)).toMatchObject({ state: 'new', quantity: 10 });

      expect((await runOrdo(['session', 'close', '--data-dir', d])).code).toBe(0);
      const refused = await runOrdo(['session', 'roll', '--data-dir', d]);
      expect(refused.code).toBe(1);
      expect(oneLine(refused.stderr)).toBe(true);
      expect(refused.stderr.trim()).toBe('ordo: session roll refused: cannot roll: session 2 is closed (SESSION_NOT_OPEN)');

      const bad = await runOrdo(['session', 'spin', '--data-dir', d]);
      expect(bad.code).toBe(2);
      expect(oneLine(bad.stderr)).toBe(true);
      expect(bad.stderr).toMatch(/say what to do: roll, close or open \(got 'spin'\)/);
    } finally {
      expect(await h.stop()).toBe(0);
    }
    expect(existsSync(join(d, 'api-port'))).toBe(false);
    const none = await runOrdo(['session', 'roll', '--data-dir', d]);
    expect(none.code).toBe(1);
    expect(oneLine(none.stderr)).toBe(true);
    expect(none.stderr).toMatch(/no host is running for .*data/);
  }, 60_000);
});
