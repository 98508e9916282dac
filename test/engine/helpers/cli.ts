import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ORDO_BIN = fileURLToPath(new URL('../../../bin/ordo.mjs', import.meta.url));

/** Runs `ordo ARGS` to completion (dist must be built), through `wrap` (a command and its arguments) if given. */
export function runOrdo(args: readonly string[], timeoutMs = 20_000, wrap: readonly string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const argv = [...wrap, process.execPath, ORDO_BIN, ...args];
    const p = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`ordo ${args.join(' ')} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface HostProcess {
  proc: ChildProcess;
  url: string;
  port: number;
  token: string;
  stderr: () => string;
  /** SIGTERM, then waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `ordo host` as its own process and waits for its ready line. */
export function startHostProcess(args: string[], timeoutMs = 20_000, env?: NodeJS.ProcessEnv): Promise<HostProcess> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [ORDO_BIN, 'host', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`ordo host not ready in ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    proc.stderr.on('data', (d: Buffer) => (err += d));
    proc.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /^ordo ready (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+))$/m.exec(out);
      if (!m) return;
      clearTimeout(t);
      resolve({
        proc,
        url: m[1]!,
        port: Number(m[2]),
        token: m[3]!,
        stderr: () => err,
        async stop(signal = 'SIGTERM') {
          proc.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(t);
      reject(new Error(`ordo host exited with ${code} before ready: ${err.trim()}`));
    });
  });
}
