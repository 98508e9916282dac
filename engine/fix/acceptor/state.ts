import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RequestIds } from './reports.ts';
import { log } from '../../log.ts';

/**
 * What the FIX acceptor keeps beside the FIX message store, in one small
 * JSON file in the data dir:
 * - per client, the seq of the last event whose report went out on its FIX
 *   session (reports after it are owed, and are derived again from the log);
 * - the ClOrdIDs clients gave their cancel and replace requests, by the seq of
 *   the request event (the current events carry no ClOrdID of their own).
 * Both cover one OMS session; a new session starts them afresh.
 */
export interface AcceptorFile {
  version: 1;
  session: number;
  delivered: Record<string, number>;
  links: Record<string, [string, string]>;
  /** Clients that have logged on over FIX at least once (any session): their reports are owed across session rolls. */
  known?: string[];
  /**
   * Reports of the previous OMS session still owed when it closed: per client,
   * the first seq owed (inclusive), with that session's ClOrdID links.
   */
  prev?: { session: number; links: Record<string, [string, string]>; from: Record<string, number> };
}

export class AcceptorState {
  private data: AcceptorFile;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly path: string) {
    this.data = load(path);
  }

  get session(): number {
    return this.data.session;
  }

  /**
   * Starts a new OMS session's records (nothing delivered, no links; known
   * clients stay known). `owing`: clients still owed reports of the closing
   * session, from which seq (inclusive); they are kept with its links.
   */
  startSession(session: number, owing: Record<string, number> = {}): void {
    if (this.data.session === session) return;
    const prev = Object.keys(owing).length > 0 ? { session: this.data.session, links: this.data.links, from: owing } : undefined;
    this.data = { version: 1, session, delivered: {}, links: {}, known: this.data.known ?? [], ...(prev ? { prev } : {}) };
    this.save();
  }

  /** The previous session's reports still owed to the client: that session and the first seq owed; undefined when none. */
  prevOwed(clientId: string): { session: number; from: number } | undefined {
    const p = this.data.prev;
    const from = p?.from[clientId];
    return p && from !== undefined ? { session: p.session, from } : undefined;
  }

  prevLink(seq: number): RequestIds | undefined {
    const l = this.data.prev?.links[String(seq)];
    return l ? { clOrdId: l[0], origClOrdId: l[1] } : undefined;
  }

  markPrevDelivered(clientId: string, seq: number): void {
    const p = this.data.prev;
    if (!p || p.from[clientId] === undefined) return;
    p.from[clientId] = seq + 1;
    this.save();
  }

  /** The client has had all of the previous session's reports. */
  clearPrev(clientId: string): void {
    const p = this.data.prev;
    if (!p) return;
    delete p.from[clientId];
    if (Object.keys(p.from).length === 0) delete this.data.prev;
    this.save();
  }

  /** Has the client ever logged on over FIX (then every report of its orders is owed to it). */
  known(clientId: string): boolean {
    // A file from before `known` existed: a client with a delivered cursor has logged on.
    return (this.data.known?.includes(clientId) ?? false) || this.delivered(clientId) > 0;
  }

  markKnown(clientId: string): void {
    if (this.known(clientId)) return;
    (this.data.known ??= []).push(clientId);
    this.save();
  }

  delivered(clientId: string): number {
    return this.data.delivered[clientId] ?? 0;
  }

  markDelivered(clientId: string, seq: number): void {
    if (seq <= this.delivered(clientId)) return;
    this.data.delivered[clientId] = seq;
    this.save();
  }

  link(seq: number): RequestIds | undefined {
    const l = this.data.links[String(seq)];
    return l ? { clOrdId: l[0], origClOrdId: l[1] } : undefined;
  }

  setLink(seq: number, ids: RequestIds): void {
    this.data.links[String(seq)] = [ids.clOrdId, ids.origClOrdId];
    this.save();
  }

  /** Writes soon (many reports in a burst cost one write). */
  save(): void {
    this.timer ??= setTimeout(() => this.flush(), 20);
  }

  /** Writes now (atomically: a crash leaves the old file or the new one). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}

function load(path: string): AcceptorFile {
  if (!existsSync(path)) return { version: 1, session: 0, delivered: {}, links: {} };
  try {
    const d = JSON.parse(readFileSync(path, 'utf8')) as AcceptorFile;
    if (d.version === 1 && typeof d.session === 'number') return d;
  } catch {
    // fall through: a torn or foreign file is replaced (the reports are derived again from the log)
  }
  log.warn(`fix: ${path} is not a FIX acceptor state file; starting from the beginning of the session`);
  return { version: 1, session: 0, delivered: {}, links: {} };
}
