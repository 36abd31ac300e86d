// The host's callbacks, every branch: what setSession and getSession may do (return, return a
// promise, throw or reject with connector-kit's not_implemented or anything else, not be a
// function), through the connector as Logto calls it and against the binding directly.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ConnectorError, ConnectorErrorCodes } from '@logto/connector-kit';

import { loadBinding } from '../lib/binding.js';
import { paths, startMockWeChat } from '../mock/wechat-server.js';
import { oursModule } from './helpers/connectors.js';

const binding = loadBinding();
const config = {
  appId: 'wx_web_app',
  appSecret: 'web-app-secret-123456',
  officialAccountAppId: 'wx_oa_app',
  officialAccountAppSecret: 'oa-app-secret-654321',
};
const inWeChat = { state: 's', redirectUri: 'https://x.io/cb', headers: { userAgent: 'Mozilla/5.0 MicroMessenger/8.0.50' } };
const onDesktop = { ...inWeChat, headers: { userAgent: 'Mozilla/5.0 Chrome/131.0' } };
const qrUrl = 'https://open.weixin.qq.com/connect/qrconnect?appid=wx_web_app&redirect_uri=https%3A%2F%2Fx.io%2Fcb&response_type=code&scope=snsapi_login&state=s';
const accountUrl = 'https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx_oa_app&redirect_uri=https%3A%2F%2Fx.io%2Fcb&response_type=code&scope=snsapi_userinfo&state=s#wechat_redirect';
const session = { wechatWebFlow: 'official_account', wechatWebAppId: 'wx_oa_app', wechatWebScope: 'snsapi_userinfo' };
const notImplemented = () => new ConnectorError(ConnectorErrorCodes.NotImplemented);

/**
 * setSession's possible behaviours: what it does, and the URL or the error that follows (through
 * the binding alone, where that differs: N-API before version 10 keeps no value other than an
 * object thrown synchronously, so lib/index.js hands the binding only promises).
 */
const setSessions = () => {
  const stored = [];
  const failure = new Error('session store down');
  const plain = { code: 'general', message: 'session store down' };
  const text = 'session store down';
  return {
    stored,
    cases: [
      ['returns', (value) => void stored.push(value), { url: accountUrl }],
      ['resolves', async (value) => void stored.push(value), { url: accountUrl }],
      ['throws not_implemented (the Management API)', () => { throw notImplemented(); }, { url: qrUrl }],
      ['rejects with not_implemented', async () => { throw notImplemented(); }, { url: qrUrl }],
      ['throws another error', () => { throw failure; }, { error: failure }],
      ['rejects with another error', async () => { throw failure; }, { error: failure }],
      ['throws a ConnectorError of another code', () => { throw Object.assign(failure, { code: 'general' }); }, { error: failure }],
      ['throws an object that is not an Error', () => { throw plain; }, { error: plain }],
      ['rejects with an object that is not an Error', async () => { throw plain; }, { error: plain }],
      ['rejects with a string', async () => { throw text; }, { error: text }],
      ['rejects with undefined', async () => { throw undefined; }, { error: undefined }],
      ['throws a string', () => { throw text; }, { error: text, bindingRejectsWithAnError: true }],
      ['throws undefined', () => { throw undefined; }, { error: undefined, bindingRejectsWithAnError: true }],
      ['is undefined', undefined, { url: qrUrl }],
      ['is not a function', 'setSession', { url: qrUrl }],
    ],
  };
};

describe('setSession, in getAuthorizationUri', () => {
  for (const through of ['the connector', 'the binding']) {
    setSessions().cases.forEach(([name], index) => {
      test(`through ${through}: setSession ${name}`, async () => {
        const { stored, cases } = setSessions();
        const [, setSession, expected] = cases[index];
        const answer =
          through === 'the connector'
            ? (await oursModule.default({ getConfig: async () => config })).getAuthorizationUri(inWeChat, setSession)
            : binding.getAuthorizationUri(inWeChat, setSession, config).then(({ url }) => url);
        if (through === 'the binding' && expected.bindingRejectsWithAnError) {
          await assert.rejects(answer, (error) => error instanceof Error);
        } else if ('error' in expected) {
          // The very value the host threw, not a copy: Logto reports its own errors.
          await assert.rejects(answer, (error) => Object.is(error, expected.error));
        } else {
          assert.equal(await answer, expected.url);
        }
        const calls = typeof setSession === 'function' ? 1 : 0;
        assert.equal(stored.length, expected.url === accountUrl ? calls : 0);
        if (stored.length) assert.deepEqual({ ...stored[0] }, session);
      });
    });
  }

  test('outside WeChat no session is needed: setSession is not called, even one that would throw', async () => {
    let called = false;
    const { url } = await binding.getAuthorizationUri(onDesktop, () => { called = true; throw notImplemented(); }, config);
    assert.equal(url, qrUrl);
    assert.equal(called, false);
  });
});

describe('getSession, in a sign-in', () => {
  let mock;
  before(async () => {
    mock = await startMockWeChat({ apps: { [config.appId]: config.appSecret, [config.officialAccountAppId]: config.officialAccountAppSecret } });
    process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
  });
  after(() => mock.close());

  /** Which app exchanged the code: the Official Account's (the flow getSession gave) or the QR's. */
  const appUsed = async (getSession) => {
    mock.reset();
    const result = await binding.signIn({ code: `code-dana~${Math.random()}` }, getSession, config);
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    const exchange = mock.requests.find((request) => request.path === paths.accessToken);
    return new URLSearchParams(exchange.query).get('appid');
  };

  for (const [name, getSession, app] of [
    ['returns the flow session', () => ({ ...session }), 'wx_oa_app'],
    ['resolves to the flow session', async () => ({ ...session }), 'wx_oa_app'],
    ['resolves to a session of another app', async () => ({ ...session, wechatWebAppId: 'wx_gone' }), 'wx_web_app'],
    ['resolves to a session whose values are not strings', async () => ({ ...session, wechatWebFlow: 5 }), 'wx_web_app'],
    ['resolves to nothing', async () => undefined, 'wx_web_app'],
    ['returns a string', () => 'official_account', 'wx_web_app'],
    ['throws (nothing stored: Logto throws)', () => { throw new Error('session.connector_validation_session_not_found'); }, 'wx_web_app'],
    ['throws not_implemented (the account API)', () => { throw notImplemented(); }, 'wx_web_app'],
    ['rejects', async () => { throw notImplemented(); }, 'wx_web_app'],
    ['is undefined', undefined, 'wx_web_app'],
    ['is not a function', {}, 'wx_web_app'],
  ]) {
    test(`getSession ${name}: the code goes to ${app}`, async () => {
      assert.equal(await appUsed(getSession), app);
    });
  }
});
