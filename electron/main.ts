// Electron's main process: one window, one engine host child, one API client.
//
//   renderer ──(preload, IPC 'ordo:*')──▶ main ──(WebSocket, contract/wire.ts)──▶ host child
//
// The host runs as its own Node process (host-process.ts), never on this
// thread; main is the host's only API client in the app and checks every IPC
// message (sender frame, method) before passing it on.
import { app, BrowserWindow, dialog, ipcMain, session, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Result, StateUpdate } from '../contract/api.ts';
import { failure } from '../contract/wire-calls.ts';
import { withCsp } from './csp.ts';
import { fixHostArgs } from './fix-settings.ts';
import { HostClient } from './host-client.ts';
import { chooseRuntime, describeExit, startHostProcess, type HostProcess } from './host-process.ts';
import { CHANNEL, checkCall, isTrustedSender } from './ipc-guard.ts';

const here = import.meta.dirname; // dist/electron
const INDEX_HTML = join(here, '..', 'renderer', 'index.html');
const PAGE_URL = pathToFileURL(INDEX_HTML).href;
const PRELOAD = join(here, 'preload.cjs');
const HOST_ENTRY = join(here, 'host-entry.js');

let mainWindow: BrowserWindow | undefined;
let host: HostProcess | undefined;
let client: HostClient | undefined;
/** Settles once the host is up and connected (or failed to start). */
let connected: Promise<HostClient | undefined> = Promise.resolve(undefined);
const subscribers = new Set<WebContents>();
let quitting: 'no' | 'stopping' | 'done' = 'no';

/** Only our window's top frame, showing our own page, may use the API. */
function trusted(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return (
    frame !== null &&
    frame.parent === null &&
    mainWindow !== undefined &&
    !mainWindow.isDestroyed() &&
    event.sender === mainWindow.webContents &&
    isTrustedSender(frame.url, PAGE_URL)
  );
}

function broadcast(update: StateUpdate): void {
  for (const wc of subscribers) {
    if (wc.isDestroyed()) subscribers.delete(wc);
    else wc.send(CHANNEL.push, update);
  }
}

function registerIpc(): void {
  ipcMain.handle(CHANNEL.call, async (event, method: unknown, params: unknown): Promise<Result<unknown>> => {
    if (!trusted(event)) return failure('FORBIDDEN', 'this frame may not use the Ordo API');
    const checked = checkCall(method, params);
    if (!checked.ok) return { ok: false, error: checked.error };
    // Waits only while the host starts (bounded by its ready timeout); later
    // a lost connection answers UNAVAILABLE at once.
    const c = await connected;
    if (!c) return failure('UNAVAILABLE', 'the engine host is not running');
    return c.call(checked.method, checked.params);
  });
  ipcMain.handle(CHANNEL.subscribe, (event): Result<null> => {
    if (!trusted(event)) return failure('FORBIDDEN', 'this frame may not use the Ordo API');
    const wc = event.sender;
    if (!subscribers.has(wc)) {
      subscribers.add(wc);
      wc.once('destroyed', () => subscribers.delete(wc));
    }
    // Subscribing again makes the host send a fresh `reset` (to every
    // subscriber, which is harmless: it is the whole state).
    if (client?.connected) client.subscribe();
    return { ok: true, value: null };
  });
  ipcMain.handle(CHANNEL.unsubscribe, (event): Result<null> => {
    if (!trusted(event)) return failure('FORBIDDEN', 'this frame may not use the Ordo API');
    subscribers.delete(event.sender);
    return { ok: true, value: null };
  });
}

/** Rules for every web contents the app ever makes: no navigation, no new windows, no webviews. */
function harden(contents: WebContents): void {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // The header where webRequest reaches file:// (the page's own meta tag
  // applies in any case; a document enforces both policies).
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback(details.resourceType === 'mainFrame' || details.resourceType === 'subFrame' ? { responseHeaders: withCsp(details.responseHeaders) } : {});
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Ordo',
    show: false,
    backgroundColor: '#101418',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = undefined;
  });
  void win.loadFile(INDEX_HTML);
  return win;
}

function focusWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

async function startEngine(): Promise<HostClient> {
  const runtime = chooseRuntime(process.env, process.execPath);
  const started = await startHostProcess({
    entry: HOST_ENTRY,
    dataDir: join(app.getPath('userData'), 'data'),
    port: 0,
    args: fixHostArgs(app.getPath('userData'), process.env),
    runtime,
    onOutput: (stream, line) => (stream === 'stdout' ? console.log(`host: ${line}`) : console.error(`host: ${line}`)),
  }).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    const abi = /NODE_MODULE_VERSION|was compiled against a different/.test(message);
    const hint = !abi
      ? ''
      : runtime.kind === 'electron-as-node'
        ? '\n\nThe engine ran inside Electron, whose native-module ABI differs from the one npm built for. Install Node.js 20+ (or set ORDO_NODE), or run `npx @electron/rebuild`.'
        : '\n\nThe native modules were built for another runtime (after `npx @electron/rebuild`?). Start with ORDO_HOST_RUNTIME=electron, or run `npm rebuild`.';
    throw new Error(message + hint);
  });
  host = started;
  void started.exited.then((exit) => {
    if (quitting !== 'no') return;
    dialog.showErrorBox('Ordo: the engine stopped', `The engine host exited (${describeExit(exit)}). Ordo will close; your event log is kept in ${join(app.getPath('userData'), 'data')}.`);
    app.quit();
  });
  const c = new HostClient({ url: started.wsUrl, onPush: broadcast });
  await c.connect();
  client = c;
  if (subscribers.size > 0) c.subscribe();
  console.log(`ordo: engine host ready on port ${started.port} (${runtime.kind})`);
  return c;
}

/** Stops the host the clean way (SIGTERM, wait) before the app goes. */
async function stopEngine(): Promise<void> {
  await connected.catch(() => undefined);
  client?.close();
  client = undefined;
  if (host) {
    const exit = await host.stop();
    console.log(`ordo: engine host stopped (${describeExit(exit)})`);
    host = undefined;
  }
}

function main(): void {
  app.enableSandbox();
  app.on('second-instance', focusWindow);
  app.on('web-contents-created', (_e, contents) => harden(contents));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (e) => {
    if (quitting === 'done') return;
    e.preventDefault();
    if (quitting === 'stopping') return;
    quitting = 'stopping';
    void stopEngine()
      .catch((err: unknown) => console.error(`ordo: while stopping the engine: ${String(err)}`))
      .finally(() => {
        quitting = 'done';
        app.quit();
      });
  });
  // From a terminal (npm start): quit the same orderly way; a second signal
  // while stopping changes nothing.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  registerIpc();
  void app.whenReady().then(() => {
    hardenSession();
    const missing = [INDEX_HTML, PRELOAD, HOST_ENTRY].filter((f) => !existsSync(f));
    if (missing.length > 0) {
      dialog.showErrorBox('Ordo is not built', `Missing ${missing.join(', ')}. Run \`npm install\` (or \`npm run build\`) first.`);
      app.quit();
      return;
    }
    mainWindow = createWindow();
    const starting = startEngine();
    connected = starting.catch(() => undefined);
    starting.catch((err: unknown) => {
      dialog.showErrorBox('Ordo could not start its engine', err instanceof Error ? err.message : String(err));
      app.quit();
    });
  });
}

if (app.requestSingleInstanceLock()) main();
else app.quit();
