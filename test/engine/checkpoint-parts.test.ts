import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { orderSession, storeSession } from '../../bench/session.ts';
import { checkpointNeeds, decodeCheckpoint, encodeCheckpoint } from '../../engine/oms/checkpoint-codec.ts';
import { deserializeCompact, deserializeValues, serializeCompact, serializeInline } from '../../engine/oms/checkpoint-columns.ts';
import { CheckpointFold } from '../../engine/oms/checkpoint-fold.ts';
import type { PackedMemory } from '../../engine/oms/exposure/risk-state.ts';
import { CHECKPOINT_PART_BYTES, CHECKPOINT_ROW_BYTES, CheckpointWriter } from '../../engine/store/checkpoints.ts';
import { checkpointFileOf, logAnchor } from '../../engine/store/checkpoint-file.ts';
import { openWritableLog } from '../../engine/store/log.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

/**
 * A checkpoint decoded from the parts it is stored in (decision 209: the
 * large columns after the V8 stream, each read where it lies, the whole
 * never assembled) is the same state as one decoded from the whole buffer:
 * equal projection and risk state hashes, equal duplicate memory, whatever
 * the part size (columns cut across part edges, the stream itself cut). A
 * checkpoint in the layout before (every column in the stream, the risk
 * memory's keys as an array) still reads, to the same state.
 */

const EVENTS = 40_000;

function folded(): CheckpointFold {
  const fold = new CheckpointFold();
  for (const e of orderSession(EVENTS)) fold.apply(e);
  return fold;
}

/** `bytes` cut into parts of `size` bytes (the last shorter), each a buffer of its own, as SQLite hands back rows. */
function cut(bytes: Uint8Array, size: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(Buffer.from(bytes.subarray(at, Math.min(bytes.length, at + size))));
  return parts;
}

function memoryOf(state: ReturnType<typeof decodeCheckpoint>): PackedMemory {
  return state.risk!.packedForCheckpoint().memory;
}

