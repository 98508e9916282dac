import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../../errors.ts';
import type { FixVenueConfig } from './link.ts';

const venueSchema = z.strictObject({
  venueId: z.string().regex(/^[A-Z0-9]{2,8}$/, 'must be 2-8 capital letters or digits (a venue of the reference data)'),
  host: z.string().min(1, 'must not be empty'),
  port: z.number().int().min(1).max(65535),
  beginString: z.enum(['FIX.4.2', 'FIX.4.4'], { error: 'must be FIX.4.2 or FIX.4.4' }),
  senderCompId: z.string().min(1, 'must not be empty'),
  targetCompId: z.string().min(1, 'must not be empty'),
  heartbeatSeconds: z.number().int().min(1).max(3600).optional(),
  password: z.string().min(1).optional(),
  reconnectSeconds: z.number().min(0.1).max(3600).optional(),
  reconcileTimeoutMs: z.number().int().min(0).max(600_000).optional(),
});

const fileSchema = z.strictObject({ venues: z.array(venueSchema) });

/**
 * Reads a FIX venues file: `{"venues": [{venueId, host, port, beginString,
 * senderCompId, targetCompId, ...}]}`. Orders routed to a venue listed here
 * leave over FIX; other venues stay on the in-process simulated venue.
 * Throws a UserError whose one line names the file, the field and the problem.
 */
export function loadFixVenues(path: string): FixVenueConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code ? `cannot read file (${code})` : `not valid JSON (${(err as Error).message.split('\n')[0]})`}`);
  }
  const r = fileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new UserError(`${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const seen = new Set<string>();
  for (const v of r.data.venues) {
    if (seen.has(v.venueId)) throw new UserError(`${path}: venue ${v.venueId} is listed twice`);
    seen.add(v.venueId);
  }
  return r.data.venues;
}
