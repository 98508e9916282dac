import { describe, expect, it } from 'vitest';
import { stallLines } from '../../bench/catch-up.ts';
import { generatorLine, type GeneratorProbe } from '../../bench/generator-probe.ts';
import type { Ack } from '../../bench/host-load.ts';

const EPOCH = 1_700_000_000_000;
// Orders at 1,000/s from 10 s to 11 s: 2 ms each, except a run from 10.200 s that the generator sent 60 ms late
// (its loop stalled from 10.200 to 10.260) and one at 10.700 s sent on time that the host answered in 30 ms.
const acks: Ack[] = [];
for (let i = 0; i < 1000; i++) {
  const dueMs = 10_000 + i;
  const stalled = dueMs >= 10_200 && dueMs < 10_260;
  const sentMs = stalled ? 10_260 : dueMs;
  const answered = dueMs === 10_700 ? sentMs + 30 : sentMs + 2;
  acks.push({ dueMs, sentMs, ms: answered - dueMs, status: 200 });
}
const probe: GeneratorProbe = {
  gaps: [[EPOCH + 10_200, 60, 1, 55]],
  gc: [['scavenge', EPOCH + 10_701, 3]],
  dirty: [
    [EPOCH + 10_100, 2048, 0],
    [EPOCH + 10_500, 8192, 512],
  ],
};

describe("the catch-up bench's stall placement (bench/catch-up.ts, bench/generator-probe.ts)", () => {
  it('groups the slow orders into runs and says which were sent late (the generator) and which answered late', () => {
    const lines = stallLines(acks, 10_000, 11_000, probe, EPOCH);
    // 20 ms or more from due time: orders due 10.200..10.242 (sent 60..18 ms late, answered in 2) and the one at 10.700.
    expect(lines[0]).toBe('while catching up: 44 orders of 20 ms or more, in 2 runs; sent late by 5 ms or more: 56');
    expect(lines[1]).toMatch(/^slow run due @10\.200–10\.242 s: 43 orders, max 62\.0 ms; sent up to 60\.0 ms late; sent → answered up to 2\.0 ms; generator gaps: @10\.200 60\.0 ms \(1\.0 on a core, 55\.0 waiting\); generator GC: none$/);
    expect(lines[2]).toMatch(/^slow run due @10\.700–10\.700 s: 1 orders, max 30\.0 ms; sent up to 0\.0 ms late; sent → answered up to 30\.0 ms; generator gaps: none; generator GC: scavenge @10\.701 3\.0 ms$/);
    expect(lines).toHaveLength(3);
  });

  it("sums the generator's gaps, GC and dirty pages over a phase only", () => {
    expect(generatorLine(probe, EPOCH + 10_000, EPOCH + 11_000)).toBe(
      'loop gaps 1, max 60.0 ms, 60.0 ms wall: 1.0 on a core, 55.0 waiting for a core; GC 1 scavenge (max 3.0, total 3.0 ms); Dirty max 8,192 kB, Writeback max 512 kB',
    );
    expect(generatorLine(probe, EPOCH, EPOCH + 10_000)).toBe('loop gaps 0, max 0.0 ms, 0.0 ms wall: 0.0 on a core, 0.0 waiting for a core; GC none; no samples');
  });
});
