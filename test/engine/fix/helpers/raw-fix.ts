import { connect, type Socket } from 'node:net';

const SOH = '\x01';

/** A FIX 4.4 message with correct BodyLength and CheckSum. */
export function fixMessage(fields: [number, string | number][], beginString = 'FIX.4.4'): string {
  const body = fields.map(([t, v]) => `${t}=${v}${SOH}`).join('');
  const head = `8=${beginString}${SOH}9=${body.length}${SOH}`;
  const sum = [...(head + body)].reduce((a, ch) => a + ch.charCodeAt(0), 0) % 256;
  return `${head}${body}10=${String(sum).padStart(3, '0')}${SOH}`;
}

/** A FIX UTCTimestamp of now (or of `ms`). */
export function fixTime(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/-/g, '').replace('T', '-').replace('Z', '');
}

/**
 * A hand-written FIX peer on a raw TCP connection: it sends exactly the fields given (PossDupFlag, a repeated
 * MsgSeqNum, a missing OrigSendingTime: what a library would not let a test send) and keeps every message it
 * receives, `|` for SOH.
 */
export class RawFixPeer {
  readonly received: string[] = [];
  private buf = '';
  private readonly socket: Socket;
  private waiters: (() => void)[] = [];

  constructor(
    port: number,
    readonly sender: string,
  ) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      for (;;) {
        const m = /10=\d{3}\x01/.exec(this.buf);
        if (!m) break;
        this.received.push(this.buf.slice(0, m.index + m[0].length).replaceAll(SOH, '|'));
        this.buf = this.buf.slice(m.index + m[0].length);
      }
      for (const w of this.waiters) w();
    });
    this.socket.on('error', () => undefined);
  }

  /** Sends one message: the header (35, 49, 56, 34, 52) then `fields`. */
  send(msgType: string, seq: number, fields: [number, string | number][] = []): void {
    this.socket.write(fixMessage([[35, msgType], [49, this.sender], [56, 'ORDO'], [34, seq], [52, fixTime()], ...fields]));
  }

  /** Writes `text` as it is (a message made with fixMessage with a header of the test's own). */
  write(text: string): void {
    this.socket.write(text);
  }

  /** True once the acceptor has closed the connection. */
  get closed(): boolean {
    return this.socket.destroyed || this.socket.readableEnded;
  }

  /** The received messages of `msgType` (35), in order. */
  ofType(msgType: string): string[] {
    return this.received.filter((m) => m.includes(`|35=${msgType}|`));
  }

  /** Waits until `pred` holds of what was received. */
  async until(pred: () => boolean, what: string, ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; received:\n${this.received.join('\n')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
      this.waiters = [];
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The value of `tag` in a received message (`|` separated), or undefined. */
export function tagOf(msg: string, tag: number): string | undefined {
  return new RegExp(`\\|${tag}=([^|]*)`).exec(msg)?.[1];
}

/** A raw peer logged on as `client` at the acceptor on `port` (kept in `peers`, for the caller to close). */
export async function loggedOnPeer(port: number, client: string, peers: RawFixPeer[]): Promise<RawFixPeer> {
  const p = new RawFixPeer(port, client);
  peers.push(p);
  p.send('A', 1, [[98, 0], [108, 30], [141, 'Y']]);
  await p.until(() => p.ofType('A').length === 1, 'Logon');
  return p;
}
