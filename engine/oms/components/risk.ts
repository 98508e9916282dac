import type { CommandSink, ComponentLogic } from '../../component/logic.ts';
import type { Sequenced } from '../../protocol/events.ts';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from '../checks.ts';
import { checkOrder } from '../risk.ts';
import { ProjectedComponent } from './projected.ts';
import type { OmsProjection } from '../projection.ts';

/** Risk / validator: answers every pending order with OrderAccepted or OrderRejected. */
export class RiskComponent extends ProjectedComponent implements ComponentLogic {
  readonly role = 'risk';

  constructor(
    private readonly config: RiskConfig = DEFAULT_RISK_CONFIG,
    shared?: OmsProjection,
  ) {
    super(shared);
  }

  react(_session: number, e: Sequenced, out: CommandSink): void {
    const ev = e.event;
    if (ev.type === 'OrderPending' || (ev.type === 'OrderRestored' && ev.state === 'pending')) this.decide(ev.orderId, out);
  }

  /** On taking over: decide every order still pending. */
  onActivate(out: CommandSink): void {
    for (const o of this.projection.orders()) if (o.stage === 'pending') this.decide(o.orderId, out);
  }

  private decide(orderId: number, out: CommandSink): void {
    const o = this.projection.order(orderId);
    if (!o || o.stage !== 'pending') return;
    const refusal = checkOrder(
      { orderId, clientId: o.clientId, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, orderType: o.type, timeInForce: o.timeInForce, quantity: o.quantity, price: o.price },
      this.projection,
      this.config,
    );
    if (refusal) out.send({ type: 'OrderRejected', orderId, reason: refusal.reason, text: refusal.text });
    else out.send({ type: 'OrderAccepted', orderId });
  }
}
