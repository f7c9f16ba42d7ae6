// Beta: a demo service that depends on alpha. Parses its flags and environment, then runs.
// Built into .dep/bin/beta by src/dep (see docs/demos-services.md).
import { readServiceEnv } from '../../src/sdk/index.ts';
import { BETA_FLAGS, UsageError, alphaUrlFrom, parseDemoCli } from './cli/index.ts';
import { runDemo } from '../alpha/runtime/index.ts';
import { createBetaHandler } from './web/index.ts';
import spec from './service.json' with { type: 'json' };

const SUMMARY = "Beta demo service: depends on alpha. Its /, /api/info and /health call alpha's /api/info; /health is 503 while alpha does not answer.";

try {
  const cli = parseDemoCli('beta', SUMMARY, process.argv.slice(2), process.env, BETA_FLAGS);
  if (cli.help) {
    process.stdout.write(cli.usage);
    process.exit(0);
  }
  let alphaUrl: string;
  try {
    alphaUrl = alphaUrlFrom(cli.values);
  } catch {
    throw new UsageError(`--alpha-url is not a valid URL: ${JSON.stringify(cli.values['alpha-url'])}`);
  }
  await runDemo(
    {
      name: 'beta',
      version: spec.dep.version,
      spec,
      defaultPort: spec.ports.primary.port,
      createHandler: (ctx) => createBetaHandler(ctx, spec.icon, alphaUrl),
    },
    cli.options,
    readServiceEnv(),
  );
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`beta: ${err.message}\nTry beta --help\n`);
  process.exit(2);
}
