import { describe, expect, it } from 'vitest';
import { intFromEnv } from '../../engine/cli/args.ts';
import { UsageError } from '../../engine/cli/errors.ts';
import { hugeHeapFromEnv } from '../../engine/native/huge-heap.ts';

/** The one reader of whole-number environment variables (ORDO_WARM_UP, ORDO_HUGE_HEAP_MIB), beside `intOption`. */
describe('intFromEnv', () => {
  const read = (v: string | undefined) => intFromEnv('ORDO_X', 0, 100, {}, { ORDO_X: v });

  it('unset or empty is undefined; a whole number within the range (both ends included) is that number', () => {
    expect(read(undefined)).toBeUndefined();
    expect(read('')).toBeUndefined();
    expect(read('0')).toBe(0);
    expect(read('100')).toBe(100);
    expect(read('007')).toBe(7);
  });

  it.each(['101', '-1', '1.5', '1e2', ' 5', '5 ', '0x10', 'lots', 'off', '99999999999999999999'])("'%s' is a usage error naming the variable, its range and the value", (v) => {
    expect(() => read(v)).toThrow(UsageError);
    expect(() => read(v)).toThrow(`ORDO_X must be a whole number from 0 to 100, got '${v}'`);
  });

  it("with off, '0' and 'off' are 0 below the range; the message says so and names the unit", () => {
    const heap = (v: string) => intFromEnv('ORDO_Y', 8, 1024, { off: true, unit: 'MiB' }, { ORDO_Y: v });
    expect(heap('0')).toBe(0);
    expect(heap('off')).toBe(0);
    expect(heap('8')).toBe(8);
    for (const bad of ['4', '1025', 'OFF', 'none']) expect(() => heap(bad)).toThrow(`ORDO_Y must be 0, off or a whole number of MiB from 8 to 1024, got '${bad}'`);
  });

  it('reads process.env by default; a bad ORDO_HUGE_HEAP_MIB is a usage error (exit 2), as a bad ORDO_WARM_UP is', () => {
    expect(intFromEnv('ORDO_TEST_SURELY_UNSET_VARIABLE', 0, 1)).toBeUndefined();
    expect(() => hugeHeapFromEnv('2048')).toThrow(UsageError);
  });
});
