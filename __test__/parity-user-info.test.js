// Differential test of getUserInfo / getAccessToken: the same mock WeChat replies go to the
// official connector and to ours, and their results or errors (class, code, message, data)
// must be equal. The cases where we deliberately differ are at the end, each asserted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ConnectorError } from '@logto/connector-kit';

import { paths } from '../mock/wechat-server.js';
import { createBoth, errorText, officialModule, oursModule, settle, startBoth, webApp } from './helpers/connectors.js';

const json = { 'content-type': 'application/json' };
const goodToken = {
  access_token: 'ACCESS_TOKEN_abcdefghijklmnop',
  expires_in: 7200,
  refresh_token: 'REFRESH_TOKEN_abcdefghijklmnop',
  openid: 'openid-1',
  scope: 'snsapi_login',
  unionid: 'unionid-1',
};
const goodUser = {
  openid: 'openid-1',
  nickname: '微信用户 😀',
  sex: 1,
  province: '广东',
  city: '深圳',
  country: 'CN',
  headimgurl: 'https://thirdwx.qlogo.cn/mmopen/abc/132',
  privilege: ['chinaunicom'],
  unionid: 'unionid-1',
};

/** [name, token reply, userinfo reply]; a reply is [status, body, headers?]. */
const cases = [
  ['success with unionid', [200, goodToken], [200, goodUser]],
  ['success without unionid: id is openid', [200, goodToken], [200, { ...goodUser, unionid: undefined }]],
  ['empty unionid is kept as the id', [200, goodToken], [200, { ...goodUser, unionid: '' }]],
  ['userinfo without nickname and avatar', [200, goodToken], [200, { openid: 'openid-1' }]],
  [
    'rawData keeps every JSON type, integer-like keys and drops __proto__',
    [200, goodToken],
    [200, '{"openid":"o","2":"two","1":"one","nested":{"a":[1,2.5,-3e-7,null,true,{"__proto__":{"x":1}}]},"__proto__":{"polluted":true},"big":12345678901234567890,"dup":1,"dup":2}', json],
  ],
  ['JSON served as text/plain is still parsed', [200, JSON.stringify(goodToken), { 'content-type': 'text/plain' }], [200, JSON.stringify(goodUser), { 'content-type': 'text/html' }]],
  ['token errcode 40029 (invalid code)', [200, { errcode: 40029, errmsg: 'invalid code' }]],
  ['token errcode 40163 (code been used)', [200, { errcode: 40163, errmsg: 'code been used, rid: 1' }]],
  ['token errcode 42003 (code expired)', [200, { errcode: 42003, errmsg: 'code expired' }]],
  ['token errcode 40029 without errmsg', [200, { errcode: 40029 }]],
  ['token errcode 40125 (bad secret) is general', [200, { errcode: 40125, errmsg: 'invalid appsecret' }]],
  ['token errcode -1 (system busy) is general', [200, { errcode: -1, errmsg: 'system error' }]],
  ['token errcode as a float', [200, { errcode: 40029.0, errmsg: 'x' }]],
  ['token errcode 0 with tokens succeeds', [200, { ...goodToken, errcode: 0, errmsg: 'ok' }], [200, goodUser]],
  ['token errcode 0 without tokens', [200, { errcode: 0 }]],
  ['token without access_token', [200, { openid: 'o' }]],
  ['token with empty access_token', [200, { ...goodToken, access_token: '' }]],
  ['token with empty openid', [200, { ...goodToken, openid: '' }]],
  ['token field types wrong', [200, { access_token: 1, openid: null, expires_in: '7200', errcode: '0', errmsg: 5 }]],
  ['token reply is an array', [200, '[1,2]', json]],
  ['token reply is a JSON string', [200, '"hello"', json]],
  ['token reply is null', [200, 'null', json]],
  ['token reply is HTML', [200, '<html><body>502 Bad Gateway</body></html>', { 'content-type': 'text/html' }]],
  ['token reply is empty', [200, '', { 'content-type': 'application/json' }]],
  ['token reply has invalid UTF-8', [200, Buffer.from([0x7b, 0xff, 0xfe, 0x22]), json]],
  ['token reply truncated', [200, '{"errcode":40029,"errmsg":"inv', json]],
  ['userinfo errcode 40001', [200, goodToken], [200, { errcode: 40001, errmsg: 'invalid credential' }]],
  ['userinfo errcode 40014', [200, goodToken], [200, { errcode: 40014, errmsg: 'invalid access_token' }]],
  ['userinfo errcode 40003 is general', [200, goodToken], [200, { errcode: 40003, errmsg: 'invalid openid' }]],
  ['userinfo errcode without errmsg', [200, goodToken], [200, { errcode: 45009 }]],
  ['userinfo field types wrong', [200, goodToken], [200, { unionid: 5, nickname: ['x'], headimgurl: {}, errcode: 'x' }]],
  ['userinfo not JSON', [200, goodToken], [200, 'upstream timeout']],
  ['userinfo is a number', [200, goodToken], [200, '42', json]],
  ['userinfo HTTP 401', [200, goodToken], [401, 'unauthorized']],
  ['userinfo HTTP 404 with text', [200, goodToken], [404, 'no "such" page\n']],
  ['userinfo HTTP 403 with JSON', [200, goodToken], [403, { errcode: 1, errmsg: 'forbidden' }, json]],
];

