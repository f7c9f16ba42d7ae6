// `nestor completion bash|zsh`: a completion script generated from the program's own verbs and
// options (so it cannot drift from them). Service ids come from `nestor list --quiet` at
// completion time. zsh loads the bash function through bashcompinit.
import type { Command } from 'commander';
import { EVENT_TYPES } from '../events/index.ts';
import { IMPORT_FORMATS } from '../import/index.ts';
import { RUN_HEALTH, RUN_STATES } from '../runs/core/index.ts';
import { UsageError } from './errors.ts';
import type { Terminal } from './terminal.ts';

/** Shells a completion script is generated for. */
export const SHELLS = ['bash', 'zsh'] as const;

// Verbs whose first argument is a service id, and those that take a file.
const SERVICE_VERBS = ['status', 'logs', 'enable', 'disable', 'start', 'stop', 'restart'];
const FILE_VERBS = ['replay', 'import'];
// The subcommands of `nestor runs`.
const RUNS_VERBS = ['list', 'show', 'pause', 'resume', 'terminate', 'tune', 'watch'];

/** Prints the completion script for `shell`. */
export function runCompletion(shell: string, program: Command, term: Terminal): number {
  if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`unknown shell ${JSON.stringify(shell)}; expected one of ${SHELLS.join(', ')}`);
  const script = bashScript(program);
  term.out(shell === 'zsh' ? `#compdef nestor\nautoload -U +X bashcompinit && bashcompinit\n${script}` : script);
  return 0;
}

function flagsOf(cmd: Command): string[] {
  return [...cmd.options.flatMap((o) => [o.short, o.long].filter((f): f is string => typeof f === 'string')), '--help'];
}

/** The bash completion function. */
export function bashScript(program: Command): string {
  const verbs = program.commands.map((c) => c.name()).filter((n) => n !== 'help');
  const cases = program.commands
    .filter((c) => c.name() !== 'help')
    .map((c) => `    ${c.name()}) opts="${flagsOf(c).join(' ')}" ;;`)
    .join('\n');
  return `# nestor completion for bash; load it with: source <(nestor completion bash)
_nestor() {
  local cur prev verb opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  verb="\${COMP_WORDS[1]}"
  if [ "\${COMP_CWORD}" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${verbs.join(' ')} --help --version --verbose" -- "\${cur}") )
    return 0
  fi
  case "\${prev}" in
    -f|--file) [ "\${verb}" != logs ] && { COMPREPLY=( $(compgen -f -- "\${cur}") ); return 0; } ;;
    -o|--output) COMPREPLY=( $(compgen -f -- "\${cur}") ); return 0 ;;
    --format) [ "\${verb}" = import ] && { COMPREPLY=( $(compgen -W "${IMPORT_FORMATS.join(' ')}" -- "\${cur}") ); return 0; }
      COMPREPLY=( $(compgen -W "text dot mermaid" -- "\${cur}") ); return 0 ;;
    --state) [ "\${verb}" = runs ] && { COMPREPLY=( $(compgen -W "${RUN_STATES.join(' ')}" -- "\${cur}") ); return 0; } ;;
    --health) [ "\${verb}" = runs ] && { COMPREPLY=( $(compgen -W "${RUN_HEALTH.join(' ')}" -- "\${cur}") ); return 0; } ;;
    --type) COMPREPLY=( $(compgen -W "${EVENT_TYPES.map((t) => t.replace(/^orchestrator\./, '')).join(' ')}" -- "\${cur}") ); return 0 ;;
  esac
  opts=""
  case "\${verb}" in
${cases}
  esac
  if [[ "\${cur}" == -* ]]; then
    COMPREPLY=( $(compgen -W "\${opts}" -- "\${cur}") )
    return 0
  fi
  case "\${verb}" in
    ${SERVICE_VERBS.join('|')}) COMPREPLY=( $(compgen -W "$(nestor list --quiet 2>/dev/null)" -- "\${cur}") ) ;;
    ${FILE_VERBS.join('|')}) COMPREPLY=( $(compgen -f -- "\${cur}") ) ;;
    completion) COMPREPLY=( $(compgen -W "${SHELLS.join(' ')}" -- "\${cur}") ) ;;
    harness) COMPREPLY=( $(compgen -W "replay" -- "\${cur}") ) ;;
    caddy) COMPREPLY=( $(compgen -W "modules build" -- "\${cur}") ) ;;
    runs) [ "\${COMP_CWORD}" -eq 2 ] && COMPREPLY=( $(compgen -W "${RUNS_VERBS.join(' ')}" -- "\${cur}") ) ;;
  esac
  return 0
}
complete -F _nestor nestor`;
}
