import { useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import type { ApiError } from '../../contract/api.ts';
import { ORDER_TYPES, TIME_IN_FORCE } from '../../contract/domain.ts';
import type { OrderType, Side, TimeInForce } from '../../contract/domain.ts';
import { decimalsOf, formatPrice, formatQty, orderStateLabel, PARKED_HINT } from '../lib/format.ts';
import { loadPref, TICKET_SETTINGS_KEY, DEFAULT_TICKET_SETTINGS } from '../lib/settings.ts';
import { normalisePriceText, stepPrice, validateTicket } from '../lib/validation.ts';
import type { TicketInput } from '../lib/validation.ts';
import { selectReadOnly } from '../store/selectors.ts';
import { useConfirm } from './Confirm.tsx';
import { useApi, useOrdoState, useOrdoStore } from './context.tsx';
import { InstrumentPicker } from './InstrumentPicker.tsx';

const EMPTY: TicketInput = { symbol: '', clientId: '', side: 'buy', orderType: 'limit', quantity: '', price: '', timeInForce: 'day' };

type Submission =
  | { status: 'sending'; clientOrderId: string }
  | { status: 'sent'; clientOrderId: string; orderId: number; sessionId: number }
  | { status: 'error'; clientOrderId: string; error: ApiError };

let clientOrderSeq = 0;
/** Unique per window: time base36 plus a counter. */
function nextClientOrderId(): string {
  clientOrderSeq += 1;
  return `UI-${Date.now().toString(36).toUpperCase()}-${clientOrderSeq}`;
}

export function OrderTicket() {
  const api = useApi();
  const store = useOrdoStore();
  // Not the whole instruments table: quotes replace it at every flush, and the ticket (its inputs and menus)
  // must not render with every quote (decision 189). The picker's list changes only with the symbols.
  const symbolsKey = useOrdoState((s) => s.instruments.list.map((i) => i.symbol).join('\n'));
  const pickerList = useMemo(() => (symbolsKey === '' ? [] : store.getState().instruments.list), [store, symbolsKey]);
  const clients = useOrdoState((s) => s.clients);
  const readOnly = useOrdoState(selectReadOnly);
  const sessionOpen = useOrdoState((s) => s.session.state === 'open');
  const prefill = useOrdoState((s) => s.ticketPrefill);
  const connected = useOrdoState((s) => s.connection.status === 'open');
  const closedNote = useOrdoState((s) => s.session.state === 'closed' || s.session.state === 'none');
  const confirm = useConfirm();
  const [input, setInput] = useState<TicketInput>(EMPTY);
  const [touched, setTouched] = useState(false);
  const [submission, setSubmission] = useState<Submission | undefined>(undefined);
  // A sell beyond the long position is a short sale: risk wants a locate (borrowed shares) for it.
  const [locate, setLocate] = useState(false);
  const symbolRef = useRef<HTMLInputElement>(null);
  const qtyRef = useRef<HTMLInputElement>(null);

  // A refusal such as "session 1 is closed" is about that session: a new session makes it moot.
  const sessionId = useOrdoState((s) => s.session.id);
  useEffect(() => {
    setSubmission((sub) => (sub?.status === 'error' ? undefined : sub));
  }, [sessionId]);

  // The first client is the default: most desks trade for one account at a time.
  const firstClient = clients[0]?.clientId;
  useEffect(() => {
    if (input.clientId === '' && firstClient !== undefined) setInput((i) => ({ ...i, clientId: firstClient }));
  }, [firstClient, input.clientId]);

  useEffect(() => {
    if (!prefill) return;
    setInput((i) => ({
      ...i,
      symbol: prefill.symbol,
      side: prefill.side ?? i.side,
      price: prefill.price !== undefined ? String(prefill.price) : i.symbol === prefill.symbol ? i.price : '',
      orderType: prefill.price !== undefined ? 'limit' : i.orderType,
    }));
    qtyRef.current?.focus();
  }, [prefill]);

  // The chosen instrument only (a market order's notional uses its last price).
  const instrument = useOrdoState((s) => s.instruments.bySymbol.get(input.symbol));
  const client = clients.find((c) => c.clientId === input.clientId);
  const validation = validateTicket(input, instrument, client);
  const errors = touched && !validation.ok ? validation.errors : {};
  const decimals = instrument ? decimalsOf(instrument.tickSize) : 2;
  const disabled = readOnly;

  // F1 buy / F2 sell from anywhere on the screen: set the side and go to the quantity.
  useEffect(() => {
    if (readOnly) return;
    const onKey = (e: globalThis.KeyboardEvent): void => {
      if (e.key !== 'F1' && e.key !== 'F2') return;
      e.preventDefault();
      setInput((i) => ({ ...i, side: e.key === 'F1' ? 'buy' : 'sell' }));
      qtyRef.current?.focus();
      qtyRef.current?.select();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [readOnly]);

  const sideClass = input.side === 'buy' ? 'buy' : 'sell';
  const summary = validation.ok
    ? `${input.side.toUpperCase()} ${formatQty(validation.order.quantity)} ${input.symbol} ${
        input.orderType === 'market' ? 'MKT' : `@ ${formatPrice(validation.order.price, decimals)}`
      } ${input.timeInForce.toUpperCase()}`
    : input.side.toUpperCase();

  const set = <K extends keyof TicketInput>(k: K, v: TicketInput[K]): void => setInput((i) => ({ ...i, [k]: v }));

  const clear = (): void => {
    setLocate(false);
    setInput({ ...EMPTY, clientId: input.clientId, side: input.side });
    setTouched(false);
    setSubmission(undefined);
    symbolRef.current?.focus();
  };

  const submit = async (e?: FormEvent): Promise<void> => {
    e?.preventDefault();
    setTouched(true);
    if (disabled || !validation.ok) return;
    const limit = loadPref(TICKET_SETTINGS_KEY, DEFAULT_TICKET_SETTINGS).fatFingerNotional;
    if (limit > 0 && validation.notional > limit) {
      const ok = await confirm({
        title: 'Large order: confirm the notional',
        body: (
          <span data-testid="fat-finger-body">
            {summary} is a notional of <strong className="num">{formatQty(validation.notional)}</strong>, above your confirmation
            threshold of {formatQty(limit)} (change it in the help overlay, key ?).
          </span>
        ),
        okLabel: `Send ${formatQty(validation.notional)}`,
        danger: true,
      });
      if (!ok) {
        qtyRef.current?.focus();
        return;
      }
    }
    const clientOrderId = nextClientOrderId();
    const sessionId = store.getState().session.id;
    setSubmission({ status: 'sending', clientOrderId });
    const r = await api.submitOrder({ ...validation.order, clientOrderId, ...(validation.order.side === 'sell' && locate ? { locate: true } : {}) });
    setSubmission(
      r.ok ? { status: 'sent', clientOrderId, orderId: r.value.orderId, sessionId } : { status: 'error', clientOrderId, error: r.error },
    );
    setTouched(false);
    qtyRef.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>): void => {
    const target = e.target as HTMLElement;
    if (e.key === 'Escape') {
      e.preventDefault();
      clear();
    } else if (e.key === 'Enter' && target.tagName === 'SELECT') {
      // Selects swallow Enter; the ticket still sends on it.
      e.preventDefault();
      void submit();
    }
  };

  const priceKeys = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (!instrument || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    const ticks = (e.key === 'ArrowUp' ? 1 : -1) * (e.shiftKey ? 10 : 1);
    set('price', stepPrice(input.price, ticks, instrument.tickSize, instrument.last ?? instrument.referencePrice));
  };

  return (
    <form className={`ticket ticket-${sideClass}`} data-testid="ticket" onSubmit={(e) => void submit(e)} onKeyDown={onKeyDown} noValidate>
      <fieldset disabled={disabled} className="ticket-fields">
        <label className="field field-wide">
          <span className="label">Instrument</span>
          <InstrumentPicker
            ref={symbolRef}
            instruments={pickerList}
            value={input.symbol}
            onChange={(s) => set('symbol', s)}
            invalid={errors.symbol !== undefined}
          />
          <FieldError field="symbol" msg={errors.symbol} />
        </label>
        {instrument ? <Quote decimals={decimals} instrumentSymbol={instrument.symbol} /> : <div className="quote quote-empty dim">No instrument</div>}
        <label className="field field-wide">
          <span className="label">Client</span>
          <select
            className={`input ${errors.clientId ? 'invalid' : ''}`}
            data-testid="ticket-client"
            value={input.clientId}
            onChange={(e) => set('clientId', e.currentTarget.value)}
          >
            {clients.length === 0 ? <option value="">No clients</option> : null}
            {clients.map((c) => (
              <option key={c.clientId} value={c.clientId}>
                {c.clientId} — {c.name}
              </option>
            ))}
          </select>
          <FieldError field="clientId" msg={errors.clientId} />
        </label>
        <div className="field field-wide">
          <span className="label">Side</span>
          <div className="side-toggle" role="radiogroup" aria-label="Side">
            {(['buy', 'sell'] as const satisfies readonly Side[]).map((s) => (
              <button
                key={s}
                type="button"
                role="radio"
                aria-checked={input.side === s}
                className={`side-btn side-${s} ${input.side === s ? 'on' : ''}`}
                data-testid={`ticket-side-${s}`}
                onClick={() => set('side', s)}
              >
                {s.toUpperCase()}
              </button>
            ))}
          </div>
          {input.side === 'sell' ? (
            <label className="locate-flag" title="Short sale: the shares are located (borrowed). Without it risk refuses a sell beyond the long position.">
              <input type="checkbox" data-testid="ticket-locate" checked={locate} onChange={(e) => setLocate(e.currentTarget.checked)} /> Locate (short sale)
            </label>
          ) : null}
        </div>
        <label className="field">
          <span className="label">Quantity{instrument ? <span className="hint"> lot {formatQty(instrument.lotSize)}</span> : null}</span>
          <input
            ref={qtyRef}
            className={`input num ${errors.quantity ? 'invalid' : ''}`}
            data-testid="ticket-quantity"
            inputMode="numeric"
            autoComplete="off"
            placeholder="0"
            value={input.quantity}
            onChange={(e) => set('quantity', e.currentTarget.value)}
          />
          <FieldError field="quantity" msg={errors.quantity} />
        </label>
        <label className="field">
          <span className="label">Type</span>
          <select className="input" data-testid="ticket-type" value={input.orderType} onChange={(e) => set('orderType', e.currentTarget.value as OrderType)}>
            {ORDER_TYPES.map((t) => (
              <option key={t} value={t}>
                {t === 'limit' ? 'Limit' : 'Market'}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="label">Price{instrument ? <span className="hint"> tick {instrument.tickSize.toFixed(decimals)}</span> : null}</span>
          <input
            className={`input num ${errors.price ? 'invalid' : ''}`}
            data-testid="ticket-price"
            inputMode="decimal"
            autoComplete="off"
            placeholder={input.orderType === 'market' ? 'MARKET' : instrument ? formatPrice(instrument.last ?? instrument.referencePrice, decimals) : '0.00'}
            disabled={input.orderType === 'market'}
            value={input.orderType === 'market' ? '' : input.price}
            title="↑/↓ one tick, Shift+↑/↓ ten ticks"
            onKeyDown={priceKeys}
            onBlur={() => instrument && set('price', normalisePriceText(input.price, instrument.tickSize))}
            onChange={(e) => set('price', e.currentTarget.value)}
          />
          <FieldError field="price" msg={errors.price} />
        </label>
        <label className="field">
          <span className="label">Time in force</span>
          <select
            className="input"
            data-testid="ticket-tif"
            value={input.timeInForce}
            onChange={(e) => set('timeInForce', e.currentTarget.value as TimeInForce)}
          >
            {TIME_IN_FORCE.map((t) => (
              <option key={t} value={t}>
                {t.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
        {validation.warnings.map((w) => (
          <div key={w} className="ticket-warning field-wide" data-testid="ticket-warning">
            {w}
          </div>
        ))}
        <div className="ticket-actions field-wide">
          <button
            type="submit"
            className={`btn btn-submit btn-${sideClass}`}
            data-testid="ticket-submit"
            disabled={submission?.status === 'sending' || !connected}
            title={connected ? summary : 'Disconnected from the host: orders cannot be sent'}
          >
            {summary}
          </button>
          <button type="button" className="btn" data-testid="ticket-clear" onClick={clear} title="Esc">
            Clear
          </button>
        </div>
      </fieldset>
      {readOnly ? <div className="ticket-note">Time machine on: back to live to trade.</div> : null}
      {!readOnly && !sessionOpen ? (
        <div className="ticket-note dim" data-testid="ticket-session-note">
          {closedNote ? 'No session open: open one to trade.' : 'Session not open: orders will be refused.'}
        </div>
      ) : null}
      <SubmissionResult submission={submission} />
      <div className="ticket-keys dim">F1 buy · F2 sell · Enter send · Esc clear · ↑↓ tick · ? help</div>
    </form>
  );
}

function FieldError({ field, msg }: { field: string; msg: string | undefined }) {
  if (!msg) return null;
  return (
    <span className="field-error" data-testid={`ticket-error-${field}`}>
      {msg}
    </span>
  );
}

function Quote({ instrumentSymbol, decimals }: { instrumentSymbol: string; decimals: number }) {
  const i = useOrdoState((s) => s.instruments.bySymbol.get(instrumentSymbol));
  const prefill = useOrdoState((s) => s.prefillTicket);
  const stale = useOrdoState((s) => s.connection.status !== 'open');
  if (!i) return null;
  return (
    <div
      className={`quote field-wide ${stale ? 'quotes-stale' : ''}`}
      data-testid="ticket-quote"
      data-stale={stale}
      title={stale ? 'STALE: disconnected from the host, last quote received' : undefined}
    >
      <span className="quote-name" title={i.name}>
        {i.name}
      </span>
      <button type="button" className="quote-px sell" data-testid="ticket-bid" data-price={i.bid} tabIndex={-1} title="Sell at bid" disabled={i.bid === undefined} onClick={() => i.bid !== undefined && prefill({ symbol: i.symbol, side: 'sell', price: i.bid })}>
        <span className="k">BID</span> {formatPrice(i.bid, decimals) || '—'}
      </button>
      <span className="quote-px last" data-testid="ticket-last" data-price={i.last ?? i.referencePrice}>
        <span className="k">LAST</span> {formatPrice(i.last ?? i.referencePrice, decimals)}
      </span>
      <button type="button" className="quote-px buy" data-testid="ticket-ask" data-price={i.ask} tabIndex={-1} title="Buy at ask" disabled={i.ask === undefined} onClick={() => i.ask !== undefined && prefill({ symbol: i.symbol, side: 'buy', price: i.ask })}>
        <span className="k">ASK</span> {formatPrice(i.ask, decimals) || '—'}
      </button>
    </div>
  );
}

/** The answer to the last submit, then the order's state as the pushes move it on. */
function SubmissionResult({ submission }: { submission: Submission | undefined }) {
  const sent = submission?.status === 'sent' ? submission : undefined;
  // Order ids are per session: after the session changed, the id names another order.
  const order = useOrdoState((s) => (sent === undefined || s.session.id !== sent.sessionId ? undefined : s.orders.byId.get(sent.orderId)));
  if (!submission) {
    return (
      <div className="ticket-result empty dim" data-testid="ticket-result" data-status="none">
        No order sent from this ticket yet.
      </div>
    );
  }
  if (submission.status === 'sending') {
    return (
      <div className="ticket-result" data-testid="ticket-result" data-status="sending">
        <span className="badge state-pending">SENDING</span> <span className="dim">{submission.clientOrderId}</span>
      </div>
    );
  }
  if (submission.status === 'error') {
    return (
      <div className="ticket-result error" data-testid="ticket-result" data-status="error" data-code={submission.error.code}>
        <span className="badge state-rejected">{submission.error.code}</span>{' '}
        <span data-testid="ticket-result-message">{submission.error.message}</span>
      </div>
    );
  }
  return (
    <div className="ticket-result" data-testid="ticket-result" data-status="sent" data-state={order?.state} data-order-id={submission.orderId}>
      <span className="num" data-testid="ticket-result-order-id">
        #{submission.orderId}
      </span>{' '}
      {order ? (
        <span className={`badge state-${order.state}`} title={order.parked === true ? PARKED_HINT : undefined}>
          {orderStateLabel(order)}
        </span>
      ) : (
        <span className="badge state-cancelled" title="The host took the order; its state shows once the view has it">
          SENT
        </span>
      )}{' '}
      {order ? (
        <span className="num">
          {formatQty(order.filledQuantity)}/{formatQty(order.quantity)}
          {order.avgPrice > 0 ? ` @ ${order.avgPrice.toFixed(4).replace(/0{1,2}$/, '')}` : ''}
        </span>
      ) : null}
      {order?.rejectReason ? (
        <div className="reject" data-testid="ticket-result-message">
          {order.rejectReason}
        </div>
      ) : null}
    </div>
  );
}
