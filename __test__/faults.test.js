// Upstream faults, hostile replies and bad input: every one ends in a ConnectorError for that
// sign-in (or, for a rejecting getConfig, the rejection itself), and no error holds the app
// secret or an access token anywhere: message, stack, data or serialization.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { ConnectorError } from '@logto/connector-kit';

import { binaryName, loadBinding, platformName } from '../lib/binding.js';
import { caFile, paths, startMockWeChat } from '../mock/wechat-server.js';
import { errorText, oursModule, webApp } from './helpers/connectors.js';
import { signInProcess } from './helpers/processes.js';
import { freePort } from '../scripts/lib/ports.js';

const accessToken = 'ACCESS_TOKEN_KNOWN_0123456789abcdef';
const tokenReply = { access_token: accessToken, refresh_token: 'REFRESH_KNOWN_0123456789', openid: 'o', expires_in: 7200 };

const withToken = (mock) => mock.reply(paths.accessToken, 200, tokenReply);

/** Runs one getUserInfo and returns the error (it must fail) and how long it took. */
const failingSignIn = async ({ config = webApp, getConfig, data = { code: 'the-code' }, baseUrl }) => {
  if (baseUrl) process.env.LOGTO_WECHAT_API_BASE_URL = baseUrl;
  const connector = await oursModule.default({ getConfig: getConfig ?? (async () => config) });
  const started = performance.now();
  try {
    await connector.getUserInfo(data, async () => ({}));
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  assert.fail('the sign-in should have failed');
};

const assertClean = (error) => {
  const text = errorText(error);
  assert.ok(!text.includes(webApp.appSecret), 'no app secret in the error');
  assert.ok(!text.includes(accessToken), 'no access token in the error');
};

let mock;
before(async () => {
  mock = await startMockWeChat();
});
after(() => mock.close());

describe('every failure class is a clean ConnectorError', () => {
  // [name, arrange(mock) → options for failingSignIn, expected code, description pattern]
  const classes = [
    ['connection refused', async () => ({ baseUrl: `http://127.0.0.1:${await freePort()}` }), 'general', /could not connect/],
    ['DNS failure', async () => ({ baseUrl: 'https://wechat-api.invalid' }), 'general', /could not connect|did not answer/],
    ['reset on the code exchange', (m) => m.fault(paths.accessToken, 'reset'), 'general', /connection lost/],
    ['reset on userinfo', (m) => (withToken(m), m.fault(paths.userInfo, 'reset')), 'general', /connection lost/],
    ['redirect on the code exchange', (m) => m.fault(paths.accessToken, 'redirect'), 'general', /redirect/],
    ['redirect on userinfo', (m) => (withToken(m), m.fault(paths.userInfo, 'redirect')), 'general', /redirect/],
    ['oversized body, declared', (m) => m.fault(paths.accessToken, 'hugeDeclared'), 'invalid_response', /larger than 1048576/],
    ['oversized body, chunked', (m) => (withToken(m), m.fault(paths.userInfo, 'hugeChunked')), 'invalid_response', /larger than 1048576/],
    ['malformed token reply', (m) => m.reply(paths.accessToken, 200, `{"access_token":"${accessToken}",`), 'invalid_response'],
    ['malformed userinfo reply', (m) => (withToken(m), m.reply(paths.userInfo, 200, '{"nickname":')), 'invalid_response'],
    ['wrong field types', (m) => m.reply(paths.accessToken, 200, { access_token: 1 }), 'invalid_response'],
    ['token endpoint HTTP 500', (m) => m.reply(paths.accessToken, 500, `oops ${webApp.appSecret}`), 'general', /HTTP 500/],
    ['token endpoint HTTP 401', (m) => m.reply(paths.accessToken, 401, 'no'), 'general', /HTTP 401/],
    ['userinfo HTTP 502 echoing the token', (m) => (withToken(m), m.reply(paths.userInfo, 502, `bad gateway for access_token=${accessToken}`)), 'general'],
    ['userinfo HTTP 401', (m) => (withToken(m), m.reply(paths.userInfo, 401, '')), 'social_invalid_access_token'],
    ['WeChat errcode on the exchange', (m) => m.reply(paths.accessToken, 200, { errcode: 40125, errmsg: `invalid appsecret ${webApp.appSecret}` }), 'general'],
    ['WeChat errcode on userinfo', (m) => (withToken(m), m.reply(paths.userInfo, 200, { errcode: 40014, errmsg: `invalid access_token ${accessToken}` })), 'social_invalid_access_token'],
    ['invalid config', () => ({ config: { appId: 'wx' } }), 'invalid_config'],
    ['getConfig returns garbage', () => ({ getConfig: async () => 42 }), 'invalid_config'],
    ['getConfig returns null', () => ({ getConfig: async () => null }), 'invalid_config'],
    ['invalid callback data', () => ({ data: { code: ['x'] } }), 'general'],
    ['callback data that JSON cannot stringify', () => ({ data: { code: 1n } }), 'general'],
    ['non-https base URL', () => ({ baseUrl: 'http://api.weixin.qq.com' }), 'invalid_config', /https/],
    ['base URL that is not a URL', () => ({ baseUrl: 'not a url' }), 'invalid_config'],
  ];

  for (const [name, arrange, code, description] of classes) {
    test(name, async () => {
      mock.reset();
      process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
      const options = (await arrange(mock)) ?? {};
      const { error } = await failingSignIn(options);
      assert.ok(error instanceof ConnectorError, `${name}: ${error?.stack}`);
      assert.equal(error.code, code);
      if (description) assert.match(error.data.errorDescription, description);
      assertClean(error);
    });
  }

  test('a rejecting getConfig passes through unchanged, with nothing added', async () => {
    const rejection = new Error('vault unavailable');
    const { error } = await failingSignIn({ getConfig: async () => Promise.reject(rejection) });
    assert.equal(error, rejection);
  });

  test('hangs and trickles are cut at the 5 s budget, and the code exchange is sent once', async () => {
    const hang = await startMockWeChat();
    const trickle = await startMockWeChat();
    try {
      hang.fault(paths.accessToken, 'hang');
      trickle.fault(paths.accessToken, 'trickle', { interval: 100 });
      // The trickle runs in its own process (its own LOGTO_WECHAT_API_BASE_URL), at the same time.
      const [inProcess, child] = await Promise.all([
        failingSignIn({ baseUrl: hang.url }),
        signInProcess({ CONFIG: JSON.stringify(webApp), LOGTO_WECHAT_API_BASE_URL: trickle.url }),
      ]);
      assert.ok(inProcess.error instanceof ConnectorError);
      assertClean(inProcess.error);
      assert.equal(child.report.isConnectorError, true);
      assert.deepEqual(child.report.leaks, []);
      for (const [{ code, data }, ms, requests] of [
        [inProcess.error, inProcess.ms, hang.requests.length],
        [child.report, child.ms, trickle.requests.length],
      ]) {
        assert.equal(code, 'general');
        assert.match(data.errorDescription, /access_token endpoint did not answer within 5 s/);
        assert.ok(ms >= 4900 && ms < 8000, `failed after ${ms.toFixed(0)} ms, not ~5 s (the official connector: ~18 s)`);
        assert.equal(requests, 1, 'never retried');
      }
    } finally {
      await hang.close();
      await trickle.close();
    }
  });

  test('a hung userinfo fails in ~5 s too', async () => {
    const m = await startMockWeChat();
    try {
      withToken(m);
      m.fault(paths.userInfo, 'hang');
      const { error, ms } = await failingSignIn({ baseUrl: m.url });
      assert.match(error.data.errorDescription, /userinfo endpoint did not answer within 5 s/);
      assert.ok(ms >= 4900 && ms < 8000, `${ms}`);
    } finally {
      await m.close();
    }
  });
});

describe('TLS, in a fresh process (NODE_EXTRA_CA_CERTS is read at start)', () => {
  for (const [name, tls, expectOk] of [
    ['a certificate from the CA in NODE_EXTRA_CA_CERTS is trusted', 'trusted', true],
    ['an untrusted (self-signed) certificate is refused', 'untrusted', false],
    ['a certificate for another host is refused', 'wrongHost', false],
  ]) {
    test(name, async () => {
      const https = await startMockWeChat({ tls });
      try {
        const { exitCode, report } = await signInProcess({
          CONFIG: JSON.stringify(webApp),
          LOGTO_WECHAT_API_BASE_URL: https.url,
          NODE_EXTRA_CA_CERTS: caFile,
        });
        assert.equal(exitCode, 0);
        if (expectOk) {
          assert.equal(report.ok, true);
          assert.equal(report.userInfo.id, 'unionid-zoe');
        } else {
          assert.equal(report.ok, false);
          assert.equal(report.isConnectorError, true);
          assert.equal(report.code, 'general');
          assert.match(report.data.errorDescription, /could not connect.*(certificate|UnknownIssuer|NotValidForName)/i);
          assert.deepEqual(report.leaks, []);
          assert.ok(https.requests.length === 0, 'nothing was sent over the bad connection');
        }
      } finally {
        await https.close();
      }
    });
  }

  test('without NODE_EXTRA_CA_CERTS the test CA is not trusted (Mozilla roots only)', async () => {
    const https = await startMockWeChat({ tls: 'trusted' });
    try {
      const { report } = await signInProcess({ CONFIG: JSON.stringify(webApp), LOGTO_WECHAT_API_BASE_URL: https.url, NODE_EXTRA_CA_CERTS: '' });
      assert.equal(report.code, 'general');
    } finally {
      await https.close();
    }
  });
});

describe('retries', () => {
  test('userinfo is retried once when the connection fails before any response', async () => {
    // The token reply closes the connection and the server stops listening for a moment (a
    // gateway restarting): the first userinfo connection is refused or reset from the backlog;
    // the retry after 250 ms finds it listening again.
    const m = await startMockWeChat();
    try {
      m.respond(paths.accessToken, (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify(tokenReply));
        res.on('finish', () => {
          m.server.close();
          for (const socket of [req.socket]) socket.destroy();
          setTimeout(() => m.server.listen(m.port, '127.0.0.1'), 60);
        });
      });
      m.respond(paths.userInfo, (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ openid: 'o', nickname: 'retried' }));
      });
      process.env.LOGTO_WECHAT_API_BASE_URL = m.url;
      const connector = await oursModule.default({ getConfig: async () => webApp });
      const info = await connector.getUserInfo({ code: 'c' }, async () => ({}));
      assert.equal(info.name, 'retried');
      assert.deepEqual(m.requests.map((r) => r.path), [paths.accessToken, paths.userInfo]);
    } finally {
      await m.close();
    }
  });

  test('a reset before any response: userinfo is sent twice, the code exchange once', async () => {
    mock.reset();
    withToken(mock);
    mock.fault(paths.userInfo, 'reset');
    await failingSignIn({ baseUrl: mock.url });
    assert.deepEqual(mock.requests.map((r) => r.path), [paths.accessToken, paths.userInfo, paths.userInfo]);
    mock.reset();
    mock.fault(paths.accessToken, 'reset');
    await failingSignIn({ baseUrl: mock.url });
    assert.deepEqual(mock.requests.map((r) => r.path), [paths.accessToken]);
  });

  test('a refused code exchange is not retried', async () => {
    const port = await freePort();
    let connections = 0;
    const counter = net.createServer((socket) => {
      connections += 1;
      socket.resetAndDestroy();
    });
    await new Promise((resolve) => counter.listen(port, '127.0.0.1', resolve));
    try {
      const { error } = await failingSignIn({ baseUrl: `http://127.0.0.1:${port}` });
      assert.equal(error.code, 'general');
      assert.equal(connections, 1);
    } finally {
      await new Promise((resolve) => counter.close(resolve));
    }
  });
});

