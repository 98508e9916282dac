import type { OrdoEvent, Sequenced } from '../protocol/events.ts';
import { referenceEvents, type ReferenceData } from './reference.ts';

/**
 * Builds sequenced event lists by hand, as the sequencer would stamp them:
 * gap-free seqs from 1, timestamps a fixed step apart, and per-source command
 * seqs. For tests and benchmarks; no sockets, no clock.
 */
export class LogBuilder {
  readonly events: Sequenced[] = [];
  private seq = 0;
  private ts: number;
  private readonly cseqs = new Map<string, number>();

  /** `startTs` in µs since the epoch (default 2026-01-01T00:00:00Z); `stepUs` between events. */
  constructor(startTs = 1_767_225_600_000_000, private readonly stepUs = 1_000) {
    this.ts = startTs - stepUs;
  }

  /** Stamps and appends one event; `src` 'sequencer' gets cseq 0, any other source its next cseq. */
  add(event: OrdoEvent, src = 'sequencer'): Sequenced {
    let cseq = 0;
    if (src !== 'sequencer') {
      cseq = (this.cseqs.get(src) ?? 0) + 1;
      this.cseqs.set(src, cseq);
    }
    this.ts += this.stepUs;
    const e: Sequenced = { seq: ++this.seq, ts: this.ts, src, cseq, event };
    this.events.push(e);
    return e;
  }

  /** Appends several events from one source. */
  addAll(events: readonly OrdoEvent[], src = 'sequencer'): Sequenced[] {
    return events.map((e) => this.add(e, src));
  }

  /** SessionOpened, the reference data, any restore events, SessionReady. */
  openSession(opts: {
    sessionId?: number;
    previousSessionId?: number;
    orderIdBase?: number;
    reference?: ReferenceData;
    restore?: readonly OrdoEvent[];
  } = {}): this {
    this.add({
      type: 'SessionOpened',
      sessionId: opts.sessionId ?? 1,
      previousSessionId: opts.previousSessionId ?? 0,
      orderIdBase: opts.orderIdBase ?? 1,
    });
    if (opts.reference) this.addAll(referenceEvents(opts.reference));
    const restore = opts.restore ?? [];
    this.addAll(restore);
    this.add({ type: 'SessionReady', restoredOrders: restore.length });
    return this;
  }
}
