import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { SETTINGS } from '../../src/config/index.ts';

test('docs/config.md documents every setting with its env var and flag', async () => {
  const doc = await readFile(new URL('../../docs/config.md', import.meta.url), 'utf8');
  for (const s of SETTINGS) {
    assert.ok(doc.includes(`\`${s.env}\``), `${s.env} is not documented`);
    assert.ok(doc.includes(`\`${s.flag}\``), `${s.flag} is not documented`);
    assert.ok(doc.includes(`\`${s.path}\``), `${s.path} is not documented`);
  }
});
