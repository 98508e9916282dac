import { STORAGE_UNAVAILABLE } from '../../../contract/api-errors.ts';
import type { CommandReply } from '../../bus/command-client.ts';
import type { CommandSink, ComponentLogic } from '../../component/logic.ts';
import type { CommandBody, Sequenced } from '../../protocol/events.ts';
import { VenueClient } from '../../venue/client.ts';
import type { VenueReply, VenueRequest } from '../../venue/protocol.ts';
import type { OmsProjection } from '../projection.ts';
import { GatewayLogic } from './gateway-logic.ts';
import type { RiskState } from '../exposure/risk-state.ts';
import { ProjectedComponent } from './projected.ts';
import { log } from '../../log.ts';
import type { BusSecurity } from '../../bus/security.ts';

export interface GatewayOptions {
  /** The venue's ROUTER endpoint. */
  readonly venueEndpoint: string;
  /** Called for venue traffic, to count it (tests, figures). */
  readonly onVenueRequest?: (req: VenueRequest) => void;
  /** Risk's projection shared in this process (applied by its owner); default: the gateway folds its own. */
  readonly risk?: RiskState;
  /** The host's (or `ordo component`'s) bus keys for the venue connection (decision 063). */
  readonly security?: BusSecurity;
}

/**
 * Exchange gateway: the OMS's only exit to venues. Only the active instance
 * holds a venue connection; a standby gateway applies events and stays
 * silent. What it sends and what venue replies become is GatewayLogic's.
 */
export class GatewayComponent extends ProjectedComponent implements ComponentLogic {
  readonly role = 'gateway';
  private client: VenueClient | undefined;
  private out: CommandSink | undefined;
  private readonly logic: GatewayLogic;

  constructor(
    private readonly opts: GatewayOptions,
    shared?: OmsProjection,
  ) {
    super(shared);
    this.logic = new GatewayLogic(this.projection, (req) => this.toVenue(req), opts.risk);
  }

  override apply(session: number, e: Sequenced): void {
    super.apply(session, e);
    this.logic.apply(e); // its own risk state, unless shared (then applied by its owner)
  }

  protected override ownRisk(): RiskState | undefined {
    return this.logic.ownRisk;
  }

  react(_session: number, e: Sequenced, out: CommandSink): void {
    this.logic.onEvent(e, out);
  }

  /** On taking over: connect to the venue and reconcile every order it should hold. */
  onActivate(out: CommandSink): void {
    this.out = out;
    this.client = new VenueClient({ endpoint: this.opts.venueEndpoint, security: this.opts.security, onError: (err) => log.error(`gateway: ${(err as Error).message ?? String(err)}`) });
    this.client.onBatch((msgs) => this.onVenueBatch(msgs));
    this.logic.onActivate(out);
  }

  /**
   * The venue started again and remembers no orders (the host's venue process, decision 279): ask it, as on
   * taking over, for every order it should hold; the answers re-drive or end each one (GatewayLogic.reconcile).
   */
  venueRestarted(): void {
    if (this.client && this.out) this.logic.onActivate(this.out);
  }

  async onDeactivate(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.out = undefined;
    await c?.close();
  }

  onRefused(_cseq: number, _body: CommandBody, reply: CommandReply): 'retry' | 'drop' {
    // Venue facts (fills, cancels) must reach the log: keep them while the session is closed or storage is out.
    return reply.code === 'SESSION_NOT_OPEN' || reply.code === STORAGE_UNAVAILABLE ? 'retry' : 'drop';
  }

  close(): Promise<void> {
    return this.onDeactivate();
  }

  private toVenue(req: VenueRequest): void {
    if (!this.client) return;
    this.opts.onVenueRequest?.(req);
    this.client.send(req);
  }

  private onVenueBatch(msgs: VenueReply[]): void {
    if (this.out) this.logic.onVenueBatch(msgs, this.out);
  }
}
