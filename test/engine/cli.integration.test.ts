import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from './helpers/backbone.ts';
import { runOrdo, startHostProcess } from './helpers/cli.ts';
import { http } from './helpers/host.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
const dir = () => {
  const d = tempDir('ordo-cli-');
  dirs.push(d);
  return d;
};

const oneLine = (s: string) => s.trim().split('\n').length === 1 && !/\bat .*\.js:\d+/.test(s);

describe('ordo CLI', () => {
  it('host: ready line, orders over HTTP fill, events/sessions/state read the log, SIGTERM exits 0', async () => {
    const d = join(dir(), 'data');
    const h = await startHostProcess(['--data-dir', d, '--venue-tick-ms', '50']);
    expect(h.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32,}$/);
    expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(statSync(join(d, 'api-token')).mode & 0o777).toBe(0o600);
    const st = await http(h, 'GET', '/api/state');
    const aapl = st.body.instruments.find((i: { symbol: string }) => i.symbol === 'AAPL');
    const r = await http(h, 'POST', '/api/orders', { clientId: 'ALPHA', clientOrderId: 'cli-1', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 100, price: Number((aapl.referencePrice * 1.02).toFixed(2)), timeInForce: 'day' });
    expect(r.status).toBe(200);
    let state = '';
    for (let i = 0; i < 200 && state !== 'filled'; i++) {
      await new Promise((res) => setTimeout(res, 25));
      state = (await http(h, 'GET', '/api/state')).body.orders.find((o: { orderId: number }) => o.orderId === r.body.orderId)?.state;
    }
    expect(state).toBe('filled');
    expect(await h.stop()).toBe(0);
    expect(h.stderr()).toMatch(/stopped cleanly/);

    const events = await runOrdo(['events', '--data-dir', d]);
    expect(events.code).toBe(0);
    const lines = events.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    for (const l of lines) expect(Object.keys(l)).toEqual(expect.arrayContaining(['session', 'seq', 'ts', 'type']));
    const mine = lines.filter((l) => l.orderId === r.body.orderId).map((l) => l.type);
    expect(mine.slice(0, 3)).toEqual(['OrderPending', 'OrderAccepted', 'OrderRouted']);
    expect(mine).toContain('OrderExecuted');
    const range = await runOrdo(['events', '--data-dir', d, '--from', '2', '--to', '4']);
    expect(range.stdout.trim().split('\n').map((l) => JSON.parse(l).seq)).toEqual([2, 3, 4]);

    const sessions = await runOrdo(['sessions', '--data-dir', d]);
    expect(sessions.stdout).toMatch(new RegExp(`^1\\s+open\\s+${lines.length}\\s`, 'm'));
    const at = lines.find((l) => l.type === 'OrderAccepted' && l.orderId === r.body.orderId).seq;
    const tm = await runOrdo(['state', '--data-dir', d, '--at', String(at)]);
    const view = JSON.parse(tm.stdout);
    expect(view.asOfSeq).toBe(at);
    expect(view.orders.find((o: { orderId: number }) => o.orderId === r.body.orderId).state).toBe('pending_new');
    expect((await runOrdo(['verify', '--data-dir', d])).stdout).toMatch(/^ok: 1 sessions/);

    // Restart on the same data dir: the session goes on at the next seq.
    const h2 = await startHostProcess(['--data-dir', d]);
    const st2 = await http(h2, 'GET', '/api/state');
    expect(st2.body.session).toMatchObject({ id: 1, state: 'open' });
    expect(st2.body.session.seq).toBeGreaterThanOrEqual(lines.length);
    expect(await h2.stop('SIGINT')).toBe(0);
  });

  it('bad arguments, a missing data dir and a port in use: one line, non-zero exit, no stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['events'], /--data-dir is required/],
      [['events', '--data-dir', '/nonexistent/ordo'], /data dir \/nonexistent\/ordo does not exist/],
      [['events', '--data-dir', dir(), '--bogus'], /Unknown option '--bogus'/],
      [['state', '--data-dir', dir(), '--at', 'x'], /no event log in|--at must be a whole number/],
      [['state', '--data-dir', dir(), '--at', '5', '--limit', '-3'], /--limit needs a value, and what follows it starts with '-' \(write --limit=VALUE/],
      [['host', '--data-dir', dir(), '--port', '99999'], /--port must be between 0 and 65535/],
    ];
    for (const [args, msg] of cases) {
      const r = await runOrdo(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(msg);
      expect(oneLine(r.stderr), r.stderr).toBe(true);
    }
    const notLog = dir();
    writeFileSync(join(notLog, 'ordo.db'), 'this is not sqlite at all, just some text that is long enough');
    const corrupt = await runOrdo(['sessions', '--data-dir', notLog]);
    expect(corrupt.code).not.toBe(0);
    expect(corrupt.stderr).toMatch(/^ordo: .*ordo\.db/);
    expect(oneLine(corrupt.stderr)).toBe(true);

    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    const d = join(dir(), 'x');
    mkdirSync(d);
    const inUse = await runOrdo(['host', '--data-dir', d, '--port', String(port)]);
    busy.close();
    expect(inUse.code).not.toBe(0);
    expect(inUse.stderr).toMatch(new RegExp(`port ${port} on 127.0.0.1 is already in use`));
    expect(oneLine(inUse.stderr)).toBe(true);
  });

  it('a malformed reference file is refused with the path and the field', async () => {
    const d = dir();
    const ref = join(d, 'ref.json');
    writeFileSync(ref, JSON.stringify({ venues: [{ venueId: 'XNYS', name: 'NYSE' }], instruments: [{ symbol: 'A', name: 'A', instrumentType: 'equity', venue: 'XNYS', currency: 'USD', tickSize: -1, lotSize: 1, referencePrice: 1 }], clients: [] }));
    const r = await runOrdo(['host', '--data-dir', join(d, 'data'), '--reference', ref]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ref\.json.*instruments\[0\]\.tickSize/);
    expect(oneLine(r.stderr)).toBe(true);
  });
});
