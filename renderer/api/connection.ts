import type { OrdoApi } from '../../contract/api.ts';

/**
 * What the UI knows about its link to the host. `OrdoApi` itself has no
 * notion of a connection (in Electron the preload is always there), so the
 * clients here add one beside it.
 */
export type ConnectionStatus = 'connecting' | 'open' | 'disconnected';

export interface ConnectionInfo {
  status: ConnectionStatus;
  /** Failed attempts since the last successful open. */
  attempt: number;
  /** When `disconnected`: epoch ms of the next attempt. */
  retryAt?: number;
  /** The last close or error, for the tooltip. */
  detail?: string;
  /** 'ws' for the browser client, 'ipc' for Electron's preload. */
  transport: 'ws' | 'ipc';
}

export interface ConnectionSource {
  get(): ConnectionInfo;
  /** Called on every change; returns the unsubscribe function. */
  subscribe(listener: (info: ConnectionInfo) => void): () => void;
}

/** The typed API plus its connection state: what `connectApi` hands the UI. */
export interface ClientApi extends OrdoApi {
  readonly connection: ConnectionSource;
  /** Stops reconnecting and closes the transport. */
  close(): void;
}

/** A connection that is simply there: Electron's preload, tests. */
export function constantConnection(transport: 'ws' | 'ipc'): ConnectionSource {
  const info: ConnectionInfo = { status: 'open', attempt: 0, transport };
  return { get: () => info, subscribe: () => () => {} };
}
