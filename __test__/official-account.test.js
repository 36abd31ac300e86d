// Signing in from inside WeChat: the Official Account web authorization, chosen by user agent.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ConnectorError } from '@logto/connector-kit';

import { paths, startMockWeChat } from '../mock/wechat-server.js';
import { redirectUris, states } from './helpers/awkward-values.js';
import { bridgeOfficialTo, errorText, officialModule, oursModule, settle } from './helpers/connectors.js';

const web = { appId: 'wx_web_app', appSecret: 'web-app-secret-123456' };
const oa = { appId: 'wx_official', appSecret: 'official-secret-654321' };
const withAccount = (scope) => ({
  appId: web.appId,
  appSecret: web.appSecret,
  officialAccountAppId: oa.appId,
  officialAccountAppSecret: oa.appSecret,
  ...(scope ? { officialAccountScope: scope } : {}),
});

const userAgents = {
  desktopChrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  wechatIos: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323d) NetType/WIFI Language/zh_CN',
  wechatAndroid: 'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240105.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.120 Mobile Safari/537.36 XWEB/1220099 MMWEBSDK/20240301 MMWEBID/1234 MicroMessenger/8.0.48.2580(0x28003036) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64',
  wecom: 'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 Safari/537.36 wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh ColorScheme/Light',
  wechatWindows: 'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x6309092b) XWEB/8555 Flue',
  wechatMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) MicroMessenger/6.8.0(0x16080000) MacWechat/3.8.7(0x13080710) XWEB/1191 Flue',
  lowercase: 'some-embedded-browser micromessenger/8.0',
};

const expectedFlow = {
  desktopChrome: 'qr',
  wechatIos: 'official_account',
  wechatAndroid: 'official_account',
  wecom: 'qr',
  wechatWindows: 'official_account',
  wechatMac: 'official_account',
  lowercase: 'official_account',
};

const connectorWith = (config) => oursModule.default({ getConfig: async () => config });

const authorize = async (connector, userAgent, state = 'Lg3f0pVX3kw') => {
  const stored = [];
  const url = await connector.getAuthorizationUri(
    { state, redirectUri: 'https://auth.example.com/callback/wechat-1', connectorId: 'c', connectorFactoryId: 'wechat-web', jti: 'j', headers: { userAgent } },
    async (session) => {
      stored.push(session);
    }
  );
  return { url, stored };
};

let mock;
before(async () => {
  mock = await startMockWeChat({ apps: { [web.appId]: web.appSecret, [oa.appId]: oa.appSecret } });
  await bridgeOfficialTo(mock);
});
after(() => mock.close());

