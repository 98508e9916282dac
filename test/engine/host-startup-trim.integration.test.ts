import { copyFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOrdo, startHostProcess, type HostProcess } from './helpers/cli.ts';
import { http, tempDir, removeDir } from './helpers/host.ts';
import { storedSessions } from './helpers/stored-session.ts';

const { storedSession } = storedSessions('host-trim');

/** Every order of `path` (`/api/orders`, optionally `?at=SEQ`), following the cursor to the last page. */
async function allOrders(h: HostProcess, at?: number): Promise<unknown[]> {
  const out: unknown[] = [];
  let after: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ limit: '10000', ...(at !== undefined ? { at: String(at) } : {}), ...(after !== undefined ? { after } : {}) });
    const r = await http(h, 'GET', `/api/orders?${q}`);
    expect(r.status).toBe(200);
    out.push(...(r.body.items as unknown[]));
    if (r.body.next === undefined) return out;
    after = String(r.body.next);
  }
}

/** The resumed host's orders and clients as it serves them live, and its session's seq. */
async function served(h: HostProcess): Promise<{ seq: number; orders: unknown[]; clients: unknown[] }> {
  const st = await http(h, 'GET', '/api/state');
  expect(st.status).toBe(200);
  return { seq: st.body.session.seq as number, orders: await allOrders(h), clients: st.body.clients as unknown[] };
}

/** A copy of the data dir `from` (the log, its checkpoint file and head) in a fresh folder. */
function copyDataDir(from: string): string {
  const to = tempDir('host-trim-copy-');
  for (const f of readdirSync(from)) if (f.startsWith('ordo.db')) copyFileSync(join(from, f), join(to, f));
  return to;
}

/**
 * Decision 294: a host resumed from a checkpoint drops the decoded copy its sequencer policy was restored from,
 * then, before its ready line, runs one full collection and gives malloc's free memory back (the addon's
 * trimHeap: malloc_trim). Where the bytes live changes; the state the host serves does not, with the addon and
 * without it (ORDO_NATIVE=off, as a failed build runs), and it still takes orders.
 */
describe('the host gives its start-up memory back', () => {
  it('serves the same resumed state with the trim and without the addon, equal to the time machine at that seq, and takes orders after', async () => {
    const db = storedSession(30_000);
    const dataDir = dirname(db);
    const cp = await runOrdo(['checkpoint', '--data-dir', dataDir, '--every', '10000'], 120_000);
    expect(cp.code, cp.stderr).toBe(0);
    const dirs = [copyDataDir(dataDir), copyDataDir(dataDir)];
    try {
      const seen: { seq: number; orders: unknown[]; clients: unknown[] }[] = [];
      for (const [i, env] of [{}, { ORDO_NATIVE: 'off' }].entries()) {
        const h = await startHostProcess(['--data-dir', dirs[i]!, '--no-auto-open', '--checkpoint-every', '0'], 120_000, { ORDO_BUS_PORT: 'off', ORDO_LOG_LEVEL: 'info', ...env });
        try {
          const log = h.stderr();
          expect(log).toMatch(/start-up resumes session 1 from its checkpoint at seq \d+/);
          const line = log.split('\n').find((l) => l.includes('start-up memory given back'));
          expect(line, log).toMatch(/start-up memory given back: RSS \d+ -> \d+ MiB in \d+ ms/);
          if (i === 0) expect(line).not.toContain('collected only');
          else expect(line).toContain('(collected only: turned off (ORDO_NATIVE=off))');
          const s = await served(h);
          expect(s.orders.length).toBeGreaterThan(1000);
          // The time machine rebuilds the same seq on its own thread from the checkpoint and the log.
          expect(s.orders).toEqual(await allOrders(h, s.seq));
          seen.push(s);
          const aapl = (await http(h, 'GET', '/api/state')).body.instruments.find((x: { symbol: string }) => x.symbol === 'AAPL');
          const r = await http(h, 'POST', '/api/orders', { clientId: 'ALPHA', clientOrderId: `trim-${i}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 1, price: Number(aapl.referencePrice.toFixed(2)), timeInForce: 'day', intentional: true });
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          expect(r.body.orderId).toBeGreaterThan(s.orders.length);
        } finally {
          expect(await h.stop()).toBe(0);
        }
      }
      // The session's seq may differ by the host's own start-up events (component activations); the book may not.
      expect(seen[1]!.orders).toEqual(seen[0]!.orders);
      expect(seen[1]!.clients).toEqual(seen[0]!.clients);
    } finally {
      dirs.forEach(removeDir);
    }
  }, 300_000);
});
