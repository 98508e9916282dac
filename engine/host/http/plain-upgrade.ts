import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { REQUEST_TIMEOUT_MS } from './connections.ts';

/** Whether an upgrade request asks for a WebSocket (the only protocol this server switches to). */
export function asksForWebSocket(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').trim().toLowerCase() === 'websocket';
}

/**
 * A request that offered to switch to another protocol than WebSocket, answered as the plain HTTP/1.1 request it
 * also is (RFC 9110 §7.8: a server may ignore Upgrade). `curl --http2` offers h2c on every request: Node hands any
 * request with an Upgrade header to the 'upgrade' listener, detached from its parser, and the WebSocket check
 * answered "404 Bad Request" with no body (round 19, outside; decision 302). The request is rebuilt on the socket:
 * its body (Content-Length bytes, from `head` and then the socket), and a response that closes the connection.
 * A chunked body is refused with a 400: the parser that would read it is gone.
 */
export function servePlainUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, serve: (req: IncomingMessage, res: ServerResponse) => void): void {
  socket.on('error', () => socket.destroy());
  if (req.headers['transfer-encoding'] !== undefined) {
    socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  const plain = new IncomingMessage(socket as Socket);
  plain.method = req.method;
  plain.url = req.url;
  plain.headers = req.headers;
  plain.rawHeaders = req.rawHeaders;
  plain.httpVersionMajor = req.httpVersionMajor;
  plain.httpVersionMinor = req.httpVersionMinor;
  plain.httpVersion = req.httpVersion;
  const res = new ServerResponse(plain);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.once('finish', () => {
    res.detachSocket(socket as Socket);
    (socket as Socket).destroySoon();
  });
  (socket as Socket).setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
  const length = Number(req.headers['content-length'] ?? 0);
  let got = 0;
  const feed = (d: Buffer) => {
    const take = d.subarray(0, Math.max(0, length - got));
    got += take.length;
    if (take.length > 0) plain.push(take);
    if (got >= length) {
      socket.removeListener('data', feed);
      // Complete, as the parser marks a request it read whole: else its end reads as an abort that destroys the socket.
      plain.complete = true;
      plain.push(null);
    }
  };
  feed(head);
  if (got < length) socket.on('data', feed);
  serve(plain, res);
}
