import type { InstrumentView } from '../../contract/api.ts';
import { decimalsOf, formatPrice, formatQty } from '../lib/format.ts';
import { selectInstruments, selectReadOnly } from '../store/selectors.ts';
import { useOrdoState } from './context.tsx';
import { clipClass } from '../lib/text-fit.ts';
import { Panel } from './Panel.tsx';
import { gridStyle, SortHeader } from './SortHeader.tsx';
import type { Column } from './SortHeader.tsx';
import { VirtualList } from './VirtualList.tsx';

// Prices first: at 1366 px the static terms (tick, lot, currency) are what scrolls off, never bid/last/ask.
const COLUMNS: readonly Column[] = [
  { key: 'symbol', title: 'Symbol', width: 'minmax(118px, 1fr)' },
  { key: 'bid', title: 'Bid', width: '62px', align: 'right' },
  { key: 'last', title: 'Last', width: '62px', align: 'right' },
  { key: 'ask', title: 'Ask', width: '62px', align: 'right' },
  { key: 'ref', title: 'Ref', width: '62px', align: 'right' },
  { key: 'type', title: 'Type', width: '36px' },
  { key: 'venue', title: 'Venue', width: '46px' },
  { key: 'tick', title: 'Tick', width: '42px', align: 'right' },
  { key: 'lot', title: 'Lot', width: '40px', align: 'right' },
  { key: 'ccy', title: 'Ccy', width: '38px' },
];
const GRID = gridStyle(COLUMNS);
/** Each column's content width (its width, or its least for the growing one, less the padding): a cell clips only past it (decision 203). */
const FIT = Object.fromEntries(COLUMNS.map((c) => [c.key, Number(/(\d+)px/.exec(c.width)?.[1] ?? 0) - 10])) as Record<string, number>;

/** The name, plus the contract terms for an option. */
function describe(i: InstrumentView): string {
  if (i.instrumentType !== 'option') return i.name;
  return `${i.name} (${i.underlying ?? '?'} ${i.expiry ?? ''} ${i.strike ?? ''} ${i.putCall ?? ''})`.replace(/\s+\)/, ')');
}

/** Static data with the latest quote. A row picks the instrument for the ticket; bid sells, ask buys. */
export function InstrumentsPanel() {
  const instruments = useOrdoState(selectInstruments);
  const prefill = useOrdoState((s) => s.prefillTicket);
  const readOnly = useOrdoState(selectReadOnly);
  const stale = useOrdoState((s) => s.connection.status !== 'open' && s.resets > 0);
  const list = instruments.list;
  return (
    <Panel
      title="Instruments"
      testid="instruments-panel"
      tools={
        <>
          {stale ? (
            <span className="stale-tag" data-testid="quotes-stale" title="Disconnected: these are the last quotes received, not the market now">
              STALE
            </span>
          ) : null}
          <span className="count num">{list.length}</span>
        </>
      }
    >
      <div className={`table instruments-table ${stale ? 'quotes-stale' : ''}`} style={GRID}>
        <VirtualList
          testid="instruments-list"
          rowCount={list.length}
          header={<SortHeader columns={COLUMNS} testidPrefix="instruments-sort" />}
          empty="No instruments (no session)"
          renderRow={(n) => {
            const i = list[n];
            if (!i) return null;
            const d = decimalsOf(i.tickSize);
            return (
              <div
                key={i.symbol}
                className={`tr ${n % 2 === 1 ? 'odd' : ''} clickable`}
                data-testid={`instrument-row-${i.symbol}`}
                onClick={() => !readOnly && prefill({ symbol: i.symbol })}
                title={readOnly ? i.name : `${i.name} — click: put in the ticket`}
              >
                <span className={clipClass('td sym', i.symbol, FIT.symbol!)} title={describe(i)}>
                  {i.symbol}
                </span>
                <span
                  className={clipClass('td num px-bid', formatPrice(i.bid, d), FIT.bid!)}
                  data-testid={`instrument-bid-${i.symbol}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    if (!readOnly && i.bid !== undefined) prefill({ symbol: i.symbol, side: 'sell', price: i.bid });
                  }}
                >
                  {formatPrice(i.bid, d)}
                </span>
                <span className={clipClass('td num px-last', formatPrice(i.last, d), FIT.last!)} data-testid={`instrument-last-${i.symbol}`} title={`last ${formatPrice(i.last, d)}`}>
                  {formatPrice(i.last, d)}
                </span>
                <span
                  className={clipClass('td num px-ask', formatPrice(i.ask, d), FIT.ask!)}
                  data-testid={`instrument-ask-${i.symbol}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    if (!readOnly && i.ask !== undefined) prefill({ symbol: i.symbol, side: 'buy', price: i.ask });
                  }}
                >
                  {formatPrice(i.ask, d)}
                </span>
                <span className={clipClass('td num dim', formatPrice(i.referencePrice, d), FIT.ref!)}>{formatPrice(i.referencePrice, d)}</span>
                <span className={clipClass('td dim', i.instrumentType === 'option' ? 'OPT' : 'EQ', FIT.type!)}>{i.instrumentType === 'option' ? 'OPT' : 'EQ'}</span>
                <span className={clipClass('td dim', i.venue, FIT.venue!)}>{i.venue}</span>
                <span className={clipClass('td num dim', i.tickSize.toFixed(d), FIT.tick!)}>{i.tickSize.toFixed(d)}</span>
                <span className={clipClass('td num dim', formatQty(i.lotSize), FIT.lot!)}>{formatQty(i.lotSize)}</span>
                <span className={clipClass('td dim', i.currency, FIT.ccy!)}>{i.currency}</span>
              </div>
            );
          }}
        />
      </div>
    </Panel>
  );
}
