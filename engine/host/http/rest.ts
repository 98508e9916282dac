import type { IncomingMessage } from 'node:http';
import type { ApiMethodName, ApiMethods, Result } from '../../../contract/api.ts';
import { BadRequest } from '../validation.ts';
import { dispatch } from './dispatch.ts';
import { HttpError } from './errors.ts';

/** Largest request body accepted (a new order is ~250 bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

interface RouteContext {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Path segments after /api/. */
  readonly parts: readonly string[];
}

interface Route {
  readonly method: ApiMethodName;
  /** The raw params of the call, from the path, query and body; the method table validates them. */
  readonly params: (c: RouteContext) => Promise<unknown[]>;
}

const componentAction: Route = {
  method: 'componentAction',
  params: async (c) => {
    await readJson(c.req, true);
    return [decodePath('componentId', c.parts[1]!), c.parts[2]];
  },
};

/**
 * REST routes for scripts: `VERB path` (an order or component id as `:id`)
 * → the API method and its params. A method without a route is reachable
 * over the WebSocket only. Documented in docs/api.md.
 */
const ROUTES: Readonly<Record<string, Route>> = {
  'POST orders': { method: 'submitOrder', params: async (c) => [await readJson(c.req)] },
  'POST orders/:id/cancel': {
    method: 'cancelOrder',
    params: async (c) => {
      await readJson(c.req, true);
      return [pathNumber('orderId', c.parts[1]!)];
    },
  },
  'POST orders/:id/replace': { method: 'replaceOrder', params: async (c) => [pathNumber('orderId', c.parts[1]!), await readJson(c.req)] },
  'POST session/open': { method: 'openSession', params: async (c) => (await readJson(c.req, true), []) },
  'POST session/close': { method: 'closeSession', params: async (c) => (await readJson(c.req, true), []) },
  'POST session/roll': { method: 'rollSession', params: async (c) => (await readJson(c.req, true), []) },
  'POST components/:id/activate': componentAction,
  'POST components/:id/deactivate': componentAction,
  'POST components/:id/shutdown': componentAction,
  'GET state': {
    method: 'getState',
    params: async ({ url }) => {
      const at = url.searchParams.get('at');
      if (at === null) return [];
      const session = url.searchParams.get('session');
      return [{ seq: numberParam('at', at), ...(session !== null ? { session: numberParam('session', session) } : {}) }];
    },
  },
  'GET events': {
    method: 'getEvents',
    params: async ({ url }) => {
      const q: Record<string, number> = {};
      for (const [k, v] of url.searchParams) if (k !== 'token') q[k] = numberParam(k, v);
      return [q];
    },
  },
};

/** Runs the REST call at `url` (under /api/); throws HttpError/BadRequest for a bad route, path, query or body. */
export async function routeRest(api: ApiMethods, req: IncomingMessage, url: URL): Promise<Result<unknown>> {
  const parts = url.pathname.split('/').filter(Boolean).slice(1); // drop 'api'
  const verb = req.method ?? 'GET';
  const key = `${verb} ${parts.map((p, i) => (i === 1 && (parts[0] === 'orders' || parts[0] === 'components') ? ':id' : p)).join('/')}`;
  const route = Object.prototype.hasOwnProperty.call(ROUTES, key) ? ROUTES[key] : undefined;
  if (!route) throw new HttpError(404, 'NOT_FOUND', `no API route ${verb} ${url.pathname}`);
  return dispatch(api, route.method, await route.params({ req, url, parts }));
}

/** A path segment %-decoded, or BadRequest (decodeURIComponent throws URIError on a bad escape). */
export function decodePath(name: string, v: string): string {
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
