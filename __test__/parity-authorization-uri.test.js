// Differential test of getAuthorizationUri: byte-identical URLs for the same inputs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { ConnectorError } from '@logto/connector-kit';

import { redirectUris, states } from './helpers/awkward-values.js';
import { createBoth, officialModule, oursModule, settle } from './helpers/connectors.js';

const scopes = [undefined, null, '', 'snsapi_login', 'snsapi_login snsapi_userinfo', 'a+b&c=d'];
const configs = [
  { appId: 'wx_web_app', appSecret: 's' },
  { appId: 'wx app&id=1', appSecret: 's', scope: 'snsapi_login' },
  { appId: '', appSecret: '' },
  { appId: '微信😀', appSecret: 's', scope: 'snsapi_login' },
];

const compare = async (config, payload) => {
  const { official, ours } = await createBoth(config);
  const expected = await settle(() => official.getAuthorizationUri(payload, async () => {}));
  const actual = await settle(() => ours.getAuthorizationUri(payload, async () => {}));
  assert.deepEqual(actual, expected, JSON.stringify(payload));
  return actual;
};

describe('getAuthorizationUri: byte-identical to the official connector', () => {
  test('every redirect URI × state', async () => {
    let compared = 0;
    for (const redirectUri of redirectUris) {
      for (const state of states) {
        await compare(configs[0], { state, redirectUri, headers: {} });
        compared += 1;
      }
    }
    assert.equal(compared, redirectUris.length * states.length);
  });

  test('every config × payload scope', async () => {
    for (const config of configs) {
      for (const scope of scopes) {
        const { ok } = await compare(config, { state: 's', redirectUri: 'https://x.io/cb', scope, headers: {} });
        assert.ok(ok.startsWith('https://open.weixin.qq.com/connect/qrconnect?'));
      }
    }
  });

  test('non-string values are converted the way URLSearchParams and encodeURI convert them', async () => {
    for (const payload of [
      { state: 12, redirectUri: 'https://x.io/cb', headers: {} },
      { state: undefined, redirectUri: undefined, headers: {} },
      { state: null, redirectUri: null, scope: 7 },
      { state: true, redirectUri: { toString: () => 'https://x.io/obj' } },
    ]) {
      await compare(configs[0], payload);
    }
  });

  test('a user agent does not change the QR URL when no Official Account is configured', async () => {
    for (const userAgent of [undefined, 'Mozilla/5.0 MicroMessenger/8.0.44', 'curl/8']) {
      await compare(configs[0], { state: 's', redirectUri: 'https://x.io/cb', headers: { userAgent } });
    }
  });

  test('very long values, then short ones again', async () => {
    for (const redirectUri of [`https://x.io/${'é/'.repeat(3000)}`, 'https://x.io/cb', `https://x.io/${'a'.repeat(20000)}`, 'https://x.io/cb']) {
      await compare(configs[0], { state: 's'.repeat(5000), redirectUri, headers: {} });
    }
  });

  test('the documented example', async () => {
    const { ok } = await compare(configs[0], {
      state: 'Lg3f0pVX3kw',
      redirectUri: 'https://auth.example.com/callback/ab12cd34?x=1 2',
      headers: {},
    });
    assert.equal(
      ok,
      'https://open.weixin.qq.com/connect/qrconnect?appid=wx_web_app&redirect_uri=https%3A%2F%2Fauth.example.com%2Fcallback%2Fab12cd34%3Fx%3D1%25202&response_type=code&scope=snsapi_login&state=Lg3f0pVX3kw'
    );
  });
});

