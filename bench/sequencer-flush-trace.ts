/**
 * The sequencer's flushes timed from inside, for the latency tools (bench/latency-tail.ts, bench/latency-hops.ts):
 * when each command was enqueued, and for each flush its start, commit, end and the first send of its frames on the
 * PUB socket. Wraps the sequencer's own methods in the bench process; the product is not changed.
 */

/** The sequencer's flushes, by index: times (absolute ms) and the seqs they stored. */
export interface Flushes {
  start: number[];
  commitStart: number[];
  commitEnd: number[];
  end: number[];
  published: number[];
  firstSeq: number[];
  lastSeq: number[];
}

/** The sequencer's members the trace wraps. */
export interface SeqInternals {
  enqueue(item: { commands: readonly { src: string; cseq: number }[] }): void;
  flush(): void;
  commit(): { frames: Uint8Array[] } | undefined;
  pubOut: { pump: { socket: { closed: boolean; send(msg: unknown): Promise<void> } } };
  position: { seq: number };
}

/**
 * Wraps `s`: each enqueued command's arrival goes to `arrived[src][cseq]` (below `capacity`), each flush to `f`;
 * `onPubSend` counts every send on the PUB socket. zeromq.js sockets are sealed, so the PUB queue's pump gets a
 * stand-in that times each frame's send.
 */
export function traceFlushes(s: SeqInternals, f: Flushes, now: () => number, arrived: Map<string, Float64Array>, capacity: number, onPubSend?: () => void): void {
  const frameFlush = new WeakMap<object, number>();
  const enqueue = s.enqueue.bind(s);
  s.enqueue = (item) => {
    const t = now();
    const c0 = item.commands[0];
    const at = c0 === undefined ? undefined : arrived.get(c0.src);
    if (at !== undefined) for (const c of item.commands) if (c.cseq < capacity) at[c.cseq] = t;
    enqueue(item);
  };
  const commit = s.commit.bind(s);
  let current = -1;
  s.commit = () => {
    f.commitStart[current] = now();
    const r = commit();
    f.commitEnd[current] = now();
    if (r) for (const fr of r.frames) frameFlush.set(fr, current);
    return r;
  };
  const flush = s.flush.bind(s);
  s.flush = () => {
    const first = s.position.seq + 1;
    current = f.start.length;
    f.start.push(now());
    f.commitStart.push(0);
    f.commitEnd.push(0);
    f.published.push(0);
    flush();
    f.end.push(now());
    f.firstSeq.push(first);
    f.lastSeq.push(s.position.seq);
  };
  const pump = s.pubOut.pump;
  const sock = pump.socket;
  pump.socket = {
    get closed() {
      return sock.closed;
    },
    send(msg: unknown) {
      onPubSend?.();
      const i = typeof msg === 'object' && msg !== null ? frameFlush.get(msg) : undefined;
      if (i !== undefined && f.published[i] === 0) f.published[i] = now();
      return sock.send(msg);
    },
  };
}

/** The flush that stored `seq` (flushes store increasing seq ranges): a binary search of `f.lastSeq`. */
export function flushOfSeq(f: Flushes, seq: number): number {
  let lo = 0;
  let hi = f.lastSeq.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (f.lastSeq[mid]! < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