describe('getAuthorizationUri picks the flow by user agent', () => {
  for (const [name, userAgent] of Object.entries(userAgents)) {
    test(`${name} → ${expectedFlow[name]}`, async () => {
      const ours = await connectorWith(withAccount());
      const { url, stored } = await authorize(ours, userAgent);
      if (expectedFlow[name] === 'qr') {
        // Byte-identical to the official connector, which ignores the extra config keys.
        const official = await officialModule.default({ getConfig: async () => withAccount() });
        assert.equal(url, await official.getAuthorizationUri({ state: 'Lg3f0pVX3kw', redirectUri: 'https://auth.example.com/callback/wechat-1', headers: { userAgent } }, async () => {}));
        assert.deepEqual(stored, []);
      } else {
        assert.equal(
          url,
          'https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx_official&redirect_uri=https%3A%2F%2Fauth.example.com%2Fcallback%2Fwechat-1&response_type=code&scope=snsapi_userinfo&state=Lg3f0pVX3kw#wechat_redirect'
        );
        assert.deepEqual(stored, [{ wechatWebFlow: 'official_account', wechatWebAppId: oa.appId, wechatWebScope: 'snsapi_userinfo' }]);
      }
    });
  }

  test('without an Official Account, WeChat browsers get the QR URL exactly as today', async () => {
    const ours = await connectorWith(web);
    const official = await officialModule.default({ getConfig: async () => web });
    for (const userAgent of Object.values(userAgents)) {
      const { url, stored } = await authorize(ours, userAgent);
      assert.equal(url, await official.getAuthorizationUri({ state: 'Lg3f0pVX3kw', redirectUri: 'https://auth.example.com/callback/wechat-1', headers: { userAgent } }));
      assert.deepEqual(stored, []);
    }
  });

  test('the parameter order is WeChat\'s, and the scope is snsapi_userinfo', async () => {
    const { url } = await authorize(await connectorWith(withAccount()), userAgents.wechatIos, 'a-b_c');
    const query = url.slice(url.indexOf('?') + 1, url.indexOf('#'));
    assert.deepEqual(
      query.split('&').map((pair) => pair.split('=')[0]),
      ['appid', 'redirect_uri', 'response_type', 'scope', 'state']
    );
    assert.ok(url.endsWith('&scope=snsapi_userinfo&state=a-b_c#wechat_redirect'));
  });

  test('snsapi_base, which never gives a unionid, is refused by the guard and by every flow', async () => {
    const ours = await connectorWith(withAccount('snsapi_base'));
    const result = ours.configGuard.safeParse(withAccount('snsapi_base'));
    assert.equal(result.success, false);
    assert.deepEqual(result.error.issues.map((issue) => [issue.path.join('.'), issue.message]), [
      ['officialAccountScope', "Invalid enum value. Expected 'snsapi_userinfo', received 'snsapi_base'"],
    ]);
    await assert.rejects(authorize(ours, userAgents.wechatIos), { code: 'invalid_config' });
  });

  test('the redirect URI is encoded once', async () => {
    const ours = await connectorWith(withAccount());
    const stored = [];
    const url = await ours.getAuthorizationUri(
      { state: 's', redirectUri: 'https://auth.example.com/cb?x=1 2&y=中', headers: { userAgent: userAgents.wechatIos } },
      async (s) => stored.push(s)
    );
    const redirect = /redirect_uri=([^&]*)/.exec(url)[1];
    assert.equal(decodeURIComponent(redirect), 'https://auth.example.com/cb?x=1 2&y=中');
  });

  test('awkward state and redirectUri values come back exactly from the URL: parameters in order, one #wechat_redirect, nothing injected', async () => {
    const ours = await connectorWith(withAccount());
    let parsed = 0;
    for (const redirectUri of [...redirectUris, 'https://x.io/cb?state=forged&appid=evil#wechat_redirect']) {
      for (const state of states) {
        const stored = [];
        const payload = { state, redirectUri, headers: { userAgent: userAgents.wechatIos } };
        const result = await settle(() => ours.getAuthorizationUri(payload, async (session) => stored.push(session)));
        if (new TextEncoder().encode(state).length > 128) {
          assert.equal(result.error?.code, 'invalid_request_parameters', state);
          continue;
        }
        const url = result.ok;
        assert.equal(url.split('#').length, 2, url);
        const [base, fragment] = url.split('#');
        assert.equal(fragment, 'wechat_redirect');
        assert.ok(base.startsWith('https://open.weixin.qq.com/connect/oauth2/authorize?'), url);
        assert.match(base, /^[\x21-\x7e]+$/, 'ASCII, nothing a browser would rewrite');
        const pairs = base.slice(base.indexOf('?') + 1).split('&').map((pair) => pair.split('='));
        assert.ok(pairs.every((pair) => pair.length === 2), url);
        assert.deepEqual(pairs.map(([key]) => key), ['appid', 'redirect_uri', 'response_type', 'scope', 'state']);
        const values = Object.fromEntries(pairs.map(([key, value]) => [key, decodeURIComponent(value)]));
        // A lone surrogate in the state becomes U+FFFD, as URLSearchParams writes it in the QR URL.
        assert.deepEqual(values, { appid: oa.appId, redirect_uri: redirectUri, response_type: 'code', scope: 'snsapi_userinfo', state: state.toWellFormed() });
        assert.equal(stored.length, 1);
        parsed += 1;
      }
    }
    assert.equal(parsed, (redirectUris.length + 1) * (states.length - 1));
    // A lone surrogate in the redirect URI: refused, as encodeURI refuses it in the QR flow.
    const lone = await settle(() => ours.getAuthorizationUri({ state: 's', redirectUri: 'https://x.io/\uDC00', headers: { userAgent: userAgents.wechatIos } }, async () => {}));
    assert.equal(lone.error?.code, 'invalid_request_parameters');
  });

  test('a state over 128 bytes is refused; 128 bytes pass', async () => {
    const ours = await connectorWith(withAccount());
    await assert.rejects(authorize(ours, userAgents.wechatIos, 'x'.repeat(129)), (error) => {
      assert.ok(error instanceof ConnectorError);
      assert.equal(error.code, 'invalid_request_parameters');
      assert.match(error.data.errorDescription, /128/);
      return true;
    });
    const { url } = await authorize(ours, userAgents.wechatIos, 'y'.repeat(128));
    assert.ok(url.includes(`state=${'y'.repeat(128)}#`));
    // The QR flow has no such limit, like the official connector.
    const { url: qr } = await authorize(ours, userAgents.desktopChrome, 'z'.repeat(300));
    assert.ok(qr.endsWith('z'.repeat(300)));
  });
});

