/**
 * The FIX acceptor's part of the API contract (issue 13): clients' FIX
 * sessions as an operator sees them. Plain types, no runtime imports.
 */

/** One client's FIX session (every client in the reference data has one, connected or not). */
export interface FixSessionView {
  clientId: string;
  connected: boolean;
  /** Last MsgSeqNum received from the client (0 while not connected). */
  inSeq: number;
  /** Next MsgSeqNum Ordo sends it (0 while not connected). */
  outSeq: number;
  /** Reports owed to it and held in memory. */
  owed: number;
  /** Owed reports beyond the memory bound are read again from the log from this seq (inclusive); null when none. */
  rebuildFrom: number | null;
  /** Why its session last ended or was refused; null when none. */
  lastReason: string | null;
}

/** The FIX acceptor: off (no --fix-port), or where it listens and its sessions. */
export interface FixView {
  enabled: boolean;
  /** The acceptor's port while it listens; null when off or passive. */
  port: number | null;
  host: string | null;
  sessions: FixSessionView[];
}
