// npm run soak -- cluster [--rounds N] [--seed S] [--nodes 3|4]
//
// The long form of the cluster chaos test (test/chaos/cluster-chaos.soak.ts): 30 rounds of node
// kills and broker freezes by default (the test alone runs 4). The test prints its seed;
// --seed replays a run's choices. Exit code: the test's.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export async function soakCluster(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { rounds: { type: 'string', default: '30' }, seed: { type: 'string' }, nodes: { type: 'string', default: '3' } },
  });
  const env: NodeJS.ProcessEnv = { ...process.env, NESTOR_CHAOS_ROUNDS: values.rounds, NESTOR_CHAOS_NODES: values.nodes };
  if (values.seed !== undefined) env.NESTOR_CHAOS_SEED = values.seed;
  const file = join(import.meta.dirname, '..', 'test', 'chaos', 'cluster-chaos.soak.ts');
  // No runner-wide timeout: the test sets its own from the number of rounds.
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', file], { stdio: 'inherit', env });
  return await new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? 1)));
}
