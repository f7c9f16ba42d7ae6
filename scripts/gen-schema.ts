// Writes schema/nestor.schema.json from the spec module's zod schema (input side), so editors
// validate and document nestor.yaml with the same rules as `nestor validate`.
// Usage: node --import tsx scripts/gen-schema.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { projectSchema } from '../src/spec/index.ts';

/** Where the generated schema is committed. */
export const SCHEMA_PATH = fileURLToPath(new URL('../schema/nestor.schema.json', import.meta.url));

/** The JSON Schema text, exactly as committed (2-space JSON plus a final newline). */
export function generateSchema(): string {
  // draft-07: the dialect yaml-language-server and VS Code support best.
  const schema = z.toJSONSchema(projectSchema, { io: 'input', target: 'draft-7' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}

function main(): void {
  const text = generateSchema();
  if (process.argv.includes('--check')) {
    const current = readFileSync(SCHEMA_PATH, 'utf8');
    if (current !== text) {
      console.error(`${SCHEMA_PATH} is stale: run node --import tsx scripts/gen-schema.ts`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(SCHEMA_PATH, text);
  console.log(`wrote ${SCHEMA_PATH}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
