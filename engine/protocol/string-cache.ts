import { asciiString, type ByteReader } from './bytes.ts';

/**
 * Short ASCII strings decoded before, by their bytes: a direct-mapped cache
 * keyed by a hash of the bytes. Every frame carries its own string table, so
 * the few strings that recur in every frame (sources, symbols, venues,
 * clients: 40 in the 1 M-event bench log) would be new string objects in each
 * frame, and every compare or Map lookup of them in the fold would compare
 * their characters. A hit returns the one object made before, so those become
 * pointer compares (issue #9, docs/decisions/201).
 *
 * Most strings are unique (clientOrderIds: 235,000 of the log's 245,000), so
 * a miss fills a slot only while it is empty or when the slot's last miss was
 * the same string (`seen`, by hash): a string seen twice in a slot is
 * admitted, a stream of unique ids passes through writing one number each and
 * never evicts an admitted string. The slot's string itself is the key
 * (compared by its characters), so the cache is SLOTS string references and
 * SLOTS hashes (192 KiB), and a miss on an empty slot reads no string.
 */
const SLOTS = 1 << 14;
const MAX_LEN = 16;
/** The slot's string; '' while empty (an empty string read is '' either way). */
const values: string[] = new Array<string>(SLOTS).fill('');
const seen = new Int32Array(SLOTS);

/**
 * The next string of `r`, as ByteReader.str reads it (same result, same
 * errors), the earlier object when its bytes are those of an admitted one.
 */
export function cachedStr(r: ByteReader): string {
  const at = r.pos;
  const len = r.uint();
  const start = r.pos;
  // Long, truncated or non-ASCII: ByteReader.str reads it again from its length (and throws what it throws).
  if (len > MAX_LEN || start + len > r.end) return reread(r, at);
  const b = r.buf;
  let high = 0;
  let h = len;
  for (let i = start; i < start + len; i++) {
    const x = b[i]!;
    high |= x;
    h = (Math.imul(h, 0x01000193) ^ x) | 0;
  }
  if (high >= 0x80) return reread(r, at);
  r.pos = start + len;
  const slot = (h ^ (h >>> 14)) & (SLOTS - 1);
  const held = values[slot]!;
  if (held.length === len && same(held, b, start, len)) return held;
  const s = asciiString(b, start, len);
  if (held.length === 0 || seen[slot] === h) values[slot] = s;
  else seen[slot] = h;
  return s;
}

/** True when the ASCII string `s` has the bytes b[start, start + s.length). */
function same(s: string, b: Uint8Array, start: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (s.charCodeAt(i) !== b[start + i]) return false;
  return true;
}

function reread(r: ByteReader, at: number): string {
  r.pos = at;
  return r.str();
}
