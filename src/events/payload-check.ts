// A fast structural check of stored payloads, compiled from the zod schemas in payloads.ts (so
// nothing is written twice). Replay decodes every stored event, and zod's parse, which builds a
// new output object per payload, cost about as much as JSON.parse itself. A compiled check only
// answers "would zod accept this value and return it unchanged?": when it says yes the parsed
// payload is used as it is; when it says no (a corrupt or foreign event, an unknown key zod would
// strip, a default zod would fill) the caller runs zod, which decides and explains. A schema part
// this compiler does not know makes the whole check answer "no", so an unknown construct costs
// speed, never correctness. The check is generated as one function per object (straight-line
// code V8 optimizes well): composed closures were only twice as fast as zod.
import type * as z from 'zod';

/** True when zod would accept `value` and return a value deep-equal to it. */
export type PayloadCheck = (value: unknown) => boolean;

// zod 4 keeps each schema's definition under `_zod.def` (and each check's under `_zod.def` too).
interface Def {
  type: string;
  check?: string;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, Schema>;
  catchall?: Schema;
  innerType?: Schema;
  element?: Schema;
  keyType?: Schema;
  valueType?: Schema;
  entries?: Record<string, unknown>;
  fn?: (value: unknown) => unknown;
}
interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
}
interface Schema {
  _zod: { def: Def };
}

const never: PayloadCheck = () => false;

/** Compiles a zod schema into a {@link PayloadCheck}; a schema with a part it does not know answers false. */
export function compileCheck(schema: z.ZodType): PayloadCheck {
  const root = schema as unknown as Schema;
  if (!covered(root)) return never;
  const gen = new Generator();
  const entry = gen.test(root, 'v');
  // Only the schemas' key names (quoted by JSON.stringify) and numeric bounds enter the source;
  // regexes, enum values and custom functions are passed in as values, and no payload is read
  // while compiling.
  const source = `${gen.functions.join('\n')}\nreturn (v) => ${entry};`;
  try {
    return new Function('values', source)(gen.values) as PayloadCheck;
  } catch {
    // Code generation refused (`node --disallow-code-generation-from-strings`): zod decides alone.
    return never;
  }
}

/** True when every part of `schema` is known to the compiler. */
export function isFullyCompiled(schema: z.ZodType): boolean {
  return covered(schema as unknown as Schema);
}

// The definition keys each known schema type may have; any other key (zod's `coerce`, a format
// of its own, a transform) may change what zod returns, so such a schema is not known. `error`
// (a custom message) changes only what a refusal says; `catchall` is known when it is `never`
// (a strict object refuses the keys it does not name, which the check refuses too).
const DEF_KEYS: Record<string, readonly string[]> = {
  string: ['type', 'checks', 'error'],
  number: ['type', 'checks', 'error'],
  boolean: ['type'],
  unknown: ['type'],
  enum: ['type', 'entries'],
  optional: ['type', 'innerType'],
  nullable: ['type', 'innerType'],
  default: ['type', 'innerType', 'defaultValue'],
  array: ['type', 'element'],
  record: ['type', 'keyType', 'valueType'],
  object: ['type', 'shape', 'catchall'],
  custom: ['type', 'check', 'fn', 'error', 'abort'],
};

// The same for refinements. `when` decides whether a check runs at all: only the length checks'
// (which run on anything with a length, so on every string) is known.
const CHECK_KEYS = ['check', 'format', 'pattern', 'value', 'inclusive', 'error', 'abort', 'type'];
const LENGTH_CHECK_KEYS = ['check', 'minimum', 'maximum', 'when', 'error', 'abort'];

function onlyKeys(def: object, allowed: readonly string[] | undefined): boolean {
  return allowed !== undefined && Object.keys(def).every((k) => allowed.includes(k));
}

function covered(schema: Schema): boolean {
  const def = schema._zod.def;
  if (!onlyKeys(def, DEF_KEYS[def.type])) return false;
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  const checksKnown = (known: (c: CheckDef) => string | null): boolean =>
    checks.every((c) => onlyKeys(c, c.check === 'min_length' || c.check === 'max_length' ? LENGTH_CHECK_KEYS : CHECK_KEYS) && known(c) !== null);
  switch (def.type) {
    case 'string':
      return checksKnown((c) => stringCheck(c, 'x', () => ''));
    case 'number':
      return checksKnown((c) => numberCheck(c, 'x'));
    case 'unknown':
    case 'enum':
    case 'boolean':
      return true;
    case 'optional':
    case 'nullable':
    case 'default':
      return covered(def.innerType as Schema);
    case 'array':
      return covered(def.element as Schema);
    case 'record':
      return def.keyType?._zod.def.type === 'string' && covered(def.keyType) && covered(def.valueType as Schema);
    case 'object':
      return (def.catchall === undefined || def.catchall._zod.def.type === 'never') && Object.values(def.shape ?? {}).every(covered);
    case 'custom':
      return typeof def.fn === 'function' && def.check === 'custom';
    default:
      return false;
  }
}

