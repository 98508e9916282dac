import type Database from 'better-sqlite3';

/**
 * A frame's row key (schema version 4, decision 254): the session and the
 * frame's first seq in one integer, `session * 2^36 + firstSeq`. The frames
 * table is keyed by it alone (its rowid), so a frame costs one b-tree cell
 * and a commit of a small frame dirties one leaf page, where the version-1
 * layout paid a table cell plus an index cell on `(session, first_seq)`.
 *
 * Keys sort as (session, first_seq) did, so "from this frame on" is still a
 * key range. The key stays a safe JavaScript integer: 2^17 - 1 sessions of up
 * to 2^36 - 1 (68.7 G) seqs each; appends beyond either are refused.
 */
export const SEQ_BITS = 36;
export const SEQ_SPAN = 2 ** SEQ_BITS;
/** The largest seq a frame may hold. */
export const MAX_SEQ = SEQ_SPAN - 1;
/** The largest session id. */
export const MAX_SESSION = 2 ** (53 - SEQ_BITS) - 1;

/** The key of session `session`'s frame starting at `seq` (seq clamped to 0..MAX_SEQ: range bounds may be open-ended). */
export function frameKey(session: number, seq: number): number {
  return session * SEQ_SPAN + Math.max(0, Math.min(seq, MAX_SEQ));
}

export function sessionOfKey(key: number): number {
  return Math.floor(key / SEQ_SPAN);
}

export function seqOfKey(key: number): number {
  return key % SEQ_SPAN;
}

/** Whether a frame of `session` holding seqs first..last has a key (checked before it is stored). */
export function fitsKey(session: number, first: number, last: number): boolean {
  return Number.isInteger(session) && session >= 0 && session <= MAX_SESSION && Number.isInteger(first) && first >= 0 && last >= first && last <= MAX_SEQ;
}

/**
 * The CRC-32 as stored: a signed 32-bit integer, so SQLite always keeps it in
 * 4 bytes (an unsigned value from 2^31 takes 6). Compare with `sameCrc`, which
 * also accepts the unsigned form a version-3 row or a hand edit holds.
 */
export function storedCrc(crc: number): number {
  return crc | 0;
}

export function sameCrc(a: number, b: number): boolean {
  return (a | 0) === (b | 0);
}

/**
 * How SQL reaches a log's frames in its layout: the current one (keyed, above)
 * or that of schema versions 1-3 (columns session, first_seq, last_seq and an
 * index on (session, first_seq)), which a read-only reader (`ordo verify`,
 * `ordo state`, the replay service) meets in a log no host has opened since
 * the upgrade: it cannot convert it, so it reads it as it is. Either way a
 * session's frames with first seq in [a, b] are a range of an index, and the
 * rows read back as (key, n, crc, body).
 */
export interface FramesLayout {
  /** SQL over the frames table aliased `f`: its key, event count and order. */
  readonly key: string;
  readonly n: string;
  readonly order: string;
  /** SQL condition: the frames of session `s` (an SQL expression). */
  ofSession(s: string): string;
  /** SQL condition with the parameters `bind` gives: one session's frames with first seq in [a, b]. */
  readonly range: string;
  bind(session: number, a: number, b: number): number[];
}

export const KEYED: FramesLayout = {
  key: 'f.key',
  n: 'f.n',
  order: 'f.key',
  ofSession: (s) => `f.key >= ${s} * ${SEQ_SPAN} AND f.key < (${s} + 1) * ${SEQ_SPAN}`,
  range: 'f.key >= ? AND f.key <= ?',
  bind: (session, a, b) => [frameKey(session, a), frameKey(session, b)],
};

const LEGACY: FramesLayout = {
  key: `(f.session * ${SEQ_SPAN} + f.first_seq)`,
  n: '(f.last_seq - f.first_seq + 1)',
  order: 'f.session, f.first_seq',
  ofSession: (s) => `f.session = ${s}`,
  // A session's range: the three-parameter form of the index's key.
  range: 'f.session = ? AND f.first_seq >= ? AND f.first_seq <= ?',
  bind: (session, a, b) => [session, a, b],
};

/** The layout of the frames table in `db` (the columns it has). */
export function framesLayout(db: Database.Database): FramesLayout {
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('frames') as string[];
  return columns.includes('key') || !columns.includes('first_seq') ? KEYED : LEGACY;
}

/**
 * What a row's key adds to its stored body's CRC (decision 278): the session and first seq mixed into 32 bits
 * (multiplications by odd constants: a change of either in one bit changes the result). A stored-form row's crc is
 * crc32(body) ^ keyMix(session, firstSeq), so it covers the key as the wire form's CRC did, without rebuilding the
 * wire head for every frame read (round 14: ~550 instructions a frame of replay).
 */
export function keyMix(session: number, firstSeq: number): number {
  return Math.imul(firstSeq >>> 0, 0x9e3779b1) ^ Math.imul((session * 16 + Math.floor(firstSeq / 4294967296)) | 0, 0x85ebca77);
}