describe('checkpoint decoded from its stored parts', () => {
  const fold = folded();
  const bytes = encodeCheckpoint(fold.state);
  const projectionHash = fold.projection.stateHash();
  const riskHash = fold.risk.stateHash();
  const memory = fold.risk.packedForCheckpoint().memory;

  it('has the large columns after the stream (the part-wise read has columns to read where they lie)', () => {
    expect(fold.projection.orderCount).toBeGreaterThan(5_000);
    expect(memory.keys.length).toBeGreaterThan(1_000);
    expect(bytes.readUInt32LE(0)).toBe(0x4b43444f);
    // The stream is a small part of the whole: the columns follow it.
    expect(bytes.readUInt32LE(4)).toBeLessThan(bytes.length / 2);
  });

  it('gives the state of the whole read, for parts of every size (columns and the stream cut across part edges)', () => {
    const whole = decodeCheckpoint(bytes);
    expect(whole.projection.stateHash()).toBe(projectionHash);
    expect(whole.risk!.stateHash()).toBe(riskHash);
    for (const size of [bytes.length, 1 << 20, 65_537, 4_099, 1_000, 999]) {
      const parts = cut(bytes, size);
      const got = decodeCheckpoint(parts, true, true);
      expect(got.projection.stateHash(), `parts of ${size}`).toBe(projectionHash);
      expect(got.risk!.stateHash(), `parts of ${size}`).toBe(riskHash);
      expect(got.awaiting).toEqual(whole.awaiting);
      expect(got.requests).toEqual(whole.requests);
      expect(memoryOf(got)).toEqual(memory);
    }
  });

  it('gives two independent states from two decodes of one buffer (start-up decodes its checkpoint twice)', () => {
    const a = decodeCheckpoint(bytes);
    const b = decodeCheckpoint(bytes);
    const events = [...orderSession(EVENTS + 2_000)].slice(EVENTS);
    for (const e of events) a.projection.apply(e);
    expect(b.projection.stateHash()).toBe(projectionHash);
    expect(a.projection.stateHash()).not.toBe(projectionHash);
  });

  it('leaves the risk memory out, keys unsplit, for a reader that does not rebuild it, and the projection is the same', () => {
    const got = decodeCheckpoint(cut(bytes, 65_537), false, true);
    expect(got.projection.stateHash()).toBe(projectionHash);
    expect(memoryOf(got).keys).toHaveLength(0);
  });

  it('gives the time machine the same projection from only the leading parts it needs (what start-up alone reads is at the end)', () => {
    const need = checkpointNeeds(bytes)!;
    expect(need).toBeGreaterThan(0);
    expect(need).toBeLessThan(bytes.length);
    for (const size of [65_537, 4_099]) {
      const parts = cut(bytes, size);
      const leading: Buffer[] = [];
      for (let have = 0; have < need; have += parts[leading.length]!.length) leading.push(parts[leading.length]!);
      expect(leading.length).toBeLessThan(parts.length);
      const got = decodeCheckpoint(leading, false, true, false);
      expect(got.projection.stateHash(), `parts of ${size}`).toBe(projectionHash);
      // Risk's state without its duplicate memory, as a whole read without it gives.
      expect(got.risk!.stateHash()).toBe(decodeCheckpoint(bytes, false).risk!.stateHash());
      expect(got.requests).toBeUndefined();
      // Start-up's read needs the rest: refused from the leading parts alone, never a state without them.
      expect(() => decodeCheckpoint(leading, true, true)).toThrow(/does not decode/);
    }
  });

  it('reads a checkpoint written in the layout before (columns in the stream, keys as an array) to the same state', () => {
    // Before: one V8 stream, the risk memory (keys as an array) and the requests in the root.
    const both = deserializeValues(bytes, true) as { value: { root: Record<string, unknown> }; extra: { requests: unknown; riskMemory: Record<string, unknown> } };
    const { keyBytes: _bytes, keyWide: _wide, keyLengths: _lengths, ...rest } = both.extra.riskMemory;
    const body = both.value;
    body.root = { ...body.root, riskMemory: { ...rest, keys: memory.keys }, requests: both.extra.requests };
    const old = serializeInline(body);
    expect(checkpointNeeds(old)).toBeUndefined();
    expect(old[0]).toBe(0xff);
    for (const input of [old, cut(old, 65_537)]) {
      const got = Array.isArray(input) ? decodeCheckpoint(input, true, true) : decodeCheckpoint(input);
      expect(got.projection.stateHash()).toBe(projectionHash);
      expect(got.risk!.stateHash()).toBe(riskHash);
      expect(memoryOf(got)).toEqual(memory);
    }
  });

  it('keeps duplicate-memory keys past ASCII: Latin-1 and wider characters read back as written', () => {
    // Client names (and so duplicate keys) with é (Latin-1) in some and 中 (past U+00FF) in others: the keys are
    // written into one buffer key by key, wide (UTF-16) when any key needs it.
    for (const names of [['ALPHA', 'CAFÉ'], ['ALPHA', '中信', 'CAFÉ']]) {
      const f = new CheckpointFold();
      let n = 0;
      for (const e of orderSession(4_000)) {
        if (e.event.type === 'OrderPending') (e.event as { clientId: string }).clientId = names[n++ % names.length]!;
        f.apply(e);
      }
      const want = f.risk.packedForCheckpoint().memory;
      expect(want.keys.some((k) => k.startsWith(names[1]!))).toBe(true);
      const encoded = encodeCheckpoint(f.state);
      for (const input of [encoded, cut(encoded, 4_099)]) {
        const got = Array.isArray(input) ? decodeCheckpoint(input, true, true) : decodeCheckpoint(input);
        expect(memoryOf(got)).toEqual(want);
        expect(got.risk!.stateHash()).toBe(f.risk.stateHash());
      }
    }
  });

  it('refuses a column that points past the end, as any bytes it cannot trust', () => {
    const value = { a: new Float64Array(4_096).map((_, i) => i + 0.5) };
    const split = serializeCompact(value);
    expect((deserializeCompact(split) as typeof value).a).toEqual(value.a);
    expect(() => deserializeCompact(split.subarray(0, split.length - 8))).toThrow(/past the end/);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 100_000))).toThrow(/does not decode/);
  });
});

