// Prometheus text exposition, written by hand: the demos use no libraries.
import type { DemoContext } from '../runtime/index.ts';
import { uptimeSeconds } from '../runtime/index.ts';

/** One metric family: name, type, help, and samples with labels. */
export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  samples: readonly { labels: Record<string, string>; value: number }[];
}

/** The families every demo exposes: requests by path and uptime. */
export function baseMetrics(ctx: DemoContext): MetricFamily[] {
  const demo = ctx.name;
  return [
    {
      name: 'demo_http_requests_total',
      type: 'counter',
      help: 'HTTP requests served, by path.',
      samples: [...ctx.stats.byPath].sort(([a], [b]) => a.localeCompare(b)).map(([path, value]) => ({ labels: { demo, path }, value })),
    },
    { name: 'demo_uptime_seconds', type: 'gauge', help: 'Seconds since the process started.', samples: [{ labels: { demo }, value: uptimeSeconds(ctx) }] },
  ];
}

/** Renders families in the Prometheus text format (version 0.0.4). */
export function formatMetrics(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
      lines.push(`${f.name}${labels.length ? `{${labels.join(',')}}` : ''} ${Number.isInteger(s.value) ? s.value : s.value.toFixed(3)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Content type of the Prometheus text format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