const answer = (mock, path, [status, body, headers = json]) => mock.reply(path, status, body, headers);

let mock;
let both;
before(async () => {
  ({ mock, both } = await startBoth());
});
after(() => mock.close());

describe('getUserInfo: official and ours give the same outcome', () => {
  for (const [name, tokenReply, userReply] of cases) {
    test(name, async () => {
      mock.reset();
      answer(mock, paths.accessToken, tokenReply);
      if (userReply) {
        answer(mock, paths.userInfo, userReply);
      }
      const official = await settle(() => both.official.getUserInfo({ code: 'the-code' }, async () => ({})));
      const officialRequests = mock.requests.map((r) => r.url);
      mock.requests.length = 0;
      const ours = await settle(() => both.ours.getUserInfo({ code: 'the-code' }, async () => ({})));
      assert.deepEqual(ours, official);
      // The same requests, byte for byte, in the same order.
      assert.deepEqual(mock.requests.map((r) => r.url), officialRequests);
      if (official.error) {
        assert.equal(official.error.name, 'ConnectorError');
      }
    });
  }

  test('the result object has the official keys, with avatar and name present', async () => {
    mock.reset();
    answer(mock, paths.accessToken, [200, goodToken]);
    answer(mock, paths.userInfo, [200, { openid: 'openid-1' }]);
    const official = await both.official.getUserInfo({ code: 'c' });
    const ours = await both.ours.getUserInfo({ code: 'c' });
    assert.deepEqual(Object.keys(ours).sort(), ['id', 'rawData'].sort());
    assert.deepEqual(Object.keys(official).sort(), ['avatar', 'id', 'name', 'rawData'].sort());
    assert.equal(official.avatar, undefined);
    assert.equal(official.name, undefined);
    // Logto reads the result through zod, where an undefined member and a missing one agree.
  });

  for (const [name, data] of [
    ['no data', undefined],
    ['null', null],
    ['empty object', {}],
    ['numeric code', { code: 123 }],
    ['string', 'code=abc'],
    ['array', ['abc']],
    ['nested', { code: { value: 'abc' }, state: 'x' }],
  ]) {
    test(`invalid callback data: ${name}`, async () => {
      mock.reset();
      const official = await settle(() => both.official.getUserInfo(data, async () => ({})));
      const ours = await settle(() => both.ours.getUserInfo(data, async () => ({})));
      assert.deepEqual(ours, official);
      assert.equal(ours.error.code, 'general');
      assert.equal(mock.requests.length, 0);
    });
  }

  for (const [name, config] of [
    ['missing appSecret', { appId: 'wx' }],
    ['numeric appId', { appId: 1, appSecret: 's' }],
    ['null config', null],
  ]) {
    test(`invalid config: ${name}`, async () => {
      const getConfig = async () => config;
      const official = await officialModule.default({ getConfig });
      const ours = await oursModule.default({ getConfig });
      const a = await settle(() => official.getUserInfo({ code: 'c' }));
      const b = await settle(() => ours.getUserInfo({ code: 'c' }));
      assert.deepEqual(b, a);
      assert.equal(b.error.code, 'invalid_config');
      const c = await settle(() => official.getAuthorizationUri({ state: 's', redirectUri: 'r', headers: {} }));
      const d = await settle(() => ours.getAuthorizationUri({ state: 's', redirectUri: 'r', headers: {} }));
      assert.deepEqual(d, c);
    });
  }

  test('a rejecting getConfig passes through unchanged', async () => {
    const failure = new Error('database is down');
    const getConfig = async () => {
      throw failure;
    };
    const ours = await oursModule.default({ getConfig });
    await assert.rejects(ours.getUserInfo({ code: 'c' }), (error) => error === failure);
    await assert.rejects(ours.getAuthorizationUri({ state: 's', redirectUri: 'r', headers: {} }), (error) => error === failure);
  });

  test('getAccessToken (named export) matches', async () => {
    mock.reset();
    answer(mock, paths.accessToken, [200, goodToken]);
    const official = await settle(() => officialModule.getAccessToken('c', webApp));
    const ours = await settle(() => oursModule.getAccessToken('c', webApp));
    assert.deepEqual(ours, official);
    assert.deepEqual(ours.ok, { accessToken: goodToken.access_token, openid: 'openid-1' });
    answer(mock, paths.accessToken, [200, { errcode: 40163, errmsg: 'used' }]);
    assert.deepEqual(
      await settle(() => oursModule.getAccessToken('c', webApp)),
      await settle(() => officialModule.getAccessToken('c', webApp))
    );
  });

  test('query strings are form-encoded like got does', async () => {
    mock.reset();
    answer(mock, paths.accessToken, [200, goodToken]);
    answer(mock, paths.userInfo, [200, goodUser]);
    const config = { appId: 'wx app+1', appSecret: 'sec/ret&=? 秘' };
    const { official, ours } = await createBoth(config);
    const code = 'c o+d/e&x=1%20秘';
    await settle(() => official.getUserInfo({ code }));
    const officialUrls = mock.requests.map((r) => r.url);
    mock.requests.length = 0;
    await settle(() => ours.getUserInfo({ code }));
    assert.deepEqual(mock.requests.map((r) => r.url), officialUrls);
  });
});

