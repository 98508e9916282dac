import type { ComponentLogic } from '../../component/logic.ts';
import type { OrdoEvent } from '../../protocol/events.ts';
import { reasonName } from '../../protocol/reasons.ts';
import { DEFAULT_RISK_CONFIG } from '../checks.ts';
import { RiskComponent } from '../components/risk.ts';
import { RouterComponent } from '../components/router.ts';

/** One decision as the log holds it or the replay makes it. */
export interface Decision {
  /** accepted | rejected (risk), routed | rejected (router), expired (risk's expiry), none (no decision). */
  decision: string;
  reason?: string;
  code?: number;
  text?: string;
  /** Risk: a market order's protection price (MarketOrderCollared). */
  protectionPrice?: number;
  /** Router: the venue the order was routed to. */
  venue?: string;
}

/** What a decision is about: an order, or (risk's expiry) an instrument. */
export interface Subject {
  readonly key: string;
  readonly orderId?: number;
  readonly symbol?: string;
}

/**
 * How the what-if machinery replays one component: a fresh instance of its
 * logic (fed the log, asked to react to every event), and the reading of
 * its decisions, which is the same for a logged event and for a command the
 * fresh instance sends (command bodies and events have one shape). Only
 * components whose decisions are functions of the log can be replayed.
 */
export interface ReplayableComponent {
  readonly role: string;
  /** A fresh instance with a projection of its own. */
  make(): ComponentLogic;
  /**
   * The decision `body` records, merged into `prev` (the decision so far on
   * the same subject; a collar comes before the accept), or undefined when
   * the body is not one of this component's decisions.
   */
  read(body: OrdoEvent, prev: Decision | undefined): { subject: Subject; decision: Decision } | undefined;
}

const order = (orderId: number): Subject => ({ key: `order:${orderId}`, orderId });

/** risk / validator: accept or reject (with a market order's protection price) every pending order; expire instruments. */
const risk: ReplayableComponent = {
  role: 'risk',
  make: () => new RiskComponent(DEFAULT_RISK_CONFIG),
  read(b, prev) {
    switch (b.type) {
      case 'OrderAccepted':
        return { subject: order(b.orderId), decision: { ...prev, decision: 'accepted' } };
      case 'OrderRejected':
        return { subject: order(b.orderId), decision: { ...prev, decision: 'rejected', reason: reasonName(b.reason), code: b.reason, text: b.text } };
      case 'MarketOrderCollared':
        return { subject: order(b.orderId), decision: { decision: prev?.decision ?? 'none', ...prev, protectionPrice: b.protectionPrice } };
      case 'InstrumentExpired':
        return { subject: { key: `instrument:${b.symbol}`, symbol: b.symbol }, decision: { decision: 'expired' } };
      default:
        return undefined;
    }
  },
};

/** router: route every accepted order to a venue, or refuse it (no venue). */
const router: ReplayableComponent = {
  role: 'router',
  make: () => new RouterComponent(),
  read(b) {
    if (b.type === 'OrderRouted') return { subject: order(b.orderId), decision: { decision: 'routed', venue: b.venue } };
    if (b.type === 'VenueRejected') return { subject: order(b.orderId), decision: { decision: 'rejected', reason: reasonName(b.reason), code: b.reason, text: b.text } };
    return undefined;
  },
};

/** Every component `ordo replay` can replay, by role. */
export const REPLAYABLE: ReadonlyMap<string, ReplayableComponent> = new Map([
  ['risk', risk],
  ['router', router],
]);

/**
 * Why the other roles cannot be replayed from the log alone (for the CLI's one-line refusal). Maps, not objects:
 * the role is the user's word ('constructor' printed Object's source; decision 296).
 */
export const NOT_REPLAYABLE: ReadonlyMap<string, string> = new Map([
  ['gateway', "the gateway's decisions are the venue's replies, which a replay cannot reproduce from the log"],
  ['proxy', "the client proxy's input is traders' orders from outside, not the log"],
  ['monitor', 'the monitor decides from heartbeats, which are not in the log'],
  ['fix', "the FIX acceptor's input is FIX sessions from outside, not the log"],
]);
