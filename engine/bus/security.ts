import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { curveKeyPair, Router } from 'zeromq';
import { UserError } from '../errors.ts';

/**
 * Security of the bus over tcp:// (see docs/decisions/050-bus-security.md).
 *
 * Every socket that listens on tcp is a CURVE server (encrypted, and the
 * server proves who it is); every client proves who it is with its own key
 * pair, and a ZAP handler (RFC 27) in the server's process lets in only the
 * public keys on the install's allow list. Keys are made once per install
 * in `<data-dir>/keys/` (0700, files 0600). inproc:// needs none of this: it
 * never leaves the process (and CURVE options do not apply to it).
 *
 * Which endpoints are secured is kept by endpoint in a `BusSecurity`, one
 * per host (decision 063), so the sockets themselves stay unaware: its
 * `bindAll` and `connectTo` apply the registered options before binding or
 * connecting; a socket owner is handed the object as an optional option.
 */

/** A CURVE key pair, both halves Z85 (40 characters). */
export interface CurveKeys {
  readonly publicKey: string;
  readonly secretKey: string;
}

/** The key files of one install. */
export interface BusKeyPaths {
  readonly dir: string;
  /** The server's pair (JSON), read by the host only. */
  readonly serverKey: string;
  /** The server's public key (one line), what clients need to know the host. */
  readonly serverPublic: string;
  /** The pair (JSON) that `ordo component` processes of this install use. */
  readonly componentKey: string;
  /** Public keys let in by the ZAP handler, one per line; `#` starts a comment. */
  readonly authorized: string;
}

export function busKeyPaths(keysDir: string): BusKeyPaths {
  return {
    dir: keysDir,
    serverKey: join(keysDir, 'server.key'),
    serverPublic: join(keysDir, 'server.pub'),
    componentKey: join(keysDir, 'component.key'),
    authorized: join(keysDir, 'authorized-clients'),
  };
}

const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function readPair(path: string): CurveKeys {
  let v: Partial<CurveKeys>;
  try {
    v = JSON.parse(readFileSync(path, 'utf8')) as Partial<CurveKeys>;
  } catch (err) {
    throw new UserError(`cannot read bus key ${path}: ${(err as Error).message}`);
  }
  if (typeof v.publicKey !== 'string' || !Z85_KEY.test(v.publicKey) || typeof v.secretKey !== 'string' || !Z85_KEY.test(v.secretKey)) {
    throw new UserError(`bus key ${path} is not a CURVE key pair (Z85 publicKey and secretKey)`);
  }
  chmodSync(path, 0o600);
  return { publicKey: v.publicKey, secretKey: v.secretKey };
}

/**
 * The install's bus keys, made on first use: the server pair, the pair for
 * component processes, and an allow list holding that component key.
 * Directory 0700, every file 0600 (tightened again if loosened).
 */
export function ensureBusKeys(keysDir: string): { server: CurveKeys; component: CurveKeys; paths: BusKeyPaths } {
  const paths = busKeyPaths(keysDir);
  try {
    if (!existsSync(keysDir)) mkdirSync(keysDir, { recursive: true, mode: 0o700 });
    else if (!statSync(keysDir).isDirectory()) throw new UserError(`${keysDir} is not a directory`);
    chmodSync(keysDir, 0o700);
    if (!existsSync(paths.serverKey)) {
      const pair = curveKeyPair();
      writePrivate(paths.serverKey, JSON.stringify(pair) + '\n');
      writePrivate(paths.serverPublic, pair.publicKey + '\n');
    }
    if (!existsSync(paths.componentKey)) {
      const pair = curveKeyPair();
      writePrivate(paths.componentKey, JSON.stringify(pair) + '\n');
      const prior = existsSync(paths.authorized) ? readFileSync(paths.authorized, 'utf8') : '# public keys (Z85) let onto this host\'s bus, one per line\n';
      writePrivate(paths.authorized, `${prior}${pair.publicKey}\n`);
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot make bus keys in ${keysDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const server = readPair(paths.serverKey);
  if (!existsSync(paths.serverPublic) || readFileSync(paths.serverPublic, 'utf8').trim() !== server.publicKey) writePrivate(paths.serverPublic, server.publicKey + '\n');
  for (const f of [paths.serverPublic, paths.authorized]) if (existsSync(f)) chmodSync(f, 0o600);
  return { server, component: readPair(paths.componentKey), paths };
}

/** What a component process needs to join a host's bus: the host's public key and its own pair. */
export function loadClientKeys(keysDir: string): { serverPublicKey: string; client: CurveKeys } {
  const paths = busKeyPaths(keysDir);
  if (!existsSync(paths.serverPublic) || !existsSync(paths.componentKey)) {
    throw new UserError(`no bus keys in ${keysDir} (start 'ordo host' on that data dir once to make them)`);
  }
  const serverPublicKey = readFileSync(paths.serverPublic, 'utf8').trim();
  if (!Z85_KEY.test(serverPublicKey)) throw new UserError(`${paths.serverPublic} does not hold a Z85 public key`);
  return { serverPublicKey, client: readPair(paths.componentKey) };
}

/**
 * The allow list, read afresh (so a key removed from the file is refused
 * from the next connection on). A line is a key, or a comment if it starts
 * with `#` (Z85 itself may contain `#`, so only whole lines are comments).
 */
export function authorizedKeys(keysDir: string): Set<string> {
  const file = busKeyPaths(keysDir).authorized;
  if (!existsSync(file)) return new Set();
  const keys = new Set<string>();
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('#') && Z85_KEY.test(line)) keys.add(line);
  }
  return keys;
}

// ---- Z85 ----------------------------------------------------------------

const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

/** Z85 (ZeroMQ RFC 32) of bytes whose length is a multiple of 4. */
export function z85Encode(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) throw new RangeError('Z85 needs a multiple of 4 bytes');
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let v = ((bytes[i]! << 24) >>> 0) + (bytes[i + 1]! << 16) + (bytes[i + 2]! << 8) + bytes[i + 3]!;
    const chunk = new Array<string>(5);
    for (let j = 4; j >= 0; j--) {
      chunk[j] = Z85[v % 85]!;
      v = Math.floor(v / 85);
    }
    out += chunk.join('');
  }
  return out;
}

