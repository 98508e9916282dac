import { parseLimits, type Limits } from '../exposure/limits.ts';
import { ValidationError } from '../validation.ts';

/** A `--limits` file: limits per client (the fields given override) and symbols to restrict. */
export interface LimitsFile {
  clients: Record<string, Limits>;
  restricted: string[];
}

/** Validates a parsed `--limits` file; throws a ValidationError naming the file and field. */
export function parseLimitsFile(json: unknown, sourceName: string): LimitsFile {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ValidationError(`${sourceName}: must be an object {"clients": {...}, "restricted": [...]}`);
  const { clients = {}, restricted = [], ...rest } = json as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new ValidationError(`${sourceName}: ${extra}: unknown field (clients, restricted)`);
  if (typeof clients !== 'object' || clients === null || Array.isArray(clients)) throw new ValidationError(`${sourceName}: clients: must be an object of clientId → limits`);
  const out: LimitsFile = { clients: {}, restricted: [] };
  for (const [id, l] of Object.entries(clients as Record<string, unknown>)) {
    const parsed = parseLimits(l, `clients.${id}`);
    if (typeof parsed === 'string') throw new ValidationError(`${sourceName}: ${parsed}`);
    out.clients[id] = parsed;
  }
  if (!Array.isArray(restricted) || restricted.some((s) => typeof s !== 'string')) throw new ValidationError(`${sourceName}: restricted: must be a list of symbols`);
  out.restricted = restricted as string[];
  return out;
}
