import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../engine/host/host.ts';
import { isTerminal } from '../../engine/oms/projection.ts';
import type { WritableLog } from '../../engine/store/log.ts';
import { Api, orderFor, streamOrders, type StreamResult } from './helpers/http.ts';
import { auditLog, decisionsPerOrder, ofType } from './helpers/log-checks.ts';
import { record } from './helpers/figures.ts';
import { cleanupAll, requireFreshBuild, runOrdo, sleep, startHostProc, tempDir, until } from './helpers/procs.ts';

let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
  await cleanupAll();
});

async function startInProcess(dataDir: string): Promise<{ host: Host; api: Api; log: () => WritableLog }> {
  let log: WritableLog | undefined;
  host = await startHost({ dataDir, port: 0, venueTickMs: 0, onLogOpened: (l) => (log = l) });
  return { host, api: new Api(host.port, host.token), log: () => log! };
}

/** Waits until no order of the live view is still waiting for a component (pending or accepted). */
async function settled(h: Host, ms = 15_000): Promise<void> {
  await until(() => [...h.view.projection.orders()].every((o) => o.stage !== 'pending' && o.stage !== 'accepted'), 'every order to be decided and routed', ms);
}

/**
 * One storage outage: a fault is switched on under a running host, orders go
 * on arriving, the fault is switched off. Returns the figures.
 */
async function outage(dataDir: string, tag: string, fault: { on(log: WritableLog): void; off(log: WritableLog): void; message: RegExp; closeRefused: boolean }) {
  const { host: h, api, log } = await startInProcess(dataDir);
  for (let i = 0; i < 20; i++) expect((await api.call('POST', '/api/orders', orderFor(`${tag}-pre`, i))).status).toBe(200);
  await settled(h);

  fault.on(log());
  // Orders keep coming from four clients; some get in before the fault bites (a full disk fails only when a page is needed).
  const refusedIds: string[] = [];
  const s: StreamResult = { acked: new Map(), unanswered: new Set(), errors: new Map() };
  let firstRefusal = '';
  const stream = streamOrders(api, `${tag}-out`, 4, () => refusedIds.length >= 40 || s.acked.size > 5000, s);
  await until(() => {
    for (const [cid, err] of s.errors) {
      if (!refusedIds.includes(cid)) refusedIds.push(cid);
      firstRefusal ||= err;
    }
    return refusedIds.length >= 40 || s.acked.size > 5000;
  }, 'refusals', 20_000);
  await stream.done;
  expect(s.acked.size).toBeLessThan(5000);
  // Refused at once, as 503 STORAGE_UNAVAILABLE naming the cause (not a timeout).
  expect(firstRefusal).toMatch(/^503 /);
  const body = JSON.parse(firstRefusal.slice(4)) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('STORAGE_UNAVAILABLE');
  expect(body.error.message).toMatch(fault.message);
  // One more, alone, refused at once. Only where every write fails (read-only): a full disk fails only when a
  // page is needed, and an order sequenced alone (its own small frame since decision 183) may still fit in the
  // last page, be stored and then move the log; the stream's refusals above already show the full disk's answer.
  if (fault.closeRefused) {
    const t0 = Date.now();
    const again = await api.call('POST', '/api/orders', orderFor(`${tag}-out2`, 0));
    expect(again.status).toBe(503);
    expect(Date.now() - t0).toBeLessThan(2000);
    refusedIds.push(`${tag}-out2-0`);
  }
  // Closing the session is refused the same way, and leaves it open with no snapshot. Only where every write
  // fails (read-only): a full disk fails only when a page is needed, so a close's small first frame may still
  // fit, and the close then waits, closing, for venue confirmations it cannot store: another course, not
  // followed here (left open in the round's notes).
  if (fault.closeRefused) {
    const close = await api.call('POST', '/api/session/close');
    expect(close.status).toBe(503);
    expect((close.json as { error: { code: string } }).error.code).toBe('STORAGE_UNAVAILABLE');
  }
  const during = auditLog(dataDir);
  expect(during.problems).toEqual([]); // no half-written frame
  expect(during.seqGaps).toEqual([]);
  expect(during.sessions[0]!.state).toBe('open');
  expect(during.snapshots).toBe(0);
  const seqDuring = during.sessions[0]!.lastSeq;
  expect(h.sequencer.position.seq).toBe(seqDuring); // memory rebuilt to what the log holds
  await sleep(300);
  expect(auditLog(dataDir).sessions[0]!.lastSeq).toBe(seqDuring);

  fault.off(log());
  const after: number[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await api.call('POST', '/api/orders', orderFor(`${tag}-post`, i));
    expect(r.status, r.text).toBe(200);
    after.push((r.json as { orderId: number }).orderId);
  }
  await settled(h);
  await sleep(1500); // a component's retry would come within its resend interval
  const audit = auditLog(dataDir);
  const events = audit.events.get(1)!;
  expect(audit.problems).toEqual([]);
  expect(audit.seqGaps).toEqual([]);
  expect(audit.duplicateCommands).toEqual([]);
  // Acknowledged orders are in the log; refused ones are not, not even later.
  const pending = new Map(ofType(events, 'OrderPending').map((e) => [e.event.clientOrderId, e.event.orderId]));
  for (const [cid, oid] of s.acked) expect(pending.get(cid)).toBe(oid);
  expect(refusedIds.filter((cid) => pending.has(cid))).toEqual([]);
  // Every order has exactly one risk decision, including those whose decision hit the outage.
  const decisions = decisionsPerOrder(events);
  expect([...pending.values()].filter((oid) => decisions.get(oid) !== 1)).toEqual([]);
  expect([...h.view.projection.orders()].filter((o) => !isTerminal(o.state) && o.stage !== 'routed' && o.stage !== 'new' && o.stage !== 'partially_filled')).toEqual([]);
  const closeNow = await api.call('POST', '/api/session/close');
  expect(closeNow.status, closeNow.text).toBe(200);
  const end = auditLog(dataDir);
  expect(end.snapshots).toBe(1);
  expect(end.sessions[0]!.state).toBe('closed');
  return { acceptedDuringFault: s.acked.size, refused: refusedIds.length, seqFrozenAt: seqDuring, events: end.sessions[0]!.lastSeq, storageFailures: h.sequencer.stats.storageFailures };
}

