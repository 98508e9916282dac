/**
 * The heartbeat monitor's record of which role each order waits on, and how many orders wait on each role
 * (issue 15: it is updated on every order event, three or four times a lifecycle; a Map of orderId → role name
 * and a Map of counts were ~2.5 % of the host thread in the orders bench).
 *
 * Order ids are dense within a session (each proxy takes the next after the projection's), so the role of an
 * order is a byte in a table indexed from the first order id seen (`base`), grown by doubling; an id below it
 * (an order carried from an earlier session) or too far above it is kept in a Map instead. Roles are numbered
 * in the order first seen (code 0: none), so `roles()` lists them as the Map of counts did.
 */
export class WaitingRoles {
  private codes = new Uint8Array(0);
  private base = -1;
  private readonly far = new Map<number, number>();
  private names: string[] = [];
  private counts: number[] = [];

  /** The largest table: 16 M orders in a session (16 MiB); later ids go to the Map. */
  private static readonly MAX_SPAN = 1 << 24;

  /** Forgets every order and role (a new session). */
  clear(): void {
    this.codes = new Uint8Array(0);
    this.base = -1;
    this.far.clear();
    this.names = [];
    this.counts = [];
  }

  /** Files `orderId` under `role` (undefined: it waits on none). */
  set(orderId: number, role: string | undefined): void {
    const code = role === undefined ? 0 : this.codeOf(role);
    const was = this.get(orderId);
    if (was === code) return;
    if (was !== 0) this.counts[was - 1]!--;
    if (code !== 0) this.counts[code - 1]!++;
    this.put(orderId, code);
  }

  /** How many orders wait on `role` now. */
  waitingOn(role: string): number {
    const i = this.names.indexOf(role);
    return i < 0 ? 0 : this.counts[i]!;
  }

  /** Every role an order waited on since the last clear, with how many wait on it now (0 included). */
  *roles(): IterableIterator<[string, number]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.counts[i]!];
  }

  private codeOf(role: string): number {
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === role) return i + 1;
    if (names.length >= 255) throw new Error('waiting-roles: more than 255 roles');
    names.push(role);
    this.counts.push(0);
    return names.length;
  }

  private get(orderId: number): number {
    const i = orderId - this.base;
    if (this.base >= 0 && i >= 0 && i < this.codes.length) return this.codes[i]!;
    return this.far.get(orderId) ?? 0;
  }

  private put(orderId: number, code: number): void {
    if (this.base < 0) this.base = orderId;
    const i = orderId - this.base;
    if (i < 0 || i >= WaitingRoles.MAX_SPAN) {
      if (code === 0) this.far.delete(orderId);
      else this.far.set(orderId, code);
      return;
    }
    if (i >= this.codes.length) {
      if (code === 0) return;
      const next = new Uint8Array(Math.min(WaitingRoles.MAX_SPAN, Math.max(1024, this.codes.length * 2, i + 1)));
      next.set(this.codes);
      this.codes = next;
    }
    this.codes[i] = code;
  }
}
