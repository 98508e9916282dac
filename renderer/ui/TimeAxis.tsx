import { useEffect, useState } from 'react';
import type { KeyboardEvent, PointerEvent } from 'react';
import type { TimelineBucket, TimelineView } from '../../contract/history.ts';
import { formatInt, formatTime } from '../lib/format.ts';
import { useApi } from './context.tsx';

const TZ = new Date().getTimezoneOffset();
const HEIGHT = 22;
/** The live session's axis is fetched again this often (the host reads only the events since). */
const LIVE_REFRESH_MS = 5000;

interface Props {
  session: number;
  /** The session's head now; a change refetches (throttled for the live session). */
  head: number;
  live: boolean;
  /** The seq shown now (the head when live). */
  current: number;
  /** The time shown now, sequencer µs, when known. */
  currentTs: number | undefined;
  width: number;
  disabled: boolean;
  /** A point of the axis was chosen: the state after every event up to `ts` (its span's last seq). */
  onPick(seq: number, ts: number): void;
}

function bucketAt(buckets: readonly TimelineBucket[], x: number, width: number): number {
  return Math.max(0, Math.min(buckets.length - 1, Math.floor((x / width) * buckets.length)));
}

/** The last bucket at or before `i` that holds events (an empty span shows the state of the one before it). */
function seqUpTo(buckets: readonly TimelineBucket[], i: number): number {
  for (let j = i; j >= 0; j--) if ((buckets[j] as TimelineBucket).count > 0) return (buckets[j] as TimelineBucket).lastSeq;
  return 1;
}

/**
 * The time machine's axis: the session's sequencer time left to right, a bar
 * per span as tall as its share of events (event density), and a marker
 * where the screen is now. Click or drag to go to a time; ←/→ move a span.
 */
export function TimeAxis({ session, head, live, current, currentTs, width, disabled, onPick }: Props) {
  const api = useApi();
  const [tl, setTl] = useState<TimelineView | undefined>(undefined);
  const [hover, setHover] = useState<number | undefined>(undefined);
  const n = Math.max(20, Math.floor(width / 3));

  useEffect(() => {
    if (session === 0) return;
    let alive = true;
    const load = (): void => {
      void api.getTimeline({ session, buckets: n }).then((r) => {
        if (alive && r.ok) setTl(r.value);
      });
    };
    load();
    if (!live) return () => void (alive = false);
    const t = setInterval(load, LIVE_REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(t);
    };
    // `head` is left out on purpose: the live axis refreshes on its timer, not on every push.
  }, [api, session, live, n]);

  const buckets = tl?.session === session ? tl.buckets : [];
  const max = buckets.reduce((m, b) => Math.max(m, b.count), 0);
  const barW = buckets.length > 0 ? width / buckets.length : width;
  let marker: number | undefined;
  if (tl && buckets.length > 0) {
    if (currentTs !== undefined) marker = ((currentTs - (buckets[0] as TimelineBucket).ts) / (tl.bucketUs * buckets.length)) * width;
    else {
      const i = buckets.findIndex((b) => b.count > 0 && b.lastSeq >= current);
      marker = i < 0 ? width : (i + 1) * barW;
    }
    marker = Math.max(1, Math.min(width - 1, marker));
  }

  const pick = (i: number): void => {
    const b = buckets[i];
    if (!b || !tl) return;
    const end = Math.min(b.ts + tl.bucketUs - 1, tl.lastTs);
    onPick(Math.min(head, seqUpTo(buckets, i)), end);
  };
  const onPointer = (e: PointerEvent<SVGSVGElement>, down: boolean): void => {
    const x = e.clientX - e.currentTarget.getBoundingClientRect().left;
    const i = bucketAt(buckets, x, width);
    setHover(i);
    if (disabled || (!down && e.buttons !== 1)) return;
    pick(i);
  };
  const onKey = (e: KeyboardEvent<SVGSVGElement>): void => {
    if (disabled || buckets.length === 0 || (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight')) return;
    e.preventDefault();
    const at = Math.max(0, buckets.findIndex((b) => b.count > 0 && b.lastSeq >= current));
    pick(Math.max(0, Math.min(buckets.length - 1, at + (e.key === 'ArrowRight' ? 1 : -1))));
  };

  const h = hover !== undefined ? buckets[hover] : undefined;
  const title = !tl
    ? 'Loading the session’s time axis…'
    : buckets.length === 0
      ? 'No events yet'
      : h
        ? `${formatTime(h.ts, TZ).slice(0, 8)} – ${formatTime(h.ts + tl.bucketUs, TZ).slice(0, 8)} · ${formatInt(h.count)} events${h.count > 0 ? ` (seq ${formatInt(h.firstSeq)}–${formatInt(h.lastSeq)})` : ''} · click to go there`
        : `${formatTime(tl.firstTs, TZ).slice(0, 8)} – ${formatTime(tl.lastTs, TZ).slice(0, 8)} · ${formatInt(tl.lastSeq)} events`;
  return (
    <svg
      className={`tm-axis ${disabled ? 'disabled' : ''}`}
      data-testid="tm-axis"
      data-buckets={buckets.length}
      data-bucket-us={tl?.bucketUs}
      width={width}
      height={HEIGHT}
      role="slider"
      aria-label="Time machine: the session's time, bars show how many events"
      aria-valuemin={1}
      aria-valuemax={head}
      aria-valuenow={current}
      tabIndex={disabled ? -1 : 0}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        onPointer(e, true);
      }}
      onPointerMove={(e) => onPointer(e, false)}
      onPointerLeave={() => setHover(undefined)}
      onKeyDown={onKey}
    >
      <title>{title}</title>
      <rect className="tm-axis-bg" x={0} y={0} width={width} height={HEIGHT} />
      {max > 0
        ? buckets.map((b, i) =>
            b.count === 0 ? null : (
              // sqrt: a quiet minute stays visible next to a burst.
              <rect key={b.ts} className={`tm-axis-bar ${i === hover ? 'hover' : ''}`} x={i * barW} width={Math.max(1, barW - 0.5)} y={HEIGHT - 2 - Math.max(1, Math.sqrt(b.count / max) * (HEIGHT - 4))} height={Math.max(1, Math.sqrt(b.count / max) * (HEIGHT - 4))} />
            ),
          )
        : null}
      {marker !== undefined ? <rect className="tm-axis-marker" data-testid="tm-axis-marker" x={marker - 1} y={0} width={2} height={HEIGHT} /> : null}
    </svg>
  );
}
