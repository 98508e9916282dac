import { Subscriber } from 'zeromq';
import { decodeHeartbeat, type Heartbeat } from '../component/heartbeat.ts';
import { bindAll, type BusSecurity } from '../bus/security.ts';
import { log } from '../log.ts';

export interface SeenComponent {
  readonly hb: Heartbeat;
  /** Local wall clock (ms) when the last heartbeat arrived. */
  readonly receivedMs: number;
}

/** Listens to every component's heartbeats (components connect to it). */
export class HeartbeatCollector {
  private readonly sub = new Subscriber();
  private readonly table = new Map<string, SeenComponent>();
  private closed = false;

  /** `security`: the host's bus keys (decision 063); none: plain binds. */
  constructor(private readonly security?: BusSecurity) {}

  async bind(...endpoints: string[]): Promise<void> {
    this.sub.linger = 0;
    await bindAll(this.sub, endpoints, this.security);
    this.sub.subscribe();
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      for await (const [msg] of this.sub) {
        const hb = msg ? decodeHeartbeat(msg.toString('utf8')) : undefined;
        if (hb) this.table.set(hb.id, { hb, receivedMs: Date.now() });
      }
    } catch (err) {
      if (!this.closed) log.error(`heartbeat collector stopped: ${(err as Error).message}`);
    }
  }

  /** Every component heard from, by id. */
  get components(): ReadonlyMap<string, SeenComponent> {
    return this.table;
  }

  close(): void {
    this.closed = true;
    this.sub.close();
  }
}
