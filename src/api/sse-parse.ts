// A parser of the text/event-stream format for clients (the TUI, tests, benchmarks): feed it
// decoded text in any chunking, get complete messages back. Follows the WHATWG rules that
// matter here: CR, LF or CRLF line ends, `data` lines joined with LF, comments ignored.

/** One dispatched message. */
export interface SseMessage {
  /** `message` when the frame names no event. */
  event: string;
  data: string;
  /** The frame's id, or null when it has none. */
  id: string | null;
}

/** Incremental parser; call push() with each chunk of text. */
export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #id: string | null = null;
  #hasData = false;
  /** The reconnection delay the server asked for, if any. */
  retry: number | null = null;
  /** Comment lines seen (keep-alives). */
  comments = 0;
  /** The id of the last frame that ended, with or without data (as EventSource keeps it). */
  lastEventId: string | null = null;

  /** Adds text; returns the messages it completed. */
  push(text: string): SseMessage[] {
    this.#buffer += text;
    const out: SseMessage[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.#buffer);
      if (m === null) break;
      // A lone CR at the end may be the first half of CRLF: wait for more.
      if (m[0] === '\r' && m.index === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, m.index);
      this.#buffer = this.#buffer.slice(m.index + m[0].length);
      const msg = this.#line(line);
      if (msg !== null) out.push(msg);
    }
    return out;
  }

  #line(line: string): SseMessage | null {
    if (line === '') {
      if (this.#id !== null) this.lastEventId = this.#id;
      if (!this.#hasData) {
        this.#id = null;
        this.#event = '';
        return null;
      }
      const msg = { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id };
      this.#event = '';
      this.#data = [];
      this.#hasData = false;
      this.#id = null;
      return msg;
    }
    if (line.startsWith(':')) {
      this.comments++;
      return null;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        this.#data.push(value);
        this.#hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
    return null;
  }
}
