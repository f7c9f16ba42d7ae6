#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/, the JavaScript the published package runs.
//   1. tsc -p tsconfig.build.json: JavaScript, source maps (sources inlined, since the package
//      ships no src/) and .d.ts; TypeScript rewrites the `./x.ts` imports of the .js to `./x.js`.
//   2. The .d.ts keep `./x.ts` specifiers; they are rewritten to `./x.js` too, so a consumer's
//      TypeScript resolves them without `allowImportingTsExtensions`.
//   3. Every file under src/ that is not TypeScript (guardian.sh, the dashboard's templates, ...)
//      is copied beside the compiled modules that load it through import.meta.url/dirname.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const res = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
if (res.status !== 0) {
  console.error('build: tsc failed');
  process.exit(res.status ?? 1);
}

const SPECIFIER = /((?:from|import)\s*\(?\s*)(['"])(\.\.?\/[^'"]*?)\.tsx?\2/g;
let declarations = 0;
for (const file of walk(dist)) {
  if (!file.endsWith('.d.ts')) continue;
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(SPECIFIER, '$1$2$3.js$2');
  if (fixed !== text) writeFileSync(file, fixed);
  declarations++;
}

let assets = 0;
for (const file of walk(src)) {
  if (/\.tsx?$/.test(file)) continue;
  const target = join(dist, relative(src, file));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(file, target);
  assets++;
}
console.log(`build: dist/ written (${declarations} declaration files, ${assets} assets copied from src/)`);
