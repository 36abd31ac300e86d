// Secrets stay secret on every path. WeChat, a gateway or a proxy echoes the app secret, a token
// or the base URL's credentials in some form; every error that results is checked, message,
// stack, data and JSON, for every form of every secret. Upstream text leaves as an excerpt, and
// the connector's own messages are never rewritten by redaction.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ConnectorError } from '@logto/connector-kit';

import { paths, startMockWeChat } from '../mock/wechat-server.js';
import { errorText, oursModule } from './helpers/connectors.js';
import { freePort } from '../scripts/lib/ports.js';

// Reserved characters, a space and the characters each encoder keeps or escapes differently
// (`-~.!*'()`), so that every encoded form differs from the others.
const secret = "ab+cd/ef=gh&ij 01-~.!*'()23456789XYZ";
const web = { appId: 'wx_leak_web', appSecret: secret };
const accessToken = 'ACCESS_KNOWN_0123456789abcdef';
const refreshToken = 'REFRESH_KNOWN_0123456789abcdef';
const unknownToken = 'UNKNOWN_TOKEN_0123456789abcdef';
const tokenReply = { access_token: accessToken, refresh_token: refreshToken, openid: 'o', expires_in: 7200 };

/** Every form a secret may be echoed in: as it is, `encodeURIComponent`, `encodeURI`, form-encoded
 * (URLSearchParams), RFC 3986 percent-encoding (each also with lower-case hex), and JSON-escaped
 * (as JSON.stringify writes it, with `\/`, and with `\u` for every non-ASCII character). */
const formsOf = (value) => {
  const lower = (encoded) => encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  const rfc3986 = encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const percent = [encodeURIComponent(value), encodeURI(value), new URLSearchParams({ v: value }).toString().slice(2), rfc3986];
  const json = JSON.stringify(value).slice(1, -1);
  const asciiJson = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [...new Set([value, ...percent, ...percent.map(lower), json, json.replaceAll('/', '\\/'), asciiJson])];
};

/** Asserts that no form of any of the values is anywhere in the error. */
const assertClean = (error, values) => {
  assert.ok(error instanceof ConnectorError, `a ConnectorError, got ${error}`);
  const text = errorText(error);
  for (const value of values) {
    for (const form of formsOf(value)) {
      assert.ok(!text.includes(form), `${JSON.stringify(form)} leaked:\n${text.slice(0, 2000)}`);
    }
  }
};

const signIn = async (config, { code = 'the-code', getSession = async () => ({}) } = {}) => {
  const connector = await oursModule.default({ getConfig: async () => config });
  try {
    await connector.getUserInfo({ code }, getSession);
  } catch (error) {
    return error;
  }
  assert.fail('the sign-in should have failed');
};

let mock;
before(async () => {
  mock = await startMockWeChat({ apps: { [web.appId]: web.appSecret } });
});
after(() => mock.close());

describe('the app secret, echoed by WeChat or a gateway in any form', () => {
  for (const [index, form] of formsOf(secret).entries()) {
    test(`form ${index} (${JSON.stringify(form)}) in errmsg, in an HTML page, in a userinfo error body`, async () => {
      process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
      mock.reset();
      mock.reply(paths.accessToken, 200, { errcode: 40125, errmsg: `invalid appsecret ${form}, rid: 1` });
      const errmsg = await signIn(web);
      assert.equal(errmsg.code, 'general');
      assert.match(errmsg.data.errorDescription, /^invalid appsecret \[redacted\], rid: 1$/);
      assertClean(errmsg, [secret]);

      mock.reply(paths.accessToken, 502, `<html><body>upstream said: secret=${form}</body></html>`, { 'content-type': 'text/html' });
      assertClean(await signIn(web), [secret]);
      mock.reply(paths.accessToken, 200, `<html><body>secret=${form}</body></html>`, { 'content-type': 'text/html' });
      const page = await signIn(web);
      assert.equal(page.code, 'invalid_response');
      assertClean(page, [secret]);

      mock.reply(paths.accessToken, 200, tokenReply);
      mock.reply(paths.userInfo, 500, `{"echo":"${form}","refresh_token":"${unknownToken}"}`);
      const userinfo = await signIn(web);
      assert.equal(userinfo.code, 'general');
      assertClean(userinfo, [secret, accessToken, refreshToken, unknownToken]);
    });
  }

  test('any secret (printable ASCII, spaces, multibyte characters) echoed in any form never leaves', async () => {
    // A seeded generator: the same 60 secrets on every run.
    let seed = 0x5eed;
    const random = (n) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '  ', 'é', 'ß', '微', '信', '😀'];
    process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
    for (let round = 0; round < 60; round += 1) {
      const value = Array.from({ length: 6 + random(27) }, () => alphabet[random(alphabet.length)]).join('');
      const config = { appId: 'wx_leak_web', appSecret: value };
      for (const form of formsOf(value)) {
        mock.reset();
        mock.reply(paths.accessToken, 200, { errcode: 40125, errmsg: `invalid appsecret ${form}, rid: 1` });
        const error = await signIn(config);
        assert.equal(error.code, 'general', JSON.stringify(value));
        assertClean(error, [value]);
      }
    }
  });

  test('when one secret starts with the other, the longer goes whole', async () => {
    const long = 'shared-prefix-0123456789-and-more';
    const config = { appId: 'wx_leak_web', appSecret: long, officialAccountAppId: 'wx_oa', officialAccountAppSecret: 'shared-prefix-0123456789' };
    mock.reset();
    mock.reply(paths.accessToken, 200, { errcode: 40125, errmsg: `got ${long}` });
    const error = await signIn(config);
    assert.equal(error.data.errorDescription, 'got [redacted]');
    assertClean(error, [long, '-and-more']);
  });

  test('a secret too short to replace withholds the echo rather than rewrite it', async () => {
    mock.reset();
    mock.reply(paths.accessToken, 200, { errcode: 40125, errmsg: 'invalid appsecret s3cr, hint: use the right one' });
    const error = await signIn({ appId: 'wx_leak_web', appSecret: 's3cr' });
    assert.equal(error.data.errorDescription, '[withheld: the reply may contain a credential]');
    assert.equal(error.data.errcode, 40125);
    assertClean(error, ['s3cr']);
  });

  test("a secret equal to the connector's own words does not rewrite its message", async () => {
    process.env.LOGTO_WECHAT_API_BASE_URL = `http://127.0.0.1:${await freePort()}`;
    try {
      const error = await signIn({ appId: 'wx', appSecret: 'WeChat access_token endpoint' });
      assert.match(error.data.errorDescription, /^WeChat access_token endpoint: could not connect: /);
    } finally {
      process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
    }
  });
});

