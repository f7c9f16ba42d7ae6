// The dependency graph as text for `nestor graph`: a layered list, Graphviz dot, or Mermaid.
// Edges point from a service to what it needs, labelled with the condition.
import { startOrder } from './graph.ts';
import { own } from './own.ts';
import type { Project, ServiceSpec } from './types.ts';

/** Output formats of renderGraph. */
export type GraphFormat = 'text' | 'dot' | 'mermaid';

/** Renders a validated project's dependency graph; `enabled` marks the others as disabled. */
export function renderGraph(
  project: Pick<Project, 'services'>,
  format: GraphFormat,
  opts: { enabled?: readonly string[] } = {},
): string {
  const layers = startOrder(project.services);
  const isDisabled = (id: string): boolean => opts.enabled !== undefined && !opts.enabled.includes(id);
  switch (format) {
    case 'text':
      return renderText(project.services, layers, isDisabled);
    case 'dot':
      return renderDot(project.services, layers, isDisabled);
    case 'mermaid':
      return renderMermaid(project.services, layers, isDisabled);
  }
}

type Services = Readonly<Record<string, ServiceSpec>>;

const depsIn = (services: Services, id: string): ServiceSpec['dependencies'] =>
  (own(services, id)?.dependencies ?? []).filter((d) => Object.hasOwn(services, d.id));

function renderText(services: Services, layers: string[][], isDisabled: (id: string) => boolean): string {
  const width = Math.max(0, ...Object.keys(services).map((id) => id.length));
  const lines: string[] = [];
  layers.forEach((layer, i) => {
    for (const id of layer) {
      const notes = [
        own(services, id)?.kind === 'oneshot' ? 'oneshot' : '',
        isDisabled(id) ? 'disabled' : '',
      ].filter(Boolean);
      const deps = depsIn(services, id).map((d) => `${d.id} (${d.condition})`);
      const tail = [deps.length ? `needs ${deps.join(', ')}` : '', notes.length ? `[${notes.join(', ')}]` : '']
        .filter(Boolean)
        .join('  ');
      lines.push(`${i + 1}. ${tail ? id.padEnd(width) : id}${tail ? `  ${tail}` : ''}`);
    }
  });
  return lines.join('\n') + '\n';
}

function renderDot(services: Services, layers: string[][], isDisabled: (id: string) => boolean): string {
  const lines = ['digraph nestor {', '  rankdir=BT;', '  node [shape=box];'];
  for (const id of layers.flat()) {
    const attrs = [
      `label=${JSON.stringify(own(services, id)?.displayName ?? id)}`,
      ...(own(services, id)?.kind === 'oneshot' ? ['shape=ellipse'] : []),
      ...(isDisabled(id) ? ['style=dashed'] : []),
    ];
    lines.push(`  ${JSON.stringify(id)} [${attrs.join(', ')}];`);
  }
  for (const id of layers.flat()) {
    for (const d of depsIn(services, id)) lines.push(`  ${JSON.stringify(id)} -> ${JSON.stringify(d.id)} [label="${d.condition}"];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

function renderMermaid(services: Services, layers: string[][], isDisabled: (id: string) => boolean): string {
  const order = layers.flat();
  // Mermaid node ids are restricted, so nodes get positional ids and the real id as label.
  const node = new Map(order.map((id, i) => [id, `s${i}`]));
  const lines = ['graph BT'];
  for (const id of order) {
    const label = (own(services, id)?.displayName ?? id).replace(/"/g, '#quot;');
    const shape = own(services, id)?.kind === 'oneshot' ? [`(["`, `"])`] : [`["`, `"]`];
    lines.push(`  ${node.get(id)}${shape[0]}${label}${shape[1]}${isDisabled(id) ? ':::disabled' : ''}`);
  }
  for (const id of order) {
    for (const d of depsIn(services, id)) lines.push(`  ${node.get(id)} -->|${d.condition}| ${node.get(d.id)}`);
  }
  if (order.some(isDisabled)) lines.push('  classDef disabled stroke-dasharray: 5 5;');
  return lines.join('\n') + '\n';
}
