// A mock of WeChat's API (and, for the demo, its authorization pages) over real sockets.
//
// By default it behaves like a small WeChat: registered apps, single-use codes, access and
// refresh tokens, user profiles. Tests can replace any endpoint's answer with `respond(path, fn)`
// or make it misbehave with `fault(path, kind)`; every request is recorded in `requests`.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { fileURLToPath } from 'node:url';

export const tlsDir = fileURLToPath(new URL('../__test__/fixtures/tls/', import.meta.url));
export const caFile = `${tlsDir}ca.pem`;
const tlsFiles = {
  trusted: ['server.pem', 'server.key'],
  wrongHost: ['wronghost.pem', 'wronghost.key'],
  untrusted: ['untrusted.pem', 'untrusted.key'],
};

export const paths = Object.freeze({
  accessToken: '/sns/oauth2/access_token',
  userInfo: '/sns/userinfo',
  refreshToken: '/sns/oauth2/refresh_token',
});

/** Codes that make the default WeChat answer with an errcode. */
export const specialCodes = Object.freeze({
  invalid: 40029,
  used: 40163,
  expired: 42003,
});

const token = (prefix) => `${prefix}${randomBytes(24).toString('base64url')}`;

const json = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; encoding=utf-8' });
  res.end(text);
};

/**
 * @param {object} options
 * @param {Record<string, string>} [options.apps] appId → appSecret that WeChat accepts
 * @param {'http' | 'trusted' | 'wrongHost' | 'untrusted'} [options.tls]
 * @param {(appId: string, code: string) => object} [options.profile] the user behind a code
 */
