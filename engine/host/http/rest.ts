import type { IncomingMessage } from 'node:http';
import type { ApiMethodName, ApiMethods, Result } from '../../../contract/api.ts';
import { BadRequest } from '../validation.ts';
import { dispatch } from './dispatch.ts';
import { HttpError } from './errors.ts';

/** Largest request body accepted (a new order is ~250 bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

/** What a route reads of the request's URL (a WHATWG `URL` is one). */
export interface ApiUrl {
  readonly pathname: string;
  readonly searchParams: URLSearchParams;
}

/**
 * A plain API path (`/api/` then letters, digits, `-`, `_` and `/`, maybe a query) as an ApiUrl without
 * building a WHATWG URL (~1 KB of garbage per order at 1,000 orders/s: issue 11). Such a path has nothing
 * a URL would change (no dot segments, escapes or backslashes), so its pathname is the text itself and its
 * query parses the same. Anything else: undefined (the caller builds a URL).
 */
export function plainApiUrl(raw: string): ApiUrl | undefined {
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  if (!PLAIN_API_PATH.test(path)) return undefined;
  if (q < 0) return { pathname: path, get searchParams() { return new URLSearchParams(); } };
  const search = raw.slice(q + 1);
  if (search.includes('#')) return undefined;
  return { pathname: path, searchParams: new URLSearchParams(search) };
}
const PLAIN_API_PATH = /^\/api\/[A-Za-z0-9_/-]*$/;

