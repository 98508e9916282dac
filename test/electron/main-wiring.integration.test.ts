import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Result, StateUpdate } from '../../contract/api.ts';
import { CSP } from '../../electron/csp.ts';

// electron/main.ts as built (dist/electron/main.js), with a stand-in for the
// `electron` module: Electron cannot run here, but main's wiring can. The
// engine host it starts is the real one, a real child process.

const fake = vi.hoisted(() => {
  // Plain objects only: vi.hoisted runs before the imports above.
  type Listener = (...args: unknown[]) => unknown;
  class Emitter {
    private readonly l = new Map<string, Listener[]>();
    on(event: string, fn: Listener) {
      this.l.set(event, [...(this.l.get(event) ?? []), fn]);
      return this;
    }
    once(event: string, fn: Listener) {
      const w: Listener = (...a) => {
        this.l.set(event, (this.l.get(event) ?? []).filter((x) => x !== w));
        return fn(...a);
      };
      return this.on(event, w);
    }
    emit(event: string, ...args: unknown[]) {
      for (const fn of this.l.get(event) ?? []) fn(...args);
    }
  }
  const state = {
    userData: '',
    quitted: false,
    errors: [] as { title: string; content: string }[],
    handlers: new Map<string, Listener>(),
    windows: [] as FakeWindow[],
    permissionRequest: undefined as Listener | undefined,
    permissionCheck: undefined as Listener | undefined,
    headers: undefined as Listener | undefined,
    sandboxed: false,
  };
  class FakeContents extends Emitter {
    readonly sent: [string, unknown][] = [];
    windowOpenHandler: Listener | undefined;
    readonly mainFrame = {};
    send(channel: string, payload: unknown) {
      this.sent.push([channel, payload]);
    }
    isDestroyed() {
      return false;
    }
    setWindowOpenHandler(fn: Listener) {
      this.windowOpenHandler = fn;
    }
  }
  class FakeWindow extends Emitter {
    readonly webContents = new FakeContents();
    loaded: string | undefined;
    focused = 0;
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      super();
      state.windows.push(this);
    }
    loadFile(file: string) {
      this.loaded = file;
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
    isMinimized() {
      return false;
    }
    restore() {}
    show() {}
    focus() {
      this.focused++;
    }
  }
  const app = new (class extends Emitter {
    requestSingleInstanceLock() {
      return true;
    }
    enableSandbox() {
      state.sandboxed = true;
    }
    whenReady() {
      return Promise.resolve();
    }
    getPath(name: string) {
      if (name !== 'userData') throw new Error(`unexpected getPath(${name})`);
      return state.userData;
    }
    quit() {
      const e = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
      this.emit('before-quit', e);
      if (!e.defaultPrevented) state.quitted = true;
    }
  })();
  const electron = {
    app,
    BrowserWindow: FakeWindow,
    dialog: { showErrorBox: (title: string, content: string) => state.errors.push({ title, content }) },
    ipcMain: { handle: (channel: string, fn: Listener) => state.handlers.set(channel, fn) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Listener) => (state.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Listener) => (state.permissionCheck = fn),
        webRequest: { onHeadersReceived: (fn: Listener) => (state.headers = fn) },
      },
    },
  };
  return { state, electron, FakeContents };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'dist', 'electron', 'main.js');
const PAGE = pathToFileURL(join(ROOT, 'dist', 'renderer', 'index.html')).href;
const logs: string[] = [];