export const startMockWeChat = async ({
  apps = { wx_web_app: 'web-app-secret-123456' },
  tls = 'http',
  host = '127.0.0.1',
  port = 0,
  profile = defaultProfile,
} = {}) => {
  const overrides = new Map();
  const requests = [];
  const usedCodes = new Set();
  const accessTokens = new Map();
  const refreshTokens = new Map();
  const sockets = new Set();

  const defaults = {
    [paths.accessToken]: (query, res) => {
      const appId = query.get('appid');
      if (!apps[appId] || apps[appId] !== query.get('secret')) {
        return json(res, 200, { errcode: 40125, errmsg: 'invalid appsecret' });
      }
      const code = query.get('code') ?? '';
      if (specialCodes[code]) {
        return json(res, 200, { errcode: specialCodes[code], errmsg: `${code} code` });
      }
      if (!code || usedCodes.has(`${appId}:${code}`)) {
        return json(res, 200, { errcode: 40163, errmsg: 'code been used' });
      }
      usedCodes.add(`${appId}:${code}`);
      const user = profile(appId, code);
      const access = token('ACCESS_');
      const refresh = token('REFRESH_');
      accessTokens.set(access, { appId, user });
      refreshTokens.set(refresh, { appId, user });
      json(res, 200, {
        access_token: access,
        expires_in: 7200,
        refresh_token: refresh,
        openid: user.openid,
        scope: user.scope ?? 'snsapi_login',
        ...(user.unionid === undefined ? {} : { unionid: user.unionid }),
        ...(user.snapshot ? { is_snapshotuser: 1 } : {}),
      });
    },
    [paths.userInfo]: (query, res) => {
      const found = accessTokens.get(query.get('access_token'));
      if (!found || found.user.openid !== query.get('openid')) {
        return json(res, 200, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
      }
      const { user } = found;
      json(res, 200, {
        openid: user.openid,
        nickname: user.nickname,
        sex: 0,
        province: '',
        city: '',
        country: 'CN',
        headimgurl: user.headimgurl,
        privilege: [],
        ...(user.unionid === undefined ? {} : { unionid: user.unionid }),
      });
    },
    [paths.refreshToken]: (query, res) => {
      const found = refreshTokens.get(query.get('refresh_token'));
      if (!found || found.appId !== query.get('appid')) {
        return json(res, 200, { errcode: 40030, errmsg: 'invalid refresh_token' });
      }
      const access = token('ACCESS_');
      accessTokens.set(access, found);
      json(res, 200, {
        access_token: access,
        expires_in: 7200,
        refresh_token: query.get('refresh_token'),
        openid: found.user.openid,
        scope: found.user.scope ?? 'snsapi_login',
      });
    },
  };

  const handler = (req, res) => {
    const url = new URL(req.url, 'http://mock');
    requests.push({ method: req.method, path: url.pathname, query: url.search, url: req.url, headers: req.headers });
    const override = overrides.get(url.pathname);
    if (override) {
      return override(req, res, url.searchParams);
    }
    const route = defaults[url.pathname];
    if (route && req.method === 'GET') {
      return route(url.searchParams, res);
    }
    json(res, 404, { errcode: -1, errmsg: 'no such endpoint' });
  };

  const server =
    tls === 'http'
      ? http.createServer(handler)
      : https.createServer(
          {
            cert: readFileSync(tlsDir + tlsFiles[tls][0]),
            key: readFileSync(tlsDir + tlsFiles[tls][1]),
          },
          handler
        );
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const scheme = tls === 'http' ? 'http' : 'https';
  const address = server.address();

  return {
    url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    requests,
    server,
    /** Replaces the answer of one endpoint: `fn(req, res, query)`. */
    respond(path, fn) {
      overrides.set(path, fn);
    },
    /** Answers one endpoint with a fixed status, body text and headers. */
    reply(path, status, body, headers = { 'content-type': 'text/plain' }) {
      overrides.set(path, (req, res) => {
        res.writeHead(status, headers);
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      });
    },
    /** Makes one endpoint misbehave. */
    fault(path, kind, options = {}) {
      overrides.set(path, (req, res) => faults[kind](req, res, options));
    },
    reset() {
      overrides.clear();
      requests.length = 0;
    },
    async close() {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
};

const faults = {
  /** Accepts the request and never answers. */
  hang: () => {},
  /** Sends headers, then one byte every `interval` ms, forever. */
  trickle: (req, res, { interval = 200 } = {}) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{');
    const timer = setInterval(() => res.write(' '), interval);
    res.on('close', () => clearInterval(timer));
  },
  /** Resets the connection without answering. */
  reset: (req) => req.socket.resetAndDestroy(),
  /** Declares a body larger than any cap. */
  hugeDeclared: (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(64 * 1024 * 1024) });
    res.write('{"a":"');
    // Keep the connection open until the client gives up.
  },
  /** Streams a chunked body without end. */
  hugeChunked: (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    res.write('{"a":"');
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) {}
      if (!res.destroyed) {
        res.once('drain', pump);
      }
    };
    pump();
  },
  /** Redirects to another origin (which would receive the secret if followed). */
  redirect: (req, res, { location = 'https://evil.example/steal' } = {}) => {
    res.writeHead(302, { location: `${location}${req.url}` });
    res.end();
  },
  /** Any status with a body. */
  status: (req, res, { status = 500, body = 'internal error' } = {}) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  },
};

/**
 * The user behind a code: `code-<name>` signs in as <name> (anything after `~` only makes the code
 * unique); `snapshot-<name>` is a snapshot user, `base-<name>` an snsapi_base sign-in.
 */
export function defaultProfile(appId, code) {
  const name = code.replace(/^(code|snapshot|base)-/, '').split('~')[0] || 'user';
  return {
    openid: `openid-${appId}-${name}`,
    unionid: `unionid-${name}`,
    nickname: `WeChat user ${name}`,
    headimgurl: `https://thirdwx.qlogo.cn/mmopen/${name}/132`,
    snapshot: code.startsWith('snapshot-'),
    scope: code.startsWith('base-') ? 'snsapi_base' : undefined,
  };
}