interface RouteContext {
  readonly req: IncomingMessage;
  readonly url: ApiUrl;
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
// A Map, not an object: the key is built from the request's path ('GET constructor' must find nothing; decision 296).
const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['POST orders', { method: 'submitOrder', params: async (c) => [await readJson(c.req)] }],
  ['POST orders/:id/cancel', {
    method: 'cancelOrder',
    params: async (c) => {
      await readJson(c.req, true);
      return [pathNumber('orderId', c.parts[1]!)];
    },
  }],
  ['POST orders/:id/replace', { method: 'replaceOrder', params: async (c) => [pathNumber('orderId', c.parts[1]!), await readJson(c.req)] }],
  ['POST session/open', { method: 'openSession', params: async (c) => (await readJson(c.req, true), []) }],
  ['POST session/close', { method: 'closeSession', params: async (c) => (await readJson(c.req, true), []) }],
  ['POST session/roll', { method: 'rollSession', params: async (c) => (await readJson(c.req, true), []) }],
  ['POST components/:id/activate', componentAction],
  ['POST components/:id/deactivate', componentAction],
  ['POST components/:id/shutdown', componentAction],
  ['POST components/:id/restart', {
    method: 'restartComponent',
    params: async (c) => {
      await readJson(c.req, true);
      return [decodePath('componentId', c.parts[1]!)];
    },
  }],
  ['POST roles/:id/standby', {
    method: 'addStandby',
    params: async (c) => {
      await readJson(c.req, true);
      return [decodePath('role', c.parts[1]!)];
    },
  }],
  ['GET orders/:id/history', {
    method: 'getOrderHistory',
    params: async ({ url, parts }) => {
      const session = queryParams(url).get('session');
      return [{ orderId: pathNumber('orderId', parts[1]!), ...(session !== undefined ? { session: numberParam('session', session) } : {}) }];
    },
  }],
  ['GET sessions', { method: 'getSessions', params: async () => [] }],
  ['GET timeline', {
    method: 'getTimeline',
    params: async ({ url }) => {
      const q = query<number>();
      for (const [k, v] of queryParams(url)) if (k !== 'token') q[k] = numberParam(k, v);
      return [q];
    },
  }],
  ['GET events/search', {
    method: 'searchEvents',
    params: async ({ url }) => {
      const q = query<string | number>();
      for (const [k, v] of queryParams(url)) {
        if (k === 'token') continue;
        q[k] = k === 'clientId' || k === 'type' || k === 'reason' ? v : numberParam(k, v);
      }
      return [q];
    },
  }],
  ['GET state', {
    method: 'getState',
    params: async ({ url }) => {
      const q = queryParams(url);
      const at = q.get('at');
      if (at === undefined) return [];
      const session = q.get('session');
      return [{ seq: numberParam('at', at), ...(session !== undefined ? { session: numberParam('session', session) } : {}) }];
    },
  }],
  ['GET orders', { method: 'getOrders', params: async ({ url }) => [pageQuery(url, ['after', 'limit', 'at', 'session'], ['state', 'clientId', 'symbol'])] }],
  ['GET order-window', {
    method: 'getOrderWindow',
    params: async ({ url }) => [pageQuery(url, ['offset', 'limit', 'at', 'session'], ['state', 'symbol', 'side', 'timeInForce', 'clientId', 'text', 'sort', 'dir'])],
  }],
  ['GET fill-window', {
    method: 'getFillWindow',
    params: async ({ url }) => [pageQuery(url, ['offset', 'limit', 'at', 'session', 'orderId'], ['symbol', 'side', 'clientId', 'text', 'sort', 'dir'])],
  }],
  ['POST order-window/cancel', { method: 'cancelSelection', params: async (c) => [await readJson(c.req)] }],
  ['GET fills', { method: 'getFills', params: async ({ url }) => [pageQuery(url, ['after', 'limit', 'at', 'session'], ['clientId', 'symbol'])] }],
  // Risk (issue 12).
  ['GET positions', { method: 'getPositions', params: async () => [] }],
  ['GET risk', { method: 'getRisk', params: async () => [] }],
  // FIX (issue 13).
  ['GET fix/sessions', { method: 'getFixSessions', params: async () => [] }],
  ['POST halt', { method: 'haltFirm', params: async (c) => [await readJson(c.req, true)] }],
  ['POST resume', { method: 'resumeFirm', params: async (c) => [await readJson(c.req, true)] }],
  ['POST clients/:id/halt', { method: 'haltClient', params: async (c) => [decodePath('clientId', c.parts[1]!), await readJson(c.req, true)] }],
  ['POST clients/:id/resume', { method: 'resumeClient', params: async (c) => [decodePath('clientId', c.parts[1]!), await readJson(c.req, true)] }],
  ['PUT clients/:id/limits', { method: 'setLimits', params: async (c) => [decodePath('clientId', c.parts[1]!), await readJson(c.req)] }],
  ['PUT restricted/:id', { method: 'setRestricted', params: async (c) => [decodePath('symbol', c.parts[1]!), await readJson(c.req)] }],
  ['GET events', {
    method: 'getEvents',
    params: async ({ url }) => {
      const q = query<number>();
      for (const [k, v] of queryParams(url)) if (k !== 'token') q[k] = numberParam(k, v);
      return [q];
    },
  }],
]);

