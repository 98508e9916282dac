import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultReferenceCandidates,
  defaultReferencePath,
  loadReferenceData,
  referenceEvents,
  validateReferenceData,
} from '../../engine/oms/reference.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';

const data = loadReferenceData();

/** Parsed JSON that a test reaches into freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/** A deep copy of the default data with `change` applied. */
function broken(change: (j: Loose) => void): unknown {
  const j = JSON.parse(JSON.stringify(data));
  change(j);
  return j;
}

describe('default reference data', () => {
  it('is valid and realistic: ≥30 equities on 3 venues, ≥6 options, 3-4 clients', () => {
    expect(defaultReferencePath()).toBe(defaultReferenceCandidates()[0]);
    const equities = data.instruments.filter((i) => i.instrumentType === 'equity');
    const options = data.instruments.filter((i) => i.instrumentType === 'option');
    expect(equities.length).toBeGreaterThanOrEqual(30);
    expect(options.length).toBeGreaterThanOrEqual(6);
    expect(new Set(equities.map((i) => i.venue))).toEqual(new Set(['XNYS', 'XNAS', 'ARCX']));
    expect(new Set(options.map((i) => i.venue))).toEqual(new Set(['XCBO']));
    expect(data.clients.length).toBeGreaterThanOrEqual(3);
    expect(data.clients.length).toBeLessThanOrEqual(4);
    for (const i of equities) {
      expect(i.currency).toBe('USD');
      expect(i.tickSize).toBe(0.01);
      expect([1, 100]).toContain(i.lotSize);
    }
    for (const o of options) {
      expect(o.putCall === 'call' || o.putCall === 'put').toBe(true);
      expect(o.expiry).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(equities.some((e) => e.symbol === o.underlying)).toBe(true);
      expect(o.lotSize).toBe(1);
    }
  });

  it('turns into VenueAdded, InstrumentAdded, ClientAdded events the projection takes in', () => {
    const events = referenceEvents(data);
    expect(events).toHaveLength(data.venues.length + data.instruments.length + data.clients.length);
    expect(events[0]).toEqual({ type: 'VenueAdded', venueId: 'XNYS', name: 'New York Stock Exchange' });
    const aapl = events.find((e) => e.type === 'InstrumentAdded' && e.symbol === 'AAPL');
    expect(aapl).not.toHaveProperty('underlying');
    const p = new OmsProjection();
    p.applyAll(new LogBuilder().openSession({ reference: data }).events);
    expect(p.instruments.size).toBe(data.instruments.length);
    expect(p.instrument('SPY 281215P590')).toMatchObject({ strike: 590, putCall: 'put', tickSize: 0.01 });
  });
});

describe('validateReferenceData', () => {
  it.each([
    ['tick size', (j: Loose) => { j.instruments[3].tickSize = 0; }, 'reference.json: instruments[3].tickSize: must be > 0'],
    ['missing field', (j: Loose) => { delete j.instruments[2].lotSize; }, 'reference.json: instruments[2].lotSize: is required'],
    ['wrong type', (j: Loose) => { j.clients[0].maxOrderNotional = '1e6'; }, 'reference.json: clients[0].maxOrderNotional: must be a number'],
    ['fractional lot', (j: Loose) => { j.instruments[0].lotSize = 1.5; }, 'reference.json: instruments[0].lotSize: must be a whole number'],
    ['unknown field', (j: Loose) => { j.clients[1].maxNotional = 5; }, 'reference.json: clients[1].maxNotional: unknown field'],
    ['bad enum', (j: Loose) => { j.instruments[0].instrumentType = 'bond'; }, 'reference.json: instruments[0].instrumentType: must be one of equity, option'],
    ['currency', (j: Loose) => { j.instruments[1].currency = 'usd'; }, 'reference.json: instruments[1].currency: must be a 3-letter ISO 4217 code such as USD'],
    ['reference price off tick', (j: Loose) => { j.instruments[0].referencePrice = 228.455; }, 'reference.json: instruments[0].referencePrice: must be a multiple of tickSize 0.01'],
    ['option without expiry', (j: Loose) => { delete j.instruments[40].expiry; }, 'reference.json: instruments[40].expiry: is required for an option'],
    ['impossible expiry', (j: Loose) => { j.instruments[40].expiry = '2027-02-30'; }, 'reference.json: instruments[40].expiry: is not a real calendar date'],
    ['equity with strike', (j: Loose) => { j.instruments[0].strike = 100; }, 'reference.json: instruments[0].strike: is only for options'],
    ['duplicate symbol', (j: Loose) => { j.instruments[5].symbol = 'AAPL'; }, 'reference.json: instruments[5].symbol: duplicate "AAPL" (first at instruments[0])'],
    ['duplicate client', (j: Loose) => { j.clients[2].clientId = 'ALPHA'; }, 'reference.json: clients[2].clientId: duplicate "ALPHA" (first at clients[0])'],
    ['duplicate venue', (j: Loose) => { j.venues[1].venueId = 'XNYS'; }, 'reference.json: venues[1].venueId: duplicate "XNYS" (first at venues[0])'],
    ['unknown venue', (j: Loose) => { j.instruments[7].venue = 'XLON'; }, 'reference.json: instruments[7].venue: unknown venue "XLON"'],
    ['unknown underlying', (j: Loose) => { j.instruments[40].underlying = 'ZZZZ'; }, 'reference.json: instruments[40].underlying: "ZZZZ" is not an equity in this file'],
    ['unknown allowed symbol', (j: Loose) => { j.clients[1].allowedSymbols.push('APPL'); }, 'reference.json: clients[1].allowedSymbols[11]: unknown symbol "APPL"'],
    ['empty allowed list', (j: Loose) => { j.clients[0].allowedSymbols = []; }, 'reference.json: clients[0].allowedSymbols: must list at least one symbol, or "*" for all'],
    ['not a list', (j: Loose) => { j.venues = {}; }, 'reference.json: venues: must be an array'],
  ])('refuses %s with a one-line message naming the field', (_name, change, message) => {
    expect(() => validateReferenceData(broken(change), 'reference.json')).toThrow(message);
    try {
      validateReferenceData(broken(change), 'reference.json');
    } catch (e) {
      expect((e as Error).message).toBe(message);
      expect((e as Error).name).toBe('ValidationError');
    }
  });

  it('refuses what is not an object', () => {
    expect(() => validateReferenceData(null, 'x.json')).toThrow('x.json: (root): must be an object');
  });
});

describe('loadReferenceData', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ordo-ref-'));

  it('names the file when it cannot be read or is not JSON', () => {
    const missing = join(dir, 'missing.json');
    expect(() => loadReferenceData(missing)).toThrow(`${missing}: cannot read file (ENOENT)`);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"venues": [');
    expect(() => loadReferenceData(bad)).toThrow(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));
  });

  it('validates a file and names it in errors', () => {
    const file = join(dir, 'ref.json');
    writeFileSync(file, JSON.stringify(broken((j) => { j.instruments[3].tickSize = -0.01; })));
    expect(() => loadReferenceData(file)).toThrow(`${file}: instruments[3].tickSize: must be > 0`);
    writeFileSync(file, JSON.stringify(data));
    expect(loadReferenceData(file)).toEqual(data);
  });
});
