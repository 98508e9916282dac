import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLocalSenders, startSenders, startSequencerHost, type SequencerHost } from './backbone.ts';
import { driveLatency, driveThroughput, type LatencyOptions, type LatencyResult, type ThroughputResult } from './drive.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./components-child.js', import.meta.url));

/**
 * 'one-process': the layout `ordo host` ships (components in the sequencer's process over localPort and
 * onStoredFrames, no sockets; backbone.ts startLocalSenders). 'one-process-inproc': the same process over
 * inproc:// ZeroMQ sockets (the bench's one-process layout up to round 12). 'two-processes': the components
 * and the subscriber in a child process over ipc://.
 */
export type Topology = 'one-process' | 'one-process-inproc' | 'two-processes';

export interface SequencerResult<R> {
  readonly result: R;
  /** Frames and group commits the sequencer made while measuring (warm-up included). */
  readonly frames: number;
  readonly commits: number;
  readonly events: number;
}

/** How the two-process layout's child is started (bench/latency-hops.ts): node flags, extra arguments, a command before node (e.g. nice). */
export interface ChildOptions {
  readonly nodeArgs?: readonly string[];
  readonly args?: readonly string[];
  readonly prefix?: readonly string[];
}

/**
 * Runs a drive against a fresh sequencer: in this process as the host wires its in-process components
 * (one thread does everything), in this process over inproc:// sockets, or with the four components and the
 * subscriber in a child process over ipc:// (components as their own processes; the sequencer has this
 * process to itself). See Topology.
 */
async function withSequencer<R>(
  topology: Topology,
  childArgs: string[],
  local: (s: Awaited<ReturnType<typeof startSenders>>) => Promise<R>,
  synchronous: 'normal' | 'full' = 'normal',
  instrument?: (host: SequencerHost) => void,
  child: ChildOptions = {},
): Promise<SequencerResult<R>> {
  const host = await startSequencerHost(topology === 'two-processes' ? 'ipc' : 'inproc', synchronous);
  instrument?.(host);
  const before = { ...host.sequencer.stats };
  try {
    let result: R;
    if (topology !== 'two-processes') {
      const senders = topology === 'one-process' ? await startLocalSenders(host) : await startSenders(host.endpoints);
      try {
        result = await local(senders);
      } finally {
        await senders.close();
      }
    } else {
      const argv = [...(child.nodeArgs ?? []), '--expose-gc', CHILD, JSON.stringify(host.endpoints), ...childArgs, ...(child.args ?? [])];
      const [file, ...pre] = [...(child.prefix ?? []), process.execPath];
      const { stdout } = await run(file!, [...pre, ...argv], { maxBuffer: 1 << 28 });
      result = JSON.parse(stdout.trim().split('\n').pop()!) as R;
    }
    const after = host.sequencer.stats;
    return { result, frames: after.frames - before.frames, commits: after.batches - before.batches, events: after.events - before.events };
  } finally {
    await host.close();
  }
}

export function sequencerThroughput(
  topology: Topology,
  opts: { total: number; warmup: number; batch: number; window: number },
  synchronous: 'normal' | 'full' = 'normal',
): Promise<SequencerResult<ThroughputResult>> {
  return withSequencer(topology, ['throughput', String(opts.total), String(opts.warmup), String(opts.batch), String(opts.window)], (s) => driveThroughput(s, opts), synchronous);
}

/** `instrument` sees the sequencer's host before the drive starts (bench/latency-tail.ts wraps its methods). */
export function sequencerLatency(topology: Topology, opts: LatencyOptions, instrument?: (host: SequencerHost) => void, child?: ChildOptions): Promise<SequencerResult<LatencyResult>> {
  const args = ['latency', String(opts.ratePerSec), String(opts.seconds), String(opts.warmupSeconds), opts.send ?? 'tick', ...(opts.trace === true ? ['trace'] : [])];
  return withSequencer(topology, args, (s) => driveLatency(s, opts), 'normal', instrument, child);
}
