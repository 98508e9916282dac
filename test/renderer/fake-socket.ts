import type { StateUpdate } from '../../contract/api.ts';
import type { WireCall } from '../../contract/wire.ts';
import type { SocketLike } from '../../contract/wire-connection.ts';

/** A socket the test drives: it records what the client sends and lets the test answer, drop or fail it. */
export class FakeSocket implements SocketLike {
  readyState = 0;
  sent: WireCall[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  /** What the client closed it with. */
  closedWith: [number, string] | undefined;
  constructor(readonly url = '') {}
  send(data: string): void {
    this.sent.push(JSON.parse(data) as WireCall);
  }
  close(code = 1000, reason = ''): void {
    this.closedWith = [code, reason];
    this.drop(code, reason);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  /** An error, then the close: a Node (`ws`) socket says what went wrong in the error event, a browser's does not. */
  fail(message?: string): void {
    this.onerror?.(message === undefined ? {} : { message });
    this.drop();
  }
  reply(id: number, result: unknown): void {
    this.onmessage?.({ data: JSON.stringify({ id, result }) });
  }
  push(push: StateUpdate): void {
    this.onmessage?.({ data: JSON.stringify({ push }) });
  }
  last(): WireCall {
    return this.sent[this.sent.length - 1] as WireCall;
  }
  methods(): string[] {
    return this.sent.map((c) => c.method);
  }
}
