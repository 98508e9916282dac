import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The desktop app's FIX settings (issue 13): `settings.json` in the app's
 * user-data folder, e.g. `{"fix": {"port": 9878}}` (optionally `host`,
 * `tlsCert`, `tlsKey`, as `ordo host --fix-port/--fix-host/--fix-tls-cert/
 * --fix-tls-key`), or `ORDO_FIX_PORT` in the environment (wins over the file).
 * Turned into `ordo host` arguments; the host itself enforces the rules
 * (TLS beyond loopback, decision 104). A bad file is one line naming it.
 */
export interface FixSettings {
  port?: number;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** `ordo host` arguments for the FIX acceptor from the settings file and environment; [] when FIX is off. */
export function fixHostArgs(userDataDir: string, env: NodeJS.ProcessEnv): string[] {
  const file = join(userDataDir, 'settings.json');
  let fix: FixSettings = {};
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file}: not JSON (${(err as Error).message})`);
    }
    const f = (parsed as { fix?: unknown } | null)?.fix;
    if (f !== undefined) {
      if (typeof f !== 'object' || f === null) throw new Error(`${file}: "fix" must be an object`);
      fix = f as FixSettings;
      for (const k of ['host', 'tlsCert', 'tlsKey'] as const) {
        if (fix[k] !== undefined && typeof fix[k] !== 'string') throw new Error(`${file}: fix.${k} must be a string`);
      }
    }
  }
  const port = env['ORDO_FIX_PORT'] !== undefined && env['ORDO_FIX_PORT'] !== '' ? Number(env['ORDO_FIX_PORT']) : fix.port;
  if (port === undefined) return [];
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`FIX port must be an integer 0-65535, got ${String(env['ORDO_FIX_PORT'] ?? fix.port)}`);
  return [
    '--fix-port', String(port),
    ...(fix.host !== undefined ? ['--fix-host', fix.host] : []),
    ...(fix.tlsCert !== undefined ? ['--fix-tls-cert', fix.tlsCert] : []),
    ...(fix.tlsKey !== undefined ? ['--fix-tls-key', fix.tlsKey] : []),
  ];
}
