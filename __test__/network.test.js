// The network contract: proxies from the environment, connection reuse, a gateway with a path.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { caFile, startMockWeChat } from '../mock/wechat-server.js';
import { oursModule, webApp } from './helpers/connectors.js';
import { startForwardProxy } from './helpers/forward-proxy.js';
import { signInProcess } from './helpers/processes.js';

let mock;
let tlsMock;
let proxy;
let proxyUrl;
let seen;
before(async () => {
  mock = await startMockWeChat();
  tlsMock = await startMockWeChat({ tls: 'trusted' });
  proxy = await startForwardProxy();
  ({ url: proxyUrl, seen } = proxy);
});
after(async () => {
  await mock.close();
  await tlsMock.close();
  await proxy.close();
});

const config = JSON.stringify(webApp);

describe('proxies from the environment', () => {
  // The query of the code exchange carries the app secret: a plain-http base (loopback only)
  // is never sent to a proxy, whatever the environment says, credentials and all.
  for (const [name, env] of [
    ['HTTP_PROXY', () => ({ HTTP_PROXY: proxyUrl })],
    ['http_proxy with credentials', () => ({ http_proxy: proxyUrl.replace('http://', 'http://proxyuser:proxypass@') })],
    ['ALL_PROXY', () => ({ ALL_PROXY: proxyUrl })],
    ['HTTP_PROXY and HTTPS_PROXY', () => ({ HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl })],
  ]) {
    test(`${name}: no proxy sees a request to a plain-http loopback base`, async () => {
      seen.length = 0;
      const { report } = await signInProcess({ CONFIG: config, LOGTO_WECHAT_API_BASE_URL: mock.url, ...env(), CODE: `code-pat~${name}` });
      assert.equal(report.ok, true);
      assert.deepEqual(seen, []);
    });
  }

  test('HTTPS_PROXY tunnels https with CONNECT, TLS end to end', async () => {
    seen.length = 0;
    const { report } = await signInProcess({
      CONFIG: config,
      LOGTO_WECHAT_API_BASE_URL: tlsMock.url,
      HTTPS_PROXY: proxyUrl,
      NODE_EXTRA_CA_CERTS: caFile,
      CODE: 'code-pat~3',
    });
    assert.equal(report.ok, true);
    // One tunnel per connection (at most one per request), none of them plain GETs.
    assert.ok(seen.length >= 1 && seen.length <= 2, seen.join(', '));
    assert.ok(seen.every((line) => line === `CONNECT ${new URL(tlsMock.url).host}`));
  });
});

describe('connections', () => {
  test('are reused across sign-ins', async () => {
    process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
    const before = mock.connections;
    const connector = await oursModule.default({ getConfig: async () => webApp });
    for (let i = 0; i < 20; i += 1) {
      await connector.getUserInfo({ code: `code-reuse~${i}` }, async () => ({}));
    }
    // The token connection is not always back in the pool when userinfo starts, so two.
    assert.ok(mock.connections - before <= 2, `${mock.connections - before} connections for 40 sequential requests`);
  });

  test('a gateway base URL with a path prefix is honoured', async () => {
    const gateway = await startMockWeChat();
    gateway.respond('/wechat/sns/oauth2/access_token', (req, res) => {
      res.end(JSON.stringify({ access_token: 'ACCESS_gateway_0123', openid: 'o' }));
    });
    gateway.respond('/wechat/sns/userinfo', (req, res) => res.end(JSON.stringify({ openid: 'o', nickname: 'via gateway' })));
    try {
      process.env.LOGTO_WECHAT_API_BASE_URL = `${gateway.url}/wechat/`;
      const connector = await oursModule.default({ getConfig: async () => webApp });
      const info = await connector.getUserInfo({ code: 'c' }, async () => ({}));
      assert.equal(info.name, 'via gateway');
    } finally {
      await gateway.close();
    }
  });
});
