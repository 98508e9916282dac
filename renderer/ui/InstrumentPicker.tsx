import { forwardRef, useEffect, useId, useState } from 'react';
import type { InstrumentView } from '../../contract/api.ts';
import { searchInstruments } from '../lib/search.ts';

interface Props {
  instruments: readonly InstrumentView[];
  /** The chosen symbol, '' for none. */
  value: string;
  onChange(symbol: string): void;
  disabled?: boolean;
  invalid?: boolean;
}

/**
 * A combobox: type to filter by symbol or name, arrows to move, Enter or
 * Tab to take the highlighted instrument, Esc to close the list. Typing an
 * exact symbol chooses it without the list.
 */
export const InstrumentPicker = forwardRef<HTMLInputElement, Props>(function InstrumentPicker(
  { instruments, value, onChange, disabled, invalid },
  ref,
) {
  const listId = useId();
  const [text, setText] = useState<string | undefined>(undefined);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  // The ticket cleared or prefilled the symbol (Esc, Clear, a click on a quote): drop what was typed,
  // or the next keystrokes would append to the old text ("CALL" + "AAPL").
  useEffect(() => {
    setText((t) => (t !== undefined && t !== value ? undefined : t));
  }, [value]);
  const shown = text ?? value;
  // Just focused: every instrument; typing: the matches for the text.
  const matches = open ? searchInstruments(instruments, text ?? '') : [];

  const choose = (i: InstrumentView | undefined): void => {
    if (i) onChange(i.symbol);
    setText(undefined);
    setOpen(false);
  };

  return (
    <div className="picker">
      <input
        ref={ref}
        className={`input num-left ${invalid ? 'invalid' : ''}`}
        data-testid="ticket-symbol"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        autoComplete="off"
        spellCheck={false}
        placeholder="Symbol or name"
        disabled={disabled}
        value={shown}
        onFocus={(e) => e.currentTarget.select()}
        onChange={(e) => {
          const t = e.currentTarget.value.toUpperCase();
          setText(t);
          setOpen(true);
          setActive(0);
          const exact = instruments.find((i) => i.symbol === t);
          onChange(exact ? exact.symbol : t);
        }}
        onBlur={() => {
          setOpen(false);
          setText(undefined);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            if (!open) setOpen(true);
            else setActive((a) => Math.min(a + 1, Math.max(0, matches.length - 1)));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(0, a - 1));
          } else if ((e.key === 'Enter' || e.key === 'Tab') && open && matches.length > 0) {
            // Enter takes the highlighted instrument instead of sending the order.
            if (e.key === 'Enter') {
              e.preventDefault();
              e.stopPropagation();
            }
            choose(matches[active]);
          } else if (e.key === 'Escape' && open) {
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      {open && matches.length > 0 ? (
        <ul className="picker-list" id={listId} role="listbox" data-testid="ticket-symbol-list">
          {matches.map((i, n) => (
            <li
              key={i.symbol}
              role="option"
              aria-selected={n === active}
              className={n === active ? 'active' : ''}
              data-testid={`ticket-symbol-option-${i.symbol}`}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(i);
              }}
              onMouseEnter={() => setActive(n)}
            >
              <span className="sym">{i.symbol}</span>
              <span className="name">{i.name}</span>
              <span className="meta">
                {i.instrumentType} · {i.venue}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
});
