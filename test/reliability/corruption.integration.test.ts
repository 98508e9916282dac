import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { checkpoint, flipByteInFrame, frameRows, type FrameRowInfo } from './helpers/corrupt.ts';
import { record } from './helpers/figures.ts';
import { Api, orderFor } from './helpers/http.ts';
import { auditLog, dbPath } from './helpers/log-checks.ts';
import { cleanupAll, requireFreshBuild, runOrdo, startHostProc, tempDir } from './helpers/procs.ts';

beforeAll(() => requireFreshBuild());
afterEach(() => cleanupAll());

/** A log of two sessions (the first closed with its snapshot, the second open), made by the real host. */
async function makeLog(dataDir: string): Promise<void> {
  const host = await startHostProc({ dataDir });
  const api = new Api(host.port, host.token);
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await api.call(method, path, body);
    expect(r.status, `${method} ${path}: ${r.text}`).toBe(200);
  };
  for (let i = 0; i < 60; i++) await ok('POST', '/api/orders', orderFor('s1', i));
  await ok('POST', '/api/session/close');
  await ok('POST', '/api/session/open');
  for (let i = 0; i < 60; i++) await ok('POST', '/api/orders', orderFor('s2', i));
  await new Promise((r) => setTimeout(r, 300));
  expect((await host.stop()).code).toBe(0);
  checkpoint(dbPath(dataDir));
}

/** Frames that sit whole in one 4 KiB page (no overflow), so their bytes can be found in the file. */
const small = (rows: FrameRowInfo[]) => rows.filter((r) => r.body.length < 4000);

