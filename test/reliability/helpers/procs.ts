import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Processes for fault injection: the real `ordo` CLI (bin/ordo.mjs runs the
 * compiled dist/), spawned, killed with SIGKILL and restarted. Every process
 * and temp dir made here is registered and removed by `cleanupAll`.
 */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const ORDO = join(ROOT, 'bin', 'ordo.mjs');

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

/** Throws unless dist/ was built from the current engine sources (these tests run the CLI from dist/). */
export function requireFreshBuild(): void {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const src = join(dir, name);
      if (statSync(src).isDirectory()) walk(src);
      else if (name.endsWith('.ts')) {
        const out = join(ROOT, 'dist', relative(ROOT, src)).replace(/\.ts$/, '.js');
        if (!existsSync(out) || statSync(out).mtimeMs + 1 < statSync(src).mtimeMs) stale.push(relative(ROOT, src));
      }
    }
  };
  walk(join(ROOT, 'engine'));
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? '…' : ''}: run npm run build first`);
}

export function tempDir(prefix = 'ordo-rel-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(d);
  return d;
}

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or null) and signal once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout match of `re`; rejects if the process exits first or after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** SIGKILL (no cleanup of any kind in the process), then wait for it to be gone. */
  kill9(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `node bin/ordo.mjs ...args`. */
export function spawnOrdo(args: readonly string[], ownGroup = false): Proc {
  return spawnNode(ORDO, args, false, ownGroup);
}

/** Spawns `node script ...args` (stdin a pipe when `stdin` is set: write to `child.stdin`). */
export function spawnNode(script: string, args: readonly string[], stdin = false, ownGroup = false): Proc {
  // ownGroup: the process leads a process group of its own, as a service manager starts it (signal it with kill(-pid)).
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: ownGroup });
  children.add(child);
  let out = '';
  let err = '';
  const watchers: (() => void)[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of watchers) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      for (const w of watchers) w();
      resolve({ code, signal });
    }),
  );
  const proc: Proc = {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out after ${ms} ms waiting for ${re} from ${args[0]}; stderr: ${err.trim()}`)), ms);
        const check = () => {
          const m = re.exec(out);
          if (m) return done(undefined, m);
          if (child.exitCode !== null || child.signalCode !== null) done(new Error(`${args[0]} exited (${child.exitCode ?? child.signalCode}) before ${re}; stderr: ${err.trim()}`));
        };
        const done = (e?: Error, m?: RegExpMatchArray) => {
          clearTimeout(timer);
          const i = watchers.indexOf(check);
          if (i >= 0) watchers.splice(i, 1);
          if (e) reject(e);
          else resolve(m!);
        };
        watchers.push(check);
        check();
      });
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  return proc;
}

/** Runs an ordo command to completion: exit code, stdout, stderr (one helper for every test folder). */
export { runOrdo } from '../../engine/helpers/cli.ts';

export interface HostProc extends Proc {
  readonly port: number;
  readonly token: string;
  readonly base: string;
}

export interface HostArgs {
  readonly dataDir: string;
  readonly busPort?: number;
  readonly staleMs?: number;
  /** Default 0: the market maker does not move, so the log goes quiet when the API does. */
  readonly venueTickMs?: number;
  readonly extra?: readonly string[];
  /** The host leads a process group of its own (a service's stop signals the group: `process.kill(-pid)`). */
  readonly ownGroup?: boolean;
}

/** Starts `ordo host` and waits for its ready line. */
export async function startHostProc(a: HostArgs): Promise<HostProc> {
  const args = ['host', '--data-dir', a.dataDir, '--port', '0', '--venue-tick-ms', String(a.venueTickMs ?? 0)];
  if (a.busPort !== undefined) args.push('--bus-port', String(a.busPort));
  if (a.staleMs !== undefined) args.push('--stale-ms', String(a.staleMs));
  args.push(...(a.extra ?? []));
  const p = spawnOrdo(args, a.ownGroup);
  try {
    const m = await p.waitFor(/^ordo ready http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)$/m);
    const port = Number(m[1]);
    return { ...p, port, token: m[2]!, base: `http://127.0.0.1:${port}` };
  } catch (err) {
    await p.kill9();
    throw err;
  }
}

/** A run of free consecutive ports (the bench's, one probe for both). */
export { freePortRun } from '../../../bench/util.ts';

/** Kills (SIGKILL) every process these helpers started that is still running and removes the temp dirs. */
export async function cleanupAll(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      waits.push(new Promise((r) => c.once('exit', r)));
      c.kill('SIGKILL');
    }
  }
  await Promise.all(waits);
  children.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` until it holds or `ms` pass. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 15_000, every = 20): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

/** The process ids of `pid`'s children (Linux). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
    if (text) out.push(...text.split(/\s+/).map(Number));
  }
  return out;
}
