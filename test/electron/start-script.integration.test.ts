import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// `npm start` (scripts/start.mjs), run as a user runs it, in a temp cwd.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START = join(ROOT, 'scripts', 'start.mjs');

/** The same test start.mjs makes: is there a real Electron binary here? */
function electronInstalled(): boolean {
  const pkg = join(ROOT, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  return existsSync(pathFile) && existsSync(join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim()));
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ordo-start-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
  line(stream: 'stdout' | 'stderr', match: RegExp): Promise<string>;
}

function run(script: string, env: Record<string, string>, cwd: string): Run {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const k of Object.keys(childEnv)) if (k.startsWith('ORDO_') && !(k in env)) delete childEnv[k];
  const child = spawn(process.execPath, [script], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: [] as string[], stderr: [] as string[] };
  const waiters: { stream: 'stdout' | 'stderr'; match: RegExp; resolve: (l: string) => void }[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    createInterface({ input: child[stream]! }).on('line', (l) => {
      out[stream].push(l);
      for (const w of waiters.filter((x) => x.stream === stream && x.match.test(l))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    });
  }
  // 'close', not 'exit': every line of output is read by then.
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exit;
    }
  });
  return {
    child,
    ...out,
    exit,
    line: (stream, match) =>
      new Promise<string>((resolve, reject) => {
        const seen = out[stream].find((l) => match.test(l));
        if (seen) return resolve(seen);
        waiters.push({ stream, match, resolve });
        void exit.then((code) => reject(new Error(`start.mjs exited (${code}) before printing ${match}; stderr: ${out.stderr.join(' | ')}`)));
      }),
  };
}

/**
 * Waits until the host answers an API call. `ordo host` prints its ready line
 * a moment before it installs its signal handlers, so a signal sent on the
 * line alone can find it defenceless (engine/cli/host-command.ts); a reply
 * proves it is past that point.
 */
async function serving(readyLine: string): Promise<Response> {
  const url = new URL(readyLine.slice('ordo ready '.length));
  return fetch(new URL('/api/state', url), { headers: { authorization: `Bearer ${url.searchParams.get('token')}` } });
}

describe('npm start without Electron', () => {
  it.skipIf(electronInstalled())('says so in one line, then serves the UI and API in the browser', async () => {
    const cwd = tempDir();
    const r = run(START, { ORDO_DATA_DIR: join(cwd, 'data'), ORDO_PORT: '0' }, cwd);
    const ready = await r.line('stdout', /^ordo ready /);
    expect(r.stderr.filter((l) => l.includes('Electron'))).toEqual(['ordo: Electron is not installed here; serving the UI in your browser instead (open the URL below)']);
    expect(ready).toMatch(/^ordo ready http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+$/);
    expect(existsSync(join(cwd, 'data', 'ordo.db'))).toBe(true);
    expect((await serving(ready)).status).toBe(200);
    r.child.kill('SIGTERM');
    expect(await r.exit, r.stderr.join('\n')).toBe(0);
  });

  it('serves the UI and the API with the token, and stops cleanly with exit 0 on SIGTERM', async () => {
    const cwd = tempDir();
    const r = run(START, { ORDO_ELECTRON: '0', ORDO_DATA_DIR: join(cwd, 'data'), ORDO_PORT: '0' }, cwd);
    const ready = await r.line('stdout', /^ordo ready /);
    expect(r.stdout).toEqual([ready]);
    expect(r.stderr).toEqual(['ordo: ORDO_ELECTRON=0; serving the UI in your browser instead (open the URL below)']);
    const url = new URL(ready.slice('ordo ready '.length));
    const token = url.searchParams.get('token')!;

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const state = await fetch(new URL('/api/state', url), { headers: { authorization: `Bearer ${token}` } });
    expect(state.status).toBe(200);
    expect(((await state.json()) as { session: { state: string } }).session.state).toBe('open');
    expect((await fetch(new URL('/api/state', url))).status).toBe(401);

    r.child.kill('SIGTERM');
    expect(await r.exit, r.stderr.join('\n')).toBe(0);
    expect(r.stderr).toContain('ordo: stopped cleanly');
  });

  it('passes a Ctrl-C on as one SIGTERM, so the host still stops cleanly', async () => {
    const cwd = tempDir();
    const r = run(START, { ORDO_ELECTRON: '0', ORDO_DATA_DIR: join(cwd, 'data'), ORDO_PORT: '0' }, cwd);
    expect((await serving(await r.line('stdout', /^ordo ready /))).status).toBe(200);
    r.child.kill('SIGINT');
    r.child.kill('SIGINT');
    expect(await r.exit, r.stderr.join('\n')).toBe(0);
    expect(r.stderr).toContain('ordo: stopped cleanly');
  });

  it('takes ORDO_FIX_PORT as the desktop app does (round 19, outside: it was ignored without a word)', async () => {
    const cwd = tempDir();
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const fixPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const r = run(START, { ORDO_ELECTRON: '0', ORDO_DATA_DIR: join(cwd, 'data'), ORDO_PORT: '0', ORDO_BUS_PORT: 'off', ORDO_FIX_PORT: String(fixPort) }, cwd);
    expect((await serving(await r.line('stdout', /^ordo ready /))).status).toBe(200);
    expect(await r.line('stdout', /^ordo fix /)).toBe(`ordo fix 127.0.0.1:${fixPort}`);
    const accepted = await new Promise<boolean>((resolve) => {
      const c = connect(fixPort, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    expect(accepted).toBe(true);
    r.child.kill('SIGTERM');
    expect(await r.exit, r.stderr.join('\n')).toBe(0);
  });

  it('refuses a bad ORDO_FIX_PORT in one line', async () => {
    const cwd = tempDir();
    const r = run(START, { ORDO_ELECTRON: '0', ORDO_DATA_DIR: join(cwd, 'data'), ORDO_PORT: '0', ORDO_FIX_PORT: 'fix' }, cwd);
    expect(await r.exit).toBe(2);
    expect(r.stderr.at(-1)).toBe("ordo: ORDO_FIX_PORT must be a port number (0-65535), got 'fix'");
  });

  it('refuses a bad ORDO_PORT in one line', async () => {
    const cwd = tempDir();
    const r = run(START, { ORDO_ELECTRON: '0', ORDO_DATA_DIR: join(cwd, 'data'), ORDO_PORT: 'http' }, cwd);
    expect(await r.exit).toBe(2);
    expect(r.stderr.at(-1)).toBe("ordo: ORDO_PORT must be a port number (0-65535), got 'http'");
  });

  it('asks for npm install where nothing is built', async () => {
    const fake = tempDir();
    mkdirSync(join(fake, 'scripts'));
    cpSync(START, join(fake, 'scripts', 'start.mjs'));
    const r = run(join(fake, 'scripts', 'start.mjs'), {}, fake);
    expect(await r.exit).toBe(2);
    expect(r.stderr).toEqual(['ordo: not built yet; run `npm install` (or `npm run build`) first']);
  });
});