describe('storage faults under a running host', () => {
  it('full disk (PRAGMA max_page_count): refused with STORAGE_UNAVAILABLE, nothing half-written, work resumes when space is back', async () => {
    const dataDir = join(tempDir(), 'data');
    const figures = await outage(dataDir, 'full', {
      on: (log) => log.db.pragma(`max_page_count = ${log.db.pragma('page_count', { simple: true }) as number}`),
      off: (log) => log.db.pragma('max_page_count = 1073741823'),
      message: /full/,
      closeRefused: false,
    });
    record('storage-full-pragma', figures);
  }, 60_000);

  it('read-only log (PRAGMA query_only): refused with STORAGE_UNAVAILABLE, nothing half-written, work resumes when writable again', async () => {
    const dataDir = join(tempDir(), 'data');
    const figures = await outage(dataDir, 'ro', {
      on: (log) => log.db.pragma('query_only = 1'),
      off: (log) => log.db.pragma('query_only = 0'),
      message: /readonly|read-only/,
      closeRefused: true,
    });
    record('storage-readonly-pragma', figures);
  }, 60_000);

  it("a component's commands refused during an outage are retried after it: none lost, none doubled, though newer ones overtook them", async () => {
    const dataDir = join(tempDir(), 'data');
    const { host: h, api, log } = await startInProcess(dataDir);
    // Risk stands by while orders arrive, so they all wait for its decision.
    expect((await api.call('POST', '/api/components/risk-1/deactivate')).status).toBe(200);
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await api.call('POST', '/api/orders', orderFor('retry', i));
      expect(r.status).toBe(200);
      ids.push((r.json as { orderId: number }).orderId);
    }
    // Activate risk and, before it hears of it, make the log read-only: all ten decisions are refused.
    await h.api.componentAction('risk-1', 'activate').then((r) => {
      expect(r.ok).toBe(true);
      log().db.pragma('query_only = 1');
    });
    await until(() => h.sequencer.stats.storageFailures > 0 && h.runtimes.find((rt) => rt.id === 'risk-1')!.unanswered >= 10, 'risk decisions refused');
    await sleep(200);
    log().db.pragma('query_only = 0');
    // A new order right away: its decision takes a higher command seq than the ten waiting for a resend.
    const late = await api.call('POST', '/api/orders', orderFor('retry', 10));
    expect(late.status).toBe(200);
    ids.push((late.json as { orderId: number }).orderId);
    await settled(h, 10_000);
    const audit = auditLog(dataDir);
    const decisions = decisionsPerOrder(audit.events.get(1)!);
    expect(ids.map((id) => decisions.get(id) ?? 0)).toEqual(ids.map(() => 1));
    expect(audit.duplicateCommands).toEqual([]);
    expect(audit.problems).toEqual([]);
    const riskCseqs = audit.events.get(1)!.filter((e) => e.src === 'risk-1').map((e) => e.cseq);
    record('storage-retry-overtaken', { decisions: ids.length, storageFailures: h.sequencer.stats.storageFailures, riskCseqOrder: riskCseqs.join(',') });
  }, 60_000);
});

