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

/** Codes no authorization page issued: the mock answers them as WeChat does, with 40029. */
export const madeUpCodePrefix = 'connector-wechat-web-rs-install-check';

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
  fixed = false,
} = {}) => {
  const overrides = new Map();
  if (fixed) {
    // Precomputed replies: a benchmark measures the connector, not the mock.
    const user = profile(Object.keys(apps)[0], 'code-bench');
    const tokenBody = Buffer.from(JSON.stringify({ access_token: 'ACCESS_FIXED_0123456789abcdef', expires_in: 7200, refresh_token: 'REFRESH_FIXED_0123456789', openid: user.openid, scope: 'snsapi_login', unionid: user.unionid }));
    const userBody = Buffer.from(JSON.stringify({ openid: user.openid, nickname: user.nickname, sex: 0, province: '', city: '', country: 'CN', headimgurl: user.headimgurl, privilege: [], unionid: user.unionid }));
    const send = (body) => (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    };
    overrides.set(paths.accessToken, send(tokenBody));
    overrides.set(paths.userInfo, send(userBody));
  }
  const requests = [];
  const usedCodes = new Set();
  const accessTokens = new Map();
  const refreshTokens = new Map();
  const sockets = new Set();

  const defaults = {
    [paths.accessToken]: (query, res) => {
      const appId = query.get('appid');
      // As WeChat: the AppID is checked first (40013), then its AppSecret (40125).
      if (!Object.hasOwn(apps, appId)) {
        return json(res, 200, { errcode: 40013, errmsg: `invalid appid, rid: ${randomBytes(4).toString('hex')}` });
      }
      if (apps[appId] !== query.get('secret')) {
        return json(res, 200, { errcode: 40125, errmsg: `invalid appsecret, rid: ${randomBytes(4).toString('hex')}` });
      }
      const code = query.get('code') ?? '';
      if (specialCodes[code]) {
        return json(res, 200, { errcode: specialCodes[code], errmsg: `${code} code` });
      }
      // As WeChat answers a code it never issued (a made-up one, as the install check sends).
      if (code.startsWith(madeUpCodePrefix)) {
        return json(res, 200, { errcode: 40029, errmsg: `invalid code, rid: ${randomBytes(4).toString('hex')}` });
      }
      if (!code || usedCodes.has(`${appId}:${code}`)) {
        return json(res, 200, { errcode: 40163, errmsg: 'code been used' });
      }
      usedCodes.add(`${appId}:${code}`);
      const user = profile(appId, code);
      const access = token('ACCESS_');
      const refresh = token('REFRESH_');
      if (!user.revoked) {
        accessTokens.set(access, { appId, user });
        refreshTokens.set(refresh, { appId, user });
      }
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
    if (url.pathname === '/__mock/stats') {
      // For a mock in another process: the connections it has accepted (this one included).
      return json(res, 200, { connections });
    }
    if (!fixed) {
      requests.push({ method: req.method, path: url.pathname, query: url.search, url: req.url, headers: req.headers });
    }
    const override = overrides.get(url.pathname);
    if (override) {
      return override(req, res, url.searchParams);
    }
    const page = authorizationPages[url.pathname];
    if (page) {
      return page(url.searchParams, res);
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
  let connections = 0;
  server.on(tls === 'http' ? 'connection' : 'secureConnection', () => {
    connections += 1;
  });
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
    /** Connections accepted so far (TLS: completed handshakes). */
    get connections() {
      return connections;
    },
    /** Replaces the answer of one endpoint: `fn(req, res, query)`. */
    respond(path, fn) {
      overrides.set(path, fn);
    },
    /** Answers one endpoint with a fixed status, body (text, bytes, or an object as JSON) and headers. */
    reply(path, status, body, headers = { 'content-type': 'application/json' }) {
      const bytes = Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body);
      overrides.set(path, (req, res) => {
        res.writeHead(status, headers);
        res.end(bytes);
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

const html = (res, body) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
};

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** WeChat's answer to "confirm": back to redirect_uri with a code and the state. */
const confirmRedirect = (query, res) => {
  const target = new URL(query.get('redirect_uri'));
  const nonce = randomBytes(6).toString('hex');
  const code = query.get('outcome') === 'expired' ? 'expired' : `${query.get('kind') ?? 'code'}-${query.get('name') || 'alice'}~${nonce}`;
  target.searchParams.set('code', code);
  target.searchParams.set('state', query.get('state') ?? '');
  res.writeHead(302, { location: target.toString() });
  res.end();
};

const pageStyle = `<style>
  body{font-family:system-ui,-apple-system,"PingFang SC",sans-serif;background:#ededed;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
  .card{background:#fff;border-radius:12px;padding:28px 32px;width:340px;box-shadow:0 2px 12px #0002;text-align:center}
  h1{font-size:18px;margin:0 0 4px} .sub{color:#888;font-size:13px;margin-bottom:18px}
  button{background:#07c160;color:#fff;border:0;border-radius:6px;padding:10px 18px;font-size:15px;cursor:pointer;width:100%;margin-top:8px}
  button.ghost{background:#f2f2f2;color:#333} label{font-size:13px;color:#555;display:block;text-align:left;margin:10px 0 4px}
  input,select{width:100%;box-sizing:border-box;padding:7px;border:1px solid #ccc;border-radius:6px}
  .mock{font-size:11px;color:#b26a00;margin-top:14px}
</style>`;

const fakeQr = () => {
  const cells = [];
  const bytes = randomBytes(64);
  for (let i = 0; i < 21 * 21; i += 1) {
    const x = i % 21;
    const y = Math.floor(i / 21);
    const finder = (x < 7 && y < 7) || (x > 13 && y < 7) || (x < 7 && y > 13);
    const on = finder ? x % 6 === 0 || y % 6 === 0 || (x % 7 > 1 && x % 7 < 5 && y % 7 > 1 && y % 7 < 5) || x === 20 || y === 20 : (bytes[i % 64] >> (i % 8)) & 1;
    if (on) cells.push(`<rect x="${x}" y="${y}" width="1" height="1"/>`);
  }
  return `<svg viewBox="-1 -1 23 23" width="180" height="180" aria-label="QR code">${cells.join('')}</svg>`;
};

const hiddenFields = (query) =>
  ['redirect_uri', 'state', 'appid', 'scope']
    .map((key) => `<input type="hidden" name="${key}" value="${escapeHtml(query.get(key) ?? '')}">`)
    .join('');

const authorizationPages = {
  // The QR login page (网站应用). A person would scan with their phone; here they click.
  '/connect/qrconnect': (query, res) =>
    html(
      res,
      `<!doctype html><meta charset="utf-8"><title>WeChat login (mock)</title>${pageStyle}
<div class="card"><h1>WeChat login</h1><div class="sub">Scan with WeChat to sign in to <b>${escapeHtml(query.get('appid'))}</b></div>
${fakeQr()}
<form action="/connect/qrconnect/confirm" method="get">${hiddenFields(query)}
<label for="name">Who scans (mock user)</label><input id="name" name="name" value="alice">
<label for="outcome">Outcome</label><select id="outcome" name="outcome"><option value="ok">Confirm on the phone</option><option value="expired"${query.get('outcome') === 'expired' ? ' selected' : ''}>Code expires before use (42003)</option></select>
<input type="hidden" name="kind" value="${query.get('kind') === 'revoked' ? 'revoked' : 'code'}">
<button id="scan-confirm" type="submit">Scan and confirm</button></form>
<div class="mock">Mock of open.weixin.qq.com served on loopback</div></div>`
    ),
  '/connect/qrconnect/confirm': confirmRedirect,
  // The Official Account consent page (公众号网页授权), shown inside WeChat.
  '/connect/oauth2/authorize': (query, res) =>
    html(
      res,
      `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>WeChat authorization (mock)</title>${pageStyle}
<div class="card"><h1>Allow access to your profile?</h1>
<div class="sub">Official Account <b>${escapeHtml(query.get('appid'))}</b> asks for <code>${escapeHtml(query.get('scope'))}</code></div>
<form action="/connect/oauth2/authorize/confirm" method="get">${hiddenFields(query)}
<label for="name">WeChat user (mock)</label><input id="name" name="name" value="bob">
<label for="kind">Identity</label><select id="kind" name="kind"><option value="${['revoked', 'unbound'].includes(query.get('kind')) ? query.get('kind') : 'code'}">Full service</option><option value="snapshot">Snapshot page (虚拟身份)</option></select>
<button id="allow" type="submit">Allow</button></form>
<div class="mock">Mock of open.weixin.qq.com served on loopback</div></div>`
    ),
  '/connect/oauth2/authorize/confirm': confirmRedirect,
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
      while (!res.destroyed && res.write(chunk)) {
        // write until the socket's buffer is full
      }
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
 * unique); `snapshot-<name>` is a snapshot user, `unbound-<name>` signs in through an Official
 * Account that is not bound to the Open Platform account (WeChat then gives no unionid), and
 * `revoked-<name>` gets an access token that userinfo then rejects (40001).
 */
export function defaultProfile(appId, code) {
  const name = code.replace(/^(code|snapshot|unbound|revoked)-/, '').split('~')[0] || 'user';
  return {
    openid: `openid-${appId}-${name}`,
    unionid: code.startsWith('unbound-') ? undefined : `unionid-${name}`,
    nickname: `WeChat user ${name}`,
    headimgurl: `https://thirdwx.qlogo.cn/mmopen/${name}/132`,
    snapshot: code.startsWith('snapshot-'),
    revoked: code.startsWith('revoked-'),
  };
}
