import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { OrdoApi } from '../../../contract/api.ts';
import { UserError } from '../../errors.ts';
import { log } from '../../log.ts';
import { ApiAuth } from './auth.ts';
import { ConnectionGuard, OVER_CAP_MESSAGE, refuseOverCapUpgrade, serverTimeouts } from './connections.ts';
import { HttpError, sendError, sendJson, sendResult } from './errors.ts';
import { asksForWebSocket, servePlainUpgrade } from './plain-upgrade.ts';
import { plainApiUrl, routeRest } from './rest.ts';
import { serveStatic } from './static.ts';
import { ApiSocketServer } from './ws.ts';

export { MAX_BODY_BYTES } from './rest.ts';

/** How long a stop waits for requests in flight to be answered. */
const DRAIN_MS = 5000;

/**
 * How long an idle keep-alive connection stays open (Node's default is 5 s). A script's pooled connection
 * that sat idle longer was closed by the host just as the client reused it for an order: the order was reset
 * (ECONNRESET), neither refused nor taken (decision 184). Longer than usual client pools keep theirs idle.
 */
export const KEEP_ALIVE_MS = 65_000;

export interface ApiServerOptions {
  readonly api: OrdoApi;
  readonly token: string;
  readonly port: number;
  /** Built renderer files; the UI is served only where this exists. */
  readonly staticDir?: string;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The API over HTTP (scripts, rest.ts) and a WebSocket (the UI, ws.ts), plus
 * the UI's static files (static.ts), on 127.0.0.1 only. Every API call needs
 * the install's token and a Host/Origin naming this server (auth.ts); no CORS
 * headers are ever sent.
 */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  let port = opts.port;
  const auth = new ApiAuth(opts.token, () => port);
  const sockets = new ApiSocketServer(opts.api, auth, () => port);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    auth.checkHostAndOrigin(req);
    // An order's plain path skips the WHATWG URL (issue 11: allocation per order); anything else gets one.
    const url = plainApiUrl(req.url ?? '/') ?? new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    // A request target in absolute form (`GET http://evil.com/api/…`) names its host in place of Host (RFC 9112 §3.2.2).
    if ('host' in url && url.host !== `127.0.0.1:${port}` && url.host !== `localhost:${port}`) throw new HttpError(403, 'FORBIDDEN', `host '${url.host}' is not this server`);
    if (url.pathname.startsWith('/api/')) {
      auth.checkToken(req, url);
      sendResult(res, await routeRest(opts.api, req, url));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`, { allow: 'GET, HEAD' });
    serveStatic(opts.staticDir, url.pathname, res);
  };

  // Requests being answered, so that a stop can let them finish (drain) instead of resetting them.
  let inFlight = 0;
  let drained: (() => void) | undefined;
  // Slow headers and bodies answered 408 and cut within a second of their limit (decision 302). Node times a request's
  // headers from their first byte, so an idle keep-alive connection lives its KEEP_ALIVE_MS whatever headersTimeout is.
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) drained?.();
    });
    void handle(req, res).catch((err: unknown) => sendError(res, err));
  };
  const server: Server = createServer(serverTimeouts, (req, res) => {
    if (guard.requested(req.socket)) {
      sendJson(res, 503, { error: { code: 'UNAVAILABLE', message: OVER_CAP_MESSAGE } }, { connection: 'close', 'retry-after': '1' });
      return;
    }
    serve(req, res);
  });
  // Connections counted (at most MAX_CONNECTIONS) and silent ones cut (decision 302).
  const guard = new ConnectionGuard(server);
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (guard.requested(socket)) refuseOverCapUpgrade(socket);
    else if (asksForWebSocket(req)) sockets.upgrade(req, socket, head);
    else servePlainUpgrade(req, socket, head, serve);
  });
  // A proxy's tunnel is nothing this server gives: answered, not dropped without a word (Node's default).
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nallow: GET, HEAD, POST, PUT\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new UserError(`port ${opts.port} on 127.0.0.1 is already in use`));
      else if (err.code === 'EACCES') reject(new UserError(`not allowed to listen on port ${opts.port}`));
      else reject(new UserError(`cannot listen on 127.0.0.1:${opts.port}: ${err.message}`));
    });
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : opts.port;
  server.on('error', (err) => log.error('api server', err));

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    // Drain: no new connections, idle ones closed, requests in flight answered (up to DRAIN_MS), then the rest cut.
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      guard.close();
      sockets.close();
      server.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, DRAIN_MS);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
