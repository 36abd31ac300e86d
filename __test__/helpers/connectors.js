// Both connectors side by side: the official package (a devDependency) and ours, fed the same
// config and reaching the same mock WeChat. Ours reaches it through LOGTO_WECHAT_API_BASE_URL;
// the official one has its endpoints built in, so nock forwards its requests for
// api.weixin.qq.com to the mock over a real socket.
import http from 'node:http';

import nock from 'nock';

export const officialModule = await import('@logto/connector-wechat-web');
export const oursModule = await import('../../lib/index.js');

export const webApp = Object.freeze({ appId: 'wx_web_app', appSecret: 'web-app-secret-123456' });

export const bridgeOfficialTo = (mock) => {
  nock.cleanAll();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  nock('https://api.weixin.qq.com')
    .persist()
    .get(/.*/)
    .reply(function (uri, _body, callback) {
      const forwarded = http.get(mock.url + uri, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => callback(null, [res.statusCode, Buffer.concat(chunks), res.headers]));
        res.on('error', (error) => callback(error));
      });
      forwarded.on('error', (error) => callback(error));
    });
  process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
};

export const createBoth = async (config = webApp) => {
  const getConfig = async () => config;
  return {
    official: await officialModule.default({ getConfig }),
    ours: await oursModule.default({ getConfig }),
  };
};

/** An outcome that can be compared across connectors: the value, or the error's parts. */
export const settle = async (run) => {
  try {
    return { ok: normalize(await run()) };
  } catch (error) {
    return {
      error: {
        name: error?.constructor?.name,
        code: error?.code,
        message: error?.message,
        data: normalize(error?.data),
      },
    };
  }
};

/** JSON's view of a value: `undefined` members vanish, errors become their JSON. */
export const normalize = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** Every string reachable from an error: message, stack, data, cause, own properties. */
export const errorText = (error) => {
  const seen = new Set();
  const parts = [];
  const walk = (value) => {
    if (value === null || value === undefined || seen.has(value)) {
      return;
    }
    if (typeof value === 'string') {
      parts.push(value);
      return;
    }
    if (typeof value !== 'object' && typeof value !== 'function') {
      parts.push(String(value));
      return;
    }
    seen.add(value);
    for (const key of ['message', 'stack', 'data', 'cause', 'code', 'issues', 'response', 'options']) {
      try {
        walk(value[key]);
      } catch {}
    }
    for (const key of Reflect.ownKeys(value)) {
      try {
        walk(value[key]);
      } catch {}
    }
  };
  walk(error);
  try {
    parts.push(JSON.stringify(error));
  } catch {}
  return parts.join('\n');
};
