// What a converter produces: the services it could express in a Nestor spec, the comments the
// writer puts on approximated lines, and the source fields it could not convert.

/** The source formats `nestor import` reads. */
export const IMPORT_FORMATS = ['procfile', 'compose', 'pm2', 'process-compose'] as const;
/** One of IMPORT_FORMATS. */
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** A source field that was not converted (or only in part), with the reason. */
export interface ImportNote {
  /** Where in the source: `services.db`, `apps[0].exec_mode`, `web` (a Procfile line). */
  path: string;
  message: string;
}

/** A comment for one line of the written file. */
export interface ImportComment {
  /** Path of the key in the written project, e.g. ['services', 'web', 'process', 'args']. */
  path: (string | number)[];
  text: string;
}

/** A converter's result. */
export interface Conversion {
  format: ImportFormat;
  /** Project name, when the source has one. */
  name?: string;
  /** Service inputs by id, in source order. */
  services: Record<string, Record<string, unknown>>;
  comments: ImportComment[];
  notes: ImportNote[];
}

/** Collects a conversion while a converter walks its source. */
export class Draft {
  readonly services: Record<string, Record<string, unknown>> = {};
  readonly comments: ImportComment[] = [];
  readonly notes: ImportNote[] = [];

  constructor(readonly format: ImportFormat) {}

  /** Records a source field that was not converted. */
  note(path: string, message: string): void {
    this.notes.push({ path, message });
  }

  /** Puts a comment on the line of `path` (under services.<id>) in the written file. */
  comment(id: string, path: (string | number)[], text: string): void {
    this.comments.push({ path: ['services', id, ...path], text });
  }

  /** The conversion, with a project name when the source had one. */
  done(name?: string): Conversion {
    return { format: this.format, ...(name === undefined ? {} : { name }), services: this.services, comments: this.comments, notes: this.notes };
  }
}

/** A source that could not be read or converted at all (exit 2). */
export class ImportError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImportError';
  }
}
