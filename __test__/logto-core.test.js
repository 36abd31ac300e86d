// Both connectors inside a host that behaves like Logto's core (helpers/logto-core.js): the
// statuses a user gets for QR and in-WeChat sign-ins (the session kept as the Interaction API
// keeps it, and as the Experience and Account APIs do), bad codes, bad config and an unreachable
// WeChat; the Management API and /api/me, where Logto keeps no connector session; the host's
// own ZodError in config errors. Ours never answers 500 or 501.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import * as kit from '@logto/connector-kit';
import * as zod from 'zod';

import { startMockWeChat } from '../mock/wechat-server.js';
import { bridgeOfficialTo, errorText, normalize, officialModule, oursModule } from './helpers/connectors.js';
import { createLogtoCore } from './helpers/logto-core.js';
import { freePort } from '../scripts/lib/ports.js';

const web = { appId: 'wx_web_app', appSecret: 'web-app-secret-123456' };
const oa = { appId: 'wx_official', appSecret: 'official-secret-654321' };
const withAccount = { ...web, officialAccountAppId: oa.appId, officialAccountAppSecret: oa.appSecret };
const wechatUserAgent =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323d) NetType/WIFI Language/zh_CN';
const desktopUserAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const request = { state: 'Lg3f0pVX3kw', redirectUri: 'https://auth.example.com/callback/wechat-row' };

const core = createLogtoCore({ kit, zod });
const connectors = async (config) => ({
  official: await officialModule.default({ getConfig: async () => config }),
  ours: await oursModule.default({ getConfig: async () => config }),
});

let mock;
let code = 0;
/** A code the mock has not seen: `code-<name>~<n>` signs in as <name>. */
const fresh = (name) => `code-${name}~core-${(code += 1)}`;

before(async () => {
  mock = await startMockWeChat({ apps: { [web.appId]: web.appSecret, [oa.appId]: oa.appSecret } });
  await bridgeOfficialTo(mock);
});
after(() => mock.close());

// The two ways Logto keeps a sign-in's connector session (helpers/logto-core.js).
const keepers = [
  ['the Interaction API', 'interaction'],
  ['the Experience API and the Account API (/api/verifications/social)', 'verification'],
];

for (const [apis, keeper] of keepers) {
  describe(`a sign-in whose session is kept as ${apis} keeps it`, () => {
    test('QR sign-in: 200, the official URL, the same user', async () => {
      const { official, ours } = await connectors(web);
      const officialFlow = core.signInFlow(official, { keeper });
      const oursFlow = core.signInFlow(ours, { keeper });
      const officialUrl = await officialFlow.authorizationUri({ ...request, userAgent: desktopUserAgent });
      const oursUrl = await oursFlow.authorizationUri({ ...request, userAgent: desktopUserAgent });
      assert.equal(oursUrl.status, 200);
      assert.deepEqual(oursUrl, officialUrl);
      assert.equal(oursFlow.session, undefined, 'the QR login records no session');

      const officialUser = await officialFlow.verify({ code: fresh('alice') });
      const oursUser = await oursFlow.verify({ code: fresh('alice') });
      assert.equal(oursUser.status, 200);
      assert.equal(officialUser.status, 200);
      assert.equal(oursUser.body.id, 'unionid-alice');
      assert.deepEqual({ ...oursUser.body, rawData: undefined }, { ...officialUser.body, rawData: undefined });
    });

    test('in-WeChat sign-in: 200, the session kept by Logto, the same id as the QR sign-in', async () => {
      const { ours } = await connectors(withAccount);
      const flow = core.signInFlow(ours, { keeper });
      const url = await flow.authorizationUri({ ...request, userAgent: wechatUserAgent });
      assert.equal(url.status, 200);
      assert.match(url.body.redirectTo, /^https:\/\/open\.weixin\.qq\.com\/connect\/oauth2\/authorize\?appid=wx_official&/);
      assert.deepEqual(flow.session, { wechatWebFlow: 'official_account', wechatWebAppId: oa.appId, wechatWebScope: 'snsapi_userinfo' });
      const user = await flow.verify({ code: fresh('alice') });
      assert.equal(user.status, 200);
      assert.equal(user.body.id, 'unionid-alice');
      assert.equal(user.body.rawData.appid, oa.appId, 'the code went to the Official Account');

      const qr = core.signInFlow(ours, { keeper });
      await qr.authorizationUri({ ...request, userAgent: desktopUserAgent });
      const qrUser = await qr.verify({ code: fresh('alice') });
      assert.equal(qrUser.body.id, user.body.id);
    });

    test('token storage through the flow, then a refresh: 200', async () => {
      const { ours } = await connectors(withAccount);
      const flow = core.signInFlow(ours, { keeper });
      await flow.authorizationUri({ ...request, userAgent: wechatUserAgent });
      const signedIn = await flow.verify({ code: fresh('carol') }, { tokenStorage: true });
      assert.equal(signedIn.status, 200);
      assert.equal(signedIn.body.userInfo.id, 'unionid-carol');
      assert.match(signedIn.body.tokenResponse.refresh_token, /^wxoa:/);
      const refreshed = await core.refresh(ours, signedIn.body.tokenResponse.refresh_token);
      assert.equal(refreshed.status, 200);
      assert.match(refreshed.body.access_token, /^ACCESS_/);
      const stale = await core.refresh(ours, 'not-a-refresh-token');
      assert.equal(stale.status, 401);
    });
  });
}

