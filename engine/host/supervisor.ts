import type { BusEndpoints } from '../bus/endpoints.ts';
import type { ComponentLogic } from '../component/logic.ts';
import { ComponentRuntime, type RuntimeOptions } from '../component/runtime.ts';

/** Result of a supervision request; errors as values with a stable code. */
export type SuperviseResult = { ok: true; componentId: string } | { ok: false; code: string; message: string };

export interface SupervisorOptions {
  readonly endpoints: BusEndpoints;
  readonly heartbeatMs: number;
  /** The bus security the host's own components use (decision 050). */
  readonly security?: RuntimeOptions['security'];
  /**
   * A fresh logic for `role` with a projection of its own (a restarted or
   * added instance rewinds the log itself); undefined for a role this host
   * cannot run.
   */
  readonly make: (role: string, id: string) => ComponentLogic | undefined;
  /** Sequences ComponentStopped for a running instance before it is replaced, so its role is free. */
  readonly stopped: (role: string, id: string) => Promise<{ ok: boolean; message?: string }>;
  /** Called with every runtime that starts (the host re-points the API at a new client proxy). */
  readonly onStarted?: (rt: ComponentRuntime) => void;
  /** Ids heard on the bus, so a new standby's id is unique across processes too. */
  readonly knownIds: () => Iterable<string>;
}

/**
 * The host's supervisor of its in-process components. Restart stops an
 * instance (sequencing ComponentStopped if it was still running) and starts a
 * fresh one under the same id that rewinds the session from seq 1 on an event
 * stream of its own, learns its command numbering from the log, and rejoins
 * as standby; the host then gives it its role back if nobody holds it.
 * `addStandby` starts one more instance of a role the same way.
 */
export class Supervisor {
  private readonly byId = new Map<string, ComponentRuntime>();
  private readonly busy = new Set<string>();

  constructor(private readonly opts: SupervisorOptions) {}

  /** Takes a runtime the host started into supervision. */
  adopt(rt: ComponentRuntime): void {
    this.byId.set(rt.id, rt);
  }

  /** The current runtime of every supervised instance (restarted ones replace their predecessor). */
  get runtimes(): ComponentRuntime[] {
    return [...this.byId.values()];
  }

  get(id: string): ComponentRuntime | undefined {
    return this.byId.get(id);
  }

  /** Stops `id` if it runs, then starts it again; resolves once it has caught up with the log. */
  async restart(id: string): Promise<SuperviseResult> {
    const old = this.byId.get(id);
    if (!old) return { ok: false, code: 'NOT_SUPERVISED', message: `${id} does not run in this host; restart it where it runs` };
    if (this.busy.has(id)) return { ok: false, code: 'BUSY', message: `${id} is already restarting` };
    this.busy.add(id);
    try {
      if (old.lifecycle !== 'stopped') {
        const r = await this.opts.stopped(old.role, id);
        if (!r.ok) return { ok: false, code: 'UNAVAILABLE', message: `cannot stop ${id}: ${r.message ?? 'refused'}` };
        await old.stop();
      }
      return await this.launch(old.role, id);
    } finally {
      this.busy.delete(id);
    }
  }

  /** Starts a new standby instance of `role` with the next free id (`router-2`). */
  async addStandby(role: string): Promise<SuperviseResult> {
    return this.launch(role, this.nextId(role));
  }

  /** The next `role-N` not used by any supervised or heard-of instance. */
  nextId(role: string): string {
    let max = 0;
    const re = new RegExp(`^${role.replace(/[^\w-]/g, '')}-(\\d+)$`);
    for (const id of [...this.byId.keys(), ...this.opts.knownIds()]) {
      const m = re.exec(id);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return `${role}-${max + 1}`;
  }

  private async launch(role: string, id: string): Promise<SuperviseResult> {
    const logic = this.opts.make(role, id);
    if (!logic) return { ok: false, code: 'BAD_REQUEST', message: `unknown role '${role}'` };
    const rt = new ComponentRuntime({
      id,
      logic,
      endpoints: this.opts.endpoints,
      heartbeatMs: this.opts.heartbeatMs,
      ...(this.opts.security !== undefined ? { security: this.opts.security } : {}),
    });
    this.byId.set(id, rt);
    this.opts.onStarted?.(rt);
    await rt.start();
    return { ok: true, componentId: id };
  }

  /** Stops every supervised runtime. */
  async stopAll(): Promise<void> {
    for (const rt of this.byId.values()) await rt.stop();
  }
}