describe('getUserInfo in the Official Account flow', () => {
  const oaSession = (scope = 'snsapi_userinfo') => async () => ({
    state: 's',
    wechatWebFlow: 'official_account',
    wechatWebAppId: oa.appId,
    wechatWebScope: scope,
  });

  test('snsapi_userinfo: the code goes to the Official Account app, the profile is read, rawData names the app', async () => {
    mock.reset();
    const ours = await connectorWith(withAccount());
    const info = await ours.getUserInfo({ code: 'code-erin~oa' }, oaSession());
    const [tokenRequest, userRequest] = mock.requests;
    const query = new URLSearchParams(tokenRequest.query);
    assert.equal(query.get('appid'), oa.appId);
    assert.equal(query.get('secret'), oa.appSecret);
    assert.equal(userRequest.path, paths.userInfo);
    assert.equal(info.id, 'unionid-erin');
    assert.equal(info.name, 'WeChat user erin');
    assert.equal(info.rawData.openid, `openid-${oa.appId}-erin`);
    assert.equal(info.rawData.appid, oa.appId);

    // The same person through the QR login: same unionid, so the same Logto account.
    const qr = await ours.getUserInfo({ code: 'code-erin~qr' }, async () => ({}));
    assert.equal(qr.id, info.id);
    assert.notEqual(qr.rawData.openid, info.rawData.openid);
    assert.equal('appid' in qr.rawData, false, 'the QR flow rawData stays the official one');
  });

  const assertRefusedAsUnbound = (error) => {
    assert.ok(error instanceof ConnectorError);
    assert.equal(error.code, 'general');
    assert.match(error.data.errorDescription, new RegExp(`the Official Account ${oa.appId} signed this user in but WeChat gave no unionid`));
    assert.match(error.data.errorDescription, /bind the Official Account to the WeChat Open Platform account of the Website App/);
    assert.match(error.data.errorDescription, /or remove the Official Account settings/);
    assert.ok(!errorText(error).includes(oa.appSecret));
    assert.ok(!errorText(error).includes(`openid-${oa.appId}`), 'the openid is not offered as an identity');
    return true;
  };

  test('no unionid from an Official Account that is not bound (token reply and userinfo): refused, never the openid', async () => {
    mock.reset();
    const ours = await connectorWith(withAccount());
    await assert.rejects(ours.getUserInfo({ code: 'unbound-frank~1' }, oaSession()), assertRefusedAsUnbound);
    assert.deepEqual(mock.requests.map((r) => r.path), [paths.accessToken, paths.userInfo]);
    await assert.rejects(ours.getTokenResponseAndUserInfo({ code: 'unbound-frank~2' }, oaSession()), assertRefusedAsUnbound);
  });

  test('an empty unionid counts as none', async () => {
    mock.reset();
    mock.respond(paths.userInfo, (req, res) => res.end(JSON.stringify({ openid: 'o', nickname: 'n', unionid: '' })));
    await assert.rejects((await connectorWith(withAccount())).getUserInfo({ code: 'unbound-frank~3' }, oaSession()), assertRefusedAsUnbound);
  });

  test('the unionid only in userinfo, or only in the token reply: signed in under it', async () => {
    mock.reset();
    const ours = await connectorWith(withAccount());
    mock.respond(paths.accessToken, (req, res) =>
      res.end(JSON.stringify({ access_token: 'ACCESS_abcdefgh', openid: 'oa-openid', refresh_token: 'REFRESH_abcdefgh', scope: 'snsapi_userinfo' }))
    );
    mock.respond(paths.userInfo, (req, res) => res.end(JSON.stringify({ openid: 'oa-openid', nickname: 'Frank', unionid: 'unionid-frank' })));
    const fromUserInfo = await ours.getUserInfo({ code: 'c1' }, oaSession());
    assert.equal(fromUserInfo.id, 'unionid-frank');

    mock.respond(paths.accessToken, (req, res) =>
      res.end(JSON.stringify({ access_token: 'ACCESS_abcdefgh', openid: 'oa-openid', scope: 'snsapi_userinfo', unionid: 'unionid-frank' }))
    );
    mock.respond(paths.userInfo, (req, res) => res.end(JSON.stringify({ openid: 'oa-openid', nickname: 'Frank' })));
    const fromToken = await ours.getUserInfo({ code: 'c2' }, oaSession());
    assert.equal(fromToken.id, 'unionid-frank');
    assert.equal(fromToken.name, 'Frank');

    // The same person through the QR login: the same id.
    mock.reset();
    const qr = await ours.getUserInfo({ code: 'code-frank~qr' }, async () => ({}));
    assert.equal(qr.id, fromToken.id);
  });

  test('the QR login keeps the official behaviour: no unionid means the openid', async () => {
    mock.reset();
    const ours = await connectorWith(withAccount());
    const info = await ours.getUserInfo({ code: 'unbound-gus~qr' }, async () => ({}));
    assert.equal(info.id, `openid-${web.appId}-gus`);
  });

  test('a snapshot identity is refused, with no userinfo call', async () => {
    mock.reset();
    const ours = await connectorWith(withAccount());
    let caught;
    await assert.rejects(ours.getUserInfo({ code: 'snapshot-ghost~1' }, oaSession()), (error) => {
      caught = error;
      return true;
    });
    assert.ok(caught instanceof ConnectorError);
    assert.equal(caught.code, 'authorization_failed');
    assert.match(caught.data.errorDescription, /snapshot/);
    assert.deepEqual(mock.requests.map((r) => r.path), [paths.accessToken]);
    assert.ok(!errorText(caught).includes(oa.appSecret));
  });

  for (const [name, getSession] of [
    ['a session naming another app', async () => ({ wechatWebFlow: 'official_account', wechatWebAppId: 'wx_someone_else' })],
    ['a foreign session', async () => ({ nonce: 'n', redirectUri: 'r', connectorId: 'google' })],
    ['no session', async () => undefined],
    ['a getSession that throws', async () => {
      throw new Error('session.connector_session_not_found');
    }],
    ['no getSession at all', undefined],
  ]) {
    test(`${name} falls back to the QR app`, async () => {
      mock.reset();
      const ours = await connectorWith(withAccount());
      const info = await ours.getUserInfo({ code: `code-gina~${name}` }, getSession);
      assert.equal(new URLSearchParams(mock.requests[0].query).get('appid'), web.appId);
      assert.equal(info.id, 'unionid-gina');
    });
  }

  test('an Official Account session after the account was removed from the config: the QR app', async () => {
    mock.reset();
    const ours = await connectorWith(web);
    await ours.getUserInfo({ code: 'code-hal~1' }, oaSession());
    assert.equal(new URLSearchParams(mock.requests[0].query).get('appid'), web.appId);
  });
});

