import { crc32 } from 'node:zlib';
import { putUint } from '../protocol/bytes.ts';
import { FRAME_MAGIC, STORED_FRAME_TAG, storedVersion } from '../protocol/codec.ts';
import { crc32Range } from './frame-pages.ts';

/**
 * A frame as the log stores it (schema version 6, decision 269). The wire form
 * (the bus, the replay service, encodeFrame) begins `'O' version session
 * firstSeq count`; the row already holds session and first seq (its key) and
 * count (`n`), so the stored body begins with one byte, `STORED_FRAME_TAG |
 * version`, and goes on with the wire form's bytes after the count (base
 * timestamp, string table, events). 5-6 bytes a frame fewer: ~3.4 bytes an
 * event at the 1-2 events a frame a live host commits at 1 k orders/s.
 *
 * The row's CRC-32 is still that of the wire form (the frame as the bus
 * carries it), so it covers the session, first seq and count too: a flipped
 * bit in the key, in `n` or in the body is a checksum mismatch. A row whose
 * body begins with 'O' (written by a build before schema 6, or an older
 * codec version) is the wire form itself, read as before.
 */

/** The stored body of `wire`, a frame of `session` holding seqs firstSeq..firstSeq+n-1; the bytes themselves when they are not a frame of a version that has a stored form. Throws when the head names another row. */
export function storedBody(wire: Uint8Array, session: number, firstSeq: number, n: number): Uint8Array {
  if (wire.length < 6 || wire[0] !== FRAME_MAGIC || storedVersion(STORED_FRAME_TAG | wire[1]!) === 0) return wire;
  const at = { p: 2 };
  const s = readUint(wire, at);
  const f = readUint(wire, at);
  const c = readUint(wire, at);
  if (s !== session || f !== firstSeq || c !== n) {
    throw new RangeError(`frame head says session ${s}, seq ${f}, ${c} events; its row says session ${session}, seq ${firstSeq}, ${n} events`);
  }
  const out = Buffer.allocUnsafe(wire.length - at.p + 1);
  out[0] = STORED_FRAME_TAG | wire[1]!;
  out.set(wire.subarray(at.p), 1);
  return out;
}

const scratch = new Uint8Array(2 + 3 * 10);

/** The wire head of a stored frame into `scratch`; returns its length. */
function wireHead(b0: number, session: number, firstSeq: number, n: number): number {
  scratch[0] = FRAME_MAGIC;
  scratch[1] = b0 ^ STORED_FRAME_TAG;
  let p = putUint(scratch, 2, session);
  p = putUint(scratch, p, firstSeq);
  return putUint(scratch, p, n);
}

/** Whether body[start] begins a stored-form frame (else the bytes are the wire form, or damage). */
export function isStored(body: Uint8Array, start = 0): boolean {
  return start < body.length && storedVersion(body[start]!) !== 0;
}

/** The wire form of the frame stored in body[start, end) for its row (session, first seq, count): the same bytes when it is already one. */
export function wireFrame(session: number, firstSeq: number, n: number, body: Uint8Array, start = 0, end = body.length): Uint8Array {
  if (!isStored(body, start)) return start === 0 && end === body.length ? body : body.subarray(start, end);
  const h = wireHead(body[start]!, session, firstSeq, n);
  const out = Buffer.allocUnsafe(h + end - start - 1);
  out.set(scratch.subarray(0, h), 0);
  out.set(body.subarray(start + 1, end), h);
  return out;
}

/** The CRC-32 of the wire form of the frame stored in body[start, end) (what its row's crc holds), without building it. */
export function frameCrc(session: number, firstSeq: number, n: number, body: Uint8Array, start = 0, end = body.length): number {
  if (!isStored(body, start)) return start === 0 && end === body.length ? crc32(body) : crc32Range(body, start, end);
  const h = wireHead(body[start]!, session, firstSeq, n);
  return crc32Range(body, start + 1, end, crc32Range(scratch, 0, h));
}

function readUint(b: Uint8Array, at: { p: number }): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (at.p >= b.length) return -1;
    const x = b[at.p++]!;
    v += (x & 0x7f) * mul;
    if (x < 0x80) return v;
    mul *= 128;
  }
  return -1;
}
