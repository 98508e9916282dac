import { useEffect, useRef, useState } from 'react';
import { formatInt } from '../lib/format.ts';
import { travelTo } from '../store/bind.ts';
import { useApi, useOrdoState, useOrdoStore } from './context.tsx';

/** Waits this long after the slider last moved before asking the host for the state. */
const SLIDER_SETTLE_MS = 120;

/**
 * The time machine's controls: a slider over the session's seqs and a seq
 * field. Choosing a seq shows the blotters as of it, read-only; LIVE goes back.
 */
export function TimeMachineControl() {
  const api = useApi();
  const store = useOrdoStore();
  const head = useOrdoState((s) => s.session.seq);
  const tm = useOrdoState((s) => s.timeMachine);
  const backToLive = useOrdoState((s) => s.backToLive);
  const current = tm.mode === 'asof' ? tm.seq : head;
  const [slider, setSlider] = useState<number | undefined>(undefined);
  const [text, setText] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const go = (seq: number): void => {
    clearTimeout(timer.current);
    setSlider(undefined);
    if (!Number.isFinite(seq) || head === 0) return;
    void travelTo(api, store, Math.min(head, Math.max(1, Math.round(seq))));
  };

  return (
    <div className={`tm ${tm.mode === 'asof' ? 'tm-on' : ''}`} data-testid="tm-control" data-mode={tm.mode}>
      <span className="k">TIME MACHINE</span>
      <input
        type="range"
        className="tm-slider"
        data-testid="tm-slider"
        min={head === 0 ? 0 : 1}
        max={head}
        step={1}
        disabled={head === 0}
        value={slider ?? current}
        onChange={(e) => {
          const v = Number(e.currentTarget.value);
          setSlider(v);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => go(v), SLIDER_SETTLE_MS);
        }}
      />
      <input
        className="tm-seq num"
        data-testid="tm-seq"
        placeholder={head === 0 ? 'seq' : formatInt(current)}
        value={text}
        inputMode="numeric"
        onChange={(e) => setText(e.currentTarget.value.replace(/[^\d]/g, ''))}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && text !== '') {
            go(Number(text));
            setText('');
          }
        }}
      />
      <button
        type="button"
        className="btn btn-sm"
        data-testid="tm-go"
        disabled={text === '' || head === 0}
        onClick={() => {
          go(Number(text));
          setText('');
        }}
      >
        Go
      </button>
      <button
        type="button"
        className={`btn btn-sm ${tm.mode === 'live' ? 'btn-live' : 'btn-warn'}`}
        data-testid="tm-live"
        disabled={tm.mode === 'live'}
        onClick={backToLive}
      >
        LIVE
      </button>
    </div>
  );
}

/** The unmissable strip shown while the blotters are the past. */
export function TimeMachineBanner() {
  const tm = useOrdoState((s) => s.timeMachine);
  const head = useOrdoState((s) => s.session.seq);
  const backToLive = useOrdoState((s) => s.backToLive);
  const api = useApi();
  const store = useOrdoStore();
  if (tm.mode !== 'asof') return null;
  const step = (d: number): void => {
    const seq = Math.min(head, Math.max(1, tm.seq + d));
    if (seq !== tm.seq) void travelTo(api, store, seq);
  };
  return (
    <div className="tm-banner" data-testid="tm-banner" data-seq={tm.seq} data-loading={tm.loading}>
      <button type="button" className="btn btn-sm" data-testid="tm-step-back" title="One event back" disabled={tm.seq <= 1} onClick={() => step(-1)}>
        ◀ 1
      </button>
      <button type="button" className="btn btn-sm" data-testid="tm-step-forward" title="One event forward" disabled={tm.seq >= head} onClick={() => step(1)}>
        1 ▶
      </button>
      <span className="tm-banner-title">
        AS OF SEQ <span data-testid="tm-banner-seq">{formatInt(tm.seq)}</span>
      </span>
      <span className="tm-banner-detail">
        of {formatInt(head)} · read-only view of the past, order entry and actions are off
        {tm.loading ? ' · loading…' : ''}
        {tm.error ? ` · ${tm.error}` : ''}
      </span>
      <button type="button" className="btn btn-sm btn-live" data-testid="tm-back-live" onClick={backToLive}>
        ← Back to live
      </button>
    </div>
  );
}
