import { memo } from 'react';
import type { ClientView } from '../../contract/api.ts';
import { DEFAULT_FILL_FILTER, isDefaultFillFilter } from '../lib/fill-query.ts';
import type { FillFilter } from '../lib/fill-query.ts';

interface Props {
  filter: FillFilter;
  clients: readonly ClientView[];
  setFilter(patch: Partial<FillFilter>): void;
}

/**
 * The fills blotter's search box, client menu and filter chips, rendered only
 * when one of their inputs changes. Under a stream the blotter renders at every
 * flush, and React set the search box and every option of the client <select>
 * again each time (`updateInput`, `updateOptions`), as the orders blotter's
 * menus did before decision 163 (decision 189).
 */
export const FillFilterInputs = memo(function FillFilterInputs({ filter, clients, setFilter }: Props) {
  return (
    <>
      <input
        className="input input-sm search"
        data-testid="fills-search"
        placeholder="Search fills…"
        title="Free text: exec id, order id (#12), client, symbol, side"
        value={filter.text}
        onChange={(e) => setFilter({ text: e.currentTarget.value })}
        onKeyDown={(e) => e.key === 'Escape' && setFilter({ text: '' })}
      />
      <select className="input input-sm" data-testid="fills-filter-client" title="Client" value={filter.clientId} onChange={(e) => setFilter({ clientId: e.currentTarget.value })}>
        <option value="">All clients</option>
        {clients.map((c) => (
          <option key={c.clientId} value={c.clientId}>
            {c.clientId}
          </option>
        ))}
      </select>
      {filter.symbol !== '' ? (
        <button type="button" className="btn btn-xs chip" data-testid="fills-filter-symbol" title="Only this symbol: click to show all" onClick={() => setFilter({ symbol: '' })}>
          {filter.symbol} ✕
        </button>
      ) : null}
      {filter.side !== 'all' ? (
        <button type="button" className="btn btn-xs chip" data-testid="fills-filter-side" title="Only this side: click to show both" onClick={() => setFilter({ side: 'all' })}>
          {filter.side.toUpperCase()} ✕
        </button>
      ) : null}
      {!isDefaultFillFilter(filter) ? (
        <button type="button" className="btn btn-xs" data-testid="fills-filter-reset" title="Show every fill" onClick={() => setFilter(DEFAULT_FILL_FILTER)}>
          ✕
        </button>
      ) : null}
    </>
  );
});
