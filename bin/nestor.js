#!/usr/bin/env node
// Runs the TypeScript sources through tsx so the package needs no build step. The package's own
// tsconfig is named explicitly: tsx would otherwise read the one in the caller's folder (or
// none), and the TUI's JSX needs ours.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
