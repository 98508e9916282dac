import { fork, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Starts the engine host as a child process of Electron's main process and
 * waits for its ready line. Plain Node (no `electron` import), so tests run
 * it against a real host.
 */

/** How the child runs: a Node.js from PATH, or Electron's own binary acting as Node. */
export interface NodeRuntime {
  readonly command: string;
  readonly kind: 'node' | 'electron-as-node';
  /** Added to the child's environment. */
  readonly env: Readonly<Record<string, string>>;
}

/** First executable named `name` on a PATH-style list, if any. */
export function findOnPath(name: string, pathList: string | undefined, platform: NodeJS.Platform = process.platform): string | undefined {
  const names = platform === 'win32' ? [`${name}.exe`, `${name}.cmd`, name] : [name];
  for (const dir of (pathList ?? '').split(platform === 'win32' ? ';' : delimiter)) {
    if (!dir) continue;
    for (const n of names) {
      const candidate = join(dir, n);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * Picks the runtime for the host. `ORDO_HOST_RUNTIME=electron` forces
 * Electron's binary (for native modules rebuilt by `npx @electron/rebuild`);
 * otherwise `ORDO_NODE` wins; then `node` on PATH, which runs the native
 * modules (zeromq, better-sqlite3) exactly as `npm install` built them; last
 * Electron's binary with ELECTRON_RUN_AS_NODE=1, which needs them rebuilt.
 */
export function chooseRuntime(env: NodeJS.ProcessEnv, electronExecPath: string | undefined): NodeRuntime {
  const asElectron = electronExecPath ? ({ command: electronExecPath, kind: 'electron-as-node', env: { ELECTRON_RUN_AS_NODE: '1' } } as const) : undefined;
  if (env.ORDO_HOST_RUNTIME === 'electron') {
    if (asElectron) return asElectron;
    throw new Error('ORDO_HOST_RUNTIME=electron, but this is not Electron');
  }
  if (env.ORDO_NODE) return { command: env.ORDO_NODE, kind: 'node', env: {} };
  const node = findOnPath('node', env.PATH ?? env.Path);
  if (node) return { command: node, kind: 'node', env: {} };
  if (asElectron) return asElectron;
  throw new Error('no Node.js found on PATH (set ORDO_NODE to a node binary)');
}

export interface ReadyLine {
  /** The UI's URL, token included. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The WebSocket API (contract/wire.ts), token included. */
  readonly wsUrl: string;
}

const READY = /^ordo ready (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))$/;

/** Parses `ordo ready http://127.0.0.1:PORT/?token=TOKEN`; undefined for any other line. */
export function parseReadyLine(line: string): ReadyLine | undefined {
  const m = READY.exec(line.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  const token = m[3]!;
  return { url: m[1]!, port, token, wsUrl: `ws://127.0.0.1:${port}/ws?token=${token}` };
}

export interface HostExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface HostProcessOptions {
  /** The child's entry script: dist/electron/host-entry.js. */
  readonly entry: string;
  readonly dataDir: string;
  /** HTTP port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  readonly runtime: NodeRuntime;
  /** More `ordo host` options, e.g. ['--seed', '7']. */
  readonly args?: readonly string[];
  readonly readyTimeoutMs?: number;
  /** Every line the host prints except the ready line (for the app's log). */
  readonly onOutput?: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface HostProcess extends ReadyLine {
  readonly child: ChildProcess;
  /** Settles when the child has exited, for whatever reason. */
  readonly exited: Promise<HostExit>;
  /**
   * SIGTERM, then waits for the host to finish its clean stop (the log is
   * closed on a frame boundary). SIGKILL only after `timeoutMs`.
   */
  stop(timeoutMs?: number): Promise<HostExit>;
}

const STDERR_TAIL = 20;

/** Starts the host and resolves once it printed its ready line. */
export function startHostProcess(opts: HostProcessOptions): Promise<HostProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.runtime.env };
  if (opts.runtime.kind === 'node') delete env.ELECTRON_RUN_AS_NODE;
  const child = fork(opts.entry, ['--data-dir', opts.dataDir, '--port', String(opts.port ?? 0), ...(opts.args ?? [])], {
    execPath: opts.runtime.command,
    // Electron's own flags must not reach a plain Node.
    execArgv: [],
    env,
    // stdout for the ready line, stderr for the log, and an IPC channel whose
    // loss tells the host that the app died (see host-entry.ts).
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Own process group: a Ctrl-C in the terminal reaches the app, which
    // then stops the host once, in order.
    detached: process.platform !== 'win32',
  });
  const exited = new Promise<HostExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A child that never started emits 'error' and no 'exit'.
    child.once('error', () => {
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });
  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    tail.push(line);
    if (tail.length > STDERR_TAIL) tail.shift();
    opts.onOutput?.('stderr', line);
  });

  const stop = async (timeoutMs = 15_000): Promise<HostExit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const first = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (first !== 'late') return first;
    child.kill('SIGKILL');
    return exited;
  };

  return new Promise<HostProcess>((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      if (ready) return;
      reject(new Error(`the engine host printed no ready line within ${(opts.readyTimeoutMs ?? 30_000) / 1000}s${lastWords(tail)}`));
      void stop();
    }, opts.readyTimeoutMs ?? 30_000);
    child.once('error', (err) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`cannot start the engine host with ${opts.runtime.command}: ${err.message}`));
    });
    void exited.then((exit) => {
      if (ready) return;
      clearTimeout(timer);
      // Let the last stderr lines arrive before quoting them.
      setImmediate(() => reject(new Error(`the engine host exited (${describeExit(exit)}) before it was ready${lastWords(tail)}`)));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const r = ready ? undefined : parseReadyLine(line);
      if (!r) {
        opts.onOutput?.('stdout', line);
        return;
      }
      ready = true;
      clearTimeout(timer);
      resolve({ ...r, child, exited, stop });
    });
  });
}

export function describeExit(exit: HostExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code ?? 'unknown'}`;
}

function lastWords(tail: readonly string[]): string {
  const last = tail.filter((l) => l.trim() !== '').at(-1);
  return last ? `: ${last}` : '';
}
