import type { EventLine, OrdoApi, Result } from '../../contract/api.ts';

/** An event line with its reject reason named. */
export type NamedEventLine = EventLine & { reasonName?: string };

export interface OrderHistoryView {
  session: number;
  orderId: number;
  clientOrderIds: string[];
  events: NamedEventLine[];
}

export interface EventSearchQuery {
  session?: number;
  before?: number;
  limit?: number;
  orderId?: number;
  clientId?: string;
  type?: string;
  reason?: string;
}

export interface EventPage {
  events: NamedEventLine[];
  next?: number;
}

/** The host queries the history panels use (in the API method table). */
export interface HistoryApi {
  getOrderHistory(q: { orderId: number; session?: number }): Promise<Result<OrderHistoryView>>;
  searchEvents(q: EventSearchQuery): Promise<Result<EventPage>>;
}

/** The history queries of `api`, or an UNAVAILABLE answer from a host too old to have them. */
export function historyApi(api: OrdoApi): HistoryApi {
  const a = api as Partial<HistoryApi>;
  const missing = <T,>(): Promise<Result<T>> => Promise.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'this host does not serve order history' } });
  return {
    getOrderHistory: (q) => (a.getOrderHistory ? a.getOrderHistory(q) : missing()),
    searchEvents: (q) => (a.searchEvents ? a.searchEvents(q) : missing()),
  };
}
