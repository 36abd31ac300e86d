// README's `npm run demo:cli`, run as a newcomer runs it: one sign-in in the terminal through
// Logto's loader against the mock WeChat, each step printed, and an expired code mapped to 401.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { root } from '../scripts/lib/logto-instance.js';

test('npm run demo:cli signs in, refreshes, and shows the 401 of an expired code', async () => {
  const { stdout } = await promisify(execFile)('npm', ['run', 'demo:cli'], { cwd: root, timeout: 120_000 });
  assert.match(stdout, /1\. Logto loader\s+accepted wechat-web \(Social\)/);
  assert.match(stdout, /2\. getAuthorizationUri\s+https:\/\/open\.weixin\.qq\.com\/connect\/qrconnect\?appid=wx_demo_website&/);
  assert.match(stdout, /user info\s+\{"id":"unionid-alice"/);
  assert.match(stdout, /6\. refresh access token\s+new token ACCESS_/);
  assert.match(stdout, /7\. expired code\s+ConnectorError social_auth_code_invalid → Logto answers HTTP 401/);
  assert.ok(!stdout.includes('demo-website-secret'), 'no secret printed');
});
