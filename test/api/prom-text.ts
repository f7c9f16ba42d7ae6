// A strict reader of the Prometheus text exposition format (0.0.4) for the metrics tests:
// every sample belongs to a family declared by # HELP and # TYPE, names and labels follow the
// grammar, label values are properly escaped, no series appears twice.

/** One parsed sample. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family. */
export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// Prometheus parses values with Go's ParseFloat, which takes NaN and Inf in any case (prom-client
// writes an empty histogram's mean as "Nan").
const VALUE = /^(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|nan|[-+]?inf)$/i;
const SUFFIXES: Record<Family['type'], string[]> = { counter: [''], gauge: [''], untyped: [''], histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

/** Parses exposition text; throws with the line number on the first violation. */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const series = new Set<string>();
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('the exposition must end with a newline');
  lines.forEach((line, i) => {
    const fail = (why: string): never => {
      throw new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) {
      const [, kind, name, ...rest] = line.split(' ');
      if (name === undefined || !NAME.test(name)) fail('bad metric name');
      const family = families.get(name as string) ?? { name: name as string, type: 'untyped' as const, help: '', samples: [] };
      if (kind === 'HELP') family.help = rest.join(' ');
      else {
        const type = rest[0] as Family['type'];
        if (!(type in SUFFIXES) || rest.length !== 1) fail('bad type');
        if (family.samples.length > 0) fail('TYPE after samples');
        family.type = type;
      }
      families.set(name as string, family);
      return;
    }
    if (line.startsWith('#')) return;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (m === null) return fail('not a sample');
    const [, name, rawLabels, value] = m as unknown as [string, string, string | undefined, string];
    if (!VALUE.test(value)) fail('bad value');
    const labels = parseLabels(rawLabels ?? '', fail);
    const family = [...families.values()].find((f) => SUFFIXES[f.type].some((s) => f.name + s === name));
    if (family === undefined) return fail('sample without a declared family');
    if (family.type === 'histogram' && name.endsWith('_bucket') && labels.le === undefined) fail('bucket without le');
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) fail('duplicate series');
    series.add(key);
    family.samples.push({ name, labels, value: /^nan$/i.test(value) ? NaN : Number(value.replace(/inf$/i, 'Infinity')) });
  });
  return families;
}

function parseLabels(raw: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = raw;
  while (rest !== '') {
    const m = /^([^=]+)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
    if (m === null) return fail('bad labels');
    const [all, name, value] = m as unknown as [string, string, string];
    if (!LABEL.test(name)) fail(`bad label name ${name}`);
    if (Object.hasOwn(labels, name)) fail(`label ${name} twice`);
    labels[name] = value.replace(/\\(["\\n])/g, (_x, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(all.length);
  }
  return labels;
}

/** The value of one series (labels must match exactly), or undefined. */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    const s = f.samples.find((x) => x.name === name && JSON.stringify(Object.entries(x.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
    if (s !== undefined) return s.value;
  }
  return undefined;
}
