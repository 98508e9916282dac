import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { OrdoApi } from '../../../contract/api.ts';
import { BadRequest } from '../validation.ts';
import type { WireCall, WireMessage } from '../../../contract/wire.ts';
import type { HostApi } from '../host-api.ts';
import type { ApiAuth } from './auth.ts';
import { dispatch } from './dispatch.ts';
import { HttpError } from './errors.ts';
import { MAX_BODY_BYTES } from './rest.ts';
import { TOO_SLOW } from '../subscriber-pipe.ts';

/** Replies written to a socket and not yet taken by its client past which the socket is closed. */
export const MAX_UNREAD_REPLY_BYTES = 16 * 1024 * 1024;

/**
 * The API over a WebSocket at /ws (the browser UI and Electron main): calls
 * `{ id, method, params }` dispatched through the method table, one reply
 * each, and pushes after `subscribe`. See contract/wire.ts.
 */
export class ApiSocketServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });

  constructor(
    private readonly api: OrdoApi,
    private readonly auth: ApiAuth,
    private readonly port: () => number,
  ) {}

  /** The HTTP server's 'upgrade': checks host, origin, path and token before accepting. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node leaves an upgrading socket without an error listener: a client that resets it would crash the host.
    socket.on('error', () => socket.destroy());
    try {
      this.auth.checkHostAndOrigin(req);
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port()}`);
      if (url.pathname !== '/ws') throw new HttpError(404, 'NOT_FOUND', 'no such socket');
      this.auth.checkToken(req, url, true);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 400;
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, socket));
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private serve(ws: WebSocket, socket: Duplex): void {
    // On a frame over maxPayload (or any protocol error) ws closes the socket with a code (1009…) and
    // emits 'error': with no listener that would crash the host.
    ws.on('error', () => undefined);
    let unsubscribe: (() => void) | undefined;
    // Replies settled in the same turn (a frame of events answers many calls at once) leave in one write, not one
    // system call each (issue 15: a write per reply was ~3.5 % of the host's thread over the WebSocket). The socket
    // is corked at the turn's first reply and uncorked once the turn's promise callbacks have run (nextTick).
    let corked = false;
    const uncork = () => {
      corked = false;
      socket.uncork();
    };
    const send = (m: WireMessage) => {
      if (ws.readyState !== ws.OPEN) return;
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      ws.send(JSON.stringify(m));
      // A client that sends calls and does not read their replies would grow the host's memory without bound:
      // past MAX_UNREAD_REPLY_BYTES it is closed as a slow subscriber is (decision 288).
      if (ws.bufferedAmount > MAX_UNREAD_REPLY_BYTES) ws.close(TOO_SLOW, `unread replies over ${MAX_UNREAD_REPLY_BYTES / 1024 / 1024} MiB: closed`);
    };
    ws.on('message', (data) => {
      let call: WireCall;
      try {
        call = JSON.parse(String(data)) as WireCall;
        if (typeof call !== 'object' || call === null || typeof call.id !== 'number' || typeof call.method !== 'string') throw new BadRequest('a call needs a numeric id and a method');
      } catch (err) {
        send({ id: -1, result: { ok: false, error: { code: 'BAD_REQUEST', message: err instanceof BadRequest ? err.message : 'message is not valid JSON' } } });
        return;
      }
      if (call.method === 'subscribe') {
        unsubscribe?.();
        // The host's API pages the initial state and caps what is queued per socket (issue 11).
        const api = this.api as OrdoApi & Partial<Pick<HostApi, 'subscribeSocket'>>;
        unsubscribe = api.subscribeSocket ? api.subscribeSocket(ws) : api.subscribe((push) => send({ push }));
        send({ id: call.id, result: { ok: true, value: null } });
        return;
      }
      void dispatch(this.api, call.method, call.params).then((result) => send({ id: call.id, result }));
    });
    ws.on('close', () => unsubscribe?.());
  }
}
