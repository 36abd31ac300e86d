// The setup guide's troubleshooting tables (English and 简体中文), which Logto's console shows:
// each errcode they name gives, at the code exchange, the error code they say.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { ConnectorError } from '@logto/connector-kit';

import { paths, startMockWeChat } from '../mock/wechat-server.js';
import { oursModule, webApp } from './helpers/connectors.js';

const guide = readFileSync(new URL('../docs/guide.md', import.meta.url), 'utf8');

/** `[error code, errcode]` for each errcode a table's row names, in the table under `heading`. */
const errcodesUnder = (heading) => {
  const section = guide.split(`${heading}\n`)[1].split('\n#')[0];
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => {
    const code = /^\| `([a-z_]+)`/.exec(row)?.[1];
    return [...row.matchAll(/`errcode (\d+)`/g)].map(([, errcode]) => [code, Number(errcode)]);
  });
};
const english = errcodesUnder('### Troubleshooting');

let mock;
before(async () => {
  mock = await startMockWeChat();
  process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
});
after(() => mock.close());

test('both languages name the same errcodes with the same error codes', () => {
  assert.deepEqual(errcodesUnder('### 常见问题'), english);
  assert.deepEqual(
    english.map(([, errcode]) => errcode),
    [40029, 40163, 42003, 40013, 40125]
  );
});

test('each errcode the guide names gives, at the code exchange, the error code it says', async () => {
  assert.ok(english.length > 0);
  const connector = await oursModule.default({ getConfig: async () => webApp });
  for (const [code, errcode] of english) {
    mock.reply(paths.accessToken, 200, { errcode, errmsg: `errmsg of ${errcode}` });
    const error = await connector.getUserInfo({ code: 'c' }, async () => ({})).then(
      () => assert.fail(`errcode ${errcode} signed someone in`),
      (thrown) => thrown
    );
    assert.ok(error instanceof ConnectorError, `errcode ${errcode}: ${error}`);
    assert.equal(error.code, code, `errcode ${errcode}`);
    if (code === 'general') assert.equal(error.data.errcode, errcode);
  }
});
