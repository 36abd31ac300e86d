// Strings are read whole, whatever their length and content. Each string the connector reads
// from JS (state, redirectUri, config values, the user agent, a refresh token, session values)
// is tried at lengths around the buffer sizes a reader might use (255/256/511/512/1023/1024
// bytes and beyond), with a 2-, 3- or 4-byte character straddling each boundary, and compared
// with the official connector where it has the same input, or with what reached the mock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { paths, startMockWeChat } from '../mock/wechat-server.js';
import { bridgeOfficialTo, officialModule, oursModule, settle } from './helpers/connectors.js';

const boundaries = [255, 256, 511, 512, 1023, 1024, 4096];
const wide = ['é', '中', '😀'];

/** Strings of about `bytes` UTF-8 bytes, with a multi-byte character across `bytes`. */
const straddling = function* () {
  for (const bytes of boundaries) {
    for (const char of wide) {
      const width = Buffer.byteLength(char);
      for (let shift = -width; shift <= 1; shift += 1) {
        const head = 'a'.repeat(Math.max(0, bytes + shift));
        yield { name: `${bytes}${shift >= 0 ? '+' : ''}${shift} ${char}`, value: `${head}${char}${'b'.repeat(5)}` };
      }
    }
  }
};
const cases = [...straddling()];

const web = { appId: 'wx_web_app', appSecret: 'web-app-secret-123456' };
const wechatAgent = (padding) => `Mozilla/5.0 ${padding} MicroMessenger/8.0.50`;

let mock;
before(async () => {
  mock = await startMockWeChat({ apps: { [web.appId]: web.appSecret, wx_oa_long: 'oa-secret-123456' } });
  await bridgeOfficialTo(mock);
});
after(() => mock.close());

const both = async (config) => ({
  official: await officialModule.default({ getConfig: async () => config }),
  ours: await oursModule.default({ getConfig: async () => config }),
});

describe('getAuthorizationUri, byte for byte with the official connector', () => {
  test(`state and redirectUri: ${cases.length} lengths and characters each`, async () => {
    const { official, ours } = await both(web);
    for (const { name, value } of cases) {
      for (const payload of [
        { state: value, redirectUri: 'https://x.io/cb', headers: {} },
        { state: 's', redirectUri: `https://x.io/${value}`, headers: {} },
      ]) {
        const expected = await settle(() => official.getAuthorizationUri(payload, async () => {}));
        const actual = await settle(() => ours.getAuthorizationUri(payload, async () => {}));
        assert.deepEqual(actual, expected, name);
      }
    }
  });

  test('config values: appId and appSecret', async () => {
    for (const { name, value } of cases) {
      const { official, ours } = await both({ appId: value, appSecret: value });
      const payload = { state: 's', redirectUri: 'https://x.io/cb', headers: {} };
      assert.deepEqual(
        await settle(() => ours.getAuthorizationUri(payload, async () => {})),
        await settle(() => official.getAuthorizationUri(payload, async () => {})),
        name
      );
      assert.deepEqual(ours.configGuard.safeParse({ appId: value, appSecret: value }), { success: true, data: { appId: value, appSecret: value } });
    }
  });

  test('a long user agent still ends in MicroMessenger: the in-WeChat flow', async () => {
    const config = { ...web, officialAccountAppId: 'wx_oa_long', officialAccountAppSecret: 'oa-secret-123456' };
    const ours = await oursModule.default({ getConfig: async () => config });
    for (const { name, value } of cases) {
      const stored = [];
      const url = await ours.getAuthorizationUri({ state: 's', redirectUri: 'https://x.io/cb', headers: { userAgent: wechatAgent(value) } }, async (session) => {
        stored.push(session);
      });
      assert.match(url, /^https:\/\/open\.weixin\.qq\.com\/connect\/oauth2\/authorize\?appid=wx_oa_long&/, name);
      assert.equal(stored.length, 1, name);
    }
  });
});

describe('values that travel to WeChat arrive whole', () => {
  test('a refresh token', async () => {
    const ours = await oursModule.default({ getConfig: async () => web });
    for (const { name, value } of cases) {
      mock.reset();
      await ours.getAccessTokenByRefreshToken(value).catch(() => {});
      const [request] = mock.requests;
      assert.equal(request.path, paths.refreshToken);
      assert.equal(new URLSearchParams(request.query).get('refresh_token'), value, name);
    }
  });

  test('a session naming a long Official Account app id picks that app', async () => {
    for (const { name, value } of cases.filter((_, index) => index % 3 === 0)) {
      const config = { ...web, officialAccountAppId: value, officialAccountAppSecret: 'oa-secret-123456' };
      const ours = await oursModule.default({ getConfig: async () => config });
      mock.reset();
      await ours
        .getUserInfo({ code: 'code-long~x' }, async () => ({ wechatWebFlow: 'official_account', wechatWebAppId: value, wechatWebScope: 'snsapi_userinfo' }))
        .catch(() => {});
      assert.equal(new URLSearchParams(mock.requests[0].query).get('appid'), value, name);
    }
  });
});
