import type { OrdoApi } from '../../contract/api.ts';
import { constantConnection } from './connection.ts';
import type { ClientApi } from './connection.ts';
import { wsUrlFromLocation } from './url.ts';
import { createWsApi } from './ws-client.ts';

declare global {
  interface Window {
    /** Exposed by Electron's preload (contextBridge); absent in a plain browser. */
    readonly ordo?: OrdoApi;
  }
}

/**
 * The API for this window: Electron's preload object when there is one,
 * otherwise a WebSocket client to the host that served the page, with the
 * token the host put in the page URL (`?token=`).
 */
export function connectApi(): ClientApi {
  const preload = window.ordo;
  if (preload) return fromPreload(preload);
  return createWsApi({ url: wsUrlFromLocation(window.location) });
}

function fromPreload(p: OrdoApi): ClientApi {
  // Methods are called through the object: contextBridge proxies must not be
  // destructured into unbound functions.
  return {
    submitOrder: (o) => p.submitOrder(o),
    cancelOrder: (id) => p.cancelOrder(id),
    replaceOrder: (id, c) => p.replaceOrder(id, c),
    openSession: () => p.openSession(),
    closeSession: () => p.closeSession(),
    rollSession: () => p.rollSession(),
    componentAction: (id, a) => p.componentAction(id, a),
    getState: (at) => p.getState(at),
    getEvents: (q) => p.getEvents(q),
    restartComponent: (id) => p.restartComponent(id),
    addStandby: (role) => p.addStandby(role),
    getOrderHistory: (q) => p.getOrderHistory(q),
    searchEvents: (q) => p.searchEvents(q),
    getSessions: () => p.getSessions(),
    getTimeline: (q) => p.getTimeline(q),
    getOrders: (q) => p.getOrders(q),
    getOrderWindow: (q) => p.getOrderWindow(q),
    getFillWindow: (q) => p.getFillWindow(q),
    cancelSelection: (s) => p.cancelSelection(s),
    getFills: (q) => p.getFills(q),
    getPositions: () => p.getPositions(),
    getRisk: () => p.getRisk(),
    getFixSessions: () => p.getFixSessions(),
    haltClient: (id, h) => p.haltClient(id, h),
    resumeClient: (id, h) => p.resumeClient(id, h),
    haltFirm: (h) => p.haltFirm(h),
    resumeFirm: (h) => p.resumeFirm(h),
    setLimits: (id, l) => p.setLimits(id, l),
    setRestricted: (s, r) => p.setRestricted(s, r),
    subscribe: (l) => p.subscribe(l),
    connection: constantConnection('ipc'),
    close: () => {},
  };
}