async function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; log: ${logs.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function win() {
  const w = fake.state.windows[0];
  if (!w) throw new Error('no window');
  return w;
}

/** An IPC event from our window's top frame showing `url`. */
function event(url = PAGE, sender: unknown = win().webContents, parent: unknown = null) {
  return { sender, senderFrame: { url, parent } };
}

function invoke(channel: string, ev: unknown, ...args: unknown[]): Promise<Result<unknown>> {
  const h = fake.state.handlers.get(channel);
  if (!h) throw new Error(`no handler for ${channel}`);
  return Promise.resolve(h(ev, ...args) as Result<unknown>);
}

beforeAll(async () => {
  fake.state.userData = mkdtempSync(join(tmpdir(), 'ordo-main-'));
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
  await import(/* @vite-ignore */ pathToFileURL(MAIN).href);
  await waitFor(() => logs.some((l) => l.startsWith('ordo: engine host ready')), 'the engine host');
});

afterAll(async () => {
  if (!fake.state.quitted) {
    fake.electron.app.quit();
    await waitFor(() => fake.state.quitted, 'quit');
  }
  vi.restoreAllMocks();
  rmSync(fake.state.userData, { recursive: true, force: true });
});

describe('electron/main.ts, wired to a stand-in Electron and the real host', () => {
  it('opens one locked-down window on the built page with the CommonJS preload', () => {
    expect(fake.state.errors).toEqual([]);
    expect(fake.state.sandboxed).toBe(true);
    expect(fake.state.windows).toHaveLength(1);
    expect(win().options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(win().options.webPreferences.preload).toBe(join(ROOT, 'dist', 'electron', 'preload.cjs'));
    expect(win().loaded).toBe(join(ROOT, 'dist', 'renderer', 'index.html'));
    expect(logs.some((l) => l.includes('engine host ready') && l.includes('(node)'))).toBe(true);
  });

  it('forwards checked calls to the host and answers everything else with a refusal', async () => {
    const state = await invoke('ordo:call', event(), 'getState', []);
    expect(state.ok).toBe(true);
    expect(await invoke('ordo:call', event(), 'submitOrder', [{ clientId: 'ALPHA' }])).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    const forbidden = { ok: false, error: { code: 'FORBIDDEN' } };
    expect(await invoke('ordo:call', event('https://evil.example/'), 'getState', [])).toMatchObject(forbidden);
    expect(await invoke('ordo:call', event(pathToFileURL('/tmp/index.html').href), 'getState', [])).toMatchObject(forbidden);
    expect(await invoke('ordo:call', event(PAGE, new fake.FakeContents()), 'getState', [])).toMatchObject(forbidden);
    expect(await invoke('ordo:call', event(PAGE, win().webContents, {}), 'getState', [])).toMatchObject(forbidden);
    expect(await invoke('ordo:call', { sender: win().webContents, senderFrame: null }, 'getState', [])).toMatchObject(forbidden);
    expect(await invoke('ordo:subscribe', event('https://evil.example/'))).toMatchObject(forbidden);

    expect(await invoke('ordo:call', event(), 'subscribe', [])).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await invoke('ordo:call', event(), 'constructor', [])).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await invoke('ordo:call', event(), 'getState', [1, 2, 3])).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('sends pushes to a subscribed window, starting with a reset, and again after a resubscribe', async () => {
    const pushes = () => win().webContents.sent.filter(([c]) => c === 'ordo:push').map(([, p]) => p as StateUpdate);
    expect(await invoke('ordo:subscribe', event())).toEqual({ ok: true, value: null });
    await waitFor(() => pushes().some((p) => p.reset), 'a reset');
    const n = pushes().filter((p) => p.reset).length;
    expect(await invoke('ordo:subscribe', event())).toEqual({ ok: true, value: null });
    await waitFor(() => pushes().filter((p) => p.reset).length > n, 'a second reset');
    expect(win().webContents.sent.every(([c]) => c === 'ordo:push')).toBe(true);
  });

  it('blocks navigation, new windows and permissions, and sets the CSP header', () => {
    const contents = new fake.FakeContents();
    fake.electron.app.emit('web-contents-created', {}, contents);
    const nav = { prevented: false, preventDefault() { this.prevented = true; } };
    contents.emit('will-navigate', nav);
    expect(nav.prevented).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });

    let granted: unknown;
    fake.state.permissionRequest?.({}, 'media', (ok: boolean) => (granted = ok));
    expect(granted).toBe(false);
    expect(fake.state.permissionCheck?.({}, 'notifications')).toBe(false);

    let headers: unknown;
    fake.state.headers?.({ resourceType: 'mainFrame', responseHeaders: { 'X-A': ['1'] } }, (r: unknown) => (headers = r));
    expect(headers).toEqual({ responseHeaders: { 'X-A': ['1'], 'Content-Security-Policy': [CSP] } });
  });

  it('focuses the existing window when a second instance starts', () => {
    const before = win().focused;
    fake.electron.app.emit('second-instance');
    expect(win().focused).toBe(before + 1);
  });

  it('holds the quit until the host has stopped cleanly', async () => {
    fake.electron.app.quit();
    expect(fake.state.quitted).toBe(false);
    await waitFor(() => fake.state.quitted, 'the quit to go through');
    expect(logs).toContain('ordo: engine host stopped (code 0)');
    expect(logs).toContain('host: ordo: stopped cleanly');
    expect(fake.state.errors).toEqual([]);
    expect(await invoke('ordo:call', event(), 'getState', [])).toMatchObject({ ok: false });
  });
});
