import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../helpers/backbone.ts';
import { runOrdo } from '../helpers/cli.ts';
import { startTestHost } from '../helpers/host.ts';

/**
 * TLS on the FIX acceptor (decision 104): with a certificate and key it
 * serves FIX over TLS (a client logs on through a TLS connection, a clear-text
 * one gets nothing); binding beyond loopback without TLS is refused with one line.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
const SOH = '\x01';
const oneLine = (s: string) => s.trim().split('\n').length === 1 && !/\bat .*\.[jt]s:\d+/.test(s);

function fix(fields: [number, string | number][]): string {
  const body = fields.map(([t, v]) => `${t}=${v}${SOH}`).join('');
  const head = `8=FIX.4.4${SOH}9=${body.length}${SOH}`;
  const sum = [...(head + body)].reduce((a, ch) => a + ch.charCodeAt(0), 0) % 256;
  return `${head}${body}10=${String(sum).padStart(3, '0')}${SOH}`;
}
const now = () => new Date().toISOString().replace(/-/g, '').replace('T', '-').replace('Z', '');
const logon = (seq: number) => fix([[35, 'A'], [49, 'ALPHA'], [56, 'ORDO'], [34, seq], [52, now()], [98, 0], [108, 30]]);

/** Writes `data` on a connection; resolves with what came back once `until` matches it, or all of it when the peer closes. */
function talk(socket: Duplex, data: string, until: RegExp, ms = 15_000): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got.replaceAll(SOH, '|'));
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (until.test(got.replaceAll(SOH, '|'))) done();
    });
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.write(data);
  });
}

describe('FIX acceptor over TLS', () => {
  it('logs a client on over TLS; a clear-text connection gets no FIX', async () => {
    const dir = tempDir('ordo-fix-tls-');
    dirs.push(dir);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const tls = { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
    const host = await startTestHost({ dataDir: join(dir, 'data'), fixPort: 0, fixTls: tls });
    try {
      const port = await host.fix!.whenListening();
      const secure = tlsConnect({ port, host: '127.0.0.1', ca: [tls.cert], servername: 'localhost' });
      await new Promise<void>((r, j) => {
        secure.once('secureConnect', () => r());
        secure.once('error', j);
      });
      expect(secure.authorized).toBe(true);
      const reply = await talk(secure, logon(1), /\|35=A\|/);
      for (const f of ['|35=A|', '|49=ORDO|', '|56=ALPHA|']) expect(reply).toContain(f);

      const clear = tcpConnect(port, '127.0.0.1');
      const none = await talk(clear, logon(2), /35=/, 10_000);
      expect(none).not.toMatch(/8=FIX/);
    } finally {
      await host.dispose();
    }
  }, 60_000);

  it('refuses to serve FIX beyond loopback without TLS, and half a TLS setting: one line, exit code non-zero', async () => {
    const dir = tempDir('ordo-fix-tls-cli-');
    dirs.push(dir);
    const open = await runOrdo(['host', '--data-dir', join(dir, 'a'), '--port', '0', '--fix-port', '0', '--fix-host', '0.0.0.0'], 30_000);
    expect(open.code).not.toBe(0);
    expect(oneLine(open.stderr)).toBe(true);
    expect(open.stderr).toMatch(/FIX acceptor on 0\.0\.0\.0 needs TLS: give --fix-tls-cert and --fix-tls-key/);

    writeFileSync(join(dir, 'cert.pem'), 'not a certificate');
    const half = await runOrdo(['host', '--data-dir', join(dir, 'b'), '--fix-port', '0', '--fix-tls-cert', join(dir, 'cert.pem')]);
    expect(half.code).not.toBe(0);
    expect(oneLine(half.stderr)).toBe(true);
    expect(half.stderr).toMatch(/--fix-tls-cert and --fix-tls-key go together/);

    const bad = await runOrdo(['host', '--data-dir', join(dir, 'c'), '--fix-port', '0', '--fix-tls-cert', join(dir, 'cert.pem'), '--fix-tls-key', join(dir, 'cert.pem')]);
    expect(bad.code).not.toBe(0);
    expect(oneLine(bad.stderr)).toBe(true);
    expect(bad.stderr).toMatch(/is not a PEM certificate/);
  }, 90_000);
});
