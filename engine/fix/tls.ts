import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { UserError } from '../errors.ts';

/** A FIX acceptor's TLS certificate and private key (PEM text). */
export interface FixTls {
  readonly cert: string;
  readonly key: string;
}

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/**
 * The FIX acceptor's address rule (decision 104): beyond loopback, clients'
 * orders and passwords would cross a network in clear text, so a bind
 * beyond loopback needs TLS. Throws one line naming what is missing.
 */
export function checkFixBind(host: string, tls: FixTls | undefined): void {
  if (!isLoopback(host) && !tls) {
    throw new UserError(`FIX acceptor on ${host} needs TLS: give --fix-tls-cert and --fix-tls-key (only loopback may be served in clear text)`);
  }
}

/** Reads the certificate and key files named on the command line; both or neither. Throws one line. */
export function loadFixTls(certFile: string | undefined, keyFile: string | undefined): FixTls | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new UserError('host: --fix-tls-cert and --fix-tls-key go together');
  const read = (what: string, file: string, marker: RegExp): string => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UserError(`host: cannot read --fix-tls-${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (!marker.test(text)) throw new UserError(`host: --fix-tls-${what} ${file} is not a PEM ${what === 'cert' ? 'certificate' : 'private key'}`);
    return text;
  };
  return { cert: read('cert', certFile, /-----BEGIN CERTIFICATE-----/), key: read('key', keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/) };
}
