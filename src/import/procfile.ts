// Procfile (foreman, Heroku, overmind): one `name: command` per line, run through a shell with
// PORT set. `$PORT` becomes a port of the service, a free one at each start, as foreman gives.
import { commandOf, escapeBraces, serviceId } from './common.ts';
import { Draft, ImportError } from './types.ts';
import type { Conversion } from './types.ts';

const LINE = /^([A-Za-z0-9_-]+)\s*:\s?(.*)$/;
const PORT_REF = /\$\{PORT(?::?-[^}]*)?\}|\$PORT(?![A-Za-z0-9_])/g;

/** Converts the text of a Procfile. */
export function convertProcfile(text: string): Conversion {
  const draft = new Draft('procfile');
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = LINE.exec(line);
    if (m === null || (m[2] as string).trim() === '') {
      draft.note(`line ${i + 1}`, `not a "name: command" line; skipped: ${JSON.stringify(line)}`);
      return;
    }
    const name = m[1] as string;
    const id = serviceId(draft, name, name);
    const command = (m[2] as string).trim();
    // Heroku gives `web` a PORT whether or not the line names it (the app reads it from its environment).
    const usesPort = command.replace(PORT_REF, '') !== command || name === 'web';
    // `${PORT}` is placeholder-shaped: swap it out before escaping the rest.
    const line2 = escapeBraces(command.replace(PORT_REF, '\0')).replaceAll('\0', '{ports.primary}');
    const spec: Record<string, unknown> = { process: { ...commandOf(line2), ...(usesPort ? { env: { PORT: '{ports.primary}' } } : {}) } };
    if (usesPort) {
      spec.portStrategy = 'random';
      spec.ports = { primary: { protocol: name === 'web' ? 'http' : 'tcp' } };
      draft.comment(id, ['portStrategy'], 'PORT: a free port at each start, as foreman assigns one');
    }
    if (name === 'release') {
      spec.kind = 'oneshot';
      draft.comment(id, ['kind'], 'the release phase runs once to completion');
    }
    draft.services[id] = spec;
  });
  if (Object.keys(draft.services).length === 0) throw new ImportError('no "name: command" line found; is this a Procfile?');
  return draft.done();
}
