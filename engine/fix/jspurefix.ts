import 'reflect-metadata';
import type { Server, Socket } from 'node:net';
import {
  DITokens,
  EmptyLogger,
  SessionLauncher,
  type EngineFactory,
  type FixSession,
  type IJsFixConfig,
  type IJsFixLogger,
  type ISessionDescription,
  type JsFixLoggerFactory,
} from 'jspurefix';
import { durableStoreFactory } from './store.ts';
import { TcpAcceptor } from 'jspurefix/dist/transport/tcp/tcp-acceptor.js';
import { log } from '../log.ts';

/**
 * The one place Ordo meets jspurefix's runtime (decision 100): session
 * descriptions, a quiet logger, and starting an acceptor or initiator with an
 * Ordo session class. Everything FIX-session-level (logon, heartbeats, test
 * requests, resends, gap fills, sequence stores) is the library's.
 */

/** FIX versions Ordo speaks. */
export type BeginString = 'FIX.4.2' | 'FIX.4.4';

/** jspurefix's own dictionaries, by version (QuickFIX-format XML shipped with the package). */
function dictionaryFor(begin: BeginString): string {
  return begin === 'FIX.4.2' ? 'data/FIX42.xml' : 'data/FIX44.xml';
}

export interface SessionSpec {
  readonly role: 'acceptor' | 'initiator';
  readonly name: string;
  readonly begin: BeginString;
  readonly senderCompId: string;
  /** '*' for an acceptor that learns its counterparty from the Logon. */
  readonly targetCompId: string;
  readonly host: string;
  readonly port: number;
  readonly heartbeatSeconds: number;
  /** Directory of the QuickFIX-format message and sequence store; in-memory when absent. */
  readonly storeDir?: string;
  /** An acceptor's peers whose sessions are stored in files (the rest, unknown CompIDs, in memory); all when absent. */
  readonly storePeer?: (peerCompId: string) => boolean;
  readonly password?: string;
  /** Reconnect after a drop (initiators). */
  readonly resilient?: boolean;
  readonly reconnectSeconds?: number;
  /** An acceptor serving TLS with this certificate and key (PEM text). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** A jspurefix session description from Ordo's settings. */
export function describeSession(s: SessionSpec): ISessionDescription {
  const d: Record<string, unknown> = {
    application: {
      type: s.role,
      name: s.name,
      // TLS by the library's own server; key and cert passed as text (its file option resolves paths inside the package).
      tcp: { host: s.host, port: s.port, ...(s.tls ? { tls: { requestCert: false, rejectUnauthorized: false, nodeTlsServerOptions: { cert: s.tls.cert, key: s.tls.key } } } : {}) },
      protocol: 'ascii',
      dictionary: dictionaryFor(s.begin),
      ...(s.resilient ? { resilient: true, reconnectSeconds: s.reconnectSeconds ?? 1, connectTimeoutSeconds: 3600 } : { reconnectSeconds: 1 }),
    },
    EncryptMethod: 0,
    ResetSeqNumFlag: false,
    HeartBtInt: s.heartbeatSeconds,
    SenderCompId: s.senderCompId,
    TargetCompID: s.targetCompId,
    BeginString: s.begin,
    ...(s.password !== undefined ? { Password: s.password } : {}),
  };
  return d as unknown as ISessionDescription;
}

/** Sends jspurefix's chatter nowhere; Ordo reports what matters itself. Set ORDO_FIX_DEBUG=1 to see it. */
export const quietLogFactory: JsFixLoggerFactory = {
  logger: (type: string): IJsFixLogger =>
    process.env['ORDO_FIX_DEBUG'] === '1'
      ? {
          info: (m: string) => log.info(`[${type}] ${m}`),
          warning: (m: string) => log.warn(`[${type}] ${m}`),
          debug: () => undefined,
          error: (e: Error) => log.error(`[${type}] ${e.message}`),
        }
      : new EmptyLogger(type),
  plain: (type: string): IJsFixLogger => new EmptyLogger(type),
} as unknown as JsFixLoggerFactory;

/** Sockets whose peer completed a Logon (see markLoggedOn). */
const loggedOn = new WeakSet<Socket>();
/** The gate each accepted socket waits at (markLoggedOn frees its place). */
const gateOf = new WeakMap<Socket, LogonGate>();

/**
 * One acceptor's connections that have not logged on yet. Past `maxWaiting` a new connection is closed before the
 * library builds a session for it (decision 292): a peer that opens connections and never logs on held one
 * session's memory each for the logon timeout, and at thousands the acceptor stopped taking connections at all.
 * Each listener has its own (decision 297): a second acceptor in the process neither shares nor resets the first's.
 */
class LogonGate {
  readonly waiting = new Set<Socket>();
  private lastFullWarning = 0;

  constructor(
    readonly maxWaiting: number,
    /** How long a connection may take to log on before it is dropped (QuickFIX's LogonTimeout). */
    readonly logonTimeoutMs: number,
  ) {}

