import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addSettingOptions, joinFromOptions, settingsArgv, settingsFromOptions } from '../../src/cli/settings-flags.ts';

function parse(argv: string[]): Record<string, unknown> {
  const cmd = addSettingOptions(new Command('up').exitOverride());
  cmd.parse(argv, { from: 'user' });
  return cmd.opts();
}

test('--tag repeats, --address and --node together make one node mapping', () => {
  const opts = parse(['--node', 'edge-1', '--tag', 'gpu', '--tag', 'zone=eu-1', '--address', '10.0.0.5', '--heartbeat-ms', '200']);
  assert.deepEqual(settingsFromOptions(opts), {
    node: { id: 'edge-1', tags: ['gpu', 'zone=eu-1'], address: '10.0.0.5' },
    membership: { heartbeatMs: 200 },
  });
  assert.deepEqual(settingsFromOptions(parse(['--node', 'edge-1'])), { node: 'edge-1' });
});

test('--join repeats and is passed on to a detached up', () => {
  const opts = parse(['--join', 'nats://10.0.0.2:6222', '--join', 'nats://10.0.0.3:6222', '--tag', 'gpu']);
  assert.deepEqual(joinFromOptions(opts), ['nats://10.0.0.2:6222', 'nats://10.0.0.3:6222']);
  assert.deepEqual(joinFromOptions(parse([])), []);
  assert.deepEqual(settingsArgv(opts), ['--tag', 'gpu', '--join', 'nats://10.0.0.2:6222', '--join', 'nats://10.0.0.3:6222']);
});
