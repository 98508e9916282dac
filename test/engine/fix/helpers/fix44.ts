import type { ILooseObject } from 'jspurefix';
import { expect } from 'vitest';

/**
 * FIX 4.4 checks of what Ordo sends clients, field by field, shared by the
 * jspurefix and QuickFIX client tests. Bodies are flat tag-name → value maps
 * (jspurefix objects are flattened: Instrument.Symbol → Symbol).
 */

export type Fields = Record<string, unknown>;

/** Flattens jspurefix components (Instrument, OrderQtyData, StandardHeader) into one map. */
export function flat(body: ILooseObject): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(body)) {
    if (v && typeof v === 'object' && !(v instanceof Date) && !Array.isArray(v)) Object.assign(out, flat(v as ILooseObject));
    else out[k] = v;
  }
  return out;
}

const EXEC_TYPES = new Set(['0', '4', '5', '6', '8', 'A', 'C', 'E', 'F', 'I']);
const ORD_STATUSES = new Set(['0', '1', '2', '4', '6', '8', 'A', 'C', 'E']);

/** Every ExecutionReport: required FIX 4.4 fields present, enums valid, quantities consistent. */
export function checkExecReport(f: Fields, clientCompId: string): void {
  expect(f['BeginString']).toBe('FIX.4.4');
  expect(f['SenderCompID']).toBe('ORDO');
  expect(f['TargetCompID']).toBe(clientCompId);
  for (const tag of ['OrderID', 'ExecID', 'ExecType', 'OrdStatus', 'Side', 'LeavesQty', 'CumQty', 'AvgPx', 'ClOrdID', 'Symbol']) {
    expect(f[tag], `${tag} in ${JSON.stringify(f)}`).toBeDefined();
  }
  expect(EXEC_TYPES.has(String(f['ExecType'])), `ExecType ${String(f['ExecType'])}`).toBe(true);
  expect(ORD_STATUSES.has(String(f['OrdStatus'])), `OrdStatus ${String(f['OrdStatus'])}`).toBe(true);
  const leaves = Number(f['LeavesQty']);
  const cum = Number(f['CumQty']);
  const qty = Number(f['OrderQty']);
  const status = String(f['OrdStatus']);
  if (['4', '8', 'C', '2'].includes(status)) expect(leaves).toBe(0);
  else if (f['OrderQty'] !== undefined) expect(leaves + cum).toBe(qty);
  if (String(f['ExecType']) === 'F') {
    expect(Number(f['LastQty'])).toBeGreaterThan(0);
    expect(Number(f['LastPx'])).toBeGreaterThan(0);
  }
  if (cum === 0) expect(Number(f['AvgPx'])).toBe(0);
}

/** The trades of one order: LastQty adds up to CumQty, AvgPx is their VWAP, the last one's status matches. */
export function checkTrades(reports: readonly Fields[]): { cum: number; avg: number } {
  let cum = 0;
  let value = 0;
  for (const f of reports) {
    if (f['ExecType'] !== 'F') continue;
    cum += Number(f['LastQty']);
    value += Number(f['LastQty']) * Number(f['LastPx']);
    expect(Number(f['CumQty'])).toBe(cum);
    expect(Number(f['AvgPx'])).toBeCloseTo(value / cum, 6);
    expect(f['OrdStatus']).toBe(cum === Number(f['OrderQty']) ? '2' : '1');
  }
  return { cum, avg: cum === 0 ? 0 : value / cum };
}