// ---- ZAP handler ----------------------------------------------------------

/** Decides whether a client may connect: its CURVE public key (Z85) and its address. */
export type ZapCheck = (publicKey: string, address: string) => boolean;

export const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

interface ZapState {
  readonly router: Router;
  readonly domains: Map<string, ZapCheck>;
  /** Requests answered, by status (figures and tests). */
  readonly counts: { allowed: number; denied: number };
}

let zap: Promise<ZapState> | undefined;

async function startZap(): Promise<ZapState> {
  const router = new Router({ linger: 0 });
  await router.bind(ZAP_ENDPOINT);
  const state: ZapState = { router, domains: new Map(), counts: { allowed: 0, denied: 0 } };
  void (async () => {
    try {
      for await (const frames of router) {
        // [routing id, empty delimiter, version, request id, domain, address, identity, mechanism, credentials…]
        const [id, delimiter, version, requestId, domain, address, , mechanism, key] = frames;
        if (!id || !delimiter || !requestId) continue;
        let status = '400';
        let text = 'not allowed';
        let user = '';
        if (version?.toString() !== '1.0') {
          status = '500';
          text = 'unsupported ZAP version';
        } else if (mechanism?.toString() !== 'CURVE' || !key || key.length !== 32) {
          text = 'only CURVE clients are allowed';
        } else {
          const check = state.domains.get(domain?.toString() ?? '');
          const publicKey = z85Encode(key);
          if (check?.(publicKey, address?.toString() ?? '')) {
            status = '200';
            text = 'OK';
            user = publicKey;
          }
        }
        if (status === '200') state.counts.allowed++;
        else state.counts.denied++;
        await router.send([id, delimiter, '1.0', requestId, status, text, user, '']);
      }
    } catch {
      // Closed.
    }
  })();
  return state;
}

/**
 * Registers the checks for one ZAP domain with this process's ZAP handler
 * (one Router on inproc://zeromq.zap.01, shared by every host in the
 * process, started on first use). Returns the function that unregisters it;
 * the handler closes with the last domain. Register before binding the
 * sockets of the domain, unregister after closing them: with no handler,
 * libzmq lets any CURVE client in.
 */
export async function registerZapDomain(domain: string, check: ZapCheck): Promise<() => Promise<void>> {
  zap ??= startZap();
  const state = await zap;
  if (state.domains.has(domain)) throw new Error(`ZAP domain ${domain} is already registered`);
  state.domains.set(domain, check);
  return async () => {
    state.domains.delete(domain);
    if (state.domains.size === 0 && zap) {
      zap = undefined;
      state.router.close();
    }
  };
}

/** ZAP answers so far in this process (undefined before the handler started). */
export async function zapCounts(): Promise<{ allowed: number; denied: number } | undefined> {
  return zap ? { ...(await zap).counts } : undefined;
}

// ---- keys by endpoint, one BusSecurity per host --------------------------------------------------

/** What a socket listening on a secured endpoint sets. */
export interface ServerSecurity {
  readonly secretKey: string;
  readonly zapDomain: string;
}

