// Lint rules that keep the architecture honest: the pure core (events, spec, state, views, and the
// controller's and the cluster's cores) may not reach I/O, clocks or randomness, shells import
// modules only through their index, only the bus and the SDK talk to the NATS client, and no
// promise is dropped on the floor.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const coreDirs = ['src/events/**', 'src/spec/**', 'src/state/**', 'src/views/**', 'src/controller/core/**', 'src/cluster/core/**', 'src/runs/core/**'];
// The modules that may use the NATS client; every other shell goes through the bus's
// BusReader/BusWriter, so the client library can change in one place.
const natsDirs = ['src/bus/**', 'src/sdk/**'];

const internalImports = {
  group: ['**/src/*/internal/**', '../*/internal/**', '../../*/internal/**'],
  message: 'internal/ folders are private to their module; import the module index.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.data-test/**', '.dep/**', 'dist/**', 'test-output/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [internalImports] }],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'error',
    },
  },
  {
    // Before the core block: a later block's options replace these for the core's files, and
    // the core forbids @nats-io/* on its own.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: natsDirs,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            internalImports,
            { group: ['@nats-io/*'], message: 'Only src/bus and src/sdk use the NATS client; take a BusReader or BusWriter from ../bus/index.ts.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[computed=false][property.name=/^(nc|js|jsm)$/]",
          message: 'The NATS handles of a Bus are for tests and benches; use the BusReader/BusWriter methods or a function of ../bus/index.ts.',
        },
      ],
    },
  },
  {
    files: coreDirs,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'The pure core does no I/O.' },
            { group: ['@nats-io/*', 'ink', 'react', 'commander', 'pino', 'yaml', 'fs', 'path', 'child_process', 'os', 'net', 'http'], message: 'The pure core does no I/O.' },
            {
              group: ['../bus*', '../../bus*', '../../process*', '../../api*', '../../ui*', '../../cli*', '../../harness*', '../../config*', '../../dep*', '../../log*', '../../sdk*', '../process*', '../controller*', '../api*', '../ui*', '../cli*', '../harness*', '../config*', '../dep*', '../log*', '../sdk*'],
              message: 'The pure core must not import the shells.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Pass configuration in; the core reads no environment.' },
        { name: 'fetch', message: 'The core does no I/O.' },
        { name: 'setTimeout', message: 'Time is an argument in the core.' },
        { name: 'setInterval', message: 'Time is an argument in the core.' },
        { name: 'performance', message: 'Time is an argument in the core.' },
        { name: 'crypto', message: 'Ids and randomness are arguments in the core.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time is an argument in the core.' },
        { object: 'Math', property: 'random', message: 'Randomness is an argument in the core.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Time is an argument in the core: new Date() without arguments reads the clock.',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
);
