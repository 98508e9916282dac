/**
 * The host's cost per order, in measures that do not depend on the machine's load (round 8, ack): a fresh `ordo
 * host` started as the ack scenario starts it (bench/host-load.ts, the same flags), 300 warm-up orders, then N of
 * the scenario's orders closed loop with C in flight (each sent when one is answered, so batching is set by C, not
 * by how fast the machine is), and over those N only: the host's CPU (all threads, /proc) and, when `perf` is
 * there, its system calls by name (`perf stat` tracepoints; on this VM a call costs ~5 µs).
 *
 *   node dist/bench/ack-cost.js N [C=8]        (N = 0: the idle host over C seconds)
 *
 * $ORDO_HOST_COUNTS=1 adds the host's per-step call counts (bench/host-probe.ts); they cost a little CPU.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiCaller, orderFlow, startHostProcess } from './host-load.ts';
import type { HostProbe } from './host-probe.ts';
import { runMain, sleep, tempFolder } from './util.ts';

const PROBE = fileURLToPath(new URL('./host-probe.js', import.meta.url));
const CALLS = ['getpid', 'poll', 'epoll_ctl', 'fcntl', 'pwrite64', 'read', 'write', 'writev', 'epoll_pwait', 'statx', 'futex'];

/** The process's user + system CPU (ms) from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

runMain(async () => {
  const n = Number(process.argv[2] ?? 4000);
  const c = Number(process.argv[3] ?? 8);
  const folder = tempFolder('ack-cost');
  const out = join(folder.dir, 'probe.json');
  const counts: Record<string, string> = process.env['ORDO_HOST_COUNTS'] ? { ORDO_HOST_COUNTS: '1' } : {};
  const host = await startHostProcess(join(folder.dir, 'data'), [], { args: ['--import', PROBE], env: { ORDO_HOST_PROBE_OUT: out, ...counts } });
  const api = apiCaller(host);
  let stopped = false;
  try {
    const next = await orderFlow(api.call, 'cost');
    for (let i = 0; i < 300; i++) await api.call('POST', '/orders', next());
    await sleep(500);
    const events = ['raw_syscalls:sys_enter', 'context-switches', ...CALLS.map((s) => `syscalls:sys_enter_${s}`)].join(',');
    const perf = spawn('perf', ['stat', '-x,', '-e', events, '-p', String(host.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let perfOut = '';
    perf.stderr.on('data', (d: Buffer) => (perfOut += d));
    const perfDone = new Promise<void>((r) => {
      perf.on('exit', () => r());
      perf.on('error', () => r());
    });
    await sleep(300);
    const cpu0 = cpuMs(host.pid);
    const t0 = performance.now();
    let sent = 0;
    let refused = 0;
    if (n === 0) await sleep(c * 1000);
    else {
      await Promise.all(
        Array.from({ length: c }, async () => {
          while (sent < n) {
            sent++;
            if ((await api.call('POST', '/orders', next())).status !== 200) refused++;
          }
        }),
      );
    }
    const wall = performance.now() - t0;
    const cpu = cpuMs(host.pid) - cpu0;
    perf.kill('SIGINT');
    await perfDone;
    const per = n || 1;
    const calls = perfOut
      .split('\n')
      .filter((l) => /^\d/.test(l))
      .map((l) => l.split(','))
      .map((f) => `${f[2]!.replace('syscalls:sys_enter_', '')} ${(Number(f[0]) / per).toFixed(2)}`)
      .join('  ');
    console.log(`ack-cost: ${n} orders, ${c} in flight, ${(wall / 1000).toFixed(1)} s (${((n / wall) * 1000).toFixed(0)}/s); host CPU ${cpu} ms = ${((cpu / per) * 1000).toFixed(0)} µs ${n ? 'per order' : 'in all'}; not 200: ${refused}; load ${loadavg()[0]!.toFixed(1)}`);
    console.log(`ack-cost: host system calls ${n ? 'per order' : 'in all'}: ${calls || 'none counted (no perf?)'}`);
    api.close();
    await host.stop();
    stopped = true;
    const probe = JSON.parse(readFileSync(out, 'utf8')) as HostProbe;
    if (probe.counts) console.log(`ack-cost: host calls over its life: ${JSON.stringify(probe.counts)}`);
  } finally {
    api.close();
    if (!stopped) await host.stop();
    folder.dispose();
  }
});
