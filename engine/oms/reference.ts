import { existsSync } from 'node:fs';
import { readConfigText } from '../text-file.ts';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { INSTRUMENT_TYPES } from '../../contract/domain.ts';
import type { EventOf, OrdoEvent } from '../protocol/events.ts';
import { isOnTick } from './checks.ts';
import { describeIssue, formatPath, ValidationError } from './validation.ts';

/**
 * Static reference data: venues, instruments and clients with their limits.
 * The sequencer turns it into VenueAdded / InstrumentAdded / ClientAdded
 * events when it opens a session, so every component learns it from the log.
 */

export type VenueRef = Omit<EventOf<'VenueAdded'>, 'type'>;
export type InstrumentRef = Omit<EventOf<'InstrumentAdded'>, 'type'>;
export type ClientRef = Omit<EventOf<'ClientAdded'>, 'type'>;

/** US equity options: one contract is 100 shares. */
export const DEFAULT_OPTION_MULTIPLIER = 100;

/** The shape of a reference data file. */
export interface ReferenceData {
  venues: VenueRef[];
  instruments: InstrumentRef[];
  clients: ClientRef[];
  /** FIX Logon passwords (tag 554) by clientId, from each client's optional `fixPassword`; never in the log. */
  fixPasswords?: Record<string, string>;
}

/**
 * Files the build must copy next to the compiled module (tsc copies no JSON),
 * relative to the repository root; each lands at the same path under dist/.
 */
export const REFERENCE_ASSETS: readonly string[] = ['engine/oms/reference/default.json'];

/**
 * Where the shipped reference data may be, in order of preference:
 * 1. `./reference/default.json` next to this module (the source tree, or
 *    dist/ when the build copied REFERENCE_ASSETS);
 * 2. from a compiled module at dist/engine/oms/reference.js whose JSON was not
 *    copied, the source file at `../../../engine/oms/reference/default.json`.
 */
export function defaultReferenceCandidates(): string[] {
  return [
    fileURLToPath(new URL('./reference/default.json', import.meta.url)),
    fileURLToPath(new URL('../../../engine/oms/reference/default.json', import.meta.url)),
  ];
}

/** The first candidate that exists (the first one if none does, so the error names it). */
export function defaultReferencePath(): string {
  const candidates = defaultReferenceCandidates();
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

const nonEmpty = z.string().min(1, 'must not be empty');
const positive = z.number().gt(0, 'must be > 0');

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'is not a real calendar date');

const venueSchema = z.strictObject({
  venueId: z.string().regex(/^[A-Z0-9]{2,8}$/, 'must be 2-8 capital letters or digits (a MIC such as XNYS)'),
  name: nonEmpty,
});

const OPTION_FIELDS = ['underlying', 'strike', 'expiry', 'putCall'] as const;

const instrumentSchema = z
  .strictObject({
    symbol: z
      .string()
      .min(1, 'must not be empty')
      .max(32, 'must be at most 32 characters')
      .regex(/^\S(.*\S)?$/, 'must not start or end with spaces'),
    name: nonEmpty,
    instrumentType: z.enum(INSTRUMENT_TYPES, { error: `must be one of ${INSTRUMENT_TYPES.join(', ')}` }),
    venue: nonEmpty,
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as USD'),
    tickSize: positive,
    lotSize: z.number().int('must be a whole number').gt(0, 'must be > 0'),
    referencePrice: positive,
    /** Information only (odd and mixed lots trade; lotSize is the increment). */
    roundLot: z.number().int('must be a whole number').gt(0, 'must be > 0').optional(),
    underlying: nonEmpty.optional(),
    strike: positive.optional(),
    expiry: isoDate.optional(),
    putCall: z.enum(['call', 'put'], { error: 'must be call or put' }).optional(),
    multiplier: positive.optional(),
  })
  .superRefine((i, ctx) => {
    if (i.instrumentType === 'option') {
      for (const f of OPTION_FIELDS) {
        if (i[f] === undefined) ctx.addIssue({ code: 'custom', path: [f], message: 'is required for an option' });
      }
    } else {
      for (const f of OPTION_FIELDS) {
        if (i[f] !== undefined) ctx.addIssue({ code: 'custom', path: [f], message: 'is only for options' });
      }
    }
    if (!isOnTick(i.referencePrice, i.tickSize)) {
      ctx.addIssue({ code: 'custom', path: ['referencePrice'], message: `must be a multiple of tickSize ${i.tickSize}` });
    }
  });

const clientSchema = z.strictObject({
  clientId: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1-32 letters, digits, _ . or -'),
  name: nonEmpty,
  maxOrderNotional: positive,
  maxOpenNotional: positive,
  allowedSymbols: z.array(nonEmpty).min(1, 'must list at least one symbol, or "*" for all'),
  maxOrderQuantity: positive.optional(),
  maxGrossPosition: positive.optional(),
  maxNetPosition: positive.optional(),
  requireLocate: z.boolean({ error: 'must be true or false' }).optional(),
  duplicateWindowMs: z.number().min(0, 'must be >= 0').optional(),
  fixPassword: nonEmpty.optional(),
});

