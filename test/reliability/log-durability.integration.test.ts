import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, orderFor } from './helpers/http.ts';
import { auditLog, dbPath } from './helpers/log-checks.ts';
import { pinWal } from './helpers/wal-pin.ts';
import { cleanupAll, requireFreshBuild, runOrdo, startHostProc, tempDir, until } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

/** Places `n` orders one after another; returns their order ids (every one must be acknowledged). */
async function placeOrders(api: Api, tag: string, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await api.call('POST', '/api/orders', orderFor(tag, i));
    expect(r.status, r.text).toBe(200);
    ids.push((r.json as { orderId: number }).orderId);
  }
  return ids;
}

/** The view's seq once the log has gone quiet (the orders' lifecycles are done). */
async function settledSeq(api: Api): Promise<number> {
  let last = -1;
  for (;;) {
    const seq = await api.lastSeq();
    if (seq === last) return seq;
    last = seq;
    await new Promise((r) => setTimeout(r, 400));
  }
}

const orderIdsIn = (dataDir: string) => {
  const audit = auditLog(dataDir);
  const ids = new Set<number>();
  for (const events of audit.events.values()) for (const e of events) if (e.event.type === 'OrderAccepted' || e.event.type === 'OrderPending') ids.add((e.event as { orderId: number }).orderId);
  return ids;
};

describe('durability: the database file holds the log', () => {
  it('a clean stop (SIGTERM) closes every connection: the WAL is checkpointed and removed, the database file alone holds every order', async () => {
    const dataDir = tempDir();
    const host = await startHostProc({ dataDir });
    const ids = await placeOrders(new Api(host.port, host.token), 'clean', 150);
    expect((await host.stop()).code).toBe(0);
    expect(existsSync(dbPath(dataDir) + '-wal')).toBe(false);
    // The database file copied on its own (as a naive backup would) holds every acknowledged order.
    const copy = tempDir();
    copyFileSync(dbPath(dataDir), dbPath(copy));
    const stored = orderIdsIn(copy);
    for (const id of ids) expect(stored.has(id), `order ${id}`).toBe(true);
  }, 60_000);

  it('`ordo backup` copies the log consistently while the host runs; the copy restores into a working data dir', async () => {
    const dataDir = tempDir();
    const host = await startHostProc({ dataDir });
    const api = new Api(host.port, host.token);
    const before = await placeOrders(api, 'pre', 100);
    const file = join(tempDir(), 'ordo-backup.db');
    // Orders keep coming while the backup runs.
    let stop = false;
    const during = (async () => {
      let i = 0;
      while (!stop) await api.call('POST', '/api/orders', orderFor('during', i++));
    })();
    const backup = await runOrdo(['backup', '--data-dir', dataDir, '--to', file]);
    stop = true;
    await during;
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/^ok: backed up session \d+ up to seq \d+ to /m);
    expect((await host.stop()).code).toBe(0);
    expect((await runOrdo(['backup', '--data-dir', dataDir, '--to', file])).stderr).toMatch(/already exists/);

    // Restore as documented: a new data dir, the backup as its ordo.db.
    const restored = tempDir();
    copyFileSync(file, dbPath(restored));
    const verify = await runOrdo(['verify', '--data-dir', restored]);
    expect(verify.code, verify.stderr).toBe(0);
    const stored = orderIdsIn(restored);
    for (const id of before) expect(stored.has(id), `order ${id}`).toBe(true);
    const again = await startHostProc({ dataDir: restored });
    const next = await placeOrders(new Api(again.port, again.token), 'after', 1);
    expect(next[0]).toBeGreaterThan(Math.max(...before));
    expect((await again.stop()).code).toBe(0);
  }, 90_000);
});

