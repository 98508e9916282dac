import { describe, expect, it } from 'vitest';
import {
  decimalsOf,
  formatAge,
  formatAvgPrice,
  formatInt,
  formatPrice,
  formatQty,
  formatRate,
  formatTime,
  stateLabel,
} from '../../renderer/lib/format.ts';

describe('format', () => {
  it('derives decimals from a tick size', () => {
    expect(decimalsOf(0.01)).toBe(2);
    expect(decimalsOf(0.005)).toBe(3);
    expect(decimalsOf(0.5)).toBe(1);
    expect(decimalsOf(1)).toBe(0);
    expect(decimalsOf(25)).toBe(0);
    expect(decimalsOf(0.0001)).toBe(4);
    expect(decimalsOf(0)).toBe(2);
  });

  it('formats prices with the tick decimals and blanks zero', () => {
    expect(formatPrice(189.4, 2)).toBe('189.40');
    expect(formatPrice(3412, 1)).toBe('3412.0');
    expect(formatPrice(0, 2)).toBe('');
    expect(formatPrice(undefined)).toBe('');
  });

  it('formats average prices with two extra decimals, trimmed back to the tick', () => {
    expect(formatAvgPrice(71.7295, 2)).toBe('71.7295');
    expect(formatAvgPrice(71.7, 2)).toBe('71.70');
    expect(formatAvgPrice(3412.25, 1)).toBe('3412.25');
    expect(formatAvgPrice(100, 0)).toBe('100');
    expect(formatAvgPrice(0, 2)).toBe('');
  });

  it('formats quantities and counts with separators', () => {
    expect(formatQty(1234567)).toBe('1,234,567');
    expect(formatQty(0)).toBe('0');
    expect(formatInt(100000)).toBe('100,000');
  });

  it('formats sequencer microseconds as a time of day in the given zone', () => {
    const ts = Date.UTC(2024, 5, 11, 13, 30, 5, 123) * 1000 + 456;
    expect(formatTime(ts, 0)).toBe('13:30:05.123');
    expect(formatTime(ts, -120)).toBe('15:30:05.123'); // UTC+2
    expect(formatTime(ts, 300)).toBe('08:30:05.123'); // UTC-5
    expect(formatTime(0)).toBe('');
  });

  it('formats ages and rates compactly', () => {
    expect(formatAge(850)).toBe('850ms');
    expect(formatAge(2400)).toBe('2.4s');
    expect(formatAge(185_000)).toBe('3m 05s');
    expect(formatAge(3_900_000)).toBe('1h 05m');
    expect(formatRate(950)).toBe('950/s');
    expect(formatRate(12_500)).toBe('12.5k/s');
    expect(formatRate(1_200_000)).toBe('1.20M/s');
  });

  it('labels states', () => {
    expect(stateLabel('partially_filled')).toBe('PARTIAL');
    expect(stateLabel('caught_up')).toBe('CAUGHT UP');
    expect(stateLabel('new')).toBe('NEW');
    expect(stateLabel('pending_new')).toBe('PENDING');
    expect(stateLabel('pending_cancel')).toBe('CXL PEND');
    expect(stateLabel('pending_replace')).toBe('RPL PEND');
  });
});

describe('formatQty and formatInt without Intl (decision 151)', () => {
  it('write what Intl en-US with no decimals writes, for every size and sign', () => {
    const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
    const values = [0, 1, 12, 123, 999, 1000, 1234, 12_345, 123_456, 1_234_567, 100_000_000, 2 ** 53 - 1, -1, -999, -1000, -1_234_567, 0.4, 2.5, 1234.6, -1234.4, 1e21];
    for (const v of values) {
      expect(formatQty(v), String(v)).toBe(intl.format(v));
      expect(formatInt(v), String(v)).toBe(intl.format(v));
    }
    expect(formatQty(undefined)).toBe('');
    expect(formatInt(Number.NaN)).toBe('');
  });
});
