import { describe, expect, it } from 'vitest';
import type { ComponentView } from '../../contract/api.ts';
import type { ComponentRow } from '../../renderer/store/components-slice.ts';
import { componentActionConfirm } from '../../renderer/ui/ComponentsPanel.tsx';
import { component } from './helpers.ts';

/**
 * Round 19, outside (an operator's day): "Deactivate" on the only risk instance left every new order pending with no
 * question, while "Shut down", which does the same to the role, asked first. Deactivating the last running instance
 * of a role now asks too; moving a role to another running instance does not.
 */
const row = (id: string, over: Partial<ComponentView> = {}): ComponentRow => ({ ...component(id, over), receivedAt: 0 });

describe('which component actions ask first', () => {
  it('deactivating the only running instance of a role asks, naming what waits', () => {
    const risk = row('risk-1', { role: 'risk', state: 'active', active: true });
    const ask = componentActionConfirm(risk, [risk, row('router-1', { role: 'router', state: 'active', active: true })], 'deactivate');
    expect(ask?.title).toBe('Deactivate risk-1?');
    expect(ask?.okLabel).toBe('Deactivate');
    expect(String(ask?.body)).toContain('new orders stay pending');
  });

  it('deactivating with another instance running, or an instance that is not active, asks nothing', () => {
    const risk1 = row('risk-1', { role: 'risk', state: 'active', active: true });
    const risk2 = row('risk-2', { role: 'risk', state: 'standby', active: false });
    expect(componentActionConfirm(risk1, [risk1, risk2], 'deactivate')).toBeUndefined();
    expect(componentActionConfirm(risk2, [risk1, risk2], 'deactivate')).toBeUndefined();
    const stopped = row('risk-2', { role: 'risk', state: 'stopped', active: false });
    expect(componentActionConfirm(risk1, [risk1, stopped], 'deactivate')?.title).toBe('Deactivate risk-1?');
  });

  it('shutdown always asks; activate never does', () => {
    const risk = row('risk-1', { role: 'risk', state: 'active', active: true });
    expect(componentActionConfirm(risk, [risk], 'shutdown')?.okLabel).toBe('Shut down');
    expect(componentActionConfirm(risk, [risk], 'activate')).toBeUndefined();
  });
});
