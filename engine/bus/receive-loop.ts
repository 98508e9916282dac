import type { Readable } from 'zeromq';

/** A socket that can be read one message at a time and says when it is closed. */
export type ReceivingSocket = Pick<Readable, 'receive'> & { readonly closed: boolean };

/**
 * Hands every message `socket` receives to `onMessage`, in order, until the
 * socket is closed; then resolves. Awaits `socket.receive()` itself instead
 * of `for await` over the socket: zeromq.js's async iterator wraps each
 * receive in an async function returning a `{ value, done }` object, which
 * is a promise, an object and one more await per message on the hot path
 * (the sequencer's ROUTER, every subscriber, every command client; decision
 * 262). A throw from `onMessage`, or any receive error other than the
 * socket's own close, rejects the returned promise (as it ended the loop
 * before).
 */
export async function receiveEach(socket: ReceivingSocket, onMessage: (message: Buffer[]) => void): Promise<void> {
  for (;;) {
    if (socket.closed) return;
    let message: Buffer[];
    try {
      message = await socket.receive();
    } catch (err) {
      // A receive pending when the socket closes fails with EAGAIN: the end, as the iterator's `done`.
      if (socket.closed && (err as { code?: string }).code === 'EAGAIN') return;
      throw err;
    }
    onMessage(message);
  }
}
