import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../engine/host/host.ts';
import { PastStates } from '../../engine/host/past-states.ts';
import { openReadableLog } from '../../engine/store/log.ts';
import { Api, type StateLike } from './helpers/http.ts';
import { childrenOf, cleanupAll, requireFreshBuild, ROOT, startHostProc, tempDir, until } from './helpers/procs.ts';

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

  it('keeps a spare process that answers the first call, and a fresh spare after an idle one ends', async () => {
    requireFreshBuild();
    host = await startHost({ dataDir: join(tempDir(), 'data'), port: 0, venueTickMs: 0 });
    const h = host;
    const api = new Api(h.port, h.token);
    for (let i = 0; i < 3; i++) expect((await api.call('POST', '/api/orders', order(i))).status).toBe(200);
    const seq = h.sequencer.position.seq;
    h.api.pastKeptMs = 600_000;
    h.api.keepPastSpare();
    const spare = h.api.pastPid!;
    expect(spare).toBeDefined();
    expect(cmdline(spare).some((a) => a.endsWith('past-process.js'))).toBe(true);
    // A spare holds no past projection.
    expect(h.api.keepsPastProjection).toBe(false);
    const r = await api.call('GET', `/api/state?at=${seq}`);
    expect(r.status, r.text).toBe(200);
    // The spare answered: no second process.
    expect(h.api.pastPid).toBe(spare);
    expect(h.api.keepsPastProjection).toBe(true);
    // Idle: it ends with its projection, and a fresh spare takes its place.
    h.api.pastKeptMs = 200;
    const again = await api.call('GET', `/api/state?at=${seq}`);
    expect(again.json).toEqual(r.json);
    await until(() => !alive(spare), 'the idle time machine process to end', 30_000);
    await until(() => h.api.pastPid !== undefined, 'a fresh spare', 30_000);
    const fresh = h.api.pastPid!;
    expect(fresh).not.toBe(spare);
    expect(h.api.keepsPastProjection).toBe(false);
    await h.close();
    host = undefined;
    expect(alive(fresh)).toBe(false);
  }, 60_000);

  it('answers a call made again from its kept answer, without the process; an error answer is not kept', async () => {
    requireFreshBuild();
    host = await startHost({ dataDir: join(tempDir(), 'data'), port: 0, venueTickMs: 0 });
    const h = host;
    const api = new Api(h.port, h.token);
    for (let i = 0; i < 3; i++) expect((await api.call('POST', '/api/orders', order(i))).status).toBe(200);
    const seq = h.sequencer.position.seq;
    h.api.pastKeptMs = 600_000;
    const first = await api.call('GET', `/api/state?at=${seq}`);
    expect(first.status, first.text).toBe(200);
    // Beyond the end now (once the venue's answers are in): an error, which must not stay one once the log has grown.
    let end = -1;
    await until(async () => {
      const was = end;
      end = h.sequencer.position.seq;
      await new Promise((r) => setTimeout(r, 300));
      return was === end && h.sequencer.position.seq === end;
    }, 'the log to stop growing');
    const ahead = await api.call('GET', `/api/state?at=${end + 1}`);
    expect(ahead.status, ahead.text).toBe(400);
    const pid = h.api.pastPid!;
    // Stopped, the process cannot answer: the same call is answered all the same, alike (decision 298).
    process.kill(pid, 'SIGSTOP');
    try {
      const again = await api.call('GET', `/api/state?at=${seq}`);
      expect(again.status, again.text).toBe(200);
      expect(again.json).toEqual(first.json);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect((await api.call('POST', '/api/orders', order(3))).status).toBe(200);
    const grown = await api.call('GET', `/api/state?at=${end + 1}`);
    expect(grown.status, grown.text).toBe(200);
    expect((grown.json as StateLike & { asOfSeq: number }).asOfSeq).toBe(end + 1);
    expect(h.api.pastPid).toBe(pid);
  }, 60_000);

  it('ends quietly at the host\'s stop: no error line on the host\'s stderr, exit 0', async () => {
    requireFreshBuild();
    // Its log at info (under vitest a host logs nothing by default): an error line would show.
    process.env['ORDO_LOG_LEVEL'] = 'info';
    const hp = await startHostProc({ dataDir: join(tempDir(), 'data') }).finally(() => delete process.env['ORDO_LOG_LEVEL']);
    const api = new Api(hp.port, hp.token);
    expect((await api.call('POST', '/api/orders', order(0))).status).toBe(200);
    const r = await api.call('GET', `/api/state?at=${await api.lastSeq()}`);
    expect(r.status, r.text).toBe(200);
    const past = childrenOf(hp.pid).filter((c) => cmdline(c).some((a) => a.endsWith('past-process.js')));
    expect(past).toHaveLength(1);
    const end = await hp.stop();
    expect(end.code).toBe(0);
    // The process's close once printed Node's "Cannot set properties of null" stack (a disconnect inside its handler).
    await until(() => hp.stderr().includes('stopped cleanly'), 'the host to write its last line', 5_000);
    expect(hp.stderr()).toMatch(/INFO /);
    expect(hp.stderr()).not.toMatch(/ERROR|Error|node:internal/);
    expect(alive(past[0]!)).toBe(false);
  }, 60_000);

  it('answers a call and then a close sent at once, and ends with exit 0 and nothing on stderr', async () => {
    requireFreshBuild();
    const dataDir = join(tempDir(), 'data');
    host = await startHost({ dataDir, port: 0, venueTickMs: 0 });
    const api = new Api(host.port, host.token);
    expect((await api.call('POST', '/api/orders', order(0))).status).toBe(200);
    const seq = host.sequencer.position.seq;
    const session = (await api.state()).session.id;
    // The host's own process, driven by hand: both messages reach it in one read.
    const child = fork(join(ROOT, 'dist/engine/host/past-process.js'), [join(dataDir, 'ordo.db')], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const answers: { id: number; result: { ok: boolean } }[] = [];
    child.on('message', (m: { id: number; result: { ok: boolean } }) => answers.push(m));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.send({ id: 1, call: { kind: 'state', session, seq } });
    child.send({ close: true });
    // Node's channel once threw "Cannot set properties of null" when the close's handler disconnected in place.
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(answers.map((a) => [a.id, a.result.ok])).toEqual([[1, true]]);
  }, 60_000);

  it('ends when its host dies without a stop (kill -9), leaving no process behind', async () => {
    requireFreshBuild();
    const hp = await startHostProc({ dataDir: join(tempDir(), 'data') });
    const api = new Api(hp.port, hp.token);
    for (let i = 0; i < 3; i++) expect((await api.call('POST', '/api/orders', order(i))).status).toBe(200);
    const r = await api.call('GET', `/api/state?at=${await api.lastSeq()}`);
    expect(r.status, r.text).toBe(200);
    // One process: the spare `ordo host` started once ready answered the call.
    const past = childrenOf(hp.pid).filter((c) => cmdline(c).some((a) => a.endsWith('past-process.js')));
    expect(past).toHaveLength(1);
    await hp.kill9();
    // Its IPC channel closes with the host: it ends on its own (it is not this test's child to reap).
    await until(() => !alive(past[0]!) || readFileSync(`/proc/${past[0]!}/stat`, 'utf8').split(') ')[1]!.startsWith('Z'), 'the orphaned time machine process to end', 30_000);
  }, 60_000);
});
