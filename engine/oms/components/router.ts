import type { CommandSink, ComponentLogic } from '../../component/logic.ts';
import type { Sequenced } from '../../protocol/events.ts';
import { Reason } from '../../protocol/reasons.ts';
import { ProjectedComponent } from './projected.ts';

/** Router: picks the venue for each accepted order (the instrument's primary venue). */
export class RouterComponent extends ProjectedComponent implements ComponentLogic {
  readonly role = 'router';

  react(_session: number, e: Sequenced, out: CommandSink): void {
    const ev = e.event;
    // A parked order (decision 075) is routed again once a session takes it: restored, or parked after its session
    // closed. Restored ones at SessionReady, after the whole opening: a cancel stored between sessions ends an order
    // there (decision 130), and the router never decides to route it (a what-if replay of the router agrees).
    if (ev.type === 'OrderAccepted' || ev.type === 'OrderParked') this.route(ev.orderId, out);
    else if (ev.type === 'SessionReady') for (const o of this.projection.orders()) if (o.stage === 'accepted') this.route(o.orderId, out);
  }

  onActivate(out: CommandSink): void {
    for (const o of this.projection.orders()) if (o.stage === 'accepted') this.route(o.orderId, out);
  }

  private route(orderId: number, out: CommandSink): void {
    const o = this.projection.order(orderId);
    if (!o || o.stage !== 'accepted') return;
    const inst = this.projection.instrument(o.symbol);
    const venue = inst?.venue;
    if (!venue || !this.projection.venues.has(venue)) {
      out.send({ type: 'VenueRejected', orderId, reason: Reason.VENUE_UNAVAILABLE, text: `no venue for ${o.symbol}` });
      return;
    }
    out.send({ type: 'OrderRouted', orderId, venue });
  }
}