describe('checkpoint store, read in part', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeDir));

  it('reads only the leading parts a reader needs, each checked; the whole read checks every part', () => {
    const dir = tempDir('ordo-ckpt-parts-');
    dirs.push(dir);
    const w = openWritableLog(join(dir, 'ordo.db'), { backgroundCheckpoint: false });
    try {
      storeSession(w, orderSession(1_000));
      // Three parts and a bit; the first part says the reader needs a part and a half.
      const bytes = Buffer.alloc(3 * CHECKPOINT_ROW_BYTES + 100, 7);
      bytes.writeUInt32LE(CHECKPOINT_ROW_BYTES * 1.5, 0);
      const writer = new CheckpointWriter(w.db);
      writer.write(1, 500, 3, bytes);
      // Damage the last part: a reader that stops before it does not see it, the whole read does.
      checkpointFileOf(w.db, true)!.prepare('UPDATE checkpoints SET body = ? WHERE session = 1 AND seq = 500 AND part = 3').run(Buffer.alloc(100, 8));
      const need = (first: Buffer) => first.readUInt32LE(0);
      const part = writer.reader.read(1, 500, need);
      expect('detail' in part).toBe(false);
      if ('detail' in part) return;
      expect(part.whole).toBe(false);
      expect(part.parts.map((p) => p.length)).toEqual([CHECKPOINT_ROW_BYTES, CHECKPOINT_ROW_BYTES]);
      expect(Buffer.concat(part.parts).equals(bytes.subarray(0, 2 * CHECKPOINT_ROW_BYTES))).toBe(true);
      expect(() => part.bytes).toThrow(/read in part/);
      expect(writer.reader.read(1, 500)).toEqual({ session: 1, seq: 500, detail: 'checksum mismatch in part 3' });
    } finally {
      w.close();
    }
  });

  it('stores small rows (each its own short write) and hands a joining component parts of up to 4 MiB grouped from them, each row checked', () => {
    const dir = tempDir('ordo-ckpt-rows-');
    dirs.push(dir);
    const w = openWritableLog(join(dir, 'ordo.db'), { backgroundCheckpoint: false });
    try {
      storeSession(w, orderSession(1_000));
      const perPart = CHECKPOINT_PART_BYTES / CHECKPOINT_ROW_BYTES;
      // Two whole parts and a bit: rows of CHECKPOINT_ROW_BYTES, grouped as 4 MiB, 4 MiB and the rest.
      const bytes = Buffer.alloc(2 * CHECKPOINT_PART_BYTES + 1000);
      for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE(i, i);
      const writer = new CheckpointWriter(w.db);
      writer.write(1, 500, 3, bytes, 1);
      const rows = Math.ceil(bytes.length / CHECKPOINT_ROW_BYTES);
      expect(checkpointFileOf(w.db, true)!.prepare('SELECT COUNT(*) FROM checkpoints WHERE session = 1 AND seq = 500').pluck().get()).toBe(rows);
      const got = [0, 1, 2].map((i) => writer.reader.readPart(1, 500, i));
      for (const g of got) expect('detail' in g).toBe(false);
      const parts = got as { parts: number; format: number; bytes: Buffer }[];
      expect(parts.map((p) => [p.parts, p.format, p.bytes.length])).toEqual([
        [3, 3, CHECKPOINT_PART_BYTES],
        [3, 3, CHECKPOINT_PART_BYTES],
        [3, 3, 1000],
      ]);
      expect(Buffer.concat(parts.map((p) => p.bytes)).equals(bytes)).toBe(true);
      expect(writer.reader.readPart(1, 500, 3)).toEqual({ session: 1, seq: 500, detail: 'part 3 is not there' });
      // A damaged row fails the part it is in, named by its row.
      checkpointFileOf(w.db, true)!.prepare('UPDATE checkpoints SET body = ? WHERE session = 1 AND seq = 500 AND part = ?').run(Buffer.alloc(CHECKPOINT_ROW_BYTES, 8), perPart + 1);
      expect(writer.reader.readPart(1, 500, 1)).toEqual({ session: 1, seq: 500, detail: `checksum mismatch in part ${perPart + 1}` });
      expect('detail' in writer.reader.readPart(1, 500, 0)).toBe(false);
      // A missing row too.
      checkpointFileOf(w.db, true)!.prepare('DELETE FROM checkpoints WHERE session = 1 AND seq = 500 AND part = 2').run();
      expect(writer.reader.readPart(1, 500, 0)).toEqual({ session: 1, seq: 500, detail: 'part 2 is not there' });
    } finally {
      w.close();
    }
  });

  it('hands rows of 4 MiB (written before rows were small) a part each', () => {
    const dir = tempDir('ordo-ckpt-oldrows-');
    dirs.push(dir);
    const w = openWritableLog(join(dir, 'ordo.db'), { backgroundCheckpoint: false });
    try {
      storeSession(w, orderSession(1_000));
      const file = checkpointFileOf(w.db, true)!;
      const put = file.prepare('INSERT INTO checkpoints (session, seq, part, parts, taken_ts, format, crc, body) VALUES (1, 500, ?, 2, 1, 3, ?, ?)');
      // Bound to this log as a writer binds it (decision 252): an unbound checkpoint is never handed out.
      const anchor = logAnchor(w.db, 1, 500)!;
      file.prepare('INSERT INTO anchors (session, seq, opened_ts, frame_first, frame_crc) VALUES (1, 500, ?, ?, ?)').run(anchor.openedTs, anchor.frameFirst, anchor.frameCrc);
      const a = Buffer.alloc(CHECKPOINT_PART_BYTES, 1);
      const b = Buffer.alloc(10, 2);
      put.run(0, crc32(a), a);
      put.run(1, crc32(b), b);
      const reader = new CheckpointWriter(w.db).reader;
      const got = [0, 1].map((i) => reader.readPart(1, 500, i) as { parts: number; bytes: Buffer });
      expect(got.map((g) => [g.parts, g.bytes.length])).toEqual([
        [2, CHECKPOINT_PART_BYTES],
        [2, 10],
      ]);
    } finally {
      w.close();
    }
  });
});
