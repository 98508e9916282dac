/**
 * What a host's process tree spends, read from /proc (no probe in the host): the host's CPU and minor faults, and
 * those of every process it forked (the time machine's spare, a venue process, a checkpoint round), so the ack
 * scenario can set each second's worst ack beside the work the host and its children did in that second. CPU is
 * user + system in clock ticks (10 ms); a child that ended between two samples loses its last part.
 */
import { readFileSync } from 'node:fs';
import { childrenOf } from './sched-sampler.ts';

export interface TreeSample {
  /** The host's own CPU (ms) and minor faults. */
  readonly hostCpuMs: number;
  readonly hostFaults: number;
  /** The same, summed over the host's descendants alive at the sample. */
  readonly childCpuMs: number;
  readonly childFaults: number;
  /** Descendants alive at the sample. */
  readonly children: number;
}

function statOf(pid: number): { cpuMs: number; faults: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { cpuMs: (Number(f[11]) + Number(f[12])) * 10, faults: Number(f[7]) };
  } catch {
    return undefined;
  }
}

/** One sample of `pid` and its descendants. */
export function sampleTree(pid: number): TreeSample {
  const host = statOf(pid) ?? { cpuMs: NaN, faults: NaN };
  let childCpuMs = 0;
  let childFaults = 0;
  let children = 0;
  const todo = childrenOf(pid);
  while (todo.length > 0) {
    const c = todo.pop()!;
    const s = statOf(c);
    if (!s) continue;
    children++;
    childCpuMs += s.cpuMs;
    childFaults += s.faults;
    todo.push(...childrenOf(c));
  }
  return { hostCpuMs: host.cpuMs, hostFaults: host.faults, childCpuMs, childFaults, children };
}

/**
 * Samples `pid`'s tree every `everyMs` from now until `stop` is called, which returns each interval's difference
 * (the first from the call's own sample). A child that appears is counted whole (its CPU since its start) in the
 * interval it first appears in; one that ends takes its part out (the interval's child figures are then floored at 0).
 */
export function treeSampler(pid: number, everyMs = 1000): { stop: () => TreeSample[] } {
  const samples: TreeSample[] = [sampleTree(pid)];
  const timer = setInterval(() => samples.push(sampleTree(pid)), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      samples.push(sampleTree(pid));
      const diffs: TreeSample[] = [];
      for (let i = 1; i < samples.length; i++) {
        const a = samples[i - 1]!;
        const b = samples[i]!;
        diffs.push({ hostCpuMs: b.hostCpuMs - a.hostCpuMs, hostFaults: b.hostFaults - a.hostFaults, childCpuMs: Math.max(0, b.childCpuMs - a.childCpuMs), childFaults: Math.max(0, b.childFaults - a.childFaults), children: b.children });
      }
      return diffs;
    },
  };
}