/** What a socket connecting to a secured endpoint sets. */
export interface ClientSecurity {
  readonly serverPublicKey: string;
  readonly publicKey: string;
  readonly secretKey: string;
}

interface Bindable {
  bind(endpoint: string): Promise<void>;
}

interface Connectable {
  connect(endpoint: string): void;
}

/** Tries before an interrupted call's error is let through (a signal storm, not one signal). */
const EINTR_TRIES = 1000;

/**
 * Runs a synchronous libzmq call again while a signal interrupts it. libzmq does not restart a call that a
 * signal interrupts (a `--cpu-prof` profiler's SIGPROF, a child's SIGCHLD): zeromq.js then throws
 * "Interrupted system call" (EINTR) out of `connect` or an option's setter, which would fail a host's or a
 * component's start for no fault of its own.
 */
export function retryInterrupted<T>(call: () => T): T {
  for (let i = 1; ; i++) {
    try {
      return call();
    } catch (err) {
      const e = err as { code?: unknown; errno?: unknown };
      if (i >= EINTR_TRIES || (e.code !== 'EINTR' && e.errno !== 4)) throw err;
    }
  }
}

/**
 * The keys of one host's bus (decision 063): which endpoints are CURVE
 * servers and which need client keys. A host makes one from its data dir's
 * keys and hands it to every socket owner it builds; `ordo component` makes
 * one from the client keys. Two hosts in one process thus keep apart keys.
 * (The ZAP handler above stays process-wide on purpose: libzmq has one ZAP
 * endpoint per context, so the hosts share it and differ by ZAP domain.)
 */
export class BusSecurity {
  private readonly servers = new Map<string, ServerSecurity>();
  private readonly clients = new Map<string, ClientSecurity>();

  /** Marks endpoints as CURVE servers; returns the function that forgets them. */
  secureServerEndpoints(endpoints: readonly string[], security: ServerSecurity): () => void {
    for (const ep of endpoints) this.servers.set(ep, security);
    return () => {
      for (const ep of endpoints) if (this.servers.get(ep) === security) this.servers.delete(ep);
    };
  }

  /** What a socket bound to `endpoint` sets, if it is a secured one (to hand a socket owner on another thread its part). */
  serverSecurity(endpoint: string): ServerSecurity | undefined {
    return this.servers.get(endpoint);
  }

  /** Marks endpoints as needing CURVE client keys; returns the function that forgets them. */
  secureClientEndpoints(endpoints: readonly string[], security: ClientSecurity): () => void {
    for (const ep of endpoints) this.clients.set(ep, security);
    return () => {
      for (const ep of endpoints) if (this.clients.get(ep) === security) this.clients.delete(ep);
    };
  }

  /**
   * Binds `socket` to every endpoint. If any is a secured one, the socket
   * becomes a CURVE server first (before any bind: options apply to the binds
   * that follow them; inproc endpoints of the same socket are unaffected).
   */
  async bindAll(socket: Bindable, endpoints: readonly string[]): Promise<void> {
    const security = endpoints.map((ep) => this.servers.get(ep)).find((s) => s !== undefined);
    if (security) {
      const s = socket as unknown as { curveServer: boolean; curveSecretKey: string; zapDomain: string };
      s.curveServer = true;
      s.curveSecretKey = security.secretKey;
      s.zapDomain = security.zapDomain;
    }
    for (const ep of endpoints) await socket.bind(ep);
  }

  /** Connects `socket` to `endpoint`, as a CURVE client if the endpoint is a secured one. */
  connectTo(socket: Connectable, endpoint: string): void {
    const security = this.clients.get(endpoint);
    if (security) {
      const s = socket as unknown as { curveServerKey: string; curvePublicKey: string; curveSecretKey: string };
      retryInterrupted(() => (s.curveServerKey = security.serverPublicKey));
      retryInterrupted(() => (s.curvePublicKey = security.publicKey));
      retryInterrupted(() => (s.curveSecretKey = security.secretKey));
    }
    retryInterrupted(() => socket.connect(endpoint));
  }
}

/**
 * Binds `socket` to every endpoint through `security` (the owner's
 * BusSecurity), or plainly without one: there is no process-wide keyring.
 */
export async function bindAll(socket: Bindable, endpoints: readonly string[], security?: BusSecurity): Promise<void> {
  if (security) return security.bindAll(socket, endpoints);
  for (const ep of endpoints) await socket.bind(ep);
}

/** Connects `socket` to `endpoint` through `security`, or plainly without one. */
export function connectTo(socket: Connectable, endpoint: string, security?: BusSecurity): void {
  if (security) security.connectTo(socket, endpoint);
  else retryInterrupted(() => socket.connect(endpoint));
}
