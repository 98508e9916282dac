import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { HeadWriter, headPath, readHead } from '../../engine/store/head.ts';
import { openWritableLog } from '../../engine/store/log.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

function freshPath(): string {
  const dir = tempDir('ordo-head-');
  dirs.push(dir);
  return join(dir, 'ordo.db');
}

function ev(seq: number): Sequenced {
  return { seq, ts: 1_000_000 + seq, src: 'risk-1', cseq: seq, event: { type: 'OrderAccepted', orderId: seq } };
}

describe('the log head file (decision 081) as the writer writes it after every commit', () => {
  it('writes each u64 as the same bytes as a BigInt write, above 2^32 too, and reads back', () => {
    const path = freshPath();
    const w = new HeadWriter(path);
    const cases = [
      { session: 1, seq: 1 },
      { session: 7, seq: 0xffff_ffff },
      { session: 0x1_0000_0001, seq: 2 ** 40 + 12_345 },
      { session: 3, seq: Number.MAX_SAFE_INTEGER },
    ];
    for (const c of cases) {
      w.writeAt(c.session, c.seq);
      const bytes = readFileSync(headPath(path));
      expect(bytes.readBigUInt64LE(8)).toBe(BigInt(c.session));
      expect(bytes.readBigUInt64LE(16)).toBe(BigInt(c.seq));
      expect(readHead(path)).toEqual(c);
      w.write(c);
      expect(readFileSync(headPath(path))).toEqual(bytes);
    }
    w.close();
  });

  it('follows the last frame of each committed transaction, and not a transaction that failed', () => {
    const path = freshPath();
    const log = openWritableLog(path);
    try {
      log.transaction(() => log.openSession(1, 1));
      const events = [ev(1), ev(2), ev(3), ev(4), ev(5)];
      log.transaction(() => log.appendFrame(1, 1, 2, encodeFrame(1, events, 0, 2)));
      expect(readHead(path)).toEqual({ session: 1, seq: 2 });
      log.transaction(() => {
        log.appendFrame(1, 3, 3, encodeFrame(1, events, 2, 3));
        log.appendFrame(1, 4, 4, encodeFrame(1, events, 3, 4));
      });
      expect(readHead(path)).toEqual({ session: 1, seq: 4 });
      expect(() =>
        log.transaction(() => {
          log.appendFrame(1, 5, 5, encodeFrame(1, events, 4, 5));
          throw new Error('refused after the append');
        }),
      ).toThrow('refused after the append');
      expect(readHead(path)).toEqual({ session: 1, seq: 4 });
      // A transaction without frames leaves the head where it was.
      log.transaction(() => undefined);
      expect(readHead(path)).toEqual({ session: 1, seq: 4 });
    } finally {
      log.close();
    }
  });
});
