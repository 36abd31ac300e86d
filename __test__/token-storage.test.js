// Token storage: getTokenResponseAndUserInfo and getAccessTokenByRefreshToken against the mock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ConnectorError, tokenResponseGuard } from '@logto/connector-kit';

import { paths } from '../mock/wechat-server.js';
import { errorText, oursModule, settle, startBoth, webApp } from './helpers/connectors.js';

/** Logto core's rule (packages/core/src/utils/secret-encryption.ts): a non-empty access_token. */
const isValidAccessTokenResponse = (tokenResponse) => Boolean(tokenResponse?.access_token);

let mock;
let both;
before(async () => {
  ({ mock, both } = await startBoth());
});
after(() => mock.close());

describe('getTokenResponseAndUserInfo', () => {
  test('metadata announces token storage', () => {
    assert.equal(both.ours.metadata.isTokenStorageSupported, true);
    assert.equal(both.official.metadata.isTokenStorageSupported, undefined);
  });

  test('returns WeChat tokens and the same user info as getUserInfo', async () => {
    mock.reset();
    const { tokenResponse, userInfo } = await both.ours.getTokenResponseAndUserInfo({ code: 'code-carol~1' }, async () => ({}));
    const [tokenRequest, userRequest] = mock.requests;
    assert.equal(tokenRequest.path, paths.accessToken);
    assert.equal(userRequest.path, paths.userInfo);
    assert.deepEqual(Object.keys(tokenResponse).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope']);
    assert.match(tokenResponse.access_token, /^ACCESS_/);
    assert.match(tokenResponse.refresh_token, /^REFRESH_/);
    assert.equal(tokenResponse.expires_in, 7200);
    assert.equal(tokenResponse.scope, 'snsapi_login');
    assert.ok(!('openid' in tokenResponse) && !('unionid' in tokenResponse));
    assert.ok(isValidAccessTokenResponse(tokenResponse));
    assert.deepEqual(tokenResponseGuard.parse(tokenResponse), tokenResponse);
    assert.equal(userInfo.id, 'unionid-carol');
    assert.equal(userInfo.rawData.openid, 'openid-wx_web_app-carol');

    // The same user info as getUserInfo, and as the official connector's getUserInfo.
    const viaGetUserInfo = await both.ours.getUserInfo({ code: 'code-carol~2' }, async () => ({}));
    const viaOfficial = await both.official.getUserInfo({ code: 'code-carol~3' });
    assert.deepEqual(JSON.parse(JSON.stringify(viaGetUserInfo)), JSON.parse(JSON.stringify(userInfo)));
    assert.deepEqual(JSON.parse(JSON.stringify(viaOfficial)), JSON.parse(JSON.stringify(userInfo)));
  });

  test('a reply without refresh_token or scope leaves them out', async () => {
    mock.reset();
    mock.reply(paths.accessToken, 200, { access_token: 'ACCESS_ONLY_abcdefgh', openid: 'o' });
    mock.reply(paths.userInfo, 200, { openid: 'o' });
    const { tokenResponse } = await both.ours.getTokenResponseAndUserInfo({ code: 'c' }, async () => ({}));
    assert.deepEqual(tokenResponse, { access_token: 'ACCESS_ONLY_abcdefgh' });
    assert.ok(isValidAccessTokenResponse(tokenResponse));
  });

  for (const [name, tokenReply, userReply] of [
    ['code already used', [200, { errcode: 40163, errmsg: 'code been used' }]],
    ['bad secret', [200, { errcode: 40125, errmsg: 'invalid appsecret' }]],
    ['no access token', [200, { openid: 'o' }]],
    ['not JSON', [200, '<html>']],
    ['userinfo rejects the token', [200, { access_token: 'ACCESS_abcdefgh', openid: 'o' }], [200, { errcode: 40001, errmsg: 'invalid credential' }]],
    ['userinfo 401', [200, { access_token: 'ACCESS_abcdefgh', openid: 'o' }], [401, 'no']],
  ]) {
    test(`fails exactly like getUserInfo: ${name}`, async () => {
      mock.reset();
      mock.reply(paths.accessToken, ...tokenReply);
      if (userReply) mock.reply(paths.userInfo, ...userReply);
      const viaTokens = await settle(() => both.ours.getTokenResponseAndUserInfo({ code: 'c' }, async () => ({})));
      const viaUserInfo = await settle(() => both.ours.getUserInfo({ code: 'c' }, async () => ({})));
      const viaOfficial = await settle(() => both.official.getUserInfo({ code: 'c' }));
      assert.ok(viaTokens.error);
      assert.deepEqual(viaTokens, viaUserInfo);
      assert.deepEqual(viaTokens, viaOfficial);
    });
  }
});

describe('getAccessTokenByRefreshToken', () => {
  test('refreshes with the app id and no secret, and returns a token response', async () => {
    mock.reset();
    const { tokenResponse } = await both.ours.getTokenResponseAndUserInfo({ code: 'code-dave~1' }, async () => ({}));
    mock.requests.length = 0;
    const refreshed = await both.ours.getAccessTokenByRefreshToken(tokenResponse.refresh_token);
    assert.equal(mock.requests.length, 1);
    const [request] = mock.requests;
    assert.equal(request.path, paths.refreshToken);
    const query = new URLSearchParams(request.query);
    assert.deepEqual([...query.keys()], ['appid', 'grant_type', 'refresh_token']);
    assert.equal(query.get('appid'), webApp.appId);
    assert.equal(query.get('grant_type'), 'refresh_token');
    assert.equal(query.get('refresh_token'), tokenResponse.refresh_token);
    assert.ok(!request.url.includes(webApp.appSecret), 'no secret in the refresh request');
    assert.deepEqual(Object.keys(refreshed).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope']);
    assert.notEqual(refreshed.access_token, tokenResponse.access_token);
    assert.ok(isValidAccessTokenResponse(refreshed));
    assert.deepEqual(tokenResponseGuard.parse(refreshed), refreshed);

    // The new access token works for userinfo (the mock checks it).
    const reply = await fetch(`${mock.url}${paths.userInfo}?access_token=${refreshed.access_token}&openid=openid-wx_web_app-dave`);
    assert.equal((await reply.json()).nickname, 'WeChat user dave');
  });

  test('a reply without refresh_token leaves it out (Logto keeps the old one)', async () => {
    mock.reset();
    mock.reply(paths.refreshToken, 200, { access_token: 'ACCESS_NEW_abcdefgh', expires_in: 7200, openid: 'o', scope: 'snsapi_login' });
    const refreshed = await both.ours.getAccessTokenByRefreshToken('REFRESH_OLD_abcdefgh');
    assert.deepEqual(refreshed, { access_token: 'ACCESS_NEW_abcdefgh', expires_in: 7200, scope: 'snsapi_login' });
  });

  const refreshToken = 'REFRESH_SECRETISH_0123456789';
  for (const [name, status, body, expected] of [
    ['40030 invalid refresh token', 200, { errcode: 40030, errmsg: 'invalid refresh_token' }, { code: 'social_invalid_access_token', data: { message: 'invalid refresh_token' } }],
    ['42002 refresh token expired', 200, { errcode: 42002, errmsg: 'refresh_token timeout' }, { code: 'social_invalid_access_token', data: { message: 'refresh_token timeout' } }],
    ['41003 missing refresh token', 200, { errcode: 41003, errmsg: 'missing refresh_token' }, { code: 'general', data: { errorDescription: 'missing refresh_token', errcode: 41003 } }],
    ['other errcode', 200, { errcode: -1, errmsg: 'system error' }, { code: 'general', data: { errorDescription: 'system error', errcode: -1 } }],
    ['no access token', 200, { expires_in: 7200 }, { code: 'invalid_response' }],
    ['wrong field type', 200, { access_token: 5 }, { code: 'invalid_response' }],
    ['not JSON', 200, 'oops', { code: 'invalid_response', data: { message: 'oops' } }],
    ['HTTP 500', 500, 'down', { code: 'general', data: { errorDescription: 'WeChat refresh_token endpoint answered HTTP 500' } }],
    ['echoes the refresh token', 502, `bad ${refreshToken}`, { code: 'general' }],
    ['not JSON, echoing the refresh token', 200, `{"refresh_token":"${refreshToken}"`, { code: 'invalid_response' }],
  ]) {
    test(`error: ${name}`, async () => {
      mock.reset();
      mock.reply(paths.refreshToken, status, body);
      let caught;
      await assert.rejects(both.ours.getAccessTokenByRefreshToken(refreshToken), (error) => {
        caught = error;
        return true;
      });
      assert.ok(caught instanceof ConnectorError);
      assert.equal(caught.code, expected.code);
      if (expected.data) assert.deepEqual(JSON.parse(JSON.stringify(caught.data)), expected.data);
      const text = errorText(caught);
      assert.ok(!text.includes(refreshToken), 'the refresh token is not in the error');
      assert.ok(!text.includes(webApp.appSecret), 'the secret is not in the error');
    });
  }

  test('a non-string refresh token is refused before any request', async () => {
    mock.reset();
    await assert.rejects(both.ours.getAccessTokenByRefreshToken(undefined), { code: 'invalid_request_parameters' });
    assert.equal(mock.requests.length, 0);
  });

  test('an invalid config is invalid_config', async () => {
    const connector = await oursModule.default({ getConfig: async () => ({ appId: 'x' }) });
    await assert.rejects(connector.getAccessTokenByRefreshToken('r'), { code: 'invalid_config' });
  });
});
