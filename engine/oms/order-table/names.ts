import { FIRST_NAMES } from './codes.ts';

/**
 * The session's table of short strings (sides, order types, times in force,
 * symbols, venues): a column stores an index into it, so a million orders on
 * ten symbols hold ten strings. It starts with FIRST_NAMES (see codes.ts).
 */
export class NameTable {
  private readonly names: string[] = [...FIRST_NAMES];
  private readonly index = new Map<string, number>(this.names.map((n, i) => [n, i]));
  /** The last name looked up: consecutive orders mostly name the same symbol. */
  private lastName: string | undefined = undefined;
  private lastCode = 0;

  /** The code of `name`, adding it if new. */
  code(name: string): number {
    if (name === this.lastName) return this.lastCode;
    let i = this.index.get(name);
    if (i === undefined) i = this.append(name);
    this.lastName = name;
    this.lastCode = i;
    return i;
  }

  /** Adds a new name; returns its code. Apart from `code`, which OrderTable.add inlines. */
  private append(name: string): number {
    const i = this.names.length;
    this.names.push(name);
    this.index.set(name, i);
    return i;
  }

  /** The name of `code` (a code this table gave). */
  name(code: number): string {
    return this.names[code]!;
  }
}