// Emits boolean expressions over a variable name; arrays, records and objects get a function
// of their own (a loop or several statements), called from the expression.
class Generator {
  readonly functions: string[] = [];
  readonly values: unknown[] = [];

  value(v: unknown): string {
    this.values.push(v);
    return `values[${this.values.length - 1}]`;
  }

  test(schema: Schema, x: string): string {
    const def = schema._zod.def;
    switch (def.type) {
      case 'string':
        return and([`typeof ${x} === 'string'`, ...(def.checks ?? []).map((c) => stringCheck(c._zod.def, x, (v) => this.value(v)) as string)]);
      case 'number':
        return and([`typeof ${x} === 'number'`, `Number.isFinite(${x})`, ...(def.checks ?? []).map((c) => numberCheck(c._zod.def, x) as string)]);
      case 'boolean':
        return `(typeof ${x} === 'boolean')`;
      case 'unknown':
        return 'true';
      case 'enum':
        return `(${Object.values(def.entries ?? {}).map((e) => `${x} === ${this.value(e)}`).join(' || ') || 'false'})`;
      case 'optional':
        return `(${x} === undefined || ${this.test(def.innerType as Schema, x)})`;
      case 'nullable':
        return `(${x} === null || ${this.test(def.innerType as Schema, x)})`;
      // zod fills the default in: only a present value comes out unchanged.
      case 'default':
        return `(${x} !== undefined && ${this.test(def.innerType as Schema, x)})`;
      case 'custom':
        return `(${this.value(def.fn)}(${x}) === true)`;
      case 'array':
        return this.fn(x, ['if (!Array.isArray(a)) return false;', `for (let i = 0; i < a.length; i++) { const e = a[i]; if (!${this.test(def.element as Schema, 'e')}) return false; }`, 'return true;']);
      case 'record':
        return this.fn(x, [
          "if (typeof a !== 'object' || a === null || Array.isArray(a)) return false;",
          // zod rebuilds a record by assignment, which turns an own `__proto__` key into a prototype.
          `for (const k of Object.keys(a)) { if (k === '__proto__' || !${this.test(def.keyType as Schema, 'k')}) return false; const e = a[k]; if (!${this.test(def.valueType as Schema, 'e')}) return false; }`,
          'return true;',
        ]);
      case 'object': {
        const shape = def.shape ?? {};
        const keys = Object.keys(shape);
        const lines = ["if (typeof a !== 'object' || a === null || Array.isArray(a)) return false;"];
        keys.forEach((k, i) => lines.push(`const p${i} = a[${JSON.stringify(k)}]; if (!${this.test(shape[k] as Schema, `p${i}`)}) return false;`));
        // zod strips keys its object does not name: such a payload does not come out unchanged.
        lines.push(`for (const k in a) { switch (k) { ${keys.map((k) => `case ${JSON.stringify(k)}: `).join('')}continue; default: return false; } }`);
        lines.push('return true;');
        return this.fn(x, lines);
      }
      default:
        return 'false';
    }
  }

  private fn(x: string, lines: string[]): string {
    const name = `f${this.functions.length}`;
    this.functions.push(`function ${name}(a) { ${lines.join(' ')} }`);
    return `${name}(${x})`;
  }
}

function and(parts: string[]): string {
  return `(${parts.join(' && ')})`;
}

function stringCheck(c: CheckDef, x: string, value: (v: unknown) => string): string | null {
  if (c.check === 'string_format' && c.format === 'regex' && c.pattern instanceof RegExp) {
    // As zod does: a global or sticky pattern would otherwise resume where the last test ended.
    const re = value(c.pattern);
    return `(${re}.lastIndex = 0, ${re}.test(${x}))`;
  }
  if (c.check === 'min_length' && Number.isSafeInteger(c.minimum)) return `${x}.length >= ${c.minimum}`;
  if (c.check === 'max_length' && Number.isSafeInteger(c.maximum)) return `${x}.length <= ${c.maximum}`;
  return null;
}

function numberCheck(c: CheckDef, x: string): string | null {
  if (c.check === 'number_format' && c.format === 'safeint') return `Number.isSafeInteger(${x})`;
  if ((c.check === 'greater_than' || c.check === 'less_than') && typeof c.value === 'number' && Number.isFinite(c.value)) {
    const op = c.check === 'greater_than' ? (c.inclusive === true ? '>=' : '>') : c.inclusive === true ? '<=' : '<';
    return `${x} ${op} ${String(c.value)}`;
  }
  return null;
}
