import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { readApiPort } from '../host/api-port-file.ts';
import { dataDirPaths } from '../host/data-dir.ts';
import { intOption, parse, requireOption } from './args.ts';
import { UsageError } from './errors.ts';

const ACTIONS: ReadonlySet<string> = new Set(['roll', 'close', 'open']);

/**
 * `ordo session roll|close|open --data-dir DIR [--port N]`: asks the running
 * host of DIR over its HTTP API (token from the data dir, port from the
 * file the host keeps there, or --port) and prints its answer as JSON.
 */
export async function sessionCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('session', argv, { 'data-dir': { type: 'string' }, port: { type: 'string' } }, 1);
  const action = positionals[0];
  if (action === undefined || !ACTIONS.has(action)) {
    throw new UsageError(`session: say what to do: roll, close or open${action === undefined ? '' : ` (got '${action}')`}`);
  }
  const dir = requireOption('session', 'data-dir', values['data-dir']);
  const port = intOption('session', 'port', values.port, 1, 65535) ?? readApiPort(dir);
  if (port === undefined) throw new UserError(`no host is running for ${dir} (start one with 'ordo host --data-dir ${dir}', or give --port)`);
  let token: string;
  try {
    token = readFileSync(dataDirPaths(dir).token, 'utf8').trim();
  } catch {
    throw new UserError(`no API token in ${dir}: is it an Ordo data dir?`);
  }
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${port}/api/session/${action}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new UserError(`no host answers on 127.0.0.1:${port} for ${dir} (is 'ordo host --data-dir ${dir}' running?)`);
  }
  const body = (await res.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
  if (!res.ok) throw new UserError(`session ${action} refused: ${body?.error ? `${body.error.message} (${body.error.code})` : `HTTP ${res.status}`}`);
  process.stdout.write(`${JSON.stringify(body)}\n`);
  return 0;
}
