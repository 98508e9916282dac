/** Where each stream of one host lives. */
export interface BusEndpoints {
  /** DEALER (components) → ROUTER (sequencer): command batches, rejections back. */
  readonly commands: string;
  /** PUB (sequencer) → SUB: event frames. */
  readonly events: string;
  /** DEALER → ROUTER (replay service): ranges of stored frames. */
  readonly replay: string;
  /** PUB (components) → SUB (heartbeat monitor): heartbeats. */
  readonly heartbeats: string;
  /** PUB (host) → SUB (components): admin orders, topic = instance id. */
  readonly admin: string;
}

/** In-process endpoints, unique per `name` within a process. */
export function inprocEndpoints(name: string): BusEndpoints {
  return {
    commands: `inproc://${name}-commands`,
    events: `inproc://${name}-events`,
    replay: `inproc://${name}-replay`,
    heartbeats: `inproc://${name}-heartbeats`,
    admin: `inproc://${name}-admin`,
  };
}

/** Loopback TCP endpoints on five consecutive ports from `basePort`. */
export function tcpEndpoints(host: string, basePort: number): BusEndpoints {
  const at = (i: number) => `tcp://${host}:${basePort + i}`;
  return { commands: at(0), events: at(1), replay: at(2), heartbeats: at(3), admin: at(4) };
}

/**
 * With --bus-port P, the venue listens on P+5 (orders) and P+6 (market data). Here, not in the host's
 * module, so that `ordo component` (which only connects) does not load the whole host.
 */
export const VENUE_PORT_OFFSET = 5;
