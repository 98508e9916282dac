/**
 * The FIX acceptor's implied New (decision 251), derived from the log the way a test expects it: an order the
 * venue acknowledged and filled in one frame has no OrderAcknowledged, and its client gets an ExecutionReport New
 * with ExecID `<session>.<seq of the first fill>.0` just before that fill's report. Feed every event line in log
 * order; `before` gives that extra ExecID for the line, if it owes one.
 */
export class ImpliedNews {
  private readonly unacked = new Set<number>();

  before(session: number, seq: number, ev: { type: string; orderId?: number }): string | undefined {
    if (ev.orderId === undefined) return undefined;
    if (ev.type === 'OrderRouted') {
      this.unacked.add(ev.orderId);
      return undefined;
    }
    if (ev.type === 'CancelRequested' || ev.type === 'ReplaceRequested') return undefined;
    const owed = ev.type === 'OrderExecuted' && this.unacked.has(ev.orderId);
    this.unacked.delete(ev.orderId);
    return owed ? `${session}.${seq}.0` : undefined;
  }
}
