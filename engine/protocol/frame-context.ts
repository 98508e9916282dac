import { DecodeError, type ByteReader } from './bytes.ts';

/**
 * A session's values that the stored form of its small frames refers to (decision 278): the session's base time
 * and its string table (the order strings a session repeats: clients, symbols, venues). The log keeps them in
 * `session_strings` (engine/store/session-context.ts); a stored frame of 1-31 events holds its base time relative
 * to the session's and names a repeated string by its index there instead of spelling it out.
 */
export interface FrameContext {
  /** The session's base time in µs, or -1 while the log holds none. */
  base: number;
  /** String `i` of the session's table (from 1); undefined where its row is missing or failed its checksum. */
  readonly strings: (string | undefined)[];
  /** Its UTF-8 bytes (what the wire form spells out). */
  readonly utf8: (Uint8Array | undefined)[];
  /** Rereads the rows a writer added since the last read. */
  more(): void;
  /** Why row `idx` (0: the base time) is not usable, when it failed its checksum. */
  bad(idx: number): string | undefined;
}

/** The context of the session whose stored frames are being decoded (set by the log before each read). */
let current: FrameContext | undefined;

/** Sets the context the next stored small frames decode with (engine/store/log.ts, before a read of one session). */
export function useFrameContext(ctx: FrameContext | undefined): void {
  current = ctx;
}

function need(): FrameContext {
  if (current === undefined) throw new DecodeError("a stored frame refers to its session's string table, and none was read");
  return current;
}

/** A stored small frame's base time: `x` 0 then the time itself, else the session's base + x - 1. */
export function readContextBase(r: ByteReader): number {
  const x = r.uint();
  if (x === 0) return r.uint();
  return contextBase(need()) + x - 1;
}

/** The session's base time from `ctx` (reread once when absent); DecodeError when the log holds none usable. */
export function contextBase(ctx: FrameContext): number {
  if (ctx.base < 0) ctx.more();
  if (ctx.base < 0) throw new DecodeError(ctx.bad(0) ?? "its session's base time is not in the log");
  return ctx.base;
}

/**
 * A stored small frame's string table: a count, then per entry `v`: odd, the session's string (v + 1) / 2;
 * even, a string of v / 2 bytes that follows.
 */
export function readContextStrings(r: ByteReader): string[] {
  const n = r.uint();
  if (n > r.end - r.pos) throw new DecodeError(`string table of ${n} entries cannot fit`);
  const list = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const v = r.uint();
    list[i] = (v & 1) === 1 ? contextString(need(), (v + 1) / 2) : r.strOf(v / 2);
  }
  return list;
}

/** String `idx` of the session's table in `ctx` (reread once when absent); DecodeError when the log holds none usable. */
export function contextString(ctx: FrameContext, idx: number): string {
  let s = ctx.strings[idx];
  if (s === undefined) {
    ctx.more();
    s = ctx.strings[idx];
    if (s === undefined) throw new DecodeError(ctx.bad(idx) ?? `string ${idx} is not in its session's string table`);
  }
  return s;
}
