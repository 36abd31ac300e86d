// metadata: the official connector's, field for field, except what is ours by design: logo and
// readme (our own files), token storage, and three optional Official Account form items after
// the official three.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { createBoth } from './helpers/connectors.js';

const { official, ours } = await createBoth();

test('every official field is equal, except logo and readme', () => {
  const { logo, readme, formItems, isTokenStorageSupported, ...rest } = ours.metadata;
  const { logo: officialLogo, readme: officialReadme, formItems: officialItems, ...officialRest } = official.metadata;
  assert.deepStrictEqual(rest, officialRest);
  assert.deepStrictEqual(formItems.slice(0, 3), officialItems);
  assert.equal(ours.type, official.type);
  assert.equal(logo, './logo.svg');
  assert.equal(readme, './docs/guide.md');
  assert.equal(officialLogo, './logo.svg');
  assert.equal(officialReadme, './README.md');
  assert.equal(isTokenStorageSupported, true);
});

test('the additions: three optional Official Account items', () => {
  const added = ours.metadata.formItems.slice(3);
  assert.deepEqual(added.map((item) => [item.key, item.type, item.required]), [
    ['officialAccountAppId', 'Text', false],
    ['officialAccountAppSecret', 'Text', false],
    ['officialAccountScope', 'Select', false],
  ]);
  assert.deepEqual(added[2].selectItems.map((item) => item.value), ['snsapi_userinfo'], 'snsapi_base never gives a unionid');
  assert.equal(added[2].defaultValue, 'snsapi_userinfo');
});

test('our logo is our own drawing, and the guide has English and 简体中文', () => {
  const ourLogo = readFileSync(new URL('../logo.svg', import.meta.url), 'utf8');
  const theirLogo = readFileSync(new URL('../node_modules/@logto/connector-wechat-web/logo.svg', import.meta.url), 'utf8');
  assert.notEqual(ourLogo, theirLogo);
  assert.match(ourLogo, /^<svg /);
  const guide = readFileSync(new URL('../docs/guide.md', import.meta.url), 'utf8');
  assert.match(guide, /## English/);
  assert.match(guide, /## 简体中文/);
  assert.match(guide, /snsapi_login/);
});
