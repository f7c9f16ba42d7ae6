// How a log line of a `logging.format: json` service reads in `nestor logs`, the dashboard and
// the TUI: its level and message, instead of the raw object. Lines that are not a JSON object
// (a stack trace, a line printed before the logger was set up) are kept as they are.

/** A log line split into level and message when it is a structured (JSON) line. */
export interface LogLineView {
  level: string | null;
  message: string;
}

// pino and bunyan write numeric levels.
const NUMERIC_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Level and message of a line; text-format lines and non-JSON lines come back whole. */
export function parseLogLine(text: string, format: 'text' | 'json' | undefined): LogLineView {
  if (format !== 'json' || !text.trimStart().startsWith('{')) return { level: null, message: text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { level: null, message: text };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { level: null, message: text };
  const o = value as Record<string, unknown>;
  const rawLevel = o.level ?? o.lvl ?? o.severity;
  const level = typeof rawLevel === 'number' ? (NUMERIC_LEVELS[rawLevel] ?? String(rawLevel)) : typeof rawLevel === 'string' ? rawLevel.toLowerCase() : null;
  const rawMessage = o.msg ?? o.message;
  const message = typeof rawMessage === 'string' ? rawMessage : text;
  return { level, message };
}

/** A line as shown: `LEVEL message` for a structured line, else the line itself. */
export function showLogLine(text: string, format: 'text' | 'json' | undefined): string {
  const { level, message } = parseLogLine(text, format);
  return level === null ? message : `${level.toUpperCase().padEnd(5)} ${message}`;
}
