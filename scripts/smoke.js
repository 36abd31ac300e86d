// Per-platform smoke test of a native binary, with nothing installed: Node alone runs it (in
// node:22-alpine, node:22-slim, on macOS and Windows). Loads the binding through the generated
// loader, validates, builds a URL, signs in against the mock WeChat, refreshes, and checks that
// a panic is a JS error.
import assert from 'node:assert/strict';

import { startMockWeChat } from '../mock/wechat-server.js';

const platform = `${process.platform}-${process.arch}`;
const binding = await import('../index.js');
const config = { appId: 'wx_web_app', appSecret: 'web-app-secret-123456' };
// Flows take the config followed by the values of its keys (as lib/index.js passes them).
const configArgs = [config, ...binding.configKeys().map((key) => config[key])];

assert.deepEqual(binding.validateConfig(config).data, config);
assert.equal(binding.validateConfig({}).issues.length, 2);
const url = binding.authorizationUri('st', 'https://x.io/cb', undefined, undefined, ...configArgs);
assert.equal(url, 'https://open.weixin.qq.com/connect/qrconnect?appid=wx_web_app&redirect_uri=https%3A%2F%2Fx.io%2Fcb&response_type=code&scope=snsapi_login&state=st');

const mock = await startMockWeChat();
process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
try {
  const signedIn = await binding.signIn('code-smoke~1', {}, ...configArgs);
  assert.equal(signedIn.error, undefined, JSON.stringify(signedIn.error));
  assert.equal(signedIn.userInfo.id, 'unionid-smoke');
  const refreshed = await binding.refreshAccessToken(signedIn.tokenResponse.refresh_token, ...configArgs);
  assert.match(refreshed.tokenResponse.access_token, /^ACCESS_/);
  const failed = await binding.signIn('expired', {}, ...configArgs);
  assert.equal(failed.error.code, 'social_auth_code_invalid');
} finally {
  await mock.close();
}

assert.throws(() => binding.panicProbe('sync'), /deliberate panic/);
await assert.rejects(binding.panicProbe('async'), /deliberate panic/);
console.log(`smoke ok on ${platform}, Node ${process.version}`);
