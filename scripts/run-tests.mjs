#!/usr/bin/env node
// Runs every test file with node's built-in runner. Node 20 does not expand globs, and with no
// files it would run nothing and still exit 0, so we collect the files and refuse an empty list.
// Usage: node scripts/run-tests.mjs [path substrings...]
//
// Output: node's `spec` reporter (one line per test, a failure's error where it happens, node's
// `ℹ tests/pass/fail N` counts, then the failing tests again), and a closing line of ours,
// `N passed, N failed, ...`, so the count is the last thing printed. NESTOR_TEST_REPORTER picks
// another built-in reporter (`tap`, `dot`).
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = collect('test').sort();
if (filter.length > 0) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found under test/');
  process.exit(1);
}
const concurrency = Math.max(2, availableParallelism());
const reporter = process.env.NESTOR_TEST_REPORTER || 'spec';
// Files named *.serial.test.ts start whole clusters of nodes (several nestor up, nats-servers
// and services each): they run after the others, one at a time, so that they neither starve
// nor are starved by the rest of the suite on a small machine.
const serial = files.filter((f) => f.endsWith('.serial.test.ts') || f.endsWith('.serial.test.tsx'));
const parallel = files.filter((f) => !serial.includes(f));

function run(batch, n) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import', 'tsx', '--test', `--test-concurrency=${n}`, '--test-timeout=300000',
        `--test-reporter=${reporter}`, '--test-reporter-destination=stdout', ...batch,
      ],
      { stdio: ['inherit', 'pipe', 'inherit'], env: process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1', ...process.env } : process.env },
    );
    // The reporter's closing counts (`ℹ pass 12` in spec, `# pass 12` in tap); the last ones win.
    const counts = {};
    let pending = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        // eslint-disable-next-line no-control-regex
        const m = /^(?:ℹ|#) (tests|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line.replace(/\x1b\[[0-9;]*m/g, '').trim());
        if (m) counts[m[1]] = Number(m[2]);
      }
    });
    child.on('close', (code, signal) => resolve({ counts, status: signal ? 1 : (code ?? 1), signal, code }));
  });
}

const results = [];
if (parallel.length > 0) results.push(await run(parallel, concurrency));
if (serial.length > 0) results.push(await run(serial, 1));
const status = results.some((r) => r.status !== 0) ? 1 : 0;
const counts = {};
for (const r of results) for (const [k, v] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + v;
if (results.every((r) => r.counts.pass !== undefined)) {
  const extra = ['cancelled', 'skipped', 'todo'].filter((k) => counts[k]).map((k) => `, ${counts[k]} ${k}`).join('');
  console.log(`\n${counts.pass} passed, ${counts.fail ?? 0} failed${extra} (${files.length} file${files.length === 1 ? '' : 's'})${status === 0 ? '' : ` — exit ${status}`}`);
} else if (status !== 0) {
  const r = results.find((x) => x.counts.pass === undefined);
  console.log(`\nthe test runner exited ${r?.signal ?? r?.code} before printing its counts`);
}
process.exit(status);
