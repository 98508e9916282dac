import type { LifecycleState } from '../../contract/domain.ts';

/** What every component publishes periodically on the heartbeat stream. */
export interface Heartbeat {
  id: string;
  role: string;
  state: LifecycleState;
  session: number;
  lastSeq: number;
  /** Wall clock of the sender, ms (heartbeats are not sequenced). */
  sentMs: number;
  pid: number;
}

export function encodeHeartbeat(hb: Heartbeat): string {
  return JSON.stringify(hb);
}

/** Parses a heartbeat, or undefined for anything that is not one. */
export function decodeHeartbeat(text: string): Heartbeat | undefined {
  try {
    const v = JSON.parse(text) as Partial<Heartbeat>;
    if (typeof v.id !== 'string' || typeof v.role !== 'string' || typeof v.state !== 'string') return undefined;
    if (typeof v.lastSeq !== 'number' || typeof v.session !== 'number') return undefined;
    return v as Heartbeat;
  } catch {
    return undefined;
  }
}
