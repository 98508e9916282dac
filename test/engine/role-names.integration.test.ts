import { afterEach, describe, expect, it } from 'vitest';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { OmsSequencerPolicy } from '../../engine/oms/sequencer-policy.ts';
import { startTestHost } from './helpers/host.ts';

let host: Awaited<ReturnType<typeof startTestHost>> | undefined;
afterEach(async () => {
  await host?.dispose();
  host = undefined;
});

/**
 * Round 17, outside (a fuzz of every API method): a role named like a member of every JavaScript object was looked up
 * in the host's and the sequencer policy's role tables as if it were a role. `POST /api/roles/constructor/standby`
 * answered 500 "internal error: Cannot read properties of undefined (reading 'bind')" (Object's own constructor was
 * called as the role's factory), and the policy's check of a component's command threw instead of refusing it.
 */
describe('role names that are Object members are unknown roles', () => {
  it("addStandby('constructor') is BAD_REQUEST unknown role, as any unknown role; the host goes on", async () => {
    host = await startTestHost();
    for (const role of ['constructor', 'nosuch']) {
      expect(await host.api.addStandby(role)).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: `unknown role '${role}'` } });
    }
    expect((await host.addStandby('risk')).ok).toBe(true);
  });

  it("the sequencer policy refuses a command from a 'constructor' instance as FORBIDDEN (it threw)", () => {
    const policy = new OmsSequencerPolicy(loadReferenceData());
    const body = { type: 'VenueRejected' as const, orderId: 1, reason: 'x' };
    expect(policy.authorize('constructor-1', 'constructor', body as never)).toEqual({ code: 'FORBIDDEN', message: 'constructor-1 (constructor) may not emit VenueRejected' });
    expect(policy.authorize('toString-1', 'toString', body as never)?.code).toBe('FORBIDDEN');
    // Round 18: the table is a Map; '__proto__' (the object's prototype through a plain object's key) finds nothing too.
    for (const role of ['__proto__', 'hasOwnProperty', 'valueOf']) expect(policy.authorize(`${role}-1`, role, body as never)?.code).toBe('FORBIDDEN');
    // The real roles keep their permissions.
    expect(policy.authorize('router-1', 'router', body as never)).toBeUndefined();
  });
});
