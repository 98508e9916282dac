import type { SessionView } from '../../contract/api.ts';
import type { ConnectionInfo } from '../api/connection.ts';
import type { SliceCreator } from './types.ts';

export const NO_SESSION: SessionView = { id: 0, state: 'none', seq: 0, eventRate: 0 };

export interface SessionSlice {
  session: SessionView;
  connection: ConnectionInfo;
  /** How many `reset`s were applied: 0 until the first state arrives. */
  resets: number;
  setConnection(info: ConnectionInfo): void;
}

export const createSessionSlice: SliceCreator<SessionSlice> = (set) => ({
  session: NO_SESSION,
  connection: { status: 'connecting', attempt: 0, transport: 'ws' },
  resets: 0,
  setConnection: (info) => set({ connection: info }),
});
