import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.ts';

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Who may talk to the server: Host and Origin must name this server (no DNS
 * rebinding, no cross-site requests) and every API call carries the
 * install's token (Authorization: Bearer, or ?token= for the WebSocket).
 */
export class ApiAuth {
  constructor(
    private readonly token: string,
    private readonly port: () => number,
  ) {}

  /** Throws 403 unless Host (and Origin, when sent) name this server. */
  checkHostAndOrigin(req: IncomingMessage): void {
    const port = this.port();
    const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    const origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
    if (!hosts.has(req.headers.host ?? '')) throw new HttpError(403, 'FORBIDDEN', `host '${req.headers.host ?? ''}' is not this server`);
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.has(origin)) throw new HttpError(403, 'FORBIDDEN', `origin '${origin}' may not use this API`);
  }

  /** Throws 401 unless the request carries the right token. */
  checkToken(req: IncomingMessage, url: URL): void {
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : url.searchParams.get('token') ?? '';
    if (!given) throw new HttpError(401, 'UNAUTHORIZED', 'missing API token (send Authorization: Bearer TOKEN)');
    if (!sameToken(given, this.token)) throw new HttpError(401, 'UNAUTHORIZED', 'wrong API token');
  }
}
