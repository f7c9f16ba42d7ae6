// The written nestor.yaml: the converted project with a header naming its source and a comment
// on each line that approximates something.
import { Document, isMap, isScalar, isSeq } from 'yaml';
import type { Node, Pair } from 'yaml';
import type { Conversion } from './types.ts';

const FORMAT_NAMES = { procfile: 'Procfile', compose: 'docker compose file', pm2: 'PM2 ecosystem file', 'process-compose': 'process-compose file' };

/** The project a conversion describes, as the plain value a nestor.yaml holds. */
export function projectOf(conv: Conversion): Record<string, unknown> {
  return { ...(conv.name === undefined ? {} : { name: conv.name }), services: conv.services };
}

/** The commented YAML text of a conversion read from `sourceName`. */
export function writeYaml(conv: Conversion, sourceName: string): string {
  const doc = new Document(projectOf(conv));
  const skipped = conv.notes.length;
  doc.commentBefore = [
    ` Converted by \`nestor import\` from ${sourceName} (${FORMAT_NAMES[conv.format]}).`,
    ' Lines with a comment approximate the source; check them, then run `nestor validate`.',
    ...(skipped > 0 ? [` ${skipped} source field(s) were not converted; \`nestor import\` listed them.`] : []),
  ].join('\n');
  for (const { path, text } of conv.comments) {
    const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
    if (!isMap(parent)) continue;
    const pair = parent.items.find((p: Pair) => isScalar(p.key) && p.key.value === path[path.length - 1]);
    if (pair === undefined) continue;
    // A comment after a scalar value stays on its line; above a block, it goes before the key.
    if (isScalar(pair.value)) pair.value.comment = ` ${text}`;
    else if (isScalar(pair.key)) pair.key.commentBefore = ` ${text}`;
  }
  flowShortLists(doc.contents as Node);
  return doc.toString({ lineWidth: 0 });
}

// Lists of a few short scalars read better on one line: args: [server.js, --port, "3000"].
function flowShortLists(node: Node | null): void {
  if (isSeq(node)) {
    if (node.items.every((i) => isScalar(i)) && JSON.stringify(node.toJSON()).length <= 80) node.flow = true;
    else for (const item of node.items) flowShortLists(item as Node);
  } else if (isMap(node)) {
    for (const pair of node.items) flowShortLists(pair.value as Node);
  }
}
