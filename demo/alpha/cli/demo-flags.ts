// The flags every demo service understands: where to listen, and the test behaviours Nestor's
// own tests use to provoke each lifecycle path (failed start, crash, stubborn stop, slow or
// gated readiness, one-shot exit codes, log volume).
import { formatUsage, parseFlags, UsageError } from './flags.ts';
import type { FlagDef, FlagValues } from './flags.ts';

/** Flags shared by alpha and beta. */
export const COMMON_FLAGS: readonly FlagDef[] = [
  { name: 'port', kind: 'number', arg: '<n>', help: 'Port to listen on; 0 picks a free one (default: NESTOR_PORT, else the spec port)' },
  { name: 'host', kind: 'string', arg: '<addr>', env: 'DEMO_HOST', help: 'Address to listen on (default 127.0.0.1)' },
  { name: 'message', kind: 'string', arg: '<text>', env: 'DEMO_MESSAGE', help: 'A greeting shown on the page' },
  { name: 'fail-at-start', kind: 'boolean', env: 'DEMO_FAIL_AT_START', help: 'Exit 3 immediately, with a message on stderr' },
  { name: 'crash-after', kind: 'number', arg: '<ms>', env: 'DEMO_CRASH_AFTER', help: 'Exit 1 (or --exit-code) this long after start' },
  { name: 'ignore-sigterm', kind: 'boolean', env: 'DEMO_IGNORE_SIGTERM', help: 'Keep running on SIGTERM; also start a grandchild sleeper in the same process group' },
  { name: 'slow-ready', kind: 'number', arg: '<ms>', env: 'DEMO_SLOW_READY', help: '/health answers 503 until this long after start' },
  { name: 'ready-file', kind: 'string', arg: '<path>', env: 'DEMO_READY_FILE', help: '/health answers 503 until this file exists' },
  { name: 'oneshot', kind: 'boolean', env: 'DEMO_ONESHOT', help: 'Do a little work, print the result and exit (0, or --exit-code)' },
  { name: 'exit-code', kind: 'number', arg: '<n>', env: 'DEMO_EXIT_CODE', help: 'Exit code for --oneshot and --crash-after' },
  { name: 'log-lines', kind: 'number', arg: '<n>', env: 'DEMO_LOG_LINES', help: 'Print n lines quickly at start' },
  { name: 'chatty', kind: 'boolean', env: 'DEMO_CHATTY', help: 'Print a line every 10 ms, forever' },
  { name: 'register', kind: 'boolean', env: 'DEMO_REGISTER', help: 'Register service.json with Nestor through the SDK (needs NESTOR_NATS_URL)' },
];

/** Typed options of a demo service. */
export interface DemoOptions {
  port?: number;
  host: string;
  message?: string;
  failAtStart: boolean;
  crashAfterMs?: number;
  ignoreSigterm: boolean;
  slowReadyMs?: number;
  readyFile?: string;
  oneshot: boolean;
  exitCode?: number;
  logLines: number;
  chatty: boolean;
  register: boolean;
}

/** The outcome of reading the command line: a help request, or options plus all raw values. */
export type DemoCli = { help: true; usage: string } | { help: false; options: DemoOptions; values: FlagValues; usage: string };

/** Parses a demo's command line: COMMON_FLAGS plus the service's own `extra` flags. */
export function parseDemoCli(
  program: string,
  summary: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  extra: readonly FlagDef[] = [],
): DemoCli {
  const defs = [...COMMON_FLAGS, ...extra];
  const usage = formatUsage(program, summary, defs);
  const { values, help } = parseFlags(argv, defs, env);
  if (help) return { help: true, usage };
  const exitCode = values['exit-code'] as number | undefined;
  if (exitCode !== undefined && exitCode > 255) throw new UsageError('--exit-code must be between 0 and 255');
  const port = values.port as number | undefined;
  if (port !== undefined && port > 65535) throw new UsageError('--port must be between 0 and 65535');
  const options: DemoOptions = {
    port,
    host: (values.host as string | undefined) ?? '127.0.0.1',
    message: values.message as string | undefined,
    failAtStart: values['fail-at-start'] === true,
    crashAfterMs: values['crash-after'] as number | undefined,
    ignoreSigterm: values['ignore-sigterm'] === true,
    slowReadyMs: values['slow-ready'] as number | undefined,
    readyFile: values['ready-file'] as string | undefined,
    oneshot: values.oneshot === true,
    exitCode,
    logLines: (values['log-lines'] as number | undefined) ?? 0,
    chatty: values.chatty === true,
    register: values.register === true,
  };
  return { help: false, options, values, usage };
}
