// The `schedule` block of a spec: what is accepted, the errors a person gets for a bad cron
// expression or time zone (naming the field and what was expected), and the next run times
// computed with croner for a fixed `now`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRunAt, validateService } from '../../src/spec/index.ts';
import type { ScheduleSpec } from '../../src/spec/index.ts';

const job = (schedule: unknown, extra: Record<string, unknown> = {}) => ({ kind: 'oneshot', process: { command: 'true' }, schedule, ...extra });

function errorsOf(raw: unknown): { path: string; expected: string }[] {
  const res = validateService('job', raw);
  return res.ok ? [] : res.errors.map(({ path, expected }) => ({ path, expected }));
}

test('a valid schedule is normalized with its defaults', () => {
  const res = validateService('job', job({ every: '30s' }));
  assert.ok(res.ok);
  assert.deepEqual(res.spec.schedule, { everyMs: 30_000, overlap: 'skip', maxConcurrent: 1, runAtStart: false });
  const cron = validateService('job', job({ cron: '0 3 * * *', timezone: 'Europe/Paris', overlap: 'queue', runAtStart: true }));
  assert.ok(cron.ok);
  assert.deepEqual(cron.spec.schedule, { cron: '0 3 * * *', timezone: 'Europe/Paris', overlap: 'queue', maxConcurrent: 1, runAtStart: true });
});

test('an invalid cron expression is an error at schedule.cron saying what a cron expression is', () => {
  const [err, ...rest] = errorsOf(job({ cron: '61 * * * *' }));
  assert.equal(rest.length, 0);
  assert.equal(err?.path, 'services.job.schedule.cron');
  assert.match(err?.expected ?? '', /cron expression of 5 fields/);
});

test('an unknown time zone is an error at schedule.timezone asking for an IANA name', () => {
  assert.deepEqual(errorsOf(job({ cron: '0 3 * * *', timezone: 'Mars/Olympus' })), [
    { path: 'services.job.schedule.timezone', expected: 'IANA time zone name such as "Europe/Paris" or "UTC"' },
  ]);
});

test('exactly one of cron and every; every at least 1s; a schedule only on a oneshot', () => {
  assert.deepEqual(errorsOf(job({})), [{ path: 'services.job.schedule', expected: 'exactly one of cron and every' }]);
  assert.deepEqual(errorsOf(job({ cron: '* * * * *', every: '1m' })), [{ path: 'services.job.schedule', expected: 'exactly one of cron and every' }]);
  assert.deepEqual(errorsOf(job({ every: '500ms' })).map((e) => e.path), ['services.job.schedule.every']);
  assert.deepEqual(errorsOf(job({ every: '1m' }, { kind: 'daemon' })).map((e) => e.path), ['services.job.kind']);
  assert.deepEqual(errorsOf(job({ every: 'soon' })).map((e) => e.path), ['services.job.schedule.every']);
});

test('overlap allow runs one process per instance: maxConcurrent above 1 is refused, and it needs allow', () => {
  assert.ok(validateService('job', job({ every: '1m', overlap: 'allow', maxConcurrent: 1 })).ok);
  const [err] = errorsOf(job({ every: '1m', overlap: 'allow', maxConcurrent: 3 }));
  assert.equal(err?.path, 'services.job.schedule.maxConcurrent');
  assert.match(err?.expected ?? '', /one process at a time.*replicas/);
  assert.deepEqual(errorsOf(job({ every: '1m', maxConcurrent: 1 })).map((e) => e.path), ['services.job.schedule.maxConcurrent']);
});

test('a cron expression runs next at its time in the given time zone', () => {
  const daily: ScheduleSpec = { cron: '0 3 * * *', timezone: 'Europe/Paris', overlap: 'skip', maxConcurrent: 1, runAtStart: false };
  const now = Date.parse('2026-07-01T12:00:00Z');
  // 03:00 in Paris in summer (UTC+2) is 01:00 UTC, on the next day.
  assert.equal(new Date(nextRunAt(daily, now) ?? 0).toISOString(), '2026-07-02T01:00:00.000Z');
  // In winter (UTC+1) the same expression is 02:00 UTC.
  assert.equal(new Date(nextRunAt(daily, Date.parse('2026-01-10T12:00:00Z')) ?? 0).toISOString(), '2026-01-11T02:00:00.000Z');
  const ny: ScheduleSpec = { ...daily, cron: '30 9 * * 1', timezone: 'America/New_York' };
  // Monday 09:30 in New York after Wednesday 2026-07-01: Monday 2026-07-06, 13:30 UTC (EDT).
  assert.equal(new Date(nextRunAt(ny, now) ?? 0).toISOString(), '2026-07-06T13:30:00.000Z');
});

test('every counts from the previous planned time and skips the times already past', () => {
  const every: ScheduleSpec = { everyMs: 10_000, overlap: 'skip', maxConcurrent: 1, runAtStart: false };
  assert.equal(nextRunAt(every, 1_000_000), 1_010_000);
  assert.equal(nextRunAt(every, 1_010_050, 1_010_000), 1_020_000, 'a late timer does not shift the grid');
  assert.equal(nextRunAt(every, 1_045_000, 1_010_000), 1_050_000, 'missed times are not caught up');
});
