import { NOTIONAL_SCALE, type ClientInfo, type ReadonlyClient } from './projection-types.ts';

const NO_SYMBOLS: ReadonlySet<string> = new Set();

/** One client's state in the projection: static limits, open notional, clientOrderId index. */
export class ClientBook implements ReadonlyClient {
  info: ClientInfo | undefined = undefined;
  allowsAll = false;
  allowed: ReadonlySet<string> = NO_SYMBOLS;
  /** Σ of its orders' OrderTable.openUnits. */
  openUnits = 0;
  /**
   * clientOrderId → orderId of the first order that used it (rejected ones
   * included). Filled lazily (see OmsProjection.indexClientOrderIds): replay
   * never asks, so it never pays for it.
   */
  readonly clientOrderIds = new Map<string, number>();
  /** Its number in the session's OrderTable (OmsProjection.books; -1 until it has an order). */
  slot = -1;
  constructor(readonly clientId: string) {}

  get openNotional(): number {
    return this.openUnits / NOTIONAL_SCALE;
  }

  allows(symbol: string): boolean {
    return this.allowsAll || this.allowed.has(symbol);
  }

  setInfo(info: ClientInfo): void {
    this.info = info;
    this.allowsAll = info.allowedSymbols.includes('*');
    this.allowed = new Set(info.allowedSymbols);
  }
}
