import type { OrdoApi } from '../../contract/api.ts';

export type { EventPage, EventSearchQuery, NamedEventLine, OrderHistoryQuery, OrderHistoryView } from '../../contract/history.ts';

/** The history queries of the API (kept as a seam so panels depend on these two only). */
export type HistoryApi = Pick<OrdoApi, 'getOrderHistory' | 'searchEvents'>;

export function historyApi(api: OrdoApi): HistoryApi {
  return api;
}
