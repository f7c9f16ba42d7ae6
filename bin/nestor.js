#!/usr/bin/env node
// The `nestor` command. The published package runs the compiled JavaScript in dist/ (built by
// `npm run build`, which `npm pack`/`npm publish` run through `prepack`); it needs no TypeScript
// loader. A git checkout has src/ beside bin/ (the package does not ship it): there the
// TypeScript sources run through tsx (a devDependency), so `npm start` and the tests never run
// a stale dist/. NESTOR_USE_DIST=1 runs dist/ from a checkout too (to try a build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const path = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const checkout = existsSync(path('../src/cli/main.ts'));
let main;
if (checkout && process.env.NESTOR_USE_DIST !== '1') {
  // tsx is named explicitly with our tsconfig: it would otherwise read the one in the caller's
  // folder (or none), and the TUI's JSX needs ours.
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: path('../tsconfig.json') });
  ({ main } = await import('../src/cli/main.ts'));
} else if (existsSync(path('../dist/cli-bundle/main.js'))) {
  // The bundled CLI (scripts/build.mjs says why it is bundled).
  ({ main } = await import('../dist/cli-bundle/main.js'));
} else {
  console.error('nestor: dist/ is missing; run `npm run build` in the package folder');
  process.exit(1);
}
process.exitCode = await main(process.argv);
