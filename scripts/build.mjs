#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/, the JavaScript the published package runs.
//   1. tsc -p tsconfig.build.json: JavaScript, source maps (sources inlined, since the package
//      ships no src/) and .d.ts; TypeScript rewrites the `./x.ts` imports of the .js to `./x.js`.
//   2. The .d.ts keep `./x.ts` specifiers; they are rewritten to `./x.js` too, so a consumer's
//      TypeScript resolves them without `allowImportingTsExtensions`.
//   3. Every file under src/ that is not TypeScript (guardian.sh, the dashboard's templates, ...)
//      is copied beside the compiled modules that load it through import.meta.url/dirname.
//   4. The command (bin/nestor.js) runs dist/cli-bundle/: the compiled CLI bundled by esbuild with
//      its dependencies, one chunk per lazily imported verb. A CLI is started for every command,
//      and Node 20 spends most of a short verb resolving and reading files: the unbundled CLI
//      loads ~360 modules for `nestor status` (zod alone is 95), the bundle a dozen chunks. The
//      packages that are large and needed by one verb only (ink and react for the terminal UI),
//      that find their own files (pino's workers, datastar's script, esbuild's binary) stay
//      external and load from node_modules. dist/<module>/ stays for the package's exports (SDK,
//      harness, ...), which a program imports once.
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
// The bundle's chunks all sit in one folder two levels below the package, as the compiled
// modules do, so `new URL('../../package.json', import.meta.url)` still finds package.json; the
// files a module reads beside itself are copied beside the chunks.
const bundle = join(dist, 'cli-bundle');
// A package's JavaScript is mapped to itself: some (the NATS client) name source maps whose
// TypeScript sources they do not ship, and esbuild would follow them into maps without text.
const ownSourcesOnly = {
  name: 'own-sources-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/gm, ''),
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};
const { build } = await import('esbuild');
await build({
  entryPoints: [join(dist, 'cli', 'main.js')],
  outdir: bundle,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // V8 keeps every loaded chunk's source text in the heap (for lazy compilation): minified, it
  // is half the size, and one-byte (a comment with a non-ASCII character made a chunk two-byte).
  // keepNames keeps class and function names in errors.
  minify: true,
  keepNames: true,
  external: ['ink', 'react', 'react/*', 'pino', '@starfederation/datastar', 'esbuild'],
  // The bundled CommonJS packages (the NATS client) require Node's built-ins.
  plugins: [ownSourcesOnly],
  banner: { js: "import { createRequire as __nestorCreateRequire } from 'node:module'; const require = __nestorCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
const BESIDE_CHUNKS = { 'boot/guardian.sh': 'guardian.sh', 'ui/web/templates': 'templates' };
for (const [from, to] of Object.entries(BESIDE_CHUNKS)) cpSync(join(src, from), join(bundle, to), { recursive: true });
const chunks = readdirSync(bundle).filter((f) => f.endsWith('.js')).length;
console.log(`build: dist/ written (${declarations} declaration files, ${assets} assets copied from src/; the CLI in ${chunks} chunks)`);