/** Runs the REST call at `url` (under /api/); throws HttpError/BadRequest for a bad route, path, query or body. */
export async function routeRest(api: ApiMethods, req: IncomingMessage, url: ApiUrl): Promise<Result<unknown>> {
  const parts = url.pathname.split('/').filter(Boolean).slice(1); // drop 'api'
  // HEAD is GET without the body (Node leaves the body out of a HEAD answer).
  const verb = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
  const path = parts.map((p, i) => (i === 1 && (parts[0] === 'orders' || parts[0] === 'components' || parts[0] === 'roles' || parts[0] === 'clients' || parts[0] === 'restricted') ? ':id' : p)).join('/');
  const key = `${verb} ${path}`;
  const route = ROUTES.get(key);
  if (!route) {
    // A known path asked with another method is 405 with the methods it takes (RFC 9110 §15.5.6), not 404.
    const verbs = new Set([...ROUTES.keys()].filter((k) => k.slice(k.indexOf(' ') + 1) === path).map((k) => k.slice(0, k.indexOf(' '))));
    if (verbs.size === 0) throw new HttpError(404, 'NOT_FOUND', `no API route ${verb} ${url.pathname}`);
    if (verbs.has('GET')) verbs.add('HEAD');
    const allowed = ['GET', 'HEAD', 'POST', 'PUT'].filter((v) => verbs.has(v));
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${verb} is not allowed on ${url.pathname} (${allowed.join(', ')})`, { allow: allowed.join(', ') });
  }
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
  if (!/^\d{1,16}$/.test(v)) throw new BadRequest(`${name}: must be a whole number of at most 16 digits`);
  return Number(v);
}

/** A page query from the URL: the listed numeric and text parameters; anything else is refused. */
function pageQuery(url: ApiUrl, numbers: readonly string[], texts: readonly string[]): Record<string, number | string> {
  const q = query<number | string>();
  for (const [k, v] of queryParams(url)) {
    if (k === 'token') continue;
    if (numbers.includes(k)) q[k] = numberParam(k, v);
    else if (texts.includes(k)) q[k] = v;
    else throw new BadRequest(`query.${k}: unknown parameter (one of ${[...numbers, ...texts].join(', ')})`);
  }
  return q;
}

/**
 * The query's parameters by name (decision 302). A name given twice is refused, as a body's duplicate key is: the
 * routes that looped kept the last value and those that asked for one kept the first, so `?symbol=AAPL&symbol=MSFT`
 * listed MSFT's orders alone, and `?at=5&at=900` set the state back to seq 5, both answered 200.
 */
function queryParams(url: ApiUrl): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of url.searchParams) {
    if (m.has(k)) throw new BadRequest(`query.${k}: given more than once (which value is meant is unclear)`);
    m.set(k, v);
  }
  return m;
}

/**
 * A query's parameters by name, without a prototype: `?__proto__=1` becomes a parameter the API's checks refuse
 * by name, where on a plain object the assignment changed nothing and the parameter went unseen (round 18).
 */
function query<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

function numberParam(name: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new BadRequest(`query.${name}: must be a whole number`);
  return Number(v);
}

/**
 * The first key that appears twice in one object of a JSON text (already
 * known to be valid JSON), or undefined. JSON.parse keeps the last value,
 * so `{"quantity": 1, …, "quantity": 1000000}` would be sequenced as a
 * million; a trader's tool that sends that has a bug, and it must be told.
 */
export function duplicateKey(text: string): string | undefined {
  // One frame per open object or array: the keys seen so far (objects), and whether a key comes next.
  // Keys in an array, searched by scan, while an object has few (a Set per object was garbage on every order:
  // issue 11); past 16 keys in a Set, so a body of thousands of keys stays linear.
  const stack: { keys: string[] | undefined; many: Set<string> | undefined; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push({ keys: [], many: undefined, expectKey: true });
    else if (c === '[') stack.push({ keys: undefined, many: undefined, expectKey: false });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    } else if (c === '"') {
      let j = i + 1;
      let escaped = false;
      while (text[j] !== '"') {
        if (text[j] === '\\') {
          escaped = true;
          j += 2;
        } else j++;
      }
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        // A key without escapes is its own text (no JSON.parse per key on every order).
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (top.many !== undefined) {
          if (top.many.has(key)) return key;
          top.many.add(key);
        } else {
          if (top.keys.includes(key)) return key;
          top.keys.push(key);
          if (top.keys.length > 16) top.many = new Set(top.keys);
        }
        top.expectKey = false;
      }
      i = j;
    }
  }
  return undefined;
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
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
      if (text.trim() === '') {
        if (optional) resolve(undefined);
        else reject(new BadRequest('request body must be a JSON object'));
        return;
      }
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') {
        reject(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `request body must be sent as content-type application/json${type ? `, not ${type}` : ''}`));
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        reject(new BadRequest('request body is not valid JSON'));
        return;
      }
      const dup = duplicateKey(text);
      if (dup !== undefined) reject(new BadRequest(`request body has the duplicate key '${dup}' (which value is meant is unclear)`));
      else resolve(value);
    });
    req.on('error', reject);
  });
}