describe('the process', () => {
  test('the event loop keeps turning while 64 sign-ins hang', async () => {
    const m = await startMockWeChat();
    try {
      m.fault(paths.accessToken, 'hang');
      process.env.LOGTO_WECHAT_API_BASE_URL = m.url;
      const connector = await oursModule.default({ getConfig: async () => webApp });
      const pending = Array.from({ length: 64 }, (_, i) => connector.getUserInfo({ code: `c${i}` }, async () => ({})).catch((e) => e));
      let ticks = 0;
      const timer = setInterval(() => (ticks += 1), 10);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      clearInterval(timer);
      assert.ok(ticks >= 50, `only ${ticks} ticks of 10 ms in 1 s`);
      const errors = await Promise.all(pending);
      assert.ok(errors.every((e) => e instanceof ConnectorError && e.code === 'general'));
    } finally {
      await m.close();
    }
  });

  test('a process that has finished its sign-in exits by itself, idle connections or not', async () => {
    mock.reset();
    const { exitCode, ms, report } = await signInProcess({ CONFIG: JSON.stringify(webApp), LOGTO_WECHAT_API_BASE_URL: mock.url, CODE: 'code-zoe~exit' });
    assert.equal(exitCode, 0);
    assert.equal(report.ok, true);
    // The mock keeps connections alive for 30 s and our pool for 60 s; neither holds the process.
    assert.ok(ms < 10_000, `exited after ${ms.toFixed(0)} ms`);
  });

  test('a Rust panic, sync or async, is a JS error and the process lives on', async () => {
    const binding = loadBinding();
    const addon = createRequire(import.meta.url)(`../${binaryName(platformName(process))}`);
    assert.equal(addon, binding, 'the very addon the loader loaded');
    assert.throws(() => binding.__panicProbe('sync'), /deliberate panic/);
    await assert.rejects(binding.__panicProbe('async'), /deliberate panic/);
    await binding.__panicProbe('none');
    const typings = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8');
    assert.ok(!typings.includes('anicProbe'), 'the probe is not in the typings users read');
  });

  test('a binding that cannot read its arguments throws; the connector raises a ConnectorError', async () => {
    const binding = loadBinding();
    // A payload that is not an object: the binding cannot read it.
    assert.throws(() => binding.getAuthorizationUri(undefined, async () => {}, webApp), /Cannot convert undefined or null to object/);
    assert.deepEqual(
      await binding.getAuthorizationUri({ state: 's', redirectUri: 'https://x.io/cb', headers: {} }, async () => {}, { appId: 'wx', appSecret: 'secret' }),
      { url: 'https://open.weixin.qq.com/connect/qrconnect?appid=wx&redirect_uri=https%3A%2F%2Fx.io%2Fcb&response_type=code&scope=snsapi_login&state=s' }
    );
    // A config whose getter throws, through the connector: a ConnectorError, not a crash.
    const connector = await oursModule.default({
      getConfig: async () => ({
        get appId() {
          throw new Error('getter failed');
        },
      }),
    });
    await assert.rejects(
      connector.getAuthorizationUri({ state: 's', redirectUri: 'https://x.io/cb', headers: {} }, async () => {}),
      (error) => error instanceof ConnectorError && error.code === 'general' && /getter failed/.test(error.data.errorDescription)
    );
  });

  test('memory stays flat while oversized bodies are refused', async () => {
    const m = await startMockWeChat();
    try {
      m.fault(paths.accessToken, 'hugeChunked');
      process.env.LOGTO_WECHAT_API_BASE_URL = m.url;
      const connector = await oursModule.default({ getConfig: async () => webApp });
      const round = () => Promise.all(Array.from({ length: 20 }, () => connector.getUserInfo({ code: 'c' }).catch((e) => e.code)));
      await round();
      const before = process.memoryUsage().rss;
      for (let i = 0; i < 5; i += 1) {
        assert.ok((await round()).every((code) => code === 'invalid_response'));
      }
      const grown = process.memoryUsage().rss - before;
      // 100 refused 1 MiB+ bodies; a leak of each would be 100 MiB.
      assert.ok(grown < 48 * 1024 * 1024, `RSS grew by ${(grown / 1048576).toFixed(1)} MiB`);
    } finally {
      await m.close();
    }
  });
});
