import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orderSession, storeSession } from '../../bench/session.ts';
import { openWritableLog } from '../../engine/store/log.ts';
import { runOrdo } from './helpers/cli.ts';

interface PageJson {
  orderCount: number;
  fillCount: number;
  orders: { orderId: number; state: string }[];
  fills: { execId: number }[];
  ordersAfter?: number;
  fillsAfter?: number;
  asOfSeq: number;
  stateHash?: string;
}

/**
 * `ordo state --at` writes a summary and one page by default, pages on with
 * --after/--limit, and streams everything with --all (decision 186): the
 * pages, walked with the cursor they name, are exactly the whole state.
 */
describe('ordo state --at: a page by default, --all for everything', () => {
  it('the default page, the next pages by cursor, and --all agree; bad combinations are one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ordo-state-cli-'));
    try {
      const w = openWritableLog(join(dir, 'ordo.db'), { backgroundCheckpoint: false });
      const last = storeSession(w, orderSession(9_000), undefined, [4, 7, 1]);
      w.close();
      const at = last - 5;
      const all = await runOrdo(['state', '--data-dir', dir, '--at', String(at), '--all', '--hash'], 60_000);
      expect(all.code, all.stderr).toBe(0);
      const whole = JSON.parse(all.stdout) as PageJson;
      expect(whole.orders.length).toBeGreaterThan(1500);
      expect(whole.ordersAfter).toBeUndefined();

      const first = await runOrdo(['state', '--data-dir', dir, '--at', String(at), '--hash'], 60_000);
      expect(first.code, first.stderr).toBe(0);
      const p1 = JSON.parse(first.stdout) as PageJson;
      expect(p1.asOfSeq).toBe(at);
      expect(p1.stateHash).toBe(whole.stateHash);
      expect(p1.orderCount).toBe(whole.orders.length);
      expect(p1.fillCount).toBe(whole.fills.length);
      expect(p1.orders).toEqual(whole.orders.slice(0, 1000));
      expect(p1.fills).toEqual(whole.fills.slice(0, 1000));
      expect(p1.ordersAfter).toBe(1000);

      // Walk the rest with the cursor each page names, 700 rows a page.
      const orders = [...p1.orders];
      const fills = [...p1.fills];
      let after = p1.ordersAfter ?? p1.fillsAfter;
      for (let guard = 0; after !== undefined && guard < 50; guard++) {
        const r = await runOrdo(['state', '--data-dir', dir, '--at', String(at), '--after', String(after), '--limit', '700'], 60_000);
        expect(r.code, r.stderr).toBe(0);
        const p = JSON.parse(r.stdout) as PageJson;
        expect(p.orders.length).toBeLessThanOrEqual(700);
        orders.push(...p.orders);
        fills.push(...p.fills);
        after = p.ordersAfter ?? p.fillsAfter;
      }
      expect(after).toBeUndefined();
      expect(orders).toEqual(whole.orders);
      expect(fills).toEqual(whole.fills);

      for (const args of [['--all', '--limit', '5'], ['--limit', '0'], ['--after', '-3']]) {
        const r = await runOrdo(['state', '--data-dir', dir, '--at', String(at), ...args]);
        expect(r.code, args.join(' ')).not.toBe(0);
        expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expect(r.stderr).toMatch(/^ordo: state: |state: /);
        expect(r.stdout).toBe('');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