  /** Takes `socket` if there is room (false: it was closed). */
  admit(socket: Socket): boolean {
    if (this.waiting.size >= this.maxWaiting) {
      socket.destroy();
      const now = Date.now();
      if (now - this.lastFullWarning > 60_000) {
        this.lastFullWarning = now;
        log.warn(`FIX acceptor: ${this.maxWaiting} connections are waiting to log on; closing new ones until they do or time out`);
      }
      return false;
    }
    this.waiting.add(socket);
    gateOf.set(socket, this);
    socket.once('close', () => this.waiting.delete(socket));
    const timer = setTimeout(() => {
      if (!loggedOn.has(socket)) socket.destroy();
    }, this.logonTimeoutMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    return true;
  }
}

/** Tells the acceptor that the session on this transport logged on, so the logon timeout spares it. */
export function markLoggedOn(duplex: unknown): void {
  const socket = (duplex as { socket?: Socket } | undefined)?.socket;
  if (socket) {
    loggedOn.add(socket);
    gateOf.get(socket)?.waiting.delete(socket);
  }
}

/** What one listenFix call hands the acceptor jspurefix builds for it (the library makes it through its DI container). */
interface AcceptorHooks {
  readonly gate: LogonGate;
  onListening?: (port: number) => void;
  onFailure?: (err: Error) => void;
}

/**
 * TcpAcceptor bound to the configured host (jspurefix binds every
 * interface), reporting its port, and dropping connections that do not speak
 * FIX (first bytes not `8=FIX`) or do not log on in time: the library's
 * parser would otherwise wait for ever on garbage.
 */
class BoundAcceptor extends TcpAcceptor {
  constructor(
    config: IJsFixConfig,
    private readonly hooks: AcceptorHooks,
  ) {
    super(config);
  }

  override listen(): void {
    const server = (this as unknown as { server: Server }).server;
    const gate = this.hooks.gate;
    const tls = this.config.description.application?.tcp?.tls !== undefined;
    // Over TLS the checks apply to the decrypted socket (the raw one carries the handshake).
    const event = tls ? 'secureConnection' : 'connection';
    // The library's own handler (it builds a session per connection) runs only for a connection under the cap.
    const libraryHandlers = server.listeners(event) as ((socket: Socket) => void)[];
    server.removeAllListeners(event);
    server.on(event, (socket: Socket) => {
      if (!gate.admit(socket)) return;
      for (const handler of libraryHandlers) handler.call(server, socket);
      socket.once('data', (chunk: Buffer | string) => {
        const head = (typeof chunk === 'string' ? chunk : chunk.toString('latin1')).slice(0, 5);
        if (!'8=FIX'.startsWith(head)) socket.destroy();
      });
    });
    const tcp = this.config.description.application?.tcp;
    // The library throws from its 'error' handler, which would take the host down.
    server.removeAllListeners('error');
    server.on('error', (err) => this.hooks.onFailure?.(err));
    server.listen(tcp?.port ?? 0, tcp?.host ?? '127.0.0.1', () => {
      const a = server.address();
      this.hooks.onListening?.(typeof a === 'object' && a ? a.port : 0);
    });
  }
}

class Launcher extends SessionLauncher {
  constructor(
    acceptor: ISessionDescription | null,
    initiator: ISessionDescription | null,
    private readonly make: (config: IJsFixConfig) => FixSession,
    private readonly storeDir: string | undefined,
    private readonly storePeer?: (peerCompId: string) => boolean,
    private readonly acceptorHooks?: AcceptorHooks,
  ) {
    super(initiator, acceptor, quietLogFactory);
  }

  protected override makeFactory(config: IJsFixConfig): EngineFactory {
    if (this.storeDir !== undefined) config.sessionStoreFactory = durableStoreFactory(this.storeDir, this.storePeer);
    const hooks = this.acceptorHooks;
    if (hooks) config.sessionContainer.register(TcpAcceptor, { useFactory: (c) => new BoundAcceptor(c.resolve<IJsFixConfig>(DITokens.IJsFixConfig), hooks) });
    return { makeSession: (c: IJsFixConfig) => this.make(c) };
  }
}

export interface FixListener {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts a FIX acceptor; each accepted connection gets its own session from
 * `make` (with that connection's config). Resolves once it listens.
 */
export async function listenFix(spec: SessionSpec, make: (config: IJsFixConfig) => FixSession, opts: { logonTimeoutMs?: number; maxWaiting?: number } = {}): Promise<FixListener> {
  const hooks: AcceptorHooks = { gate: new LogonGate(opts.maxWaiting ?? 64, opts.logonTimeoutMs ?? 10_000) };
  const launcher = new Launcher(describeSession(spec), null, make, spec.storeDir, spec.storePeer, hooks);
  const port = await new Promise<number>((resolve, reject) => {
    hooks.onListening = resolve;
    hooks.onFailure = reject;
    launcher.run().catch(reject);
  }).finally(() => {
    // A later failure of the server (after it listens) is the library's to report; nothing waits for it here.
    hooks.onListening = undefined;
    hooks.onFailure = undefined;
  });
  return {
    port,
    close: async () => {
      launcher.stop();
      await new Promise((r) => setTimeout(r, 10));
    },
  };
}

export interface FixConnection {
  /** Resolves when the initiator gives up for good (or is stopped). */
  readonly done: Promise<unknown>;
  stop(): void;
}

/** Starts a FIX initiator with an Ordo session class. */
export function connectFix(spec: SessionSpec, make: (config: IJsFixConfig) => FixSession): FixConnection {
  const launcher = new Launcher(null, describeSession(spec), make, spec.storeDir);
  const done = launcher.run().catch((err: unknown) => err);
  return { done, stop: () => launcher.stop() };
}
