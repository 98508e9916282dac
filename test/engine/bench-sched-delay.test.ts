import { describe, expect, it } from 'vitest';
import { schedDelayLine, schedDelayOf } from '../../bench/sched-delay.ts';

// `perf script -F pid,tid,cpu,time,event,trace` lines as perf prints them (a sched_switch is recorded in the context of
// the task switched out, so its TGID/TID are prev's).
const sw = (tgid: number, tid: number, cpu: number, s: string, prevComm: string, prevState: string, nextPid: number) =>
  `${tgid}/${tid} [00${cpu}] ${s}:       sched:sched_switch: prev_comm=${prevComm} prev_pid=${tid} prev_prio=120 prev_state=${prevState} ==> next_comm=x next_pid=${nextPid} next_prio=120`;
const wake = (tgid: number, tid: number, cpu: number, s: string, pid: number) => `${tgid}/${tid} [00${cpu}] ${s}:       sched:sched_waking: comm=node pid=${pid} prio=120 target_cpu=00${cpu}`;

const HOST = 100;
const COMPONENT = 200;
const GEN = 300;

describe('schedDelayOf (bench/sched-delay.ts)', () => {
  it("sums who ran on the host main thread's CPU between its wake-up (or preemption) and its next run", () => {
    const text = [
      // CPU 0: the component runs from 10.000 s; the host is woken at 10.001 and runs at 10.004 (3 ms behind the component).
      sw(0, 0, 0, '10.000000', 'swapper/0', 'R', COMPONENT),
      wake(GEN, GEN, 1, '10.001000', HOST),
      sw(COMPONENT, COMPONENT, 0, '10.004000', 'node', 'R', HOST),
      // The host sleeps at 10.005; a host thread (ZeroMQ's I/O) runs, then the load generator.
      sw(HOST, HOST, 0, '10.005000', 'node', 'S', 101),
      sw(HOST, 101, 0, '10.006000', 'ZMQbg/IO/0', 'S', GEN),
      // The host is woken at 10.0065 and runs at 10.008: 0.5 ms behind the load generator, 1 ms behind another process.
      wake(GEN, GEN, 0, '10.006500', HOST),
      sw(GEN, GEN, 0, '10.007000', 'node', 'S', 999),
      sw(999, 999, 0, '10.008000', 'make', 'R', HOST),
      // Preempted at 10.009 (prev_state R): runnable from then; the component runs 0.5 ms; the host runs again.
      sw(HOST, HOST, 0, '10.009000', 'node', 'R', COMPONENT),
      sw(COMPONENT, COMPONENT, 0, '10.009500', 'node', 'R', HOST),
      // Unparsable and unrelated lines are skipped.
      'perf 1 [000] 10.0100: sched:sched_stat_runtime: comm=perf pid=1 runtime=5 [ns]',
      '',
    ].join('\n');
    const d = schedDelayOf(text, { host: HOST, component: COMPONENT, generator: GEN });
    expect(d.waits).toBe(3);
    expect(d.totalMs).toBeCloseTo(3 + 1.5 + 0.5, 6);
    expect(d.maxMs).toBeCloseTo(3, 6);
    expect(d.overOneMs).toBeCloseTo(3 + 1.5, 6);
    expect(d.by['component']).toBeCloseTo(3 + 0.5, 6);
    expect(d.by['load generator']).toBeCloseTo(0.5, 6);
    expect(d.by['other processes']).toBeCloseTo(1, 6);
    // The ZeroMQ thread ran while the host slept, not while it waited: not counted.
    expect(d.by['host thread ZMQbg/IO/0']).toBeUndefined();
    expect(schedDelayLine(d)).toMatch(/waited for a core 3 times, 5\.0 ms in all .*component 3\.5, other processes 1\.0, load generator 0\.5$/);
  });

  it('names the host\'s other threads by their thread name, and reports no waits when the host never waited', () => {
    const text = [
      wake(HOST, 101, 1, '5.000000', HOST),
      sw(HOST, 102, 1, '5.002000', 'ZMQbg/IO/0', 'R', HOST),
    ].join('\n');
    // No running span known before the wake on CPU 1: nothing attributed, but the wait is counted.
    const d = schedDelayOf(text, { host: HOST, generator: GEN });
    expect(d.waits).toBe(1);
    expect(d.totalMs).toBeCloseTo(2, 6);
    const text2 = [sw(HOST, 102, 1, '5.000000', 'ZMQbg/IO/0', 'R', 102), wake(HOST, 101, 1, '5.001000', HOST), sw(HOST, 102, 1, '5.002000', 'ZMQbg/IO/0', 'R', HOST)].join('\n');
    expect(schedDelayOf(text2, { host: HOST, generator: GEN }).by['host thread ZMQbg/IO/0']).toBeCloseTo(1, 6);
    const none = schedDelayOf('', { host: HOST, generator: GEN });
    expect(none.waits).toBe(0);
    expect(none.totalMs).toBe(0);
  });
});
