/**
 * A blotter's column layout as the trader arranged it: order, widths and
 * hidden columns. Pure functions over plain data, so the layout persists as
 * JSON and a layout saved by an older build (unknown or missing keys) still
 * loads: unknown keys are dropped, new columns appear at their default place.
 */
export interface ColumnDef {
  key: string;
  title: string;
  /** Default width in px. */
  width: number;
  /** Smallest width a drag may give it. */
  minWidth?: number;
  /** The last column takes the rest of the row. */
  grow?: boolean;
  align?: 'left' | 'right';
  /** Always shown, never moved (the row's actions). */
  fixed?: boolean;
  /** Hidden unless the trader shows it. */
  hiddenByDefault?: boolean;
}

export interface ColumnPrefs {
  order: string[];
  widths: Record<string, number>;
  hidden: string[];
}

export interface ResolvedColumn extends ColumnDef {
  width: number;
}

export function defaultPrefs(defs: readonly ColumnDef[]): ColumnPrefs {
  return { order: defs.map((d) => d.key), widths: {}, hidden: defs.filter((d) => d.hiddenByDefault).map((d) => d.key) };
}

/** The columns to draw, in the trader's order with the trader's widths; fixed columns keep their place at the end. */
export function resolveColumns(defs: readonly ColumnDef[], prefs: ColumnPrefs): ResolvedColumn[] {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const seen = new Set<string>();
  const ordered: ColumnDef[] = [];
  for (const k of prefs.order) {
    const d = byKey.get(k);
    if (d && !d.fixed && !seen.has(k)) {
      ordered.push(d);
      seen.add(k);
    }
  }
  // Columns the saved layout does not know yet go in after their default predecessor.
  defs.forEach((d, i) => {
    if (d.fixed || seen.has(d.key)) return;
    const prev = defs[i - 1];
    const at = prev ? ordered.findIndex((o) => o.key === prev.key) + 1 : 0;
    ordered.splice(at, 0, d);
    seen.add(d.key);
  });
  for (const d of defs) if (d.fixed) ordered.push(d);
  const hidden = new Set(prefs.hidden);
  return ordered
    .filter((d) => d.fixed || !hidden.has(d.key))
    .map((d) => ({ ...d, width: Math.max(d.minWidth ?? 28, prefs.widths[d.key] ?? d.width) }));
}

/** Moves `key` to just before `beforeKey` (or to the end of the movable columns when undefined). */
export function moveColumn(defs: readonly ColumnDef[], prefs: ColumnPrefs, key: string, beforeKey: string | undefined): ColumnPrefs {
  if (key === beforeKey) return prefs;
  const order = resolveColumnsOrder(defs, prefs).filter((k) => k !== key);
  const at = beforeKey === undefined ? order.length : order.indexOf(beforeKey);
  order.splice(at < 0 ? order.length : at, 0, key);
  return { ...prefs, order };
}

function resolveColumnsOrder(defs: readonly ColumnDef[], prefs: ColumnPrefs): string[] {
  return resolveColumns(defs, { ...prefs, hidden: [] })
    .filter((c) => !c.fixed)
    .map((c) => c.key);
}

export function resizeColumn(prefs: ColumnPrefs, key: string, width: number, minWidth = 28): ColumnPrefs {
  return { ...prefs, widths: { ...prefs.widths, [key]: Math.max(minWidth, Math.round(width)) } };
}

export function toggleColumn(prefs: ColumnPrefs, key: string): ColumnPrefs {
  const hidden = prefs.hidden.includes(key) ? prefs.hidden.filter((k) => k !== key) : [...prefs.hidden, key];
  return { ...prefs, hidden };
}

/** A CSS grid template for the resolved columns; the growing column takes what is left. */
export function gridTemplate(cols: readonly ResolvedColumn[]): { template: string; minWidth: number } {
  let min = 0;
  const tracks = cols.map((c) => {
    min += c.width;
    return c.grow ? `minmax(${c.width}px, 1fr)` : `${c.width}px`;
  });
  return { template: tracks.join(' '), minWidth: min };
}

/** Sanitises a layout read from storage: anything malformed becomes the default. */
export function parsePrefs(defs: readonly ColumnDef[], raw: unknown): ColumnPrefs {
  const d = defaultPrefs(defs);
  if (raw === null || typeof raw !== 'object') return d;
  const r = raw as Partial<Record<keyof ColumnPrefs, unknown>>;
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
  const widths: Record<string, number> = {};
  if (r.widths && typeof r.widths === 'object') {
    for (const [k, v] of Object.entries(r.widths as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v)) widths[k] = v;
  }
  return { order: strings(r.order) ?? d.order, widths, hidden: strings(r.hidden) ?? d.hidden };
}
