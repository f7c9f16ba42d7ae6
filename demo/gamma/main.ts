// Gamma: a demo job run by Nestor as a run (docs/runs-sdk.md): it counts steps, reports them in
// heartbeats, writes checkpoints, honours pause, resume, tune and terminate, and succeeds after
// GAMMA_STEPS steps. Built into .dep/bin/gamma by src/dep (see docs/demos-services.md).
import { ConfigError, readGammaConfig } from './config.ts';
import { runGamma } from './job.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

// A stop from the supervisor (or a node shutting down) ends the process; the run stays
// unfinished and a restarted gamma continues it from its last checkpoint.
process.once('SIGTERM', () => {
  say('gamma: SIGTERM, stopping (the run continues from its checkpoint when gamma starts again)');
  process.exit(0);
});

try {
  process.exitCode = await runGamma(readGammaConfig(process.env), say);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`gamma: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`gamma: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
