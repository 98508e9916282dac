import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { readApiPort } from '../host/api-port-file.ts';
import { parse } from './args.ts';
import { UsageError } from './errors.ts';

// A Map, not an object: the action is the user's word, and 'constructor' or '__proto__' must be refused as unknown.
const ACTIONS: ReadonlyMap<string, (id: string) => { method: string; path: string }> = new Map([
  ['restart', (id: string) => ({ method: 'POST', path: `components/${encodeURIComponent(id)}/restart` })],
  ['standby', (role: string) => ({ method: 'POST', path: `roles/${encodeURIComponent(role)}/standby` })],
  ['activate', (id: string) => ({ method: 'POST', path: `components/${encodeURIComponent(id)}/activate` })],
  ['deactivate', (id: string) => ({ method: 'POST', path: `components/${encodeURIComponent(id)}/deactivate` })],
  ['shutdown', (id: string) => ({ method: 'POST', path: `components/${encodeURIComponent(id)}/shutdown` })],
]);

/**
 * `ordo admin ACTION ID (--url URL (--token T | --data-dir DIR) | --data-dir DIR)`: operator
 * actions on a running host through its HTTP API: restart a component (it
 * rewinds and rejoins), add a standby of a role, activate, deactivate, shut
 * down. Prints the host's one-line answer; exit 1 when the host refuses.
 */
export async function adminCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('admin', argv, { url: { type: 'string' }, token: { type: 'string' }, 'data-dir': { type: 'string' } }, 2);
  const [action, target] = positionals;
  const make = action === undefined ? undefined : ACTIONS.get(action);
  if (!make) throw new UsageError(`admin: ACTION must be one of ${[...ACTIONS.keys()].join(', ')}, got '${action ?? ''}'`);
  if (target === undefined || target === '') throw new UsageError(`admin: ${action} needs a ${action === 'standby' ? 'role' : 'component id'}`);
  const url = values.url ?? urlFrom(values['data-dir']);
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new UsageError(`admin: --url must be the host's URL such as http://127.0.0.1:7400, got '${url}'`);
  }
  const token = values.token ?? base.searchParams.get('token') ?? tokenFrom(values['data-dir']);
  const { method, path } = make(target);
  let res: Response;
  try {
    res = await fetch(new URL(`/api/${path}`, base.origin), { method, headers: { authorization: `Bearer ${token}` } });
  } catch (err) {
    throw new UserError(`admin: cannot reach the host at ${base.origin}: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => undefined)) as { componentId?: string; error?: { code: string; message: string } } | undefined;
  if (!res.ok) throw new UserError(`admin ${action} ${target}: ${body?.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${res.status}`}`);
  console.log(`${action} ${target}: ok${body?.componentId && body.componentId !== target ? ` (${body.componentId})` : ''}`);
  return 0;
}

/** The running host's URL from its data dir's port file (decision 304), as `ordo session` finds it. */
function urlFrom(dataDir: string | undefined): string {
  if (dataDir === undefined) throw new UsageError('admin: give --url, or --data-dir of the running host');
  const port = readApiPort(dataDir);
  if (port === undefined) throw new UserError(`admin: no host is running for ${dataDir} (or give --url)`);
  return `http://127.0.0.1:${port}`;
}

function tokenFrom(dataDir: string | undefined): string {
  if (dataDir === undefined) throw new UsageError('admin: give --token, a --url with ?token=, or --data-dir of the host');
  try {
    return readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
  } catch {
    throw new UserError(`admin: no API token in ${dataDir} (is it the host's --data-dir?)`);
  }
}
