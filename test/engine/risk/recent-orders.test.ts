import { describe, expect, it } from 'vitest';
import { RecentOrders } from '../../../engine/oms/exposure/recent-orders.ts';
import { Prng } from '../../../engine/venue/prng.ts';

/** The obvious implementation: every remembered order as an object in one array, scanned in full. */
class Naive {
  items: { key: string; orderId: number; ts: number }[] = [];
  /** Every order in the window, rejected ones included (what `count` reports, as before the flat layout). */
  queued: number[] = [];
  constructor(private readonly memoryUs: number) {}
  remember(key: string, orderId: number, ts: number): void {
    this.items = this.items.filter((r) => ts - r.ts <= this.memoryUs);
    this.items.push({ key, orderId, ts });
    this.queued = this.queued.filter((t) => ts - t <= this.memoryUs);
    this.queued.push(ts);
  }
  forget(key: string, orderId: number): void {
    const i = this.items.findIndex((r) => r.key === key && r.orderId === orderId);
    if (i >= 0) this.items.splice(i, 1);
  }
  duplicateOf(orderId: number, key: string, tsUs: number, windowUs: number): number | undefined {
    if (windowUs <= 0) return undefined;
    return this.items.find((r) => r.key === key && r.orderId < orderId && tsUs - r.ts <= windowUs)?.orderId;
  }
  entries(): [string, { orderId: number; ts: number }[]][] {
    const keys = [...new Set(this.items.map((r) => r.key))].sort();
    return keys.map((k) => [k, this.items.filter((r) => r.key === k).map((r) => ({ orderId: r.orderId, ts: r.ts }))]);
  }
}

