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

function call<M extends ApiMethodName>(method: M, params: Parameters<ApiMethods[M]>): ReturnType<ApiMethods[M]> {
  const reply: Promise<Result<unknown>> = ipcRenderer.invoke(CH.call, method, params).catch(
    (err: unknown): Result<never> => ({ ok: false, error: { code: 'INTERNAL', message: `IPC failed: ${err instanceof Error ? err.message : String(err)}` } }),
  );
  return reply as ReturnType<ApiMethods[M]>;
}

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
  submitOrder: (order) => call('submitOrder', [order]),
  cancelOrder: (orderId) => call('cancelOrder', [orderId]),
  replaceOrder: (orderId, change) => call('replaceOrder', [orderId, change]),
  openSession: () => call('openSession', []),
  closeSession: () => call('closeSession', []),
  componentAction: (componentId, action) => call('componentAction', [componentId, action]),
  getState: (at) => call('getState', at === undefined ? [] : [at]),
  getEvents: (query) => call('getEvents', [query]),
  subscribe(listener) {
    listeners.add(listener);
    if (listeners.size === 1) {
      // Main asks the host again, and the host answers with a `reset` first.
      void ipcRenderer.invoke(CH.subscribe).catch((err: unknown) => console.error('ordo: subscribe failed', err));
    } else {
      // A later listener gets its own `reset` from a fresh read.
      void call('getState', []).then((r) => {
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
