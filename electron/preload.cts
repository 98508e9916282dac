// The preload of the app's window: exposes exactly `OrdoApi` as
// `window.ordo`, and nothing else (never ipcRenderer). Every call goes to main
// on one `ordo:` channel, where the sender frame and the method are checked.
//
// A sandboxed preload may `require` only a few modules (electron among them)
// and no files of its own, so this file stands alone and compiles to
// CommonJS (.cts → dist/electron/preload.cjs); its other imports are types.
import type { ApiMethodName, ApiMethods, OrdoApi, Result, StateUpdate } from '../contract/api.ts';
import type { CHANNEL } from './ipc-guard.ts';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS import form, as the sandbox requires
import electron = require('electron');

const { contextBridge, ipcRenderer } = electron;

// Typed against ipc-guard's constant, so the two cannot drift apart.
const CH: typeof CHANNEL = {
  call: 'ordo:call',
  subscribe: 'ordo:subscribe',
  unsubscribe: 'ordo:unsubscribe',
  push: 'ordo:push',
};

/**
 * The method names of contract/api-table.ts. The sandbox cannot load that
 * file, so the names are repeated here; `satisfies` makes a missing or
 * unknown name a compile error, never a silent gap.
 */
const METHOD_NAMES = {
  submitOrder: true,
  cancelOrder: true,
  replaceOrder: true,
  openSession: true,
  closeSession: true,
  rollSession: true,
  componentAction: true,
  getState: true,
  getEvents: true,
  restartComponent: true,
  addStandby: true,
  getOrderHistory: true,
  searchEvents: true,
  getSessions: true,
  getTimeline: true,
  getOrders: true,
  getOrderWindow: true,
  getFillWindow: true,
  cancelSelection: true,
  getFills: true,
  getPositions: true,
  getRisk: true,
  getFixSessions: true,
  haltClient: true,
  resumeClient: true,
  haltFirm: true,
  resumeFirm: true,
  setLimits: true,
  setRestricted: true,
} as const satisfies Record<ApiMethodName, true>;

function call(method: ApiMethodName, params: unknown[]): Promise<Result<unknown>> {
  // Trailing undefined params are left out (getState() and getState(undefined) are one call).
  let n = params.length;
  while (n > 0 && params[n - 1] === undefined) n--;
  return ipcRenderer.invoke(CH.call, method, params.slice(0, n)).catch(
    (err: unknown): Result<never> => ({ ok: false, error: { code: 'INTERNAL', message: `IPC failed: ${err instanceof Error ? err.message : String(err)}` } }),
  );
}

const methods = Object.fromEntries(
  (Object.keys(METHOD_NAMES) as ApiMethodName[]).map((name) => [name, (...params: unknown[]) => call(name, params)]),
) as unknown as ApiMethods;

const listeners = new Set<(update: StateUpdate) => void>();

ipcRenderer.on(CH.push, (_event, update: StateUpdate) => {
  for (const listener of listeners) {
    try {
      listener(update);
    } catch (err) {
      console.error('ordo: push listener failed', err);
    }
  }
});

const api = {
  ...methods,
  subscribe(listener) {
    listeners.add(listener);
    if (listeners.size === 1) {
      // Main asks the host again, and the host answers with a `reset` first.
      void ipcRenderer.invoke(CH.subscribe).catch((err: unknown) => console.error('ordo: subscribe failed', err));
    } else {
      // A later listener gets its own `reset` from a fresh read.
      void methods.getState().then((r) => {
        if (r.ok && listeners.has(listener)) listener({ reset: r.value });
      });
    }
    return () => {
      if (listeners.delete(listener) && listeners.size === 0) {
        void ipcRenderer.invoke(CH.unsubscribe).catch(() => {});
      }
    };
  },
} satisfies OrdoApi;

contextBridge.exposeInMainWorld('ordo', api);
