import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.ts';

function sameToken(given: string, mine: Buffer): boolean {
  const x = Buffer.from(given);
  return x.length === mine.length && timingSafeEqual(x, mine);
}

/**
 * Who may talk to the server: Host and Origin must name this server (no DNS
 * rebinding, no cross-site requests) and every API call carries the
 * install's token (Authorization: Bearer, or ?token= for the WebSocket).
 */
export class ApiAuth {
  private readonly tokenBytes: Buffer;
  /** The Host and Origin values naming this server, made once per port (not per request: issue 11's allocation per order). */
  private names: { port: number; hosts: readonly string[]; origins: readonly string[] } | undefined;

  constructor(
    token: string,
    private readonly port: () => number,
  ) {
    this.tokenBytes = Buffer.from(token);
  }

  /** Throws 403 unless Host (and Origin, when sent) name this server. */
  checkHostAndOrigin(req: IncomingMessage): void {
    const port = this.port();
    let names = this.names;
    if (names === undefined || names.port !== port) {
      names = this.names = { port, hosts: [`127.0.0.1:${port}`, `localhost:${port}`], origins: [`http://127.0.0.1:${port}`, `http://localhost:${port}`] };
    }
    if (!names.hosts.includes(req.headers.host ?? '')) throw new HttpError(403, 'FORBIDDEN', `host '${req.headers.host ?? ''}' is not this server`);
    const origin = req.headers.origin;
    if (origin !== undefined && !names.origins.includes(origin)) throw new HttpError(403, 'FORBIDDEN', `origin '${origin}' may not use this API`);
  }

  /**
   * Throws 401 unless the request carries the right token: in the
   * Authorization header, or in the query only where `allowQuery` (the
   * WebSocket upgrade, which a browser cannot give headers). A token in a
   * URL ends up in logs and history, so REST calls must not use it.
   */
  checkToken(req: IncomingMessage, url: { readonly searchParams: URLSearchParams }, allowQuery = false): void {
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : allowQuery ? (url.searchParams.get('token') ?? '') : '';
    if (!given) throw new HttpError(401, 'UNAUTHORIZED', 'missing API token (send Authorization: Bearer TOKEN)');
    if (!sameToken(given, this.tokenBytes)) throw new HttpError(401, 'UNAUTHORIZED', 'wrong API token');
  }
}
