/**
 * The time machine's process (decisions 167, 295): forked by PastStateProcess
 * with the log's path as its argument, it takes the huge-page malloc heap
 * first (decision 290, as `ordo state --at` does), opens its own read
 * connection to the log and answers the host's past-state calls over the IPC
 * channel ({ id, call } → { id, result, build }) with a PastStates, so
 * rebuilding a past projection (a checkpoint's decode and the tail's replay)
 * never holds the host's event loop. As a thread of the host (decision 167)
 * the rebuild ran on the thread's own malloc arena, which the host's heap
 * does not reach: ~26 k 4 KiB faults at 1 M events against ~8 k for the same
 * fold in a process of its own (decision 295). The host ends the process when
 * the time machine has been idle for a while, or at its stop; every byte the
 * past projection took leaves with it. A process whose host is gone (its IPC
 * channel closed: the host killed) ends too.
 */
import { hugeHeapFromEnv, reserveHugeHeap } from '../native/huge-heap.ts';
import { endWithHost } from './host-child.ts';
import type { PastCall } from './past-states.ts';

let mib: number;
try {
  mib = hugeHeapFromEnv();
} catch {
  // The host refused a bad ORDO_HUGE_HEAP_MIB at its start; here it falls back to glibc's heap.
  mib = 0;
}
// Before the modules that allocate are loaded (better-sqlite3, the projection): their memory comes from the heap.
reserveHugeHeap(mib);

const { openReadableLog } = await import('../store/log.ts');
const { PastStates } = await import('./past-states.ts');

const path = process.argv[2]!;
const log = openReadableLog(path);
const states = new PastStates(log);

// The host's end closes the channel: this process ends with it.
endWithHost(() => process.exit(0));

const end = () => {
  log.close();
  // Not inside the message's own handler: Node's channel code still uses the channel after it returns (a
  // disconnect there threw "Cannot set properties of null"). The answers sent before go out first.
  setImmediate(() => process.disconnect?.());
};
process.on('message', (m: { id: number; call: PastCall } | { close: true }) => {
  if ('close' in m) {
    end();
    return;
  }
  let result;
  try {
    result = states.call(m.call);
  } catch (err) {
    // A bad frame between the checkpoint and the seq (CorruptionError) or a bug: one line, never a dead process.
    result = { ok: false, error: { code: 'INTERNAL', message: `internal error: ${(err as Error).message}` } };
  }
  process.send?.({ id: m.id, result, build: states.lastBuild });
});