describe('getAuthorizationUri: a config that changes between calls', () => {
  // Ours reuses the last validated config while its values stay the same strings; every change
  // (a new object, the same object edited, a value of another type) must be seen at once.
  test('each call sees the config getConfig returns now, like the official connector', async () => {
    const edited = { appId: 'wx_edit', appSecret: 's' };
    const steps = [
      () => ({ appId: 'wx_a', appSecret: 's' }),
      () => ({ appId: 'wx_b', appSecret: 's', scope: 'snsapi_login' }),
      () => ({ appId: 'wx_c', appSecret: 's', scope: 'snsapi_login' }),
      () => ({ appId: 'wx_a', appSecret: 's' }),
      () => ({ appId: 'wx_a' }),
      () => ({ appId: 'wx_a', appSecret: 's' }),
      () => ({ appId: 'wx_a', appSecret: 's', scope: 7 }),
      () => ({ appId: 'wx_a', appSecret: 's', scope: undefined }),
      () => edited,
      () => Object.assign(edited, { appId: 'wx_edited' }),
      () => Object.assign(edited, { scope: 'snsapi_login' }),
      () => Object.assign(edited, { scope: undefined }),
      // (A `then` function cannot arrive: awaiting getConfig would adopt the object as a promise.)
      () => ({ appId: 'wx_a', appSecret: 's', then: 'not a function' }),
      () => Object.assign(Object.create(null), { appId: 'wx_null_proto', appSecret: 's' }),
      () => Object.assign(new Map(), { appId: 'wx_map', appSecret: 's' }),
      () => ['wx_a', 's'],
      () => ({ appId: 'w'.repeat(300), appSecret: 's'.repeat(600) }),
      () => ({ appId: 'w'.repeat(300), appSecret: 's'.repeat(600) + 't' }),
      () => ({ appId: '微信'.repeat(100), appSecret: 's' }),
      () => ({ appId: 'wx_a', appSecret: 's' }),
      // The same characters, cut elsewhere or typed otherwise, are another config.
      () => ({ appId: 'wx_ab', appSecret: 'cd' }),
      () => ({ appId: 'wx_a', appSecret: 'bcd' }),
      () => ({ appId: 'wx|a', appSecret: 'b' }),
      () => ({ appId: 'wx', appSecret: 'a|b' }),
      () => ({ appId: 'wx_a', appSecret: 's', scope: 'snsapi_login' }),
      () => ({ appId: 'wx_a', appSecret: 'ssnsapi_login' }),
    ];
    let current;
    const getConfig = async () => current;
    const official = await officialModule.default({ getConfig });
    const ours = await oursModule.default({ getConfig });
    const payload = { state: 's'.repeat(280), redirectUri: `https://x.io/${'p'.repeat(600)}?q=1`, headers: {} };
    const seen = new Set();
    for (const [index, step] of steps.entries()) {
      current = step();
      const expected = await settle(() => official.getAuthorizationUri(payload, async () => {}));
      const actual = await settle(() => ours.getAuthorizationUri(payload, async () => {}));
      assert.deepEqual(actual, expected, `step ${index}`);
      seen.add(JSON.stringify(actual));
    }
    // The sequence really alternates between different results and errors.
    assert.ok(seen.size >= 12, `${seen.size} distinct outcomes`);
  });
});

describe('getAuthorizationUri: where encodeURI throws', () => {
  test('a lone surrogate in redirectUri: official throws URIError, ours a ConnectorError', async () => {
    const { official, ours } = await createBoth(configs[0]);
    const payload = { state: 's', redirectUri: 'https://x.io/\uDC00', headers: {} };
    await assert.rejects(official.getAuthorizationUri(payload, async () => {}), URIError);
    await assert.rejects(
      ours.getAuthorizationUri(payload, async () => {}),
      (error) => error instanceof ConnectorError && error.code === 'invalid_request_parameters'
    );
  });
});

describe('getAuthorizationUri: payload values String() cannot convert', () => {
  const payload = { state: Symbol('state'), redirectUri: 'https://x.io/cb', headers: {} };

  test('with an invalid config, both report the config first', async () => {
    const { official, ours } = await createBoth({ appId: 7, appSecret: 's' });
    const expected = await settle(() => official.getAuthorizationUri(payload, async () => {}));
    const actual = await settle(() => ours.getAuthorizationUri(payload, async () => {}));
    assert.equal(actual.error.code, 'invalid_config');
    assert.deepEqual(actual, expected);
  });

  test('with a valid one, official throws a TypeError, ours a ConnectorError', async () => {
    const { official, ours } = await createBoth(configs[0]);
    for (const bad of [{ state: Symbol('s') }, { redirectUri: Symbol('r') }, { scope: Symbol('c') }, { state: { toString: () => ({}) } }]) {
      const given = { ...payload, state: 's', ...bad };
      await assert.rejects(official.getAuthorizationUri(given, async () => {}), TypeError);
      await assert.rejects(
        ours.getAuthorizationUri(given, async () => {}),
        (error) => error instanceof ConnectorError && error.code === 'general' && /convert/i.test(error.data.errorDescription)
      );
    }
  });
});

