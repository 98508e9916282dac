import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiError, OrdoApi, Result } from '../../contract/api.ts';
import type { WireCall, WireMessage } from '../../contract/wire.ts';
import { UserError } from '../errors.ts';
import { BadRequest, parseAction, parseAsOf, parseComponentId, parseEventQuery, parseNewOrder, parseOrderId, parseReplace } from './validation.ts';
import type { HostApi } from './host-api.ts';

/** Largest request body accepted (a new order is ~250 bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

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

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The API over HTTP (scripts) and a WebSocket (the browser UI), plus the UI's
 * static files, on 127.0.0.1 only. Every API call needs the install's token;
 * Host and Origin headers must name this server (no DNS rebinding, no
 * cross-site requests); no CORS headers are ever sent.
 */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  let port = opts.port;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const checkHostAndOrigin = (req: IncomingMessage) => {
    if (!allowedHosts().has(req.headers.host ?? '')) throw new HttpError(403, 'FORBIDDEN', `host '${req.headers.host ?? ''}' is not this server`);
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) throw new HttpError(403, 'FORBIDDEN', `origin '${origin}' may not use this API`);
  };

  const checkToken = (req: IncomingMessage, url: URL) => {
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : url.searchParams.get('token') ?? '';
    if (!given) throw new HttpError(401, 'UNAUTHORIZED', 'missing API token (send Authorization: Bearer TOKEN)');
    if (!sameToken(given, opts.token)) throw new HttpError(401, 'UNAUTHORIZED', 'wrong API token');
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => sendError(res, err));
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    checkHostAndOrigin(req);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname.startsWith('/api/')) {
      checkToken(req, url);
      const result = await route(req, url);
      sendResult(res, result);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`);
    serveStatic(url.pathname, res);
  };

  const route = async (req: IncomingMessage, url: URL): Promise<Result<unknown>> => {
    const api = opts.api;
    const parts = url.pathname.split('/').filter(Boolean).slice(1); // drop 'api'
    const method = req.method ?? 'GET';
    const key = `${method} ${parts.map((p, i) => (i === 1 && (parts[0] === 'orders' || parts[0] === 'components') ? ':id' : p)).join('/')}`;
    switch (key) {
      case 'POST orders':
        return api.submitOrder(parseNewOrder(await readJson(req)));
      case 'POST orders/:id/cancel':
        await readJson(req, true);
        return api.cancelOrder(parseOrderId(pathNumber('orderId', parts[1]!)));
      case 'POST orders/:id/replace':
        return api.replaceOrder(parseOrderId(pathNumber('orderId', parts[1]!)), parseReplace(await readJson(req)));
      case 'POST session/open':
        await readJson(req, true);
        return api.openSession();
      case 'POST session/close':
        await readJson(req, true);
        return api.closeSession();
      case 'POST components/:id/activate':
      case 'POST components/:id/deactivate':
      case 'POST components/:id/shutdown':
        await readJson(req, true);
        return api.componentAction(parseComponentId(decodePath('componentId', parts[1]!)), parseAction(parts[2]));
      case 'GET state': {
        const at = url.searchParams.get('at');
        if (at === null) return api.getState();
        const session = url.searchParams.get('session');
        return api.getState(parseAsOf({ seq: numberParam('at', at), ...(session !== null ? { session: numberParam('session', session) } : {}) }));
      }
      case 'GET events': {
        const q: Record<string, number> = {};
        for (const [k, v] of url.searchParams) if (k !== 'token') q[k] = numberParam(k, v);
        return api.getEvents(parseEventQuery(q));
      }
      default:
        throw new HttpError(404, 'NOT_FOUND', `no API route ${method} ${url.pathname}`);
    }
  };

  const serveStatic = (pathname: string, res: ServerResponse) => {
    const root = opts.staticDir;
    if (!root || !existsSync(root)) throw new HttpError(404, 'NOT_FOUND', 'the UI is not built (run npm run build)');
    const rel = pathname === '/' ? 'index.html' : decodePath('path', pathname).replace(/^\/+/, '');
    const base = resolve(root);
    const file = normalize(join(base, rel));
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) {
      throw new HttpError(404, 'NOT_FOUND', `no file ${pathname}`);
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': rel === 'index.html' ? 'no-store' : 'max-age=3600',
    });
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  server.on('upgrade', (req, socket, head) => {
    // Node leaves an upgrading socket without an error listener: a client that resets it would crash the host.
    socket.on('error', () => socket.destroy());
    try {
      checkHostAndOrigin(req);
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      if (url.pathname !== '/ws') throw new HttpError(404, 'NOT_FOUND', 'no such socket');
      checkToken(req, url);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 400;
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  const serveSocket = (ws: WebSocket) => {
    // On a frame over maxPayload (or any protocol error) ws closes the socket with a code (1009…) and
    // emits 'error': with no listener that would crash the host.
    ws.on('error', () => undefined);
    let unsubscribe: (() => void) | undefined;
    const send = (m: WireMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
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
        const api = opts.api as OrdoApi & Partial<Pick<HostApi, 'subscribeSocket'>>;
        unsubscribe = api.subscribeSocket ? api.subscribeSocket(ws) : api.subscribe((push) => send({ push }));
        send({ id: call.id, result: { ok: true, value: null } });
        return;
      }
      void callApi(call).then((result) => send({ id: call.id, result }));
    });
    ws.on('close', () => unsubscribe?.());
  };

  const callApi = async (call: WireCall): Promise<Result<unknown>> => {
    const api = opts.api;
    const p = Array.isArray(call.params) ? (call.params as unknown[]) : [];
    try {
      switch (call.method) {
        case 'submitOrder':
          return await api.submitOrder(parseNewOrder(p[0]));
        case 'cancelOrder':
          return await api.cancelOrder(parseOrderId(p[0]));
        case 'replaceOrder':
          return await api.replaceOrder(parseOrderId(p[0]), parseReplace(p[1]));
        case 'openSession':
          return await api.openSession();
        case 'closeSession':
          return await api.closeSession();
        case 'componentAction':
          return await api.componentAction(parseComponentId(p[0]), parseAction(p[1]));
        case 'getState':
          return await api.getState(p[0] === undefined ? undefined : parseAsOf(p[0]));
        case 'getEvents':
          return await api.getEvents(parseEventQuery(p[0] ?? {}));
        default:
          return { ok: false, error: { code: 'NOT_FOUND', message: `no API method '${String(call.method)}'` } };
      }
    } catch (err) {
      return { ok: false, error: toApiError(err) };
    }
  };

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
  server.on('error', (err) => console.error(`api server: ${err.message}`));

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A path segment %-decoded, or BadRequest (decodeURIComponent throws URIError on a bad escape). */
function decodePath(name: string, v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    throw new BadRequest(`${name}: bad %-escape in the path`);
  }
}

/** A whole number in a path segment: digits only (Number() would take '1e3', '0x10', ' 7'). */
function pathNumber(name: string, v: string): number {
  if (!/^\d{1,16}$/.test(v)) throw new BadRequest(`${name}: must be a whole number`);
  return Number(v);
}

function numberParam(name: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new BadRequest(`query.${name}: must be a whole number`);
  return Number(v);
}

function readJson(req: IncomingMessage, optional = false): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new HttpError(413, 'TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES && !failed) {
        failed = true;
        reject(new HttpError(413, 'TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`));
      }
      if (!failed) chunks.push(c);
    });
    req.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        if (optional) resolve(undefined);
        else reject(new BadRequest('request body must be a JSON object'));
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new BadRequest('request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

function toApiError(err: unknown): ApiError {
  if (err instanceof BadRequest) return { code: 'BAD_REQUEST', message: err.message };
  if (err instanceof HttpError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: `internal error: ${(err as Error).message ?? String(err)}` };
}

const STATUS_BY_CODE: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_ORDER: 404,
  TOO_LARGE: 413,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  STORAGE_UNAVAILABLE: 503,
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

function sendResult(res: ServerResponse, result: Result<unknown>): void {
  if (result.ok) sendJson(res, 200, result.value);
  else sendJson(res, STATUS_BY_CODE[result.error.code] ?? 409, { error: result.error });
}

function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = err instanceof HttpError ? err.status : err instanceof BadRequest ? 400 : 500;
  sendJson(res, status, { error: toApiError(err) });
}
