import { describe, expect, it } from 'vitest';
import { runOrdo } from './helpers/cli.ts';

/**
 * Round 19, outside (an operator adding a standby from a terminal): `ordo component risk --connect 127.0.0.1:99999`
 * took any five digits and handed the port to ZeroMQ as it was. The port must be one a host's --bus-port can be.
 */
describe('ordo component --connect', () => {
  it.each(['99999', '80', '0', '65530'])('port %s: one usage line naming the range, exit 2', async (port) => {
    const r = await runOrdo(['component', 'risk', '--connect', `127.0.0.1:${port}`, '--id', 'risk-9', '--data-dir', '/nonexistent-ordo-dir'], 30_000);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`ordo: component: --connect's port must be the host's --bus-port (1024-65529), got ${port} (see 'ordo help')`]);
  });
});
