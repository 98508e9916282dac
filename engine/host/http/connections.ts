import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Connections the API server holds at once, HTTP (keep-alive pools included) and WebSocket together (decision 302).
 * A desktop OMS serves a few UI windows and a few scripts on 127.0.0.1: the benches' pools hold 64 each.
 * One more is answered 503 UNAVAILABLE on its first request and closed; one that sends nothing is cut.
 */
export const MAX_CONNECTIONS = 512;

/** How long a new connection may take to send its first request's headers (and any request its headers). */
export const HEADERS_TIMEOUT_MS = 10_000;

/** How long a whole request, headers and body, may take to arrive (a body is at most 64 KiB, on loopback). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** How often the two timeouts are checked (Node's default is 30 s: a 10 s limit could let a connection sit 40). */
export const CHECK_EVERY_MS = 1_000;

/** How long a connection over the cap is kept for its request to be answered 503 before it is cut. */
const OVER_CAP_GRACE_MS = 1_000;

/** The answer to a connection that sent no request's headers in time (Node's own words for a slow request). */
const REQUEST_TIMEOUT_ANSWER = 'HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n';

/** The answer to a WebSocket upgrade over the cap (the upgrade's socket has no HTTP response to write into). */
const OVER_CAP_UPGRADE_ANSWER = 'HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 1\r\ncontent-length: 0\r\n\r\n';

/** The refusal's words, in the JSON answer of an HTTP request over the cap. */
export const OVER_CAP_MESSAGE = `too many connections: the host serves at most ${MAX_CONNECTIONS} at once (HTTP and WebSocket together); close idle ones or share a keep-alive pool`;

/**
 * Counts the server's connections and cuts the ones Node's own timeouts miss: a connection that never sends a byte
 * (Node times a request's headers from their first byte) and one over the cap that does not ask in time. Node's
 * `headersTimeout` and `requestTimeout` (set by `serverTimeouts`) cut slow headers (slowloris) and slow bodies
 * with a 408. Before (round 18), 300 connections sending half a request's headers stayed open over 70 s.
 */
export class ConnectionGuard {
  private open = 0;
  /** Connections that have not sent a request's headers yet, with when they came. */
  private readonly fresh = new Map<Socket, number>();
  /** Connections over the cap, answered 503 on their first request. */
  private readonly over = new Set<Duplex>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    server: Server,
    private readonly max = MAX_CONNECTIONS,
    private readonly headersMs = HEADERS_TIMEOUT_MS,
  ) {
    server.prependListener('connection', (socket: Socket) => this.connected(socket));
    this.timer = setInterval(() => this.sweep(Date.now()), CHECK_EVERY_MS);
    this.timer.unref();
  }

  /** A request's headers came on `socket`: true when it is over the cap (answer 503 and close it). */
  requested(socket: Duplex): boolean {
    this.fresh.delete(socket as Socket);
    return this.over.size > 0 && this.over.has(socket);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private connected(socket: Socket): void {
    this.open++;
    if (this.open > this.max) this.over.add(socket);
    this.fresh.set(socket, Date.now());
    socket.once('close', () => {
      this.open--;
      this.fresh.delete(socket);
      this.over.delete(socket);
    });
  }

  private sweep(now: number): void {
    for (const [socket, since] of this.fresh) {
      if (now - since < (this.over.has(socket) ? OVER_CAP_GRACE_MS : this.headersMs)) continue;
      this.fresh.delete(socket);
      // Ended (a FIN after the answer) so Node's own check finds it unwritable and adds no second answer.
      if (!socket.destroyed && socket.writable) socket.end(REQUEST_TIMEOUT_ANSWER);
      socket.destroySoon();
    }
  }
}

/** Answers a WebSocket upgrade over the cap and closes its socket. */
export function refuseOverCapUpgrade(socket: Duplex): void {
  socket.on('error', () => socket.destroy());
  socket.end(OVER_CAP_UPGRADE_ANSWER);
}

/** The server's own timeouts (createServer's options): slow headers and slow bodies answered 408 and cut. */
export const serverTimeouts = {
  headersTimeout: HEADERS_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
  connectionsCheckingInterval: CHECK_EVERY_MS,
} as const;