const referenceSchema = z.strictObject({
  venues: z.array(venueSchema).min(1, 'must list at least one venue'),
  instruments: z.array(instrumentSchema),
  clients: z.array(clientSchema),
});

function fail(sourceName: string, path: readonly PropertyKey[], problem: string): never {
  throw new ValidationError(`${sourceName}: ${formatPath(path)}: ${problem}`);
}

/** Refuses a second occurrence of a key, naming where the first one was. */
function unique<T>(items: readonly T[], key: (t: T) => string, list: string, field: string, sourceName: string): Set<string> {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) fail(sourceName, [list, i, field], `duplicate "${k}" (first at ${list}[${first}])`);
    seen.set(k, i);
  });
  return new Set(seen.keys());
}

/**
 * Validates parsed JSON as reference data. Throws a ValidationError whose
 * one-line message names `sourceName`, the field path and the problem, e.g.
 * `reference.json: instruments[3].tickSize: must be > 0`. Refuses unknown
 * fields, duplicate venueIds / symbols / clientIds, instruments on unknown
 * venues, options whose underlying is not an equity in the file, and
 * allowedSymbols naming unknown instruments.
 */
export function validateReferenceData(json: unknown, sourceName: string): ReferenceData {
  const parsed = referenceSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError(describeIssue(parsed.error, json, sourceName));
  const d = parsed.data;

  const venueIds = unique(d.venues, (v) => v.venueId, 'venues', 'venueId', sourceName);
  const symbols = unique(d.instruments, (i) => i.symbol, 'instruments', 'symbol', sourceName);
  unique(d.clients, (c) => c.clientId, 'clients', 'clientId', sourceName);

  const equities = new Set(d.instruments.filter((i) => i.instrumentType === 'equity').map((i) => i.symbol));
  d.instruments.forEach((i, n) => {
    if (!venueIds.has(i.venue)) fail(sourceName, ['instruments', n, 'venue'], `unknown venue "${i.venue}"`);
    if (i.underlying !== undefined && !equities.has(i.underlying)) {
      fail(sourceName, ['instruments', n, 'underlying'], `"${i.underlying}" is not an equity in this file`);
    }
  });
  d.clients.forEach((c, n) => {
    c.allowedSymbols.forEach((s, k) => {
      if (s !== '*' && !symbols.has(s)) fail(sourceName, ['clients', n, 'allowedSymbols', k], `unknown symbol "${s}"`);
    });
  });

  return {
    venues: d.venues.map((v) => ({ venueId: v.venueId, name: v.name })),
    // The schemas are strict and name the events' fields, so a parsed entry is its event's body; absent optional
    // fields stay absent (zod adds no keys).
    instruments: d.instruments.map((i): InstrumentRef => {
      // Notional = quantity × price × multiplier: an option without one is a US equity option (100).
      const multiplier = i.multiplier ?? (i.instrumentType === 'option' ? DEFAULT_OPTION_MULTIPLIER : undefined);
      return multiplier !== undefined ? { ...i, multiplier } : { ...i };
    }),
    clients: d.clients.map((c): ClientRef => {
      // The FIX password is the acceptor's, never an event's.
      const { fixPassword: _fixPassword, ...out } = c;
      return { ...out, allowedSymbols: [...c.allowedSymbols] };
    }),
    ...(d.clients.some((c) => c.fixPassword !== undefined)
      ? { fixPasswords: Object.fromEntries(d.clients.flatMap((c) => (c.fixPassword !== undefined ? [[c.clientId, c.fixPassword]] : []))) }
      : {}),
  };
}

/**
 * Reads and validates a reference data file (default: the shipped
 * engine/oms/reference/default.json, see defaultReferencePath). Throws a
 * ValidationError with a one-line message naming the file for a missing or
 * unreadable file, bad JSON, or data that does not validate.
 */
export function loadReferenceData(path: string = defaultReferencePath()): ReferenceData {
  let text: string;
  try {
    text = readConfigText(path);
  } catch (err) {
    throw new ValidationError(`${path}: cannot read file (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`${path}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return validateReferenceData(json, path);
}

/** The static data events for a session: every VenueAdded, then InstrumentAdded, then ClientAdded, in file order. */
export function referenceEvents(data: ReferenceData): OrdoEvent[] {
  const out: OrdoEvent[] = [];
  for (const v of data.venues) out.push({ type: 'VenueAdded', venueId: v.venueId, name: v.name });
  for (const i of data.instruments) out.push({ type: 'InstrumentAdded', ...i });
  for (const c of data.clients) out.push({ type: 'ClientAdded', ...c, allowedSymbols: [...c.allowedSymbols] });
  return out;
}
