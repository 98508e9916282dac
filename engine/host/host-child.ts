/**
 * The processes a host forks (the venue, the time machine, a checkpoint round) and their one rule: they are the
 * host's to start and to stop.
 *
 * Each is forked into a process group of its own. A terminal's Ctrl-C and a service manager's stop
 * (`kill -- -PGID`) reach the host's group only; the host then stops its children in order. In the host's group
 * they took the signal with it: the venue ended first and was restarted with an error line, the time machine broke
 * the host's pipe ("write EPIPE"), a checkpoint round was reported as ended by a signal — and a child still starting
 * (node's own start, before any handler of ours can run) could not be told to ignore it.
 *
 * A child ends when its host is gone: the IPC channel closes at the host's end, whatever ended it (kill -9
 * included), and the child calls `gone` (`endWithHost`).
 */
import { type ChildProcess, fork } from 'node:child_process';

export interface HostChildOptions {
  /** 'advanced' for messages that carry typed arrays or Maps (structured clone). */
  readonly serialization?: 'json' | 'advanced';
}

/** Forks `file` with `args` as a host's child: no host flags, no stdin, the host's stdout/stderr, an IPC channel, its own process group. */
export function forkHostChild(file: string, args: readonly string[], opts: HostChildOptions = {}): ChildProcess {
  return fork(file, args, {
    // The host's flags (a profiler, --expose-gc, heap sizes) are not the child's.
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: opts.serialization ?? 'json',
    detached: true,
  });
}

/** In a host's child: calls `gone` once the channel to the host closes (the host ended, however). */
export function endWithHost(gone: () => void): void {
  process.on('disconnect', gone);
}
