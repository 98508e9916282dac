import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixHostArgs } from '../../electron/fix-settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordo-fix-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const settings = (v: unknown) => writeFileSync(join(dir, 'settings.json'), typeof v === 'string' ? v : JSON.stringify(v));

describe("the desktop app's FIX setting", () => {
  it('is off without a setting; the file and ORDO_FIX_PORT (which wins) give ordo host its FIX arguments', () => {
    expect(fixHostArgs(join(dir, 'none'), {})).toEqual([]);
    settings({ fix: { port: 9878 } });
    expect(fixHostArgs(dir, {})).toEqual(['--fix-port', '9878']);
    expect(fixHostArgs(dir, { ORDO_FIX_PORT: '0' })).toEqual(['--fix-port', '0']);
    settings({ fix: { port: 9878, host: '0.0.0.0', tlsCert: '/etc/ordo/cert.pem', tlsKey: '/etc/ordo/key.pem' } });
    expect(fixHostArgs(dir, {})).toEqual(['--fix-port', '9878', '--fix-host', '0.0.0.0', '--fix-tls-cert', '/etc/ordo/cert.pem', '--fix-tls-key', '/etc/ordo/key.pem']);
  });

  it('names what is wrong in one line', () => {
    settings('{nope');
    expect(() => fixHostArgs(dir, {})).toThrow(/settings\.json: not JSON/);
    settings({ fix: { port: 'x' } });
    expect(() => fixHostArgs(dir, {})).toThrow(/FIX port must be an integer 0-65535, got x/);
    settings({ fix: { port: 1, host: 5 } });
    expect(() => fixHostArgs(dir, {})).toThrow(/fix\.host must be a string/);
    expect(() => fixHostArgs(join(dir, 'none'), { ORDO_FIX_PORT: '70000' })).toThrow(/got 70000/);
  });
});
