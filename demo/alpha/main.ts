// Alpha: the reference demo service. Parses its flags and environment, then runs.
// Built into .dep/bin/alpha by src/dep (see docs/demos-services.md).
import { readServiceEnv } from '../../src/sdk/index.ts';
import { parseDemoCli, UsageError } from './cli/index.ts';
import { runDemo } from './runtime/index.ts';
import { createAlphaHandler } from './web/index.ts';
import spec from './service.json' with { type: 'json' };

const SUMMARY = 'Alpha demo service: serves /, /health, /api/info and /metrics over HTTP. Test flags provoke failures for Nestor tests.';

try {
  const cli = parseDemoCli('alpha', SUMMARY, process.argv.slice(2), process.env);
  if (cli.help) {
    process.stdout.write(cli.usage);
    process.exit(0);
  }
  await runDemo(
    {
      name: 'alpha',
      version: spec.dep.version,
      spec,
      defaultPort: spec.ports.primary.port,
      createHandler: (ctx) => createAlphaHandler(ctx, spec.icon),
    },
    cli.options,
    readServiceEnv(),
  );
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`alpha: ${err.message}\nTry alpha --help\n`);
  process.exit(2);
}
