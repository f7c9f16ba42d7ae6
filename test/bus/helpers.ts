// Shared setup for bus tests: a test-mode config whose data dir is removed after the test.
import { rm } from 'node:fs/promises';
import { loadConfig } from '../../src/config/index.ts';
import type { ConfigInput, NestorConfig } from '../../src/config/index.ts';

/** The slice of node:test's context these helpers use. */
export interface After {
  after(fn: () => Promise<void> | void): void;
}

/** A test-mode config (fresh .data-test dir, random ports), cleaned up after the test. */
export async function testConfig(t: After, flags: ConfigInput = {}, name = 'bus'): Promise<NestorConfig> {
  const env = process.env.NESTOR_NATS_SERVER === undefined ? {} : { NESTOR_NATS_SERVER: process.env.NESTOR_NATS_SERVER };
  const config = await loadConfig({ test: true, testName: name, env, flags, projectFile: null });
  t.after(() => rm(config.dataDir, { recursive: true, force: true }));
  return config;
}
