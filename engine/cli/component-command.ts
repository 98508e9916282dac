import { existsSync } from 'node:fs';
import { tcpEndpoints, VENUE_PORT_OFFSET } from '../bus/endpoints.ts';
import { BusSecurity, loadClientKeys } from '../bus/security.ts';
import { ComponentRuntime } from '../component/runtime.ts';
import type { ComponentLogic } from '../component/logic.ts';
import { UserError } from '../errors.ts';
import { dataDirPaths } from '../host/data-dir.ts';
import { lowerUntilRestored } from '../host/thread-priority.ts';
import { GatewayComponent } from '../oms/components/gateway.ts';
import { RiskComponent } from '../oms/components/risk.ts';
import { RouterComponent } from '../oms/components/router.ts';
import { parse, requireOption } from './args.ts';
import { UsageError } from './errors.ts';
import { applySchedulerSlice, schedulerSlice } from './slice-option.ts';

const ROLES = ['risk', 'router', 'gateway'] as const;

/**
 * `ordo component ROLE --connect HOST:PORT --id ID --data-dir DIR`: one
 * component as its own process, joined to a host's bus over TCP (the host's
 * --bus-port) with the install's CURVE keys from DIR/keys. It rewinds from
 * the log (at lower CPU priority where it can return to normal afterwards),
 * then stands by until the log names it active.
 */
export async function componentCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('component', argv, { connect: { type: 'string' }, id: { type: 'string' }, 'data-dir': { type: 'string' } }, 1);
  const role = positionals[0];
  const sliceUs = schedulerSlice();
  if (!role || !(ROLES as readonly string[]).includes(role)) throw new UsageError(`component: ROLE must be one of ${ROLES.join(', ')}`);
  const connect = requireOption('component', 'connect', values.connect);
  const m = /^([\w.-]+):(\d{1,5})$/.exec(connect);
  if (!m) throw new UsageError(`component: --connect must be HOST:PORT (the host's --bus-port), got '${connect}'`);
  const host = m[1]!;
  const port = Number(m[2]);
  // The host's bus ports are --bus-port .. +6 (the venue's last): a port past 65535 went to ZeroMQ as it was.
  if (!(port >= 1024 && port <= 65529)) throw new UsageError(`component: --connect's port must be the host's --bus-port (1024-65529), got ${port}`);
  if (host !== '127.0.0.1' && host !== 'localhost') throw new UserError('component: the host\'s bus listens on 127.0.0.1 only; --connect 127.0.0.1:PORT');
  const id = requireOption('component', 'id', values.id);
  const paths = dataDirPaths(requireOption('component', 'data-dir', values['data-dir']));
  const keys = loadClientKeys(paths.keys);
  const endpoints = tcpEndpoints('127.0.0.1', port);
  const venueEndpoint = `tcp://127.0.0.1:${port + VENUE_PORT_OFFSET}`;
  const security = new BusSecurity();
  security.secureClientEndpoints([...Object.values(endpoints), venueEndpoint], { serverPublicKey: keys.serverPublicKey, ...keys.client });
  const logic: ComponentLogic =
    role === 'risk' ? new RiskComponent() : role === 'router' ? new RouterComponent() : new GatewayComponent({ venueEndpoint, security });
  let stopped!: () => void;
  const done = new Promise<void>((r) => (stopped = r));
  // On the host's machine with the host's data dir, the rewind reads the log file itself (decision 259).
  const rt = new ComponentRuntime({ id, logic, endpoints, security, onShutdown: () => stopped(), ...(existsSync(paths.db) ? { localLog: paths.db } : {}) });
  // The rewind takes a core for seconds; beside a host answering orders on the same machine it gives way to it
  // (issue 11: acks while a component catches up), at normal priority again once caught up (decision 172).
  // All of its threads: V8's and ZeroMQ's at normal priority were a quarter of a rewind's CPU (decision 208).
  // Under SCHED_IDLE too: at nice 10 a rewinding thread the kernel picked still kept the core for its slice while
  // the host's thread, woken by an order, waited (decision 267).
  const restore = lowerUntilRestored({ wholeProcess: true, idle: true });
  try {
    await rt.start();
  } finally {
    restore?.();
  }
  // Back under SCHED_OTHER (the rewind ran under SCHED_IDLE, which takes no slice): the live path's short slice on
  // every thread, as the host's (decision 283).
  applySchedulerSlice(sliceUs);
  console.log(`ordo component ${id} (${role}) caught up at seq ${rt.position.seq}, ${rt.lifecycle}, rewound from ${rt.rewoundFrom}`);
  process.once('SIGINT', () => stopped());
  process.once('SIGTERM', () => stopped());
  await done;
  await rt.stop();
  return 0;
}