/** Mounts a small tmpfs (root only); undefined where that is not allowed (CI runners, containers without CAP_SYS_ADMIN). */
function smallFilesystem(sizeMiB: number): { dir: string; remove: () => void } | undefined {
  const base = mkdtempSync(join(tmpdir(), 'ordo-tmpfs-'));
  const dir = join(base, 'mnt');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(base, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    remove: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(base, { recursive: true, force: true });
    },
  };
}

const mayMount = process.platform === 'linux' && process.getuid?.() === 0;

describe('a real full disk (a 16 MiB tmpfs; needs root to mount, skipped otherwise)', () => {
  it.skipIf(!mayMount)('`ordo host` refuses orders with STORAGE_UNAVAILABLE while the disk is full, loses and half-writes nothing, and goes on once space is freed', async (ctx) => {
    requireFreshBuild();
    const fs = smallFilesystem(16);
    if (!fs) {
      ctx.skip();
      return;
    }
    const dataDir = join(fs.dir, 'data');
    const filler = join(fs.dir, 'filler');
    try {
      const host = await startHostProc({ dataDir });
      const api = new Api(host.port, host.token);
      for (let i = 0; i < 20; i++) expect((await api.call('POST', '/api/orders', orderFor('disk-pre', i))).status).toBe(200);
      // Fill the filesystem but for 48 KiB.
      const st = statfsSync(fs.dir);
      writeFileSync(filler, Buffer.alloc(Math.max(0, st.bavail * st.bsize - 48 * 1024)));
      const s: StreamResult = { acked: new Map(), unanswered: new Set(), errors: new Map() };
      const stream = streamOrders(api, 'disk', 4, () => s.errors.size >= 20 || s.acked.size > 20_000, s);
      await until(() => s.errors.size >= 20 || s.acked.size > 20_000, 'the disk to fill', 30_000);
      await stream.done;
      const refusals = [...s.errors.values()];
      expect(refusals.length).toBeGreaterThanOrEqual(20);
      for (const r of refusals) expect(r).toMatch(/^503 .*"code":"STORAGE_UNAVAILABLE".*full/);
      const verifyFull = await runOrdo(['verify', '--data-dir', dataDir]);
      expect(verifyFull.code, verifyFull.stderr).toBe(0);
      // Space back: the same host takes orders again.
      rmSync(filler);
      for (let i = 0; i < 20; i++) {
        const r = await api.call('POST', '/api/orders', orderFor('disk-post', i));
        expect(r.status, r.text).toBe(200);
      }
      await until(async () => (await api.state()).orders.every((o) => o.state !== 'pending_new'), 'every order decided', 15_000);
      await sleep(1200);
      expect((await host.stop()).code).toBe(0);
      const audit = auditLog(dataDir);
      expect(audit.problems).toEqual([]);
      expect(audit.seqGaps).toEqual([]);
      expect(audit.duplicateCommands).toEqual([]);
      const events = audit.events.get(1)!;
      const pending = new Map(ofType(events, 'OrderPending').map((e) => [e.event.clientOrderId, e.event.orderId]));
      for (const [cid, oid] of s.acked) expect(pending.get(cid)).toBe(oid);
      expect([...s.errors.keys()].filter((cid) => pending.has(cid))).toEqual([]);
      const decisions = decisionsPerOrder(events);
      expect([...pending.values()].filter((oid) => decisions.get(oid) !== 1)).toEqual([]);
      record('storage-full-tmpfs', { filesystemMiB: 16, acceptedWhileFilling: s.acked.size, refused: s.errors.size, events: events.length });
    } finally {
      await cleanupAll();
      fs.remove();
    }
  }, 90_000);
});