describe('storage: a corrupted frame', () => {
  it('is refused by `ordo host` with one line naming session and seqs; `ordo repair` cuts it back and says what it removed; the host then starts', async () => {
    const base = tempDir();
    const source = join(base, 'source');
    await makeLog(source);
    const rows = frameRows(dbPath(source));
    const candidates = small(rows);
    // The last session's middle, and the closed first session (repair must drop the later session too).
    const picks = [candidates.filter((r) => r.session === 2)[Math.floor(candidates.filter((r) => r.session === 2).length / 2)]!, candidates.find((r) => r.session === 1 && r.firstSeq > 10)!];
    const figures: Record<string, unknown>[] = [];
    for (const [k, victim] of picks.entries()) {
      const dataDir = join(base, `case${k}`);
      await runOrdo(['verify', '--data-dir', source]);
      copyDataDir(source, dataDir);
      flipByteInFrame(dbPath(dataDir), victim, Math.floor(victim.body.length / 2));
      const range = `session ${victim.session}, seq ${victim.firstSeq}-${victim.lastSeq}`;

      const verify = await runOrdo(['verify', '--data-dir', dataDir]);
      expect(verify.code).toBe(1);
      expect(verify.stderr).toContain(`corrupted frame in ${range}: checksum mismatch`);

      if (victim.session === 2) {
        // The session start-up replays: its one pass checks every frame's checksum.
        const refused = await runOrdo(['host', '--data-dir', dataDir, '--port', '0']);
        expect(refused.code).not.toBe(0);
        expect(refused.stdout).not.toMatch(/ready/);
        const lines = refused.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^ordo: corrupted frame in ${range}: checksum mismatch; refusing to start`));
      } else {
        // An older, closed session is history that start-up does not read (decision 082): `ordo verify`
        // finds it (above), and so does every read of it (the time machine, `ordo events`).
        const events = await runOrdo(['events', '--data-dir', dataDir, '--session', String(victim.session)]);
        expect(events.code).toBe(1);
        expect(events.stderr).toContain(`corrupted frame in ${range}: checksum mismatch`);
      }

      const framesFromVictim = rows.filter((r) => r.session > victim.session || (r.session === victim.session && r.firstSeq >= victim.firstSeq)).length;
      const repair = await runOrdo(['repair', '--data-dir', dataDir, '--truncate-after-corruption']);
      expect(repair.code, repair.stderr).toBe(0);
      expect(repair.stdout).toContain(`removed ${framesFromVictim} frame(s) from session ${victim.session} seq ${victim.firstSeq} on`);
      expect(repair.stdout).toContain(`ends at session ${victim.session} seq ${victim.firstSeq - 1}`);

      expect((await runOrdo(['verify', '--data-dir', dataDir])).code).toBe(0);
      const audit = auditLog(dataDir);
      expect(audit.sessions.map((s) => s.id)).toEqual([...new Set(rows.filter((r) => r.session <= victim.session).map((r) => r.session))]);
      expect(audit.sessions.at(-1)!.lastSeq).toBe(victim.firstSeq - 1);
      expect(audit.sessions.at(-1)!.state).toBe('open');

      const host = await startHostProc({ dataDir });
      const api = new Api(host.port, host.token);
      const r = await api.call('POST', '/api/orders', orderFor('after', k));
      expect(r.status, r.text).toBe(200);
      await host.stop();
      const after = auditLog(dataDir);
      expect(after.problems).toEqual([]);
      expect(after.seqGaps).toEqual([]);
      figures.push({ session: victim.session, seqs: `${victim.firstSeq}-${victim.lastSeq}`, framesRemoved: framesFromVictim });
    }
    record('corruption-cli', { cases: figures });
  }, 90_000);

  it('in the first frame of a session: repair drops that session whole, so the previous one stays closed and the next open restores its orders', async () => {
    const base = tempDir();
    const source = join(base, 'source');
    await makeLog(source);
    const rows = frameRows(dbPath(source));
    const victim = rows.find((r) => r.session === 2 && r.firstSeq === 1)!;
    expect(victim.body.length).toBeLessThan(4000); // SessionOpened + static data + restored orders fit one page here
    const dataDir = join(base, 'first');
    copyDataDir(source, dataDir);
    flipByteInFrame(dbPath(dataDir), victim, 20);
    const repair = await runOrdo(['repair', '--data-dir', dataDir, '--truncate-after-corruption']);
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.stdout).toContain(`removed ${rows.filter((r) => r.session === 2).length} frame(s) from session 2 seq 1 on`);
    expect(repair.stdout).toContain('the log now ends at session 1');
    const audit = auditLog(dataDir);
    expect(audit.sessions.map((s) => [s.id, s.state])).toEqual([[1, 'closed']]);
    expect(audit.snapshots).toBe(1);
    const carried = audit.events.get(1)!.find((e) => e.event.type === 'SessionClosed')!.event as { carriedOrders: number };
    const host = await startHostProc({ dataDir });
    const api = new Api(host.port, host.token);
    const open = await api.call('POST', '/api/session/open');
    expect(open.status, open.text).toBe(200);
    expect(open.json).toEqual({ sessionId: 2 });
    const r = await api.call('POST', '/api/orders', orderFor('after-first', 1));
    expect(r.status, r.text).toBe(200);
    await host.stop();
    const after = auditLog(dataDir);
    const ready = after.events.get(2)!.find((e) => e.event.type === 'SessionReady')!.event as { restoredOrders: number };
    expect(ready.restoredOrders).toBe(carried.carriedOrders);
    expect(after.problems).toEqual([]);
  }, 60_000);

  it('any single flipped byte in any frame is found by verify, and repair keeps exactly the frames before it (property, on copies of one log)', async () => {
    const base = tempDir();
    const source = join(base, 'source');
    await makeLog(source);
    const rows = frameRows(dbPath(source));
    const candidates = small(rows);
    let runs = 0;
    fc.assert(
      // Biased to the edges too: a session's first frame and the log's last.
      fc.property(fc.oneof(fc.nat({ max: candidates.length - 1 }), fc.constantFrom(0, candidates.findIndex((r) => r.session === 2), candidates.length - 1)), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (i, where) => {
        runs++;
        const victim = candidates[i]!;
        const dataDir = join(base, `p${runs}`);
        copyDataDir(source, dataDir);
        flipByteInFrame(dbPath(dataDir), victim, Math.floor(where * victim.body.length));
        const log = openWritableLog(dbPath(dataDir));
        try {
          const problems = log.verify();
          expect(problems[0]).toMatchObject({ session: victim.session, firstSeq: victim.firstSeq, lastSeq: victim.lastSeq, rowId: victim.id });
          log.transaction(() => log.truncateFrom(problems[0]!.session, problems[0]!.rowId));
          expect(log.verify()).toEqual([]);
        } finally {
          log.close();
        }
        const kept = frameRows(dbPath(dataDir));
        const expected = rows.filter((r) => r.session < victim.session || (r.session === victim.session && r.firstSeq < victim.firstSeq));
        expect(kept.map((r) => r.id)).toEqual(expected.map((r) => r.id));
        expect(kept.every((r, j) => r.body.equals(expected[j]!.body))).toBe(true);
        const read = openReadableLog(dbPath(dataDir));
        try {
          const last = read.sessions().at(-1);
          if (victim.firstSeq === 1 && victim.session === 1) {
            expect(last).toBeUndefined(); // the log is empty: the next host start opens session 1 afresh
          } else if (victim.firstSeq === 1) {
            // Nothing of the session is left: it is gone, the one before stays closed with its snapshot.
            expect(last!.id).toBe(victim.session - 1);
            expect(last!.state).toBe('closed');
            expect(read.snapshot(last!.id)).toBeDefined();
          } else {
            expect(last!.id).toBe(victim.session);
            expect(last!.state).toBe('open');
            expect(read.snapshot(last!.id)).toBeUndefined();
          }
        } finally {
          read.close();
        }
      }),
      { numRuns: 60 },
    );
    record('corruption-property', { runs, frames: rows.length, candidates: candidates.length });
  }, 90_000);
});

function copyDataDir(from: string, to: string): void {
  // Only the log: the token and keys are made afresh.
  mkdirSync(to, { recursive: true, mode: 0o700 });
  copyFileSync(dbPath(from), dbPath(to));
}