describe('tokens a reply carries, known or not', () => {
  const cases = [
    ['a form body', `access_token=${unknownToken}&expires_in=7200`],
    ['single quotes', `{'access_token': '${unknownToken}', 'openid': 'o'`],
    ['a \\u-escaped key', `{"\\u0061ccess_token":"${unknownToken}","openid":"o"`],
    ['an escaped JSON string', `{\\"refresh_token\\":\\"${unknownToken}\\"}`],
    ['a truncated reply', `{"access_token":"${unknownToken}`],
  ];
  for (const [name, body] of cases) {
    test(`${name}: masked in the invalid_response`, async () => {
      process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
      mock.reset();
      mock.reply(paths.accessToken, 200, body, { 'content-type': 'text/plain' });
      const error = await signIn(web);
      assert.equal(error.code, 'invalid_response');
      assert.ok(error.data.message.includes('[redacted]'), error.data.message);
      assertClean(error, [unknownToken, secret]);
    });
  }

  test('the tokens of the call, echoed by userinfo in a form body', async () => {
    mock.reset();
    mock.reply(paths.accessToken, 200, tokenReply);
    mock.reply(paths.userInfo, 502, `bad gateway for access_token=${accessToken}&openid=o and ${encodeURIComponent(refreshToken)}`);
    assertClean(await signIn(web), [accessToken, refreshToken, secret]);
  });
});

describe('upstream text leaves as an excerpt', () => {
  test('a 200 KB HTML reply becomes at most ~1 KB of error data', async () => {
    mock.reset();
    const page = `<html>${'<p>busy, try later</p>'.repeat(10_000)}</html>`;
    assert.ok(page.length > 200_000);
    mock.reply(paths.accessToken, 200, page, { 'content-type': 'text/html' });
    const error = await signIn(web);
    assert.equal(error.code, 'invalid_response');
    const json = JSON.stringify(error);
    assert.ok(json.length < 1400, `${json.length} bytes of error`);
    // connector-kit keeps string data as `{ message }`.
    assert.ok(error.data.message.startsWith('<html><p>busy, try later</p>'));
    assert.match(error.data.message, /… \[\d+ more bytes\]$/);
  });

  test('a 200 KB userinfo error body likewise', async () => {
    mock.reset();
    mock.reply(paths.accessToken, 200, tokenReply);
    mock.reply(paths.userInfo, 500, 'x'.repeat(200_000), { 'content-type': 'text/plain' });
    const error = await signIn(web);
    assert.ok(JSON.stringify(error.data).length < 1400);
  });
});

describe("the base URL's credentials, query and fragment", () => {
  test('a base URL with credentials: nothing of them in a transport error', async () => {
    const port = await freePort();
    process.env.LOGTO_WECHAT_API_BASE_URL = `http://leakuser:leakpass%21@127.0.0.1:${port}`;
    try {
      const error = await signIn(web);
      assert.equal(error.code, 'general');
      assertClean(error, ['leakuser', 'leakpass', 'leakpass!', secret]);
    } finally {
      process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
    }
  });

  test('a gateway echoing the credentials it was sent', async () => {
    const gateway = new URL(mock.url);
    gateway.username = 'gatewayuser';
    gateway.password = 'gatewaypass';
    process.env.LOGTO_WECHAT_API_BASE_URL = gateway.toString();
    try {
      mock.reset();
      mock.reply(paths.accessToken, 200, { errcode: 40001, errmsg: 'who is gatewayuser:gatewaypass?' });
      assertClean(await signIn(web), ['gatewayuser', 'gatewaypass']);
    } finally {
      process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
    }
  });

  for (const [name, base] of [
    ['a query', 'https://leakuser:leakpass@gateway.example/wechat?token=leakquery'],
    ['a fragment', 'https://leakuser:leakpass@gateway.example/wechat#leakfragment'],
    ['plain http off loopback', 'http://leakuser:leakpass@gateway.example/wechat'],
    ['not a URL', 'leakuser:leakpass@@ not a url'],
  ]) {
    test(`${name}: invalid_config, saying why, repeating none of it`, async () => {
      process.env.LOGTO_WECHAT_API_BASE_URL = base;
      try {
        const error = await signIn(web);
        assert.equal(error.code, 'invalid_config');
        assert.match(error.data.errorDescription, /LOGTO_WECHAT_API_BASE_URL/);
        assertClean(error, ['leakuser', 'leakpass', 'leakquery', 'leakfragment']);
      } finally {
        process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
      }
    });
  }
});
