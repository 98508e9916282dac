#!/usr/bin/env node
// `npm start`: the desktop app where Electron is installed, otherwise the same
// UI in the browser, served by a headless engine host on 127.0.0.1.
//
// Environment:
//   ORDO_ELECTRON=0   serve in the browser even where Electron is installed
//   ORDO_DATA_DIR     data dir of the browser mode (default ./data)
//   ORDO_PORT         HTTP port of the browser mode (default 7400; 0 picks one)
//   ORDO_BUS_PORT     first of the bus ports external components join on
//                     (default 7410: 7410-7414 bus, 7415-7416 venue; 'off' for none)
//   ORDO_FIX_PORT     the FIX acceptor's port (none by default), as the desktop app takes it
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The Electron binary, if one is really there. `require('electron')` is not
 * asked: where the binary is missing, electron@45's index.js tries to
 * download it, which hangs or fails offline. Its path.txt and dist/ are what
 * that file reads.
 */
function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron');
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const name = existsSync(join(pkg, 'path.txt')) ? readFileSync(join(pkg, 'path.txt'), 'utf8').trim() : 'electron';
    const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, name);
    return existsSync(p) ? p : undefined;
  }
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const p = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(p) ? p : undefined;
}

/**
 * Runs a child on this terminal and exits with its code. The child gets its
 * own process group, so a Ctrl-C (or a signal to this group) reaches this
 * script only, which passes on exactly one SIGTERM: a second signal would end
 * the host without its clean stop.
 */
function runChild(command, args, options) {
  const child = spawn(command, args, { stdio: 'inherit', detached: process.platform !== 'win32', ...options });
  let forwarded = false;
  const forward = () => {
    if (forwarded || child.exitCode !== null || child.signalCode !== null) return;
    forwarded = true;
    child.kill('SIGTERM');
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  child.on('error', (err) => {
    console.error(`ordo: cannot run ${command}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (code === null) console.error(`ordo: ${command} ended by ${signal}`);
    process.exit(code ?? 1);
  });
}

const built = (...parts) => existsSync(join(root, 'dist', ...parts));
if (!built('engine', 'cli', 'main.js') || !built('renderer', 'index.html')) {
  console.error('ordo: not built yet; run `npm install` (or `npm run build`) first');
  process.exit(2);
}

const electron = process.env.ORDO_ELECTRON === '0' ? undefined : electronBinary();
if (electron && built('electron', 'main.js')) {
  runChild(electron, [root, ...process.argv.slice(2)], { cwd: root });
} else {
  const why =
    process.env.ORDO_ELECTRON === '0'
      ? 'ORDO_ELECTRON=0'
      : electron
        ? 'the desktop shell is not built (dist/electron)'
        : 'Electron is not installed here';
  console.error(`ordo: ${why}; serving the UI in your browser instead (open the URL below)`);
  const dataDir = resolve(process.env.ORDO_DATA_DIR || 'data');
  const port = process.env.ORDO_PORT || '7400';
  if (!/^\d+$/.test(port) || Number(port) > 65535) {
    console.error(`ordo: ORDO_PORT must be a port number (0-65535), got '${port}'`);
    process.exit(2);
  }
  // The bus port is open by default so a standby or an external component can join:
  // `npx ordo component risk --connect 127.0.0.1:7410 --id risk-2 --data-dir DIR` (CURVE keys from DIR/keys).
  const busPort = process.env.ORDO_BUS_PORT || '7410';
  if (busPort !== 'off' && (!/^\d+$/.test(busPort) || Number(busPort) < 1024 || Number(busPort) > 65529)) {
    console.error(`ordo: ORDO_BUS_PORT must be a port number (1024-65529) or 'off', got '${busPort}'`);
    process.exit(2);
  }
  const bus = busPort === 'off' ? [] : ['--bus-port', busPort];
  // The desktop app takes ORDO_FIX_PORT (electron/fix-settings.ts); the browser mode ignored it, so an operator who
  // set it had no FIX acceptor and no word of it (decision 304).
  const fixPort = process.env.ORDO_FIX_PORT || '';
  if (fixPort !== '' && (!/^\d+$/.test(fixPort) || Number(fixPort) > 65535)) {
    console.error(`ordo: ORDO_FIX_PORT must be a port number (0-65535), got '${fixPort}'`);
    process.exit(2);
  }
  const fix = fixPort === '' ? [] : ['--fix-port', fixPort];
  runChild(process.execPath, [join(root, 'bin', 'ordo.mjs'), 'host', '--data-dir', dataDir, '--port', port, ...bus, ...fix]);
}
