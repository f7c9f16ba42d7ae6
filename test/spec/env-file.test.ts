// The env-file format as docker compose reads it: comments, `export`, quotes, escapes, and
// ${VAR} expansion against earlier lines and the layers below; malformed lines are reported
// with their line number and without the value; secret-looking names are masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretName, maskEnv, maskSpecSecrets, maskValue, parseEnvFile, redactSecrets } from '../../src/spec/index.ts';
import type { EnvFileResult } from '../../src/spec/index.ts';

const below: Record<string, string> = { HOME: '/home/me', EMPTY: '', PORT: '8080' };
const parse = (text: string): EnvFileResult => parseEnvFile(text, (n) => below[n]);
const vars = (text: string): Record<string, string> => {
  const r = parse(text);
  assert.ok(r.ok, JSON.stringify(r));
  return Object.fromEntries(r.entries);
};

test('KEY=VALUE lines, comments, blank lines, export and spaces around the value', () => {
  assert.deepEqual(vars('# a comment\n\nA=1\nexport B=two words  # trailing comment\n  C = spaced \nD=\nE=a#b\r\n'), {
    A: '1',
    B: 'two words',
    C: 'spaced',
    D: '',
    E: 'a#b',
  });
});

test('single quotes are literal; double quotes take escapes and expand; both may span lines', () => {
  assert.deepEqual(vars(`S='$HOME \\n # not a comment'\nD="$HOME\\t\\"q\\" \\$HOME # kept"\nM="one\ntwo"\nN='a\nb' # comment`), {
    S: '$HOME \\n # not a comment',
    D: '/home/me\t"q" $HOME # kept',
    M: 'one\ntwo',
    N: 'a\nb',
  });
});

test('${VAR}, $VAR, defaults and alternatives expand as in docker compose', () => {
  assert.deepEqual(
    vars(
      [
        'A=${HOME}/x $PORT',
        'B=${MISSING:-dflt} ${EMPTY:-dflt} ${EMPTY-dflt} ${MISSING-dflt}',
        'C=${PORT:+set} ${MISSING:+set}|${EMPTY+set}',
        'D=${MISSING:-${PORT}0}',
        'E=$MISSING.$ 5$',
      ].join('\n'),
    ),
    { A: '/home/me/x 8080', B: 'dflt dflt  dflt', C: 'set |set', D: '80800', E: '.$ 5$' },
  );
});

test('a value sees earlier lines of its file before the layers below, and later lines win', () => {
  assert.deepEqual(vars('PORT=9000\nURL=http://localhost:${PORT}\nPORT=9001\n'), { PORT: '9001', URL: 'http://localhost:9000' });
});

test('a bare KEY passes the variable through from the layers below, or nothing', () => {
  assert.deepEqual(vars('HOME\nNOT_SET_ANYWHERE\n'), { HOME: '/home/me' });
});

test('malformed lines are reported with their line numbers, all of them', () => {
  const r = parse('OK=1\nFOO BAR\n1ABC=2\n=3\nBAD-NAME=4\nSPACE KEY=5\nfine=6\n');
  assert.equal(r.ok, false);
  assert.deepEqual(
    !r.ok && r.problems.map((p) => [p.line, `expected ${p.expected}, got ${p.got}`]),
    [
      [2, 'expected KEY=VALUE, got a line starting "FOO" with no "="'],
      [3, 'expected a variable name (letters, digits, "_", not starting with a digit), got "1ABC"'],
      [4, 'expected KEY=VALUE, got a line with no name before "="'],
      [5, 'expected a variable name (letters, digits, "_", not starting with a digit), got "BAD-NAME"'],
      [6, 'expected a variable name before "=", got "SPACE" followed by a space'],
    ],
  );
});

test('an unterminated quote or ${, a bad ${...} and a failed ${VAR:?} are errors at their line', () => {
  const problem = (text: string): string => {
    const r = parse(text);
    assert.equal(r.ok, false, text);
    return r.ok ? '' : r.problems.map((p) => `${p.line}: expected ${p.expected}, got ${p.got}`).join('; ');
  };
  assert.equal(problem('A=1\nB="open\nC=2'), '2: expected a closing double quote for B, got none until the end of the file');
  assert.equal(problem("A='x' y"), '1: expected nothing but a # comment after the closing quote of A, got more text');
  assert.equal(problem('A=${HOME'), '1: expected "}" closing "${" in A, got none');
  assert.equal(problem('A=${1X}'), '1: expected ${NAME}, ${NAME:-default} or ${NAME-default} in A, got "${1X}"');
  assert.equal(problem('A=${MISSING:?set it in .env}'), '1: expected MISSING to be set and not empty (set it in .env) in A, got unset');
  assert.equal(problem('A=${EMPTY:?}'), '1: expected EMPTY to be set and not empty in A, got empty');
});

test('a malformed line never shows the value it holds', () => {
  const r = parse('API_TOKEN s3cr3t-value\nDB_PASSWORD="s3cr3t-value');
  assert.equal(r.ok, false);
  assert.doesNotMatch(JSON.stringify(r), /s3cr3t/);
});

test('secret-looking names: the documented endings and the bare words, in any case', () => {
  for (const name of ['API_TOKEN', 'DB_PASSWORD', 'APP_SECRET', 'AWS_ACCESS_KEY', 'SMTP_PASS', 'MAPS_APIKEY', 'TOKEN', 'password', 'github_token']) {
    assert.ok(isSecretName(name), name);
  }
  for (const name of ['PATH', 'KEYBOARD', 'PASSPORT', 'TOKENS', 'MONKEY', 'PORT']) assert.ok(!isSecretName(name), name);
});

test('masking keeps short secrets fully hidden and shows only the start and length of long ones', () => {
  assert.equal(maskValue('hunter2'), '****');
  assert.equal(maskValue('ghp_0123456789abcdef'), 'gh…(20 chars)');
  assert.deepEqual(maskEnv({ API_TOKEN: 'ghp_0123456789abcdef', PORT: 8080 }), { API_TOKEN: 'gh…(20 chars)', PORT: 8080 });
  const spec = { command: 'x', process: { command: 'x', env: { DB_PASSWORD: 'hunter2', MODE: 'prod' } } };
  assert.deepEqual(maskSpecSecrets(spec), {
    spec: { command: 'x', process: { command: 'x', env: { DB_PASSWORD: '****', MODE: 'prod' } } },
    secrets: { DB_PASSWORD: 'hunter2' },
  });
  assert.equal(spec.process.env.DB_PASSWORD, 'hunter2', 'the input is not changed');
});

test('values of secret variables are masked inside other texts, longest first; short values are left alone', () => {
  const env = { API_TOKEN: 'ghp_0123456789abcdef', SHORT_KEY: 'abc', OTHER_SECRET: 'ghp_0123', PATH: '/usr/bin' };
  assert.deepEqual(redactSecrets(['--token=ghp_0123456789abcdef', 'x ghp_0123 abc', '/usr/bin'], env), [
    '--token=gh…(20 chars)',
    'x **** abc',
    '/usr/bin',
  ]);
});
