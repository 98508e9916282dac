import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_METHODS } from '../../contract/api.ts';
import { CSP, withCsp } from '../../electron/csp.ts';
import { parseReadyLine } from '../../electron/host-process.ts';
import { checkCall, isApiMethod, isTrustedSender } from '../../electron/ipc-guard.ts';

const PAGE = pathToFileURL('/opt/ordo/dist/renderer/index.html').href;

describe('the sender-frame check', () => {
  it('accepts the app page, whatever its query or hash', () => {
    expect(isTrustedSender(PAGE, PAGE)).toBe(true);
    expect(isTrustedSender(`${PAGE}?x=1#orders`, PAGE)).toBe(true);
  });

  it('refuses other pages, other schemes, and frames that are gone', () => {
    for (const url of [
      pathToFileURL('/opt/ordo/dist/renderer/other.html').href,
      pathToFileURL('/tmp/index.html').href,
      'file://evil-host/opt/ordo/dist/renderer/index.html',
      'http://127.0.0.1:7400/',
      'https://example.com/opt/ordo/dist/renderer/index.html',
      'about:blank',
      'devtools://devtools/bundled/inspector.html',
      'not a url',
      '',
      undefined,
    ]) {
      expect(isTrustedSender(url, PAGE), String(url)).toBe(false);
    }
  });

  it('refuses a non-file page even if the sender matches it', () => {
    expect(isTrustedSender('http://127.0.0.1:7400/', 'http://127.0.0.1:7400/')).toBe(false);
  });
});

describe('the method allow-list', () => {
  it('knows every request/response method of OrdoApi and nothing else', () => {
    for (const m of API_METHODS) expect(isApiMethod(m)).toBe(true);
    for (const m of ['subscribe', 'constructor', '__proto__', 'toString', 'hostCommand', 'SUBMITORDER', '', 42, null, undefined, {}]) {
      expect(isApiMethod(m), String(m)).toBe(false);
    }
  });

  it('checks a call: a known method and at most two parameters in an array', () => {
    expect(checkCall('cancelOrder', [7])).toEqual({ ok: true, method: 'cancelOrder', params: [7] });
    expect(checkCall('openSession', [])).toEqual({ ok: true, method: 'openSession', params: [] });
    expect(checkCall('subscribe', [])).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(checkCall('getState', 'x')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(checkCall('getState', { 0: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(checkCall('replaceOrder', [1, {}, 3])).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});

describe('the content security policy', () => {
  it('lets the page load only its own files and connect nowhere', () => {
    expect(CSP).toContain("default-src 'none'");
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).toContain("connect-src 'none'");
    expect(CSP).not.toMatch(/unsafe-eval/);
  });

  it('replaces any CSP header of a response and keeps the others', () => {
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [CSP] });
    expect(withCsp({ 'content-security-policy': ['default-src *'], 'X-Thing': 'a', 'Set-Cookie': ['a', 'b'] })).toEqual({
      'X-Thing': ['a'],
      'Set-Cookie': ['a', 'b'],
      'Content-Security-Policy': [CSP],
    });
  });
});

describe('the ready line', () => {
  it('is parsed into the UI URL, port, token and WebSocket URL', () => {
    expect(parseReadyLine('ordo ready http://127.0.0.1:40123/?token=abc_DEF-123')).toEqual({
      url: 'http://127.0.0.1:40123/?token=abc_DEF-123',
      port: 40123,
      token: 'abc_DEF-123',
      wsUrl: 'ws://127.0.0.1:40123/ws?token=abc_DEF-123',
    });
  });

  it('is nothing else', () => {
    for (const line of ['', 'ordo ready', 'ordo ready http://example.com:80/?token=x', 'ordo ready http://127.0.0.1:1/', 'warming up', 'ordo ready http://127.0.0.1:1/?token=a b']) {
      expect(parseReadyLine(line), line).toBeUndefined();
    }
  });
});
