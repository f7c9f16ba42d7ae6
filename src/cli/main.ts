// The nestor command line. Each verb lives in its own file; this one wires them into commander
// and turns errors into one clear sentence and an exit code (0 ok, 1 failure, 2 usage/input).
import { Command, CommanderError, Option } from 'commander';
import { EXIT, describeError, exitCodeOf } from './errors.ts';
import { processTerminal } from './terminal.ts';
import type { Terminal } from './terminal.ts';
import { runUp } from './up.ts';
import { runValidate } from './validate.ts';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Builds the program; `done` receives each verb's exit code. */
export function buildProgram(term: Terminal, done: (code: number) => void): Command {
  const program = new Command('nestor')
    .description('Event-driven service orchestrator on NATS JetStream')
    .option('--verbose', 'show error details')
    .exitOverride()
    .configureOutput({ writeOut: (s) => term.out(s.trimEnd()), writeErr: (s) => term.error(s.trimEnd()) });

  program
    .command('up')
    .description('start the stack in the foreground (Ctrl-C stops it)')
    .option('-f, --file <file>', 'project file (default: nestor.yaml in this folder)')
    .option('--profile <name>', 'run the services of this profile')
    .option('--only <id>', 'start only this service, without its dependencies (repeatable)', collect)
    .option('--disable <id>', 'register this service but keep it disabled (repeatable)', collect)
    .addOption(new Option('--detach', 'start in the background and return once every service has settled'))
    .action(async (opts) => done(await runUp(opts, term)));

  program
    .command('validate')
    .description('check a project file and print every problem')
    .option('-f, --file <file>', 'project file (default: nestor.yaml in this folder)')
    .option('--json', 'print the result as JSON')
    .action(async (opts) => done(await runValidate(opts, term)));

  return program;
}

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: string[], term: Terminal = processTerminal()): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(term, (c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    term.error(describeError(err, program.opts().verbose === true));
    return exitCodeOf(err);
  }
}
