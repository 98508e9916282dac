import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../engine/host/host.ts';
import { PastStates } from '../../engine/host/past-states.ts';
import { openReadableLog } from '../../engine/store/log.ts';
import { Api, type StateLike } from './helpers/http.ts';
import { childrenOf, cleanupAll, requireFreshBuild, startHostProc, tempDir, until } from './helpers/procs.ts';

let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
  await cleanupAll();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
/** Whether a mapping of at least 60 MiB in `pid` is eligible for transparent huge pages (the huge heap, decision 290). */
function hasHugeHeap(pid: number): boolean {
  let bytes = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (m) bytes = parseInt(m[2]!, 16) - parseInt(m[1]!, 16);
    else if (/^THPeligible:\s+1/.test(line) && bytes >= 60 * 2 ** 20) return true;
  }
  return false;
}
function thpAdvisable(): boolean {
  try {
    return !/\[never\]/.test(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'));
  } catch {
    return false;
  }
}

const order = (i: number) => ({ clientId: 'ALPHA', clientOrderId: `pp-${i}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 1 + i, price: 221.6, timeInForce: 'day' });

/**
 * Decision 295: the time machine rebuilds past states in a process of its own (it was a thread of the host,
 * decision 167), which takes the huge-page heap as `ordo state --at` does. The process is the host's: a new
 * one answers after one dies, the host's stop ends it, and so does the host's death.
 */
describe.runIf(process.platform === 'linux')("the time machine's own process", () => {
  it('answers past states from a process of its own with the huge heap, starts again after a kill, and ends with the host', async () => {
    requireFreshBuild();
    const dataDir = join(tempDir(), 'data');
    host = await startHost({ dataDir, port: 0, venueTickMs: 0 });
    const h = host;
    const api = new Api(h.port, h.token);
    for (let i = 0; i < 5; i++) expect((await api.call('POST', '/api/orders', order(i))).status).toBe(200);
    const seq = h.sequencer.position.seq;
    h.api.pastKeptMs = 600_000;

    const first = await api.call('GET', `/api/state?at=${seq}`);
    expect(first.status, first.text).toBe(200);
    const past = first.json as StateLike & { asOfSeq: number };
    expect(past.asOfSeq).toBe(seq);
    expect(past.orders.length).toBe(5);
    // What the same call answers in this thread, from its own connection to the log.
    const log = openReadableLog(join(dataDir, 'ordo.db'));
    try {
      const here = new PastStates(log).call({ kind: 'state', session: past.session.id, seq });
      expect(here.ok).toBe(true);
      expect(first.json).toEqual(JSON.parse(JSON.stringify(here.ok ? here.value : null)));
    } finally {
      log.close();
    }
    expect(h.api.pastApart).toBe(true);
    const pid = h.api.pastPid!;
    expect(pid).not.toBe(process.pid);
    expect(childrenOf(process.pid)).toContain(pid);
    expect(cmdline(pid).some((a) => a.endsWith('past-process.js'))).toBe(true);
    if (thpAdvisable()) expect(hasHugeHeap(pid)).toBe(true);

    // Killed (an OOM kill, an operator): the next call starts another and answers alike.
    process.kill(pid, 'SIGKILL');
    await until(() => !alive(pid) || !h.api.pastApart, 'the killed time machine process to be seen gone');
    await until(() => !h.api.pastApart, 'the host to let the dead process go');
    const again = await api.call('GET', `/api/state?at=${seq}`);
    expect(again.status, again.text).toBe(200);
    expect(again.json).toEqual(first.json);
    const second = h.api.pastPid!;
    expect(second).not.toBe(pid);

    // The host's stop ends it.
    await h.close();
    host = undefined;
    expect(alive(second)).toBe(false);
  }, 60_000);

  it('ends when its host dies without a stop (kill -9), leaving no process behind', async () => {
    requireFreshBuild();
    const hp = await startHostProc({ dataDir: join(tempDir(), 'data') });
    const api = new Api(hp.port, hp.token);
    for (let i = 0; i < 3; i++) expect((await api.call('POST', '/api/orders', order(i))).status).toBe(200);
    const r = await api.call('GET', `/api/state?at=${await api.lastSeq()}`);
    expect(r.status, r.text).toBe(200);
    const past = childrenOf(hp.pid).filter((c) => cmdline(c).some((a) => a.endsWith('past-process.js')));
    expect(past).toHaveLength(1);
    await hp.kill9();
    // Its IPC channel closes with the host: it ends on its own (it is not this test's child to reap).
    await until(() => !alive(past[0]!) || readFileSync(`/proc/${past[0]!}/stat`, 'utf8').split(') ')[1]!.startsWith('Z'), 'the orphaned time machine process to end', 30_000);
  }, 60_000);
});
