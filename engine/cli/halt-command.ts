import { readFileSync } from 'node:fs';
import { readApiPort } from '../host/api-port-file.ts';
import { existingDataDir } from '../host/data-dir.ts';
import { UserError } from '../errors.ts';
import { intOption, parse, requireOption } from './args.ts';
import { writeOut } from './log-commands.ts';

/**
 * `ordo halt` / `ordo resume`: the kill switch from a terminal. Calls the
 * running host's API on 127.0.0.1 (its port from --port or the data dir) (POST /api/clients/C/halt, or /api/halt
 * firm-wide) with the token of its data dir, and prints the answer.
 */
export function haltCommand(action: 'halt' | 'resume') {
  return async (argv: string[]): Promise<number> => {
    const { values } = parse(action, argv, {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      client: { type: 'string' },
      by: { type: 'string' },
      reason: { type: 'string' },
    });
    const dir = existingDataDir(requireOption(action, 'data-dir', values['data-dir']));
    // The port from the data dir's running host, as `ordo session` finds it: the kill switch is the last command an
    // operator should have to look a port up for (decision 304).
    const port = intOption(action, 'port', values.port, 1, 65535) ?? readApiPort(dir.dir);
    if (port === undefined) throw new UserError(`no host is running for ${dir.dir} (start one with 'ordo host --data-dir ${dir.dir}', or give --port)`);
    let token: string;
    try {
      token = readFileSync(dir.token, 'utf8').trim();
    } catch {
      throw new UserError(`${dir.token}: cannot read the API token (is ${dir.dir} a host's data dir?)`);
    }
    const path = values.client !== undefined ? `/api/clients/${encodeURIComponent(values.client)}/${action}` : `/api/${action}`;
    const body: Record<string, string> = { by: values.by ?? `cli:${process.env.USER ?? 'operator'}` };
    if (values.reason !== undefined && action === 'halt') body.reason = values.reason;
    let res: Response;
    try {
      res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw new UserError(`no host answers on 127.0.0.1:${port} (${(err as Error).message})`);
    }
    const text = await res.text();
    if (!res.ok) {
      let msg = text;
      try {
        msg = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      } catch {
        // not JSON: print as is
      }
      throw new UserError(`${action} refused (${res.status}): ${msg}`);
    }
    await writeOut(`${values.client !== undefined ? `client ${values.client}` : 'firm-wide'}: ${action === 'halt' ? 'halted' : 'resumed'}\n`);
    return 0;
  };
}
