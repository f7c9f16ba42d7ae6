// The nestor command line. Each verb lives in its own file; this one wires them into commander
// and turns errors into one clear sentence and an exit code (0 ok, 1 failure, 2 usage/input).
import { Command, CommanderError } from 'commander';
// The light entries of config and events: this file is loaded by every invocation, and their
// index.ts would bring zod and yaml into `nestor --version` (see docs/architecture.md).
import { NESTOR_VERSION } from '../config/light.ts';
import { COMMAND_VERBS } from '../events/light.ts';
import { processContext } from './context.ts';
import type { CliContext } from './context.ts';
import { EXIT, UsageError, describeError, exitCodeOf } from './errors.ts';
import { addSettingOptions, settingsArgv } from './settings-flags.ts';
import { processTerminal } from './terminal.ts';
import type { Terminal } from './terminal.ts';

// Each verb's module is loaded when the verb runs: `nestor validate` or `--help` need neither
// the NATS client nor the controller, and a CLI is started often.
const verbs = {
  up: () => import('./up.ts'),
  apply: () => import('./apply.ts'),
  detach: () => import('./detach.ts'),
  down: () => import('./down.ts'),
  downAll: () => import('./down-all.ts'),
  nodes: () => import('./nodes.ts'),
  status: () => import('./status.ts'),
  watch: () => import('./watch.ts'),
  logs: () => import('./logs.ts'),
  command: () => import('./command.ts'),
  events: () => import('./events.ts'),
  info: () => import('./info.ts'),
  validate: () => import('./validate.ts'),
  import: () => import('./import.ts'),
  graph: () => import('./graph.ts'),
  replay: () => import('./replay.ts'),
  completion: () => import('./completion.ts'),
  harness: () => import('./harness-replay.ts'),
  dep: () => import('./dep.ts'),
  tui: () => import('./tui.ts'),
  caddy: () => import('./caddy.ts'),
  runs: () => import('./runs.ts'),
  runsWatch: () => import('./runs-watch.ts'),
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const FILE = ['-f, --file <file>', 'project file (default: nestor.yaml in this folder)'] as const;
const JSON_FLAG = ['--json', 'print JSON (one document, or one object per line for streams)'] as const;

/** Builds the program; `done` receives each verb's exit code. */
export function buildProgram(term: Terminal, ctx: CliContext, done: (code: number) => void): Command {
  const program = new Command('nestor')
    .description('Event-driven service orchestrator on NATS JetStream.\nRun `nestor <command> --help` for the options of a command.')
    .version(NESTOR_VERSION, '-V, --version')
    .option('--verbose', 'show error details (stack and causes)')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => term.out(s.trimEnd()), writeErr: (s) => term.error(s.trimEnd()) });
  const run = (fn: () => Promise<number> | number) => async (): Promise<void> => done(await fn());

  const up = program
    .command('up')
    .description('start the stack (foreground: logs until Ctrl-C; --detach: return once it has settled)')
    .option(...FILE)
    .option('--profile <name>', 'run the services of this profile')
    .option('--only <id>', 'start only this service, without its dependencies (repeatable)', collect)
    .option('--disable <id>', 'register this service but keep it disabled (repeatable)', collect)
    .option('-d, --detach', 'run in the background; exit 0 once every service is ready or completed, 1 if one failed')
    .option('--wait-timeout <duration>', 'with --detach: how long to wait for the services to settle (default 5m)')
    .option('--tui', 'show the terminal UI instead of the logs; quitting it (q) stops the stack')
    .option('-w, --watch', 'apply the project file again on every save (and its includes)')
    .option(...JSON_FLAG);
  addSettingOptions(up).action(
    run(async () => {
      const opts = up.opts<Record<string, unknown> & { file?: string; profile?: string; only?: string[]; disable?: string[]; detach?: boolean }>();
      const flags = { file: opts.file, profile: opts.profile, only: opts.only, disable: opts.disable, tui: opts.tui === true, watch: opts.watch === true, settings: opts };
      if (opts.tui === true && opts.detach) throw new UsageError('--tui and --detach exclude each other: the terminal UI needs the foreground');
      if (!opts.detach) {
        const stray = ['json', 'waitTimeout'].filter((k) => opts[k] !== undefined);
        if (stray.length > 0) throw new UsageError(`${stray.map((k) => (k === 'json' ? '--json' : '--wait-timeout')).join(' and ')} ${stray.length === 1 ? 'needs' : 'need'} --detach`);
        return (await verbs.up()).runUp(flags, ctx, term);
      }
      const argv = [
        ...(opts.file === undefined ? [] : ['--file', opts.file]),
        ...(opts.profile === undefined ? [] : ['--profile', opts.profile]),
        ...(opts.only ?? []).flatMap((id) => ['--only', id]),
        ...(opts.disable ?? []).flatMap((id) => ['--disable', id]),
        ...(opts.watch === true ? ['--watch'] : []),
        ...settingsArgv(opts),
      ];
      return (await verbs.detach()).runDetached(argv, { ...flags, json: opts.json === true, waitTimeout: opts.waitTimeout as string | undefined }, ctx, term);
    }),
  );

  const apply = program
    .command('apply')
    .description('change the running stack to match the project file: add, remove and restart only what changed')
    .option(...FILE)
    .option('--profile <name>', 'apply the services of this profile')
    .option('--only <id>', 'apply only this service, without its dependencies (repeatable)', collect)
    .option('--disable <id>', 'register this service but keep it disabled (repeatable)', collect)
    .option('--dry-run', 'print what would change, change nothing')
    .option('--no-wait', 'return once the node has acted, without waiting for the services to settle')
    .option('--timeout <duration>', 'how long to wait for the changed services to settle (default 2m)')
    .option(...JSON_FLAG);
  apply.action(run(async () => (await verbs.apply()).runApply(apply.opts(), ctx, term)));

  const down = program
    .command('down')
    .description('stop the running stack and return once every process has exited')
    .option(...FILE)
    .option('--timeout <duration>', 'how long to wait for it to stop (default 60s)')
    .option('--force', 'after the timeout, kill every process group')
    .option('--all', "stop every node of the cluster, dependents' nodes first, this one last")
    .option('--json', 'with --all: print a summary of every node as JSON');
  down.action(
    run(async () => {
      const opts = down.opts<{ file?: string; timeout?: string; force?: boolean; all?: boolean; json?: boolean }>();
      if (opts.all === true) return (await verbs.downAll()).runDownAll(opts, ctx, term);
      if (opts.json === true) throw new UsageError('--json needs --all: plain down prints only its progress');
      return (await verbs.down()).runDown(opts, ctx, term);
    }),
  );

  const list = program.command('list').description('list the registered services').option(...FILE).option(...JSON_FLAG).option('-q, --quiet', 'print only the ids');
  list.action(run(async () => (await verbs.status()).runList(list.opts(), ctx, term)));

  const status = program
    .command('status')
    .argument('[id]', 'one service')
    .description('show the state of every service, or the details of one')
    .option(...FILE)
    .option(...JSON_FLAG)
    .option('--at <seq|time>', 'the state as it was at a stream sequence, an RFC 3339 time, or an age (10m)')
    .option('-v, --verbose', 'with an id: also the PATH directories searched when a start failed for a missing command');
  // The program's own --verbose (error details) takes the flag wherever it is written, so both are read.
  const verbose = (cmd: Command): boolean => cmd.opts().verbose === true || program.opts().verbose === true;
  status.action(run(async () => (await verbs.status()).runStatus(status.args[0], { ...status.opts(), verbose: verbose(status) }, ctx, term)));

  const watch = program.command('watch').description('follow the state of the stack live (Ctrl-C to stop)').option(...FILE).option(...JSON_FLAG);
  watch.action(run(async () => (await verbs.watch()).runWatch(watch.opts(), ctx, term)));

  const logs = program
    .command('logs')
    .argument('[id...]', 'the services (default: all of them, interleaved by time)')
    .description("print services' output (their log files)")
    .option('--file <file>', 'project file (default: nestor.yaml in this folder)')
    .option('-f, --follow', 'keep printing new lines (Ctrl-C to stop)')
    .option('-n, --lines <n>', 'how many lines from the end, per service (default 100)')
    .option('--tail <n>', 'same as -n')
    .option('--since <age|time>', 'only lines written since an age (10m, 2h) or an ISO time')
    .option('--json', 'one JSON object per line: service, stream, time, text');
  logs.action(run(async () => {
    const { tail, ...opts } = logs.opts<{ tail?: string; lines?: string }>();
    return (await verbs.logs()).runLogs(logs.args, { ...opts, ...(tail === undefined ? {} : { lines: tail }) }, ctx, term);
  }));

  for (const verb of COMMAND_VERBS) {
    const cmd = program
      .command(verb)
      .argument('<id>', 'the service (every instance of it), or one instance: <service>@<n>')
      .description(`${verb} a service or one instance and wait until it has taken effect`)
      .option(...FILE)
      .option(...JSON_FLAG)
      .option('--no-wait', 'return once the controller has accepted the command')
      .option('--timeout <duration>', 'how long to wait for the effect (default 60s)');
    cmd.action(run(async () => (await verbs.command()).runCommand(verb, cmd.args[0] as string, cmd.opts(), ctx, term)));
  }

  const nodes = program.command('nodes').description('list the nodes of the cluster: state, tags, last seen, instances').option(...FILE).option(...JSON_FLAG);
  nodes.action(run(async () => (await verbs.nodes()).runNodes(nodes.opts(), ctx, term)));
  for (const action of ['drain', 'undrain'] as const) {
    const cmd = program
      .command(action)
      .argument('<node>', 'the node')
      .description(action === 'drain' ? 'move the movable instances off a node and give it nothing new' : 'let a drained node take instances again')
      .option(...FILE)
      .option(...JSON_FLAG);
    cmd.action(run(async () => (await verbs.nodes()).runDrain(action, cmd.args[0] as string, cmd.opts(), ctx, term)));
  }

  const events = program
    .command('events')
    .description('print the event history (and new events with --follow); with the stack down, the history its file store kept')
    .option(...FILE)
    .option(...JSON_FLAG)
    .option('--since <seq|time>', 'start at a stream sequence, an RFC 3339 time, or an age (10m)')
    .option('--type <type>', 'only this event type (service.start, orchestrator.service.ready, ...)')
    .option('--service <id>', "only this service's events")
    .option('--follow', 'keep printing new events (Ctrl-C to stop)');
  events.action(run(async () => (await verbs.events()).runEvents(events.opts(), ctx, term)));

  const tui = program.command('tui').description('the terminal UI of the running stack (q to quit)').option(...FILE);
  tui.action(run(async () => (await verbs.tui()).runTuiVerb(tui.opts(), ctx)));

  const info = program.command('info').description('show how to reach the running instance (node, pid, bus, API, data dir)').option(...FILE).option(...JSON_FLAG);
  info.action(run(async () => (await verbs.info()).runInfo(info.opts(), ctx, term)));

  const validate = program.command('validate').description('check a project file and print every problem').option(...FILE).option(...JSON_FLAG);
  validate.action(run(async () => (await verbs.validate()).runValidate(validate.opts(), ctx, term)));

  const dep = program
    .command('dep')
    .argument('<command>', 'list, install, verify or prune')
    .argument('[names...]', 'install: only these deps (or the deps of these services)')
    .description('the binaries of the project\'s `dep` blocks in .dep: list, install (what `up` does first), verify checksums, prune unused')
    .option(...FILE)
    .option('--dep-mirror <url>', 'base URL that replaces https://github.com in release downloads')
    .option(...JSON_FLAG);
  dep.action(run(async () => (await verbs.dep()).runDep(dep.args[0] as string, dep.args.slice(1), dep.opts(), ctx, term)));

  const imp = program
    .command('import')
    .argument('<file>', 'a Procfile, docker compose file, PM2 ecosystem file or process-compose file')
    .description('convert another tool\'s file into a nestor.yaml and list what could not be converted')
    .option('-o, --output <file>', 'write the nestor.yaml there (default: print it to stdout)')
    .option('--format <format>', 'procfile, compose, pm2 or process-compose (default: from the file name or content)')
    .option('--force', 'overwrite the -o file if it exists')
    .option(...JSON_FLAG);
  imp.action(run(async () => (await verbs.import()).runImport(imp.args[0] as string, imp.opts(), ctx, term)));

  const graph = program
    .command('graph')
    .description('print the dependency graph of a project file')
    .option(...FILE)
    .option('--format <format>', 'text, dot or mermaid (default text)')
    .option('--profile <name>', 'mark the services outside this profile as disabled');
  graph.action(run(async () => (await verbs.graph()).runGraph(graph.opts(), ctx, term)));

  const replay = program
    .command('replay')
    .argument('<file>', 'an event log (JSON lines, as `nestor events --json` prints)')
    .description('fold a recorded event log through the reducers and print the resulting state')
    .option('--step', 'print every transition: #seq type service from → to')
    .option('--until <seq>', 'stop after this stream sequence')
    .option(...JSON_FLAG);
  replay.action(run(async () => (await verbs.replay()).runReplay(replay.args[0] as string, replay.opts(), ctx, term)));

  const completion = program
    .command('completion')
    .argument('<shell>', 'bash or zsh')
    .description('print a shell completion script: source <(nestor completion bash)');
  completion.action(run(async () => (await verbs.completion()).runCompletion(completion.args[0] as string, program, term)));

  const harness = program.command('harness').description('test harness tools');
  const harnessReplay = harness
    .command('replay')
    .argument('<file>', 'an event log (JSON lines)')
    .description('publish a captured event log onto a throwaway instance and check the state it reduces to')
    .option('--keep', 'keep the instance running to explore it (NESTOR_URL) until Ctrl-C')
    .option(...JSON_FLAG);
  harnessReplay.action(run(async () => (await verbs.harness()).runHarnessReplay(harnessReplay.args[0] as string, harnessReplay.opts(), ctx, term)));

  const caddy = program.command('caddy').description("the node's Caddy: its module registry and custom builds");
  const caddyModules = caddy
    .command('modules')
    .description('list the module registry beside the modules the installed caddy has')
    .option(...FILE)
    .option('--caddy-binary <path>', 'the caddy binary to ask (setting caddy.binary, env NESTOR_CADDY_BINARY)')
    .option(...JSON_FLAG);
  caddyModules.action(run(async () => (await verbs.caddy()).runCaddyModules(caddyModules.opts(), ctx, term)));
  const caddyBuild = caddy
    .command('build')
    .description("write main.go and go.mod of a Caddy with the registry's modules and build it with go build")
    .option(...FILE)
    .option('-o, --output <dir>', 'build directory (default <dataDir>/caddy-build)')
    .option('--modules <names>', 'comma-separated registry modules to include (default: all)')
    .option('--caddy-version <version>', 'Caddy version to build (default the pinned one)')
    .option(...JSON_FLAG);
  caddyBuild.action(run(async () => (await verbs.caddy()).runCaddyBuild(caddyBuild.opts(), ctx, term)));

  const runs = program.command('runs').description('the run registry: long jobs with heartbeats, health and control commands');
  const runsList = runs
    .command('list')
    .description('list the runs: state, health, step, checkpoint, last heartbeat, pending commands')
    .option(...FILE)
    .option('--state <state>', 'only runs in this state (queued, running, paused, succeeded, failed, terminated)')
    .option('--health <health>', 'only runs of this health (healthy, late, stale, lost)')
    .option('--experiment <name>', 'only runs of this experiment')
    .option(...JSON_FLAG);
  runsList.action(run(async () => (await verbs.runs()).runRunsList(runsList.opts(), ctx, term)));
  const runsShow = runs.command('show').argument('<id>', 'the run').description("one run's record, its last transitions and commands").option(...FILE).option(...JSON_FLAG);
  runsShow.action(run(async () => (await verbs.runs()).runRunsShow(runsShow.args[0] as string, runsShow.opts(), ctx, term)));
  for (const type of ['pause', 'resume', 'terminate'] as const) {
    const cmd = runs.command(type).argument('<id>', 'the run').description(`ask a run to ${type}; its state changes when the job acknowledges`).option(...FILE).option(...JSON_FLAG);
    cmd.action(run(async () => (await verbs.runs()).runRunsCommand(type, cmd.args[0] as string, cmd.args.slice(1), cmd.opts(), ctx, term)));
  }
  const runsTune = runs
    .command('tune')
    .argument('<id>', 'the run')
    .argument('[pairs...]', 'key=value parameters (values as JSON when they parse, else strings)')
    .description('send a run new parameter values; its params change when the job acknowledges')
    .option(...FILE)
    .option(...JSON_FLAG);
  runsTune.action(run(async () => (await verbs.runs()).runRunsCommand('tune', runsTune.args[0] as string, runsTune.args.slice(1), runsTune.opts(), ctx, term)));
  const runsWatch = runs.command('watch').argument('[id]', 'one run').description('follow the runs live (Ctrl-C to stop)').option(...FILE).option(...JSON_FLAG);
  runsWatch.action(run(async () => (await verbs.runsWatch()).runRunsWatch(runsWatch.args[0], runsWatch.opts(), ctx, term)));

  return program;
}

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: string[], term: Terminal = processTerminal(), ctx: CliContext = processContext()): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(term, ctx, (c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    term.error(describeError(err, program.opts().verbose === true));
    return exitCodeOf(err);
  }
}
