// Server-sent event framing (the text/event-stream wire format), in one place. Ids may not
// contain CR, LF or NUL (they would end the field early); data is split into one `data:` line
// per line so a payload with newlines survives.

/** One event frame. */
export interface SseFrame {
  id?: number | string;
  event?: string;
  data: string;
  /** Reconnection delay the client should use, in milliseconds. */
  retry?: number;
}

const BAD_ID = /[\r\n\0]/;

/** Formats one event, ending with the blank line that dispatches it. */
export function sseEvent(frame: SseFrame): string {
  let out = '';
  if (frame.event !== undefined) out += `event: ${oneLine(frame.event)}\n`;
  if (frame.id !== undefined) {
    const id = String(frame.id);
    if (BAD_ID.test(id)) throw new TypeError(`an SSE id may not contain CR, LF or NUL: ${JSON.stringify(id)}`);
    out += `id: ${id}\n`;
  }
  if (frame.retry !== undefined) out += `retry: ${Math.max(0, Math.floor(frame.retry))}\n`;
  for (const line of frame.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line (ignored by clients; keeps proxies and idle timers from closing the stream). */
export function sseComment(text: string): string {
  return `: ${oneLine(text)}\n\n`;
}

/** Response headers of an event stream. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  // Tells nginx-style proxies not to buffer the stream.
  'X-Accel-Buffering': 'no',
};

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
