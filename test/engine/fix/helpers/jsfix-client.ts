import 'reflect-metadata';
import { AsciiSession, MsgTag, type IJsFixConfig, type ILooseObject, type MsgView } from 'jspurefix';
import { connectFix, type FixConnection } from '../../../../engine/fix/jspurefix.ts';
import { waitFor } from '../../helpers/backbone.ts';

/** A message the client received: type, body, header seq and PossDup flag. */
export interface Received {
  readonly msgType: string;
  readonly body: ILooseObject;
  readonly seq: number;
  readonly possDup: boolean;
}

/**
 * A plain jspurefix FIX 4.4 initiator (AsciiSession, nothing of Ordo's
 * session class) standing in for a client's FIX engine: logs on, sends what
 * the test says, records everything it receives.
 */
class ClientSession extends AsciiSession {
  constructor(
    config: IJsFixConfig,
    private readonly owner: JsFixClient,
  ) {
    super(config);
  }
  protected onApplicationMsg(msgType: string, view: MsgView): void {
    this.owner.received.push({
      msgType,
      body: view.toObject() as ILooseObject,
      seq: view.getTyped(MsgTag.MsgSeqNum) as number,
      possDup: view.getTyped(MsgTag.PossDupFlag) === true,
    });
  }
  protected onReady(): void {
    this.owner.ready = true;
    this.owner.session = this;
  }
  protected onStopped(error?: Error): void {
    this.owner.ready = false;
    this.owner.stops.push(error?.message ?? 'logout');
  }
  protected onLogon(): boolean {
    return true;
  }
  protected onDecoded(_t: string, txt: string): void {
    this.owner.traffic.push(`in ${txt}`);
  }
  protected onEncoded(_t: string, txt: string): void {
    this.owner.traffic.push(`out ${txt}`);
  }
  sendApp(msgType: string, body: ILooseObject): void {
    this.send(msgType, body);
  }
  /** Asks the acceptor to send again everything from `begin` (ResendRequest, EndSeqNo 0). */
  askResend(begin: number): void {
    this.send('2', { BeginSeqNo: begin, EndSeqNo: 0 });
  }
  logoutNow(): void {
    this.done();
  }
  /** Drops the TCP connection without a Logout (a link failure). */
  dropLink(): void {
    this.transport?.end();
  }
}

export interface ClientOptions {
  readonly port: number;
  readonly compId: string;
  readonly targetCompId?: string;
  readonly password?: string;
  /** Store dir: sequence numbers and messages survive reconnects of clients sharing it. */
  readonly storeDir: string;
  readonly heartbeatSeconds?: number;
}

export class JsFixClient {
  readonly received: Received[] = [];
  readonly traffic: string[] = [];
  readonly stops: string[] = [];
  ready = false;
  session: ClientSession | undefined;
  private conn: FixConnection | undefined;

  constructor(private readonly opts: ClientOptions) {}

  connect(): void {
    this.conn = connectFix(
      {
        role: 'initiator',
        name: `client-${this.opts.compId}`,
        begin: 'FIX.4.4',
        senderCompId: this.opts.compId,
        targetCompId: this.opts.targetCompId ?? 'ORDO',
        host: '127.0.0.1',
        port: this.opts.port,
        heartbeatSeconds: this.opts.heartbeatSeconds ?? 30,
        storeDir: this.opts.storeDir,
        ...(this.opts.password !== undefined ? { password: this.opts.password } : {}),
      },
      (config) => new ClientSession(config, this),
    );
  }

  async logon(): Promise<void> {
    this.connect();
    await waitFor(() => this.ready, 'client logon');
  }

  send(msgType: string, body: ILooseObject): void {
    if (!this.session) throw new Error('not logged on');
    this.session.sendApp(msgType, body);
  }

  async logout(): Promise<void> {
    this.session?.logoutNow();
    await waitFor(() => !this.ready, 'client logout');
    this.conn?.stop();
  }

  askResend(begin: number): void {
    this.session?.askResend(begin);
  }

  drop(): void {
    this.session?.dropLink();
    this.conn?.stop();
  }

  /** Reports (8) and cancel rejects (9) for a ClOrdID, in arrival order. */
  reports(clOrdId: string): Received[] {
    return this.received.filter((r) => (r.msgType === '8' || r.msgType === '9') && r.body['ClOrdID'] === clOrdId);
  }

  async waitReport(pred: (r: Received) => boolean, what: string): Promise<Received> {
    let found: Received | undefined;
    await waitFor(() => (found = this.received.find(pred)) !== undefined, what);
    return found!;
  }
}
