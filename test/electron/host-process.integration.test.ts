import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiMethodName, StateUpdate } from '../../contract/api.ts';
import { HostClient } from '../../electron/host-client.ts';
import { chooseRuntime, findOnPath, startHostProcess, type HostProcess } from '../../electron/host-process.ts';

// The shell's host child, run the way electron/main.ts runs it, from the build.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = join(ROOT, 'dist', 'electron', 'host-entry.js');
const ORDO = join(ROOT, 'bin', 'ordo.mjs');

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ordo-shell-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function waitFor(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build first`);
});

describe('choosing how to run the host', () => {
  it('prefers ORDO_NODE, then node on PATH, then Electron as Node', () => {
    expect(chooseRuntime({ ORDO_NODE: '/x/node', PATH: process.env.PATH }, '/app/electron')).toEqual({ command: '/x/node', kind: 'node', env: {} });
    const onPath = chooseRuntime({ PATH: process.env.PATH }, '/app/electron');
    expect(onPath.kind).toBe('node');
    expect(onPath.command).toBe(findOnPath('node', process.env.PATH));
    expect(chooseRuntime({ PATH: '/nonexistent' }, '/app/electron')).toEqual({ command: '/app/electron', kind: 'electron-as-node', env: { ELECTRON_RUN_AS_NODE: '1' } });
    expect(() => chooseRuntime({ PATH: '' }, undefined)).toThrow(/ORDO_NODE/);
    // After `npx @electron/rebuild` the native modules load only in Electron.
    expect(chooseRuntime({ ORDO_HOST_RUNTIME: 'electron', ORDO_NODE: '/x/node', PATH: process.env.PATH }, '/app/electron').kind).toBe('electron-as-node');
    expect(() => chooseRuntime({ ORDO_HOST_RUNTIME: 'electron' }, undefined)).toThrow(/not Electron/);
  });
});

describe('the host child of the desktop shell', () => {
  async function start(dataDir = tempDir()): Promise<{ host: HostProcess; stderr: string[] }> {
    const stderr: string[] = [];
    const host = await startHostProcess({
      entry: ENTRY,
      dataDir,
      runtime: chooseRuntime(process.env, undefined),
      args: ['--venue-tick-ms', '50'],
      onOutput: (stream, line) => {
        if (stream === 'stderr') stderr.push(line);
      },
    });
    cleanup.push(() => host.stop());
    return { host, stderr };
  }

  it('starts off this process, serves the API over its WebSocket, and stops cleanly on SIGTERM', async () => {
    const { host, stderr } = await start();
    expect(host.child.pid).not.toBe(process.pid);
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);

    const pushes: StateUpdate[] = [];
    const client = new HostClient({ url: host.wsUrl, onPush: (u) => pushes.push(u) });
    cleanup.push(() => client.close());
    await client.connect();
    expect(client.connected).toBe(true);

    const state = await client.call('getState', []);
    expect(state.ok).toBe(true);
    if (state.ok) expect((state.value as { session: { state: string } }).session.state).toBe('open');

    // Errors are values: a bad order and an unknown method come back as Results.
    expect(await client.call('submitOrder', [{ clientId: 'ALPHA' }])).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await client.call('nope' as ApiMethodName, [])).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    client.subscribe();
    await waitFor(() => pushes.some((p) => p.reset !== undefined), 'a reset push');
    expect(pushes[0]?.reset?.session.state).toBe('open');
    // Subscribing again (a window reloaded) brings a fresh reset.
    const resets = pushes.filter((p) => p.reset).length;
    client.subscribe();
    await waitFor(() => pushes.filter((p) => p.reset).length > resets, 'a second reset');

    client.close();
    expect(await client.call('getState', [])).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    const exit = await host.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    await waitFor(() => stderr.includes('ordo: stopped cleanly'), 'the clean-stop line', 2000);
  });

  it('reports a host that fails to start with its own error line', async () => {
    const notADir = join(tempDir(), 'file');
    writeFileSync(notADir, 'x');
    await expect(
      startHostProcess({ entry: ENTRY, dataDir: notADir, runtime: chooseRuntime(process.env, undefined) }),
    ).rejects.toThrow(/exited \(code \d+\) before it was ready: .*not a directory/);
  });

  it('stops itself cleanly when the app dies without stopping it', async () => {
    const dir = tempDir();
    const log = join(tempDir(), 'host.err');
    // A stand-in for Electron's main: forks the entry as main does, then is SIGKILLed.
    const parentCode = `
      import { fork } from 'node:child_process';
      import { openSync } from 'node:fs';
      const c = fork(${JSON.stringify(ENTRY)}, ['--data-dir', ${JSON.stringify(dir)}, '--port', '0'], {
        execArgv: [], stdio: ['ignore', 'pipe', openSync(${JSON.stringify(log)}, 'w'), 'ipc'], detached: true,
      });
      c.stdout.on('data', (d) => process.stdout.write('child ' + c.pid + ' ' + d));
    `;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', parentCode], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(() => parent.kill('SIGKILL'));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: parent.stdout! }).on('line', (l) => {
        if (l.includes('ordo ready')) resolve(l);
      });
      parent.once('exit', () => reject(new Error('the stand-in parent exited early')));
    });
    const pid = Number(/^child (\d+) /.exec(line)?.[1]);
    cleanup.push(() => {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    });
    expect(alive(pid)).toBe(true);
    // An answer first: `ordo host` installs its signal handlers a moment after
    // its ready line (engine/cli/host-command.ts).
    const url = new URL(line.slice(line.indexOf('http')));
    const res = await fetch(new URL('/api/state', url), { headers: { authorization: `Bearer ${url.searchParams.get('token')}` } });
    expect(res.status).toBe(200);

    parent.kill('SIGKILL');
    await waitFor(() => !alive(pid), 'the orphaned host to stop');
    const err = readFileSync(log, 'utf8');
    expect(err).toContain('ordo: SIGTERM received, stopping');
    expect(err).toContain('ordo: stopped cleanly');
    const verify = spawnSync(process.execPath, [ORDO, 'verify', '--data-dir', dir], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
  });
});
