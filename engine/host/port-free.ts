import { createServer } from 'node:net';

/**
 * Resolves once `port` on `host` could be bound (and is let go again at once); rejects with the listen error
 * (`code` EADDRINUSE, EACCES, …) otherwise. Port 0 is always free. For a port a component takes later (the FIX
 * acceptor listens only while a session is open): the operator hears at start-up that it is taken, not at the
 * session's open in a log line.
 */
export function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