describe("risk's flat duplicate memory", () => {
  // The flat layout (bench/mem.ts: ~40 instead of ~180 bytes per remembered order) must answer exactly as the
  // object-per-order one did: same duplicates, same forgetting, same entries for the state hash.
  it('agrees with the naive reference across pauses longer than the memory (all forgotten at once)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const rng = new Prng(seed);
      const memoryUs = 1_000 * rng.int(50, 400);
      const flat = new RecentOrders(memoryUs);
      const naive = new Naive(memoryUs);
      let ts = 1_800_000_000_000_000;
      const keys = Array.from({ length: rng.int(1, 12) }, (_, i) => `K${i}`);
      for (let id = 1; id <= 2_000; id++) {
        // Now and then a pause past the whole memory (a restart on an older session, a quiet market).
        ts += rng.int(0, 49) === 0 ? memoryUs + rng.int(1, 5) * 1_000 : rng.int(0, 3) * 1_000;
        const key = keys[rng.int(0, keys.length - 1)]!;
        const window = 1_000 * rng.int(0, 500);
        expect(flat.duplicateOf(id, key, ts, window)).toBe(naive.duplicateOf(id, key, ts, window));
        flat.remember(key, id, ts);
        naive.remember(key, id, ts);
        if (rng.int(0, 9) === 0) {
          const gone = id - rng.int(0, 30);
          const k = keys[rng.int(0, keys.length - 1)]!;
          flat.forget(k, gone);
          naive.forget(k, gone);
        }
        expect(flat.count).toBe(naive.queued.length);
      }
      expect([...flat.entries()]).toEqual(naive.entries());
    }
  });

  it('agrees with a naive reference over seeded random flows, copies included', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rng = new Prng(seed);
      const memoryUs = 1_000 * rng.int(50, 400);
      const flat = new RecentOrders(memoryUs);
      const naive = new Naive(memoryUs);
      let ts = 1_800_000_000_000_000;
      const keys = Array.from({ length: rng.int(1, 12) }, (_, i) => `K${i}`);
      let copy: RecentOrders | undefined;
      for (let id = 1; id <= 3_000; id++) {
        ts += rng.int(0, 3) * 1_000;
        const key = keys[rng.int(0, keys.length - 1)]!;
        const window = 1_000 * rng.int(0, 500);
        expect(flat.duplicateOf(id, key, ts, window)).toBe(naive.duplicateOf(id, key, ts, window));
        flat.remember(key, id, ts);
        naive.remember(key, id, ts);
        if (rng.int(0, 9) === 0) {
          // A rejected order, usually a recent one, sometimes one already forgotten.
          const gone = id - rng.int(0, 300);
          const k = keys[rng.int(0, keys.length - 1)]!;
          flat.forget(k, gone);
          naive.forget(k, gone);
        }
        if (id === 1_500) copy = flat.copy();
      }
      expect([...flat.entries()]).toEqual(naive.entries());
      expect(flat.count).toBe(naive.queued.length);
      // Packed in columns and back (checkpoints): the same entries and count, and it goes on answering alike.
      const back = RecentOrders.unpack(memoryUs, flat.pack());
      expect([...back.entries()]).toEqual([...flat.entries()]);
      expect(back.count).toBe(flat.count);
      back.remember(keys[0]!, 3_001, ts + memoryUs);
      flat.remember(keys[0]!, 3_001, ts + memoryUs);
      expect([...back.entries()]).toEqual([...flat.entries()]);
      expect(back.count).toBe(flat.count);
      // The copy taken half way is independent and still answers from its own entries.
      expect(copy!.count).toBeGreaterThan(0);
      expect([...copy!.entries()].flatMap(([, l]) => l).every((r) => r.orderId <= 1_500)).toBe(true);
    }
  });

  it('agrees with the naive reference past many cut-offs of the queue, packed and unpacked part way', () => {
    // Enough orders that the queue's skipped prefix is cut off many times (4,096 entries or more, decision 255),
    // forgotten entries among them, and a copy unpacked from columns at each step going on in lockstep.
    for (let seed = 1; seed <= 3; seed++) {
      const rng = new Prng(seed);
      const memoryUs = 1_000 * rng.int(20, 60);
      let flat = new RecentOrders(memoryUs);
      const naive = new Naive(memoryUs);
      let ts = 1_800_000_000_000_000;
      const keys = Array.from({ length: rng.int(50, 400) }, (_, i) => `K${i}`);
      for (let id = 1; id <= 40_000; id++) {
        ts += rng.int(0, 9) * 100;
        const key = keys[rng.int(0, keys.length - 1)]!;
        const window = 1_000 * rng.int(0, 60);
        expect(flat.duplicateOf(id, key, ts, window)).toBe(naive.duplicateOf(id, key, ts, window));
        flat.remember(key, id, ts);
        naive.remember(key, id, ts);
        if (rng.int(0, 4) === 0) {
          const gone = id - rng.int(0, 200);
          flat.forget(key, gone);
          naive.forget(key, gone);
        }
        // Now and then the state goes through a checkpoint's columns and carries on from there.
        if (id % 9_999 === 0) flat = RecentOrders.unpack(memoryUs, flat.pack());
      }
      expect(flat.count).toBe(naive.queued.length);
      expect([...flat.entries()]).toEqual(naive.entries());
    }
  });

  it('reads memory packed by the previous layout (a forgotten order under its own key in the queue)', () => {
    // Before decision 255 the packed queue named a forgotten order by its real key; only the lists say it is gone.
    const packed = {
      keys: ['A', 'B'],
      queueKey: Int32Array.from([0, 1, 0, 1]),
      queueOrder: Float64Array.from([1, 2, 3, 4]),
      queueTs: Float64Array.from([10, 20, 30, 40]),
      listKey: Int32Array.from([0, 1]),
      listCount: Int32Array.from([1, 2]),
      listOrder: Float64Array.from([3, 2, 4]),
      listTs: Float64Array.from([30, 20, 40]),
    };
    const r = RecentOrders.unpack(1_000, packed);
    expect(r.count).toBe(4);
    expect([...r.entries()]).toEqual([
      ['A', [{ orderId: 3, ts: 30 }]],
      ['B', [{ orderId: 2, ts: 20 }, { orderId: 4, ts: 40 }]],
    ]);
    expect(r.duplicateOf(9, 'A', 50, 1_000)).toBe(3);
    // Order 1 (forgotten) leaves the window first, then 2 (B's oldest): B keeps 4.
    r.remember('A', 5, 1_025);
    expect(r.count).toBe(3);
    expect([...r.entries()]).toEqual([
      ['A', [{ orderId: 3, ts: 30 }, { orderId: 5, ts: 1_025 }]],
      ['B', [{ orderId: 4, ts: 40 }]],
    ]);
  });
});