describe('where we deliberately differ from the official connector', () => {
  test('non-2xx token reply: official leaks got.HTTPError with the secret, ours is a ConnectorError', async () => {
    mock.reset();
    answer(mock, paths.accessToken, [404, 'not found']);
    let officialError;
    await assert.rejects(both.official.getUserInfo({ code: 'c' }), (error) => {
      officialError = error;
      return true;
    });
    assert.equal(officialError.name, 'HTTPError');
    assert.ok(!(officialError instanceof ConnectorError));
    assert.ok(errorText(officialError).includes(webApp.appSecret), 'the official error carries the secret');

    let oursError;
    await assert.rejects(both.ours.getUserInfo({ code: 'c' }), (error) => {
      oursError = error;
      return true;
    });
    assert.ok(oursError instanceof ConnectorError);
    assert.equal(oursError.code, 'general');
    assert.match(oursError.data.errorDescription, /HTTP 404/);
    assert.ok(!errorText(oursError).includes(webApp.appSecret));
  });

  test('a reset connection: official leaks a RequestError, ours is general', async () => {
    mock.reset();
    mock.fault(paths.accessToken, 'reset');
    const official = await settle(() => both.official.getUserInfo({ code: 'c' }));
    assert.equal(official.error.name, 'RequestError');
    const ours = await settle(() => both.ours.getUserInfo({ code: 'c' }));
    assert.equal(ours.error.name, 'ConnectorError');
    assert.equal(ours.error.code, 'general');
  });

  test('tokens in an unparsable token reply are masked; the official connector repeats them', async () => {
    mock.reset();
    // A byte-order mark makes JSON.parse fail, so both report the body text.
    answer(mock, paths.accessToken, [200, `\uFEFF${JSON.stringify(goodToken)}`]);
    const official = await settle(() => both.official.getUserInfo({ code: 'c' }));
    const ours = await settle(() => both.ours.getUserInfo({ code: 'c' }));
    assert.equal(official.error.code, 'invalid_response');
    assert.ok(JSON.stringify(official).includes(goodToken.access_token));
    assert.equal(ours.error.code, 'invalid_response');
    assert.ok(!JSON.stringify(ours).includes(goodToken.access_token));
    assert.ok(!JSON.stringify(ours).includes(goodToken.refresh_token));
    assert.equal(
      ours.error.data.message,
      official.error.data.message
        .replace(goodToken.access_token, '[redacted]')
        .replace(goodToken.refresh_token, '[redacted]')
    );
  });

  test('a redirect is refused instead of followed', async () => {
    mock.reset();
    mock.fault(paths.accessToken, 'redirect', { location: mock.url.replace('127.0.0.1', 'localhost') });
    const ours = await settle(() => both.ours.getUserInfo({ code: 'c' }));
    assert.equal(ours.error.code, 'general');
    assert.match(ours.error.data.errorDescription, /redirect/);
    assert.equal(mock.requests.length, 1, 'the redirect target was not requested');
  });

  test('an error body echoing the secret or the access token is redacted', async () => {
    mock.reset();
    answer(mock, paths.accessToken, [200, goodToken]);
    answer(mock, paths.userInfo, [500, `token ${goodToken.access_token} secret ${webApp.appSecret}`]);
    const ours = await settle(() => both.ours.getUserInfo({ code: 'c' }));
    assert.equal(ours.error.code, 'general');
    assert.ok(!JSON.stringify(ours).includes(goodToken.access_token));
    assert.ok(!JSON.stringify(ours).includes(webApp.appSecret));
    assert.match(ours.error.data.message, /\[redacted\]/);
  });
});
