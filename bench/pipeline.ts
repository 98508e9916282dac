import type { CommandBody, OrdoEvent } from '../engine/protocol/events.ts';
import { commandFor } from './commands.ts';

/** Which role reacts to which event, as the OMS's components do (see commands.ts for the bodies). */
const NEXT_ROLE: Readonly<Record<string, number>> = { OrderPending: 1, OrderAccepted: 2, OrderRouted: 3 };

/**
 * The order flow the sequencer scenarios drive. The proxy (role 0) enters
 * order k; each other component reacts to the sequenced event before it:
 * risk accepts a pending order, the router routes an accepted one, the
 * gateway fills a routed one. Sending blind instead (all four roles round
 * robin) is not a valid flow: the sequencer reads the four components'
 * sockets in whatever order they arrive, so "accepted" can come before
 * "pending", the OMS policy refuses it, and its events never come.
 */
export class OrderPipeline {
  private nextOrder = 1;
  private created = 0;
  private completed = 0;
  private readonly cseq: number[];
  /** Order ids waiting for each role's reaction, with the time each fell due. */
  readonly waiting: { ids: number[]; due: number[] }[];

  constructor(roles: number) {
    this.cseq = new Array<number>(roles).fill(1);
    this.waiting = Array.from({ length: roles }, () => ({ ids: [], due: [] }));
  }

  /** The next new order's id. */
  newOrder(): number {
    this.created++;
    return this.nextOrder++;
  }

  /** Queues the reaction to one delivered event (ignores what no role reacts to); `due` is when it fell due. */
  react(e: OrdoEvent, due = 0): void {
    if (e.type === 'OrderExecuted') {
      this.completed++;
      return;
    }
    const role = NEXT_ROLE[e.type];
    if (role === undefined || !('orderId' in e)) return;
    const w = this.waiting[role]!;
    w.ids.push(e.orderId);
    w.due.push(due);
  }

  /** A role's command about order `id`, with that role's next command number. */
  command(role: number, id: number): { cseq: number; body: CommandBody } {
    return { cseq: this.cseq[role]!++, body: commandFor(role, id) };
  }

  /** Takes the reactions waiting for `role` (and their due times). */
  take(role: number): { ids: number[]; due: number[] } {
    const w = this.waiting[role]!;
    this.waiting[role] = { ids: [], due: [] };
    return w;
  }

  /** Every order entered so far has been filled. */
  get idle(): boolean {
    return this.completed === this.created;
  }
}