describe('durability: corruption and loss are found', () => {
  it('a flipped bit in the WAL as a killed host leaves it: verify and host name the acknowledged seq the log no longer reaches', async () => {
    const dataDir = tempDir();
    const host = await startHostProc({ dataDir });
    const api = new Api(host.port, host.token);
    await placeOrders(api, 'wal', 5);
    await settledSeq(api);
    // Every later commit stays in the WAL until the kill (see pinWal).
    const pin = await pinWal(dbPath(dataDir));
    await placeOrders(api, 'wal', 200);
    const acked = await settledSeq(api);
    await host.kill9();
    await pin.release();
    const wal = dbPath(dataDir) + '-wal';
    expect(existsSync(wal) && statSync(wal).size > 4096, 'the killed host left a WAL').toBe(true);
    // A bit in the first WAL frame's page: SQLite's own frame checksum then ends the WAL there, silently.
    const bytes = readFileSync(wal);
    bytes[32 + 24 + 2000]! ^= 0x10;
    writeFileSync(wal, bytes);

    const verify = await runOrdo(['verify', '--data-dir', dataDir]);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(new RegExp(`ends at session 1 seq \\d+ but seq ${acked} was acknowledged`));
    const refused = await runOrdo(['host', '--data-dir', dataDir, '--port', '0']);
    expect(refused.code).not.toBe(0);
    const lines = refused.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^ordo: the event log ends at session 1 seq \\d+ but seq ${acked} was acknowledged`));
    expect(lines[0]).toMatch(/restore a backup/);
    // Refusing changed nothing: the WAL is still there for forensics.
    expect(readFileSync(wal).equals(bytes)).toBe(true);
  }, 60_000);
});

describe('durability: a used data dir without its log refuses to start', () => {
  it('the database and WAL deleted (token and keys left): refused, naming the missing file; --new-log starts over on purpose', async () => {
    const dataDir = tempDir();
    const host = await startHostProc({ dataDir });
    await placeOrders(new Api(host.port, host.token), 'gone', 20);
    expect((await host.stop()).code).toBe(0);
    for (const f of ['ordo.db', 'ordo.db-wal', 'ordo.db-shm']) rmSync(join(dataDir, f), { force: true });
    const refused = await runOrdo(['host', '--data-dir', dataDir, '--port', '0']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/was used before \(.*api-token.*\) but its event log .*ordo\.db is missing/);
    expect(refused.stderr).toMatch(/--new-log/);
    expect(existsSync(dbPath(dataDir))).toBe(false);
    const fresh = await startHostProc({ dataDir, extra: ['--new-log'] });
    expect((await fresh.stop()).code).toBe(0);
  }, 60_000);

  it('only the WAL deleted after a kill: the log is behind what was acknowledged, refused', async () => {
    const dataDir = tempDir();
    const host = await startHostProc({ dataDir });
    const api = new Api(host.port, host.token);
    await placeOrders(api, 'walgone', 5);
    await settledSeq(api);
    // From here on every commit stays in the WAL until the host is killed
    // (the background checkpoint could otherwise have copied it already).
    const pin = await pinWal(dbPath(dataDir));
    await placeOrders(api, 'walgone', 100);
    const acked = await settledSeq(api);
    await host.kill9();
    await pin.release();
    rmSync(dbPath(dataDir) + '-wal', { force: true });
    rmSync(dbPath(dataDir) + '-shm', { force: true });
    // The premise, checked on a copy: the database file alone ends before what was acknowledged.
    const copy = tempDir();
    copyFileSync(dbPath(dataDir), dbPath(copy));
    const stored = auditLog(copy).sessions.at(-1)!;
    expect(stored.lastSeq).toBeLessThan(acked);
    const refused = await runOrdo(['host', '--data-dir', dataDir, '--port', '0']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(new RegExp(`but seq ${acked} was acknowledged`));
  }, 60_000);

  it('the database deleted under a running host: no order is acknowledged after it, and the restart refuses', async () => {
    const dataDir = tempDir();
    const host = await startHostProc({ dataDir });
    const api = new Api(host.port, host.token);
    const ids = await placeOrders(api, 'under', 20);
    for (const f of ['ordo.db', 'ordo.db-wal', 'ordo.db-shm']) rmSync(join(dataDir, f), { force: true });
    const r = await api.call('POST', '/api/orders', orderFor('after-delete', 1));
    expect(r.status, r.text).toBe(503);
    expect(r.text).toMatch(/event log .*removed|replaced/);
    await until(async () => (await api.call('GET', '/api/state')).status === 200, 'the host still answers reads');
    await host.stop();
    const refused = await runOrdo(['host', '--data-dir', dataDir, '--port', '0']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/event log .*ordo\.db is missing/);
    expect(ids.length).toBe(20);
  }, 60_000);
});