describe('token storage across both apps', () => {
  test('an Official Account refresh token is marked and refreshed with that app', async () => {
    mock.reset();
    const ours = await connectorWith(withAccount());
    const { tokenResponse } = await ours.getTokenResponseAndUserInfo({ code: 'code-ivy~1' }, async () => ({
      wechatWebFlow: 'official_account',
      wechatWebAppId: oa.appId,
      wechatWebScope: 'snsapi_userinfo',
    }));
    assert.match(tokenResponse.refresh_token, /^wxoa:REFRESH_/);
    mock.requests.length = 0;
    const refreshed = await ours.getAccessTokenByRefreshToken(tokenResponse.refresh_token);
    const query = new URLSearchParams(mock.requests[0].query);
    assert.equal(query.get('appid'), oa.appId);
    assert.equal(query.get('refresh_token'), tokenResponse.refresh_token.slice('wxoa:'.length));
    assert.match(refreshed.refresh_token, /^wxoa:REFRESH_/);

    // QR tokens stay as WeChat issued them.
    const qr = await ours.getTokenResponseAndUserInfo({ code: 'code-ivy~2' }, async () => ({}));
    assert.match(qr.tokenResponse.refresh_token, /^REFRESH_/);
  });

  test('a marked token with no Official Account configured asks the user to sign in again', async () => {
    mock.reset();
    const ours = await connectorWith(web);
    const result = await settle(() => ours.getAccessTokenByRefreshToken('wxoa:REFRESH_abcdefgh'));
    assert.equal(result.error.code, 'social_invalid_access_token');
    assert.equal(mock.requests.length, 0);
  });
});
