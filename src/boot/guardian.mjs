#!/usr/bin/env node
// The guardian: a tiny process that outlives a crashed orchestrator just long enough to stop
// what it left behind. Its stdin is a pipe from the orchestrator; any death of the orchestrator
// (SIGKILL included) closes that pipe at once. A clean shutdown writes "clean" first, and then
// the guardian simply exits. Otherwise it stops every recorded service process group (SIGTERM,
// then SIGKILL) and the embedded nats-server, and leaves a report for the next `nestor up`,
// which publishes it as events. Plain JavaScript with node: modules only, so it starts in
// milliseconds and needs no loader.
// Usage: node guardian.mjs <pids.json> <nats-server.pid> <crash-report.json>
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const [pidsFile, natsPidFile, reportFile] = process.argv.slice(2);
let clean = false;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  if (text.includes('clean')) clean = true;
});
process.stdin.on('close', () => void (clean ? process.exit(0) : cleanUp()));
process.stdin.on('error', () => {});
// The orchestrator's terminal signals are not ours to act on.
for (const sig of ['SIGINT', 'SIGHUP', 'SIGTERM']) process.on(sig, () => {});

function startTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? null : Number(fields[19]);
  } catch {
    return null;
  }
}

// Live members only: this machine's init may never reap zombies, and kill(-pgid, 0) counts them.
function groupAlive(pgid) {
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function stopGroup(pgid, timeoutMs) {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await sleep(50);
    if (!groupAlive(pgid)) return;
  }
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function cleanUp() {
  const stopped = [];
  let records = {};
  try {
    records = JSON.parse(readFileSync(pidsFile, 'utf8'));
  } catch {
    // nothing recorded
  }
  await Promise.all(
    Object.entries(records).map(async ([service, rec]) => {
      if (rec.startTime === null || startTime(rec.pid) !== rec.startTime) return;
      await stopGroup(rec.pid, 5000);
      stopped.push({ service, pid: rec.pid });
    }),
  );
  let nats = null;
  try {
    const pid = Number(readFileSync(natsPidFile, 'utf8').trim());
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('nats-server')) {
      process.kill(pid, 'SIGTERM');
      nats = pid;
    }
  } catch {
    // no server left
  }
  writeFileSync(reportFile, JSON.stringify({ at: new Date().toISOString(), stopped, nats }));
  process.exit(0);
}
