import { useEffect, useRef, useState } from 'react';
import type { SessionSummary } from '../../contract/history.ts';
import { formatInt } from '../lib/format.ts';
import { stepSeconds, travelTo } from '../store/bind.ts';
import { formatTime } from '../lib/format.ts';
import { TimeAxis } from './TimeAxis.tsx';
import { useApi, useOrdoState, useOrdoStore } from './context.tsx';

/**
 * The time machine's controls: the session picker, a time axis with the
 * session's event density (click a time), and a seq field. Choosing a point
 * shows the blotters as of it, read-only; LIVE goes back.
 */
export function TimeMachineControl() {
  const api = useApi();
  const store = useOrdoStore();
  const liveHead = useOrdoState((s) => s.session.seq);
  const liveId = useOrdoState((s) => s.session.id);
  const tm = useOrdoState((s) => s.timeMachine);
  const backToLiveRaw = useOrdoState((s) => s.backToLive);
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [picked, setPicked] = useState<number | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void api.getSessions().then((r) => live && r.ok && setSessions(r.value));
    return () => {
      live = false;
    };
  }, [api, liveId]);
  const session = picked ?? liveId;
  const past = session !== liveId ? sessions.find((x) => x.id === session) : undefined;
  const head = past ? past.lastSeq : liveHead;
  const current = tm.mode === 'asof' ? tm.seq : head;
  const backToLive = (): void => {
    setPicked(undefined);
    backToLiveRaw();
  };
  const [text, setText] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const go = (seq: number): void => {
    clearTimeout(timer.current);
    if (!Number.isFinite(seq) || head === 0) return;
    void travelTo(api, store, Math.min(head, Math.max(1, Math.round(seq))), session);
  };

  return (
    <div className={`tm ${tm.mode === 'asof' ? 'tm-on' : ''}`} data-testid="tm-control" data-mode={tm.mode} title="Time machine: the OMS as of any seq">
      <span className="k">TIME MACHINE</span>
      <select
        className="input input-sm tm-session"
        data-testid="tm-session"
        title="Session to look at (earlier sessions are read-only)"
        value={session}
        onChange={(e) => {
          const id = Number(e.currentTarget.value);
          if (id === liveId) {
            backToLive();
            return;
          }
          const target = sessions.find((x) => x.id === id);
          setPicked(id);
          if (target && target.lastSeq > 0) void travelTo(api, store, target.lastSeq, id);
        }}
      >
        {(sessions.length === 0 ? [{ id: liveId, state: 'open' as const, openedTs: 0, lastSeq: liveHead }] : sessions).map((x) => (
          <option key={x.id} value={x.id}>
            #{x.id} {x.id === liveId ? 'live' : x.state}
          </option>
        ))}
      </select>
      <TimeAxis
        session={session}
        head={head}
        live={past === undefined}
        current={current}
        currentTs={tm.mode === 'asof' ? (tm.atTs ?? tm.view?.ts) : undefined}
        width={typeof window !== 'undefined' && window.innerWidth >= 1600 ? 240 : 120}
        disabled={head === 0}
        onPick={(seq, ts) => {
          clearTimeout(timer.current);
          void travelTo(api, store, seq, session, ts);
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

const TZ = new Date().getTimezoneOffset();

/** The unmissable strip shown while the blotters are the past: step by event or by second, the time and seq shown. */
export function TimeMachineBanner() {
  const tm = useOrdoState((s) => s.timeMachine);
  const liveHead = useOrdoState((s) => s.session.seq);
  const liveId = useOrdoState((s) => s.session.id);
  const backToLive = useOrdoState((s) => s.backToLive);
  const api = useApi();
  const store = useOrdoStore();
  if (tm.mode !== 'asof') return null;
  const ts = tm.atTs ?? tm.view?.ts;
  const viewed = tm.view?.session;
  const inPast = viewed !== undefined && viewed.id !== liveId;
  // A past session's end is the host's to know: stepping past it is refused with a clear message.
  const head = inPast ? Number.MAX_SAFE_INTEGER : liveHead;
  const step = (d: number): void => {
    const seq = Math.min(head, Math.max(1, tm.seq + d));
    if (seq !== tm.seq) void travelTo(api, store, seq, viewed?.id);
  };
  return (
    <div className="tm-banner" data-testid="tm-banner" data-seq={tm.seq} data-loading={tm.loading}>
      <button type="button" className="btn btn-sm" data-testid="tm-step-back" title="One event back" disabled={tm.seq <= 1} onClick={() => step(-1)}>
        ◀ 1
      </button>
      <button type="button" className="btn btn-sm" data-testid="tm-step-forward" title="One event forward" disabled={tm.seq >= head} onClick={() => step(1)}>
        1 ▶
      </button>
      <button type="button" className="btn btn-sm" data-testid="tm-step-back-second" title="One second back (the state at the end of the second before)" disabled={tm.loading || ts === undefined} onClick={() => void stepSeconds(api, store, -1, viewed?.id ?? liveId, head)}>
        ◀ 1s
      </button>
      <button type="button" className="btn btn-sm" data-testid="tm-step-forward-second" title="One second forward" disabled={tm.loading || ts === undefined || (!inPast && tm.seq >= head)} onClick={() => void stepSeconds(api, store, 1, viewed?.id ?? liveId, head)}>
        1s ▶
      </button>
      <span className="tm-banner-title">
        {inPast ? `SESSION ${viewed.id} · ` : ''}AS OF{' '}
        {ts !== undefined ? (
          <span data-testid="tm-banner-time" data-ts={ts} title={new Date(ts / 1000).toISOString()}>
            {formatTime(ts, TZ).slice(0, 8)} ·{' '}
          </span>
        ) : null}
        SEQ <span data-testid="tm-banner-seq">{formatInt(tm.seq)}</span>
      </span>
      <span className="tm-banner-detail">
        {inPast ? 'an earlier session' : `of ${formatInt(head)}`} · read-only view of the past, order entry and actions are off
        {tm.loading ? ' · loading…' : ''}
        {tm.error ? ` · ${tm.error}` : ''}
      </span>
      <button type="button" className="btn btn-sm btn-live tm-live-btn" data-testid="tm-back-live" onClick={backToLive}>
        ← Back to live
      </button>
    </div>
  );
}
