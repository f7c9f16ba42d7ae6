#!/usr/bin/env node
// Makes sure the system packages Nestor needs are present before `npm start` / `npm test`.
// As root it installs them with apt-get; otherwise it stops with the exact command to run.
// Usage: node scripts/preflight.mjs [--browser]
//   --browser also wants what the UI tests drive: Debian's chromium (the dashboard test, through
//   playwright-core; never a downloaded browser) and tmux (the real-terminal TUI test), caddy
//   (the Caddy tests run it), and zip and unzip (the dep tests build and unpack .zip archives).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const wantBrowser = process.argv.includes('--browser');

function onPath(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

const missing = [];
if (!process.env.NESTOR_NATS_SERVER && !onPath('nats-server') && !existsSync('/usr/sbin/nats-server')) {
  missing.push('nats-server');
}
// Caddy is needed only by projects that expose a service; the tests always run one.
if (!process.env.NESTOR_CADDY_BINARY && !onPath('caddy') && !existsSync('/usr/bin/caddy')) missing.push('caddy');
if (wantBrowser && !existsSync('/usr/bin/chromium')) missing.push('chromium');
if (wantBrowser && !onPath('tmux')) missing.push('tmux');
if (wantBrowser && !process.env.NESTOR_CADDY_BINARY && !onPath('caddy') && !existsSync('/usr/bin/caddy')) missing.push('caddy');
if (wantBrowser && !onPath('zip')) missing.push('zip');
if (wantBrowser && !onPath('unzip')) missing.push('unzip');

if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !onPath('apt-get')) {
  console.error(`nestor: missing system packages: ${missing.join(', ')}.`);
  console.error(`Install them with:\n  sudo sh -c '${command}'`);
  console.error('or point NESTOR_NATS_SERVER at a nats-server binary.');
  process.exit(1);
}
console.error(`nestor: installing ${missing.join(', ')} with apt-get (running as root)`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