describe('getAuthorizationUri: in worker threads', () => {
  test('each Node environment reads with its own reader, and gives the same URL', async () => {
    const config = { appId: 'wx_worker', appSecret: 's' };
    const payload = { state: 'st', redirectUri: 'https://x.io/cb', headers: {} };
    const { ours } = await createBoth(config);
    const expected = await ours.getAuthorizationUri(payload, async () => {});
    const source = `
      import { parentPort, workerData } from 'node:worker_threads';
      const { default: createConnector } = await import(workerData.entry);
      const connector = await createConnector({ getConfig: async () => workerData.config });
      const urls = [];
      for (let i = 0; i < 3; i += 1) urls.push(await connector.getAuthorizationUri(workerData.payload, async () => {}));
      parentPort.postMessage(urls);
    `;
    for (let round = 0; round < 2; round += 1) {
      const workers = Array.from({ length: 2 }, () => {
        const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), {
          workerData: { entry: new URL('../lib/index.js', import.meta.url).href, config, payload },
        });
        return new Promise((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
      });
      for (const urls of await Promise.all(workers)) assert.deepEqual(urls, [expected, expected, expected]);
    }
    // The main thread's reader is untouched by the workers that came and went.
    assert.equal(await ours.getAuthorizationUri(payload, async () => {}), expected);
  });
});

describe('getAuthorizationUri: randomized inputs, compared with the official connector', () => {
  // A seeded generator, so a failure can be replayed.
  let seed = 0x5eed1234;
  const random = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const pools = [
    () => String.fromCharCode(32 + Math.floor(random() * 95)), // printable ASCII
    () => String.fromCharCode(Math.floor(random() * 32)), // controls
    () => String.fromCharCode(0x80 + Math.floor(random() * 0x780)), // 2-byte UTF-8
    () => String.fromCharCode(0x4e00 + Math.floor(random() * 0x5000)), // CJK
    () => String.fromCodePoint(0x1f300 + Math.floor(random() * 0x300)), // emoji
    () => String.fromCharCode(0xd800 + Math.floor(random() * 0x800)), // a lone surrogate
    () => '%+&=#?/ '[Math.floor(random() * 8)],
  ];
  const randomString = (max, surrogates = true) => {
    const from = surrogates ? pools : pools.filter((_, index) => index !== 5);
    return Array.from({ length: Math.floor(random() * max) }, () => from[Math.floor(random() * from.length)]()).join('');
  };

  test('3000 random states, scopes, app ids and redirect URIs', async () => {
    let compared = 0;
    for (let i = 0; i < 3000; i += 1) {
      // The config scope is snsapi_login or absent: ours refuses any other (a deliberate difference).
      const config = { appId: randomString(12), appSecret: 's', ...(random() < 0.5 ? { scope: 'snsapi_login' } : {}) };
      const payload = { state: randomString(24), redirectUri: randomString(40, random() < 0.1), scope: random() < 0.3 ? randomString(8) : undefined, headers: {} };
      const { official, ours } = await createBoth(config);
      const expected = await settle(() => official.getAuthorizationUri(payload, async () => {}));
      const actual = await settle(() => ours.getAuthorizationUri(payload, async () => {}));
      if (expected.error?.name === 'URIError') {
        // encodeURI throws on a lone surrogate in redirectUri; ours reports a ConnectorError.
        assert.equal(actual.error.code, 'invalid_request_parameters');
      } else {
        assert.deepEqual(actual, expected, JSON.stringify({ config, payload }));
        compared += 1;
      }
    }
    assert.ok(compared > 1000, `${compared} byte-for-byte comparisons`);
  });
});

describe('getAuthorizationUri: the QR scope (deliberate differences)', () => {
  const payload = { state: 's', redirectUri: 'https://x.io/cb', headers: {} };

  test("a config scope of '' means snsapi_login (the official connector sends an empty scope WeChat rejects)", async () => {
    const { official, ours } = await createBoth({ appId: 'wx', appSecret: 's', scope: '' });
    const officialUrl = await official.getAuthorizationUri(payload, async () => {});
    const oursUrl = await ours.getAuthorizationUri(payload, async () => {});
    assert.ok(officialUrl.includes('&scope=&'));
    assert.equal(oursUrl, officialUrl.replace('&scope=&', '&scope=snsapi_login&'));
  });

  test('a config scope WeChat rejects on the QR page is invalid_config, naming snsapi_login', async () => {
    const { official, ours } = await createBoth({ appId: 'wx', appSecret: 's', scope: 'snsapi_userinfo' });
    assert.match(await official.getAuthorizationUri(payload, async () => {}), /&scope=snsapi_userinfo&/);
    const result = await settle(() => ours.getAuthorizationUri(payload, async () => {}));
    assert.equal(result.error.code, 'invalid_config');
    assert.match(result.error.data.issues[0].message, /accepts only the scope snsapi_login/);
  });
});