describe('the sign-in flow: what does not depend on the session', () => {
  for (const [name, codeOf] of [
    ['an expired code', () => 'expired'],
    ['an invalid code', () => 'invalid'],
    ['a code used twice', () => 'reused'],
  ]) {
    test(`${name}: 401 for both`, async () => {
      const { official, ours } = await connectors(web);
      const results = [];
      for (const connector of [official, ours]) {
        const flow = core.signInFlow(connector);
        await flow.authorizationUri({ ...request, userAgent: desktopUserAgent });
        let value = codeOf();
        if (value === 'reused') {
          value = fresh('dave');
          await core.signInFlow(connector).verify({ code: value });
        }
        results.push(await flow.verify({ code: value }));
      }
      const [officialResult, oursResult] = results;
      assert.equal(officialResult.status, 401);
      assert.equal(oursResult.status, 401);
      assert.equal(oursResult.body.code, 'connector.social_auth_code_invalid');
      assert.deepEqual(oursResult.body, officialResult.body);
    });
  }

  test('bad config: 400 for both, with the same `details` (the data is the host ZodError)', async () => {
    const { official, ours } = await connectors({ appId: 1 });
    const [officialUrl, oursUrl] = await Promise.all([
      core.signInFlow(official).authorizationUri({ ...request, userAgent: desktopUserAgent }),
      core.signInFlow(ours).authorizationUri({ ...request, userAgent: desktopUserAgent }),
    ]);
    assert.equal(officialUrl.status, 400);
    assert.equal(oursUrl.status, 400);
    assert.ok(oursUrl.error.data instanceof zod.ZodError, "the data is an instance of the host's ZodError");
    assert.equal(oursUrl.body.details, officialUrl.body.details);
    assert.match(oursUrl.body.details, /Error in key path "appId": \(invalid_type\) Expected string but received number\./);
    assert.equal(oursUrl.error.data.message, officialUrl.error.data.message);

    const [officialUser, oursUser] = [
      await core.signInFlow(official).verify({ code: fresh('erin') }),
      await core.signInFlow(ours).verify({ code: fresh('erin') }),
    ];
    assert.equal(oursUser.status, 400);
    assert.equal(oursUser.body.details, officialUser.body.details);
  });

  test("the Management API's config check: the guard's error is the host ZodError for both", async () => {
    // Ours as a fresh module, as in a Logto that has just started: no error raised before, so
    // nothing but createConnector has loaded the host's zod.
    const fresh = await import('../lib/index.js?management-api');
    const factories = { official: officialModule.default, ours: fresh.default };
    const answers = {};
    for (const [name, createConnector] of Object.entries(factories)) {
      const connector = await createConnector({ getConfig: core.notImplemented });
      const bad = connector.configGuard.safeParse({ appId: 'wx', scope: 5 });
      assert.ok(bad.error instanceof zod.ZodError, `${name}: safeParse's error is the host's ZodError`);
      answers[name] = await core.validateConfig(connector, { appId: 'wx', scope: 5 });
      assert.equal((await core.validateConfig(connector, web)).status, 200);
    }
    assert.equal(answers.ours.status, 400);
    assert.deepEqual(normalize(answers.ours.body), normalize(answers.official.body));
    assert.ok(answers.ours.body.details.includes('"appSecret"'));
  });

  test('an unreachable WeChat: ours 400 with a description; the official leaks a raw error, secret included (500)', async () => {
    const port = await freePort();
    const unreachable = { url: `http://127.0.0.1:${port}` };
    await bridgeOfficialTo(unreachable);
    try {
      const { official, ours } = await connectors(web);
      const oursResult = await core.signInFlow(ours).verify({ code: fresh('frank') });
      const officialResult = await core.signInFlow(official).verify({ code: fresh('frank') });
      assert.equal(oursResult.status, 400);
      assert.equal(oursResult.body.code, 'connector.general');
      assert.match(oursResult.body.data.errorDescription, /could not connect/);
      assert.equal(officialResult.status, 500);
      // What Logto logs of each: got's error carries the request's URL, app secret included.
      assert.ok(errorText(officialResult.error).includes(web.appSecret));
      assert.ok(!errorText(oursResult.error).includes(web.appSecret));
    } finally {
      await bridgeOfficialTo(mock);
    }
  });
});

describe('where Logto keeps no connector session: setSession and getSession throw not_implemented', () => {
  for (const api of ['managementApi', 'meApi']) {
    test(`${api}: a WeChat user agent with an Official Account gets the official QR URL (200, not 501)`, async () => {
      const { official, ours } = await connectors(withAccount);
      for (const userAgent of [wechatUserAgent, desktopUserAgent, undefined]) {
        const officialUrl = await core[api](official).authorizationUri({ ...request, userAgent });
        const oursUrl = await core[api](ours).authorizationUri({ ...request, userAgent });
        assert.equal(officialUrl.status, 200);
        assert.deepEqual(oursUrl, officialUrl, `user agent ${userAgent}`);
      }
    });
  }

  test('meApi: linking an identity with getSession throwing is the QR flow (200)', async () => {
    const { official, ours } = await connectors(withAccount);
    const officialUser = await core.meApi(official).verify({ code: fresh('gina') });
    const oursUser = await core.meApi(ours).verify({ code: fresh('gina') });
    assert.equal(oursUser.status, 200);
    assert.equal(oursUser.body.id, officialUser.body.id);
  });

  test('a setSession failing for another reason is not hidden', async () => {
    const { ours } = await connectors(withAccount);
    const payload = { ...request, headers: { userAgent: wechatUserAgent } };
    await assert.rejects(
      ours.getAuthorizationUri(payload, async () => {
        throw new Error('session store down');
      }),
      /session store down/
    );
  });
});

describe("Logto's start-up check", () => {
  test('two factories with the id wechat-web stop Logto', async () => {
    const { official, ours } = await connectors(web);
    assert.throws(() => core.checkFactories([official, ours]), /more_than_one_connector_factory: wechat-web/);
    assert.doesNotThrow(() => core.checkFactories([ours]));
  });
});
