import type { Result, StateView } from '../../contract/api.ts';
import { parseLimits, type Limits } from '../oms/exposure/limits.ts';
import type { RiskState } from '../oms/exposure/risk-state.ts';
import { positionViews, type PositionRow } from '../oms/positions/views.ts';
import type { OmsProjection } from '../oms/projection.ts';
import type { CommandBody } from '../protocol/events.ts';

/** Risk's figures and settings for the UI and scripts. */
export interface RiskOverview {
  firmHalt: { by: string; text: string; seq: number; ts: number } | null;
  clients: {
    clientId: string;
    limits: Limits;
    openNotional: number;
    executedNotional: number;
    halt: { by: string; text: string; seq: number; ts: number } | null;
  }[];
  restricted: { symbol: string; by: string; text: string; seq: number; ts: number }[];
  expired: string[];
}

export interface RiskAdminDeps {
  /** Sequences a host command (resolves once stored, or refused). */
  hostCommand(body: CommandBody): Promise<Result<null>>;
  /** Risk's projection as the host applies it. */
  readonly risk: RiskState;
  readonly projection: OmsProjection;
  /** The venue's live last trade, for marking positions between sequenced marks. */
  lastPrice?(symbol: string): number | undefined;
}

function fail(code: string, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

const WHO = /^[\w.@:-]{1,64}$/;

/**
 * The operator's risk controls, each a sequenced event naming who asked
 * (`by`; the sequencer stamps when): the kill switch (halt / resume a client
 * or the firm), limits, the restricted list; and the positions view.
 * Input is checked here and refused with one line naming the problem.
 */
export class RiskAdmin {
  constructor(private readonly d: RiskAdminDeps) {}

  private who(by: unknown): string | Result<never> {
    if (by === undefined) return 'api';
    if (typeof by !== 'string' || !WHO.test(by)) return fail('BAD_REQUEST', 'by: must be 1-64 letters, digits or _ . @ : -');
    return by;
  }

  private knownClient(clientId: string): Result<never> | undefined {
    return this.d.projection.client(clientId)?.info === undefined ? fail('NOT_FOUND', `unknown client "${clientId}"`) : undefined;
  }

  /** Kill switch: halts one client (or the firm with clientId undefined): live orders cancelled at the venue, new ones refused. */
  async halt(clientId: string | undefined, opts: { by?: unknown; reason?: unknown } = {}): Promise<Result<{ clientId: string | null }>> {
    if (clientId !== undefined) {
      const bad = this.knownClient(clientId);
      if (bad) return bad;
    }
    const by = this.who(opts.by);
    if (typeof by !== 'string') return by;
    if (opts.reason !== undefined && (typeof opts.reason !== 'string' || opts.reason.length > 200)) return fail('BAD_REQUEST', 'reason: must be a string of at most 200 characters');
    const r = await this.d.hostCommand({ type: 'TradingHalted', clientId: clientId ?? '', by, text: (opts.reason as string | undefined) ?? '' });
    return r.ok ? { ok: true, value: { clientId: clientId ?? null } } : r;
  }

  /** Lifts the halt of one client (or the firm-wide halt). */
  async resume(clientId: string | undefined, opts: { by?: unknown } = {}): Promise<Result<{ clientId: string | null }>> {
    if (clientId !== undefined) {
      const bad = this.knownClient(clientId);
      if (bad) return bad;
    }
    const by = this.who(opts.by);
    if (typeof by !== 'string') return by;
    const r = await this.d.hostCommand({ type: 'TradingResumed', clientId: clientId ?? '', by });
    return r.ok ? { ok: true, value: { clientId: clientId ?? null } } : r;
  }

  /** Changes some of a client's limits (the fields given); `body` is `{limits..., by?}`. */
  async setLimits(clientId: string, body: unknown): Promise<Result<{ clientId: string; limits: Limits }>> {
    const bad = this.knownClient(clientId);
    if (bad) return bad;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('BAD_REQUEST', 'body: must be an object of limits');
    const { by: rawBy, ...rest } = body as Record<string, unknown>;
    const by = this.who(rawBy);
    if (typeof by !== 'string') return by;
    const limits = parseLimits(rest, 'limits');
    if (typeof limits === 'string') return fail('BAD_REQUEST', limits);
    const r = await this.d.hostCommand({ type: 'LimitsChanged', clientId, by, ...limits });
    if (!r.ok) return r;
    return { ok: true, value: { clientId, limits: { ...(this.d.risk.client(clientId)?.limits ?? {}), ...limits } } };
  }

  /** Adds a symbol to the restricted list (`restricted` true) or removes it. */
  async setRestricted(symbol: string, restricted: boolean, opts: { by?: unknown; reason?: unknown } = {}): Promise<Result<{ symbol: string; restricted: boolean }>> {
    if (this.d.projection.instrument(symbol) === undefined) return fail('NOT_FOUND', `unknown instrument "${symbol}"`);
    const by = this.who(opts.by);
    if (typeof by !== 'string') return by;
    if (opts.reason !== undefined && (typeof opts.reason !== 'string' || opts.reason.length > 200)) return fail('BAD_REQUEST', 'reason: must be a string of at most 200 characters');
    const r = await this.d.hostCommand({ type: 'RestrictedListChanged', symbol, restricted, by, text: (opts.reason as string | undefined) ?? '' });
    return r.ok ? { ok: true, value: { symbol, restricted } } : r;
  }

  /**
   * Risk's figures in the live state view: clients' limits and open notional
   * as risk counts them (multiplier applied, runtime limit changes included).
   */
  decorate(v: StateView): void {
    for (const c of v.clients) {
      const r = this.d.risk.client(c.clientId);
      if (r === undefined) continue;
      c.openNotional = r.openNotional;
      if (r.limits.maxOrderNotional !== undefined) c.maxOrderNotional = r.limits.maxOrderNotional;
      if (r.limits.maxOpenNotional !== undefined) c.maxOpenNotional = r.limits.maxOpenNotional;
    }
  }

  /** Every position, marked at the venue's last trade where known, else at risk's sequenced mark. */
  positions(): PositionRow[] {
    return positionViews(this.d.risk, this.d.lastPrice);
  }

  overview(): RiskOverview {
    const rs = this.d.risk;
    return {
      firmHalt: rs.firmHalt ? { ...rs.firmHalt } : null,
      clients: rs.clients().map((c) => ({
        clientId: c.clientId,
        limits: { ...c.limits },
        openNotional: c.openNotional,
        executedNotional: c.executedNotional,
        halt: c.halt ? { ...c.halt } : null,
      })),
      restricted: [...rs.restrictedList()].map(([symbol, s]) => ({ symbol, ...s })),
      expired: [...rs.expiredSymbols()].sort(),
    };
  }
}
