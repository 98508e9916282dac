/**
 * Whether a value fits its cell, measured without layout (decision 203). A
 * grid whose every cell clips (`overflow: hidden` for the ellipsis) pays a
 * clip node per cell in pre-paint, paint and layerize at every frame; a cell
 * that clips only when its value is wider than the cell pays nothing.
 */

/**
 * Text widths by canvas, per font (a cell's font read once per class list
 * from a probe cell): whether a value fits its cell decides if the cell
 * clips it with an ellipsis. Unclipped cells need no clip node, which is
 * what made the grid's layerize and paint grow with its cell count.
 */
export class TextMeasure {
  /** Per class list: its font, a monospaced font's advance (0 if proportional) and its widest ASCII glyph's. */
  private readonly byClass = new Map<string, FontInfo>();
  private readonly byFont = new Map<string, { advance: number; widest: number }>();
  private readonly widths = new Map<string, number>();
  private ctx: CanvasRenderingContext2D | null | undefined;
  private font = '';

  /** Whether `value` in an element of classes `cls` (its font read from a probe inside `host`) is at most `px` wide. */
  fits(host: HTMLElement, cls: string, value: string, px: number): boolean {
    if (!this.byClass.has(cls)) this.learn(host, [cls]);
    return this.fitsKnown(cls, value, px) ?? false;
  }

  /**
   * Whether `value` in an element of classes `cls` is at most `px` wide, if that class list's font is known;
   * `undefined` if not. Reading a font takes a probe element, a style read (it recalculates whatever the
   * frame has dirtied so far) and ~100 glyph measures the first time a font is used: what made the first
   * frames of a stream on an empty grid long (issue 14). A grid asks this in its frames and reads
   * unknown fonts with `learn` at an idle moment.
   */
  fitsKnown(cls: string, value: string, px: number): boolean | undefined {
    const info = this.byClass.get(cls);
    if (!info) return undefined;
    if (this.ctx === undefined) this.ctx = document.createElement('canvas').getContext('2d');
    const ctx = this.ctx;
    if (!ctx) return false;
    const ascii = /^[\x20-\x7e]*$/.test(value);
    // Monospaced (numbers, symbols, times): arithmetic, no measuring; ASCII only (a wide character is not one advance).
    if (info.advance > 0 && ascii) return value.length * info.advance <= px;
    // Proportional: a value that fits even if every character were the widest needs no measuring (most cells:
    // "ALPHA", "BUY", "LMT"); only a long one is measured (a reason, a name).
    if (ascii && value.length * info.widest <= px) return true;
    const key = `${info.font}\u0000${value}`;
    let w = this.widths.get(key);
    if (w === undefined) {
      if (this.font !== info.font) ctx.font = this.font = info.font;
      w = ctx.measureText(value).width;
      // Bounded: a long session shows many distinct values.
      if (this.widths.size > 20_000) this.widths.clear();
      this.widths.set(key, w);
    }
    return w <= px;
  }

  /** Whether the font of class list `cls` is known (read by `learn`). */
  knows(cls: string): boolean {
    return this.byClass.has(cls);
  }

  /** Reads the fonts of the class lists `classes` from probes inside `host` (those not read yet). */
  learn(host: HTMLElement, classes: Iterable<string>): void {
    if (this.ctx === undefined) this.ctx = document.createElement('canvas').getContext('2d');
    const ctx = this.ctx;
    if (!ctx) return;
    for (const cls of classes) if (!this.byClass.has(cls)) this.info(host, ctx, cls);
  }

  private info(host: HTMLElement, ctx: CanvasRenderingContext2D, cls: string): FontInfo {
    const probe = document.createElement('span');
    probe.className = cls;
    probe.style.position = 'absolute';
    probe.style.visibility = 'hidden';
    probe.textContent = 'x';
    host.appendChild(probe);
    const cs = getComputedStyle(probe);
    // From the longhands: the \`font\` shorthand reads empty when a variant (tabular numbers) has no shorthand form.
    const font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    probe.remove();
    let f = this.byFont.get(font);
    if (!f) {
      if (this.font !== font) ctx.font = this.font = font;
      const i = ctx.measureText('iiiiiiiiii').width;
      const m = ctx.measureText('MMMMMMMMMM').width;
      let widest = 0;
      for (let c = 0x20; c <= 0x7e; c++) widest = Math.max(widest, ctx.measureText(String.fromCharCode(c)).width);
      f = { advance: Math.abs(i - m) < 0.01 ? m / 10 : 0, widest };
      this.byFont.set(font, f);
    }
    const info = { font, advance: f.advance, widest: f.widest };
    this.byClass.set(cls, info);
    return info;
  }
}

interface FontInfo {
  font: string;
  advance: number;
  widest: number;
}

const shared = typeof document === 'undefined' ? undefined : new TextMeasure();

/**
 * The classes of a cell drawn by React whose value is measured: `cls` plus
 * ' fit' (the styles draw it unclipped) and ' clip' when `value` is wider
 * than `px` (the cell's content width), which restores the clip and the
 * ellipsis. Without a DOM (server rendering) the cell keeps its clip.
 */
export function clipClass(cls: string, value: string, px: number): string {
  if (!shared) return cls;
  return value === '' || shared.fits(document.body, cls, value, px) ? `${cls} fit` : `${cls} fit clip`;
}
