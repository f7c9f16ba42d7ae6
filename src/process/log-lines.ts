// Turns a byte stream into lines, and lines into prefixed console lines.
import { StringDecoder } from 'node:string_decoder';

/** A line longer than this is cut and emitted in pieces, so a newline-free flood stays bounded. */
export const MAX_LINE_CHARS = 16 * 1024;

/** Splits chunks into complete lines, keeping a partial line (and a split UTF-8 character) for the next chunk. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  /** Feeds one chunk and returns the lines it completed, without their line terminators. */
  push(chunk: Buffer | string): string[] {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    const lines = parts.map(stripCr);
    while (this.partial.length > MAX_LINE_CHARS) {
      lines.push(this.partial.slice(0, MAX_LINE_CHARS));
      this.partial = this.partial.slice(MAX_LINE_CHARS);
    }
    return lines;
  }

  /** Returns the pending partial line (or null when there is none) and resets. */
  flush(): string | null {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest === '' ? null : stripCr(rest);
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

// Bright and normal variants of the six hues, skipping black/white which vanish on some themes.
const PALETTE = [36, 33, 32, 35, 34, 31, 96, 93, 92, 95, 94, 91] as const;

/** A stable ANSI colour code for a service name (same name, same colour, on every run). */
export function colourFor(service: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < service.length; i++) {
    h ^= service.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return PALETTE[h % PALETTE.length] ?? 36;
}

/** Builds the `name | ` prefix, padded to width and coloured when asked. */
export function consolePrefix(service: string, width: number, colour: boolean): string {
  const label = service.padEnd(width);
  return colour ? `\u001b[${colourFor(service)}m${label} |\u001b[0m ` : `${label} | `;
}
