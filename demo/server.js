// `npm start`: a demo sign-in site on localhost with an embedded mock WeChat, driving this
// connector through Logto's own loader. `npm start -- --cli` (or `npm run demo:cli`) runs one
// sign-in in the terminal instead and exits.
import { randomBytes } from 'node:crypto';
import http from 'node:http';

import { startMockWeChat } from '../mock/wechat-server.js';

import { apps, demoConfig, loadWithLogto, logtoStatus, newState, timed, wechatUserAgent } from './logto.js';
import { renderHome, renderResult } from './pages.js';

const officialOrigin = 'https://open.weixin.qq.com';

const start = async ({ port = Number(process.env.PORT ?? 3210), host = '127.0.0.1', quiet = false } = {}) => {
  const mock = await startMockWeChat({ apps });
  process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
  const factory = await loadWithLogto();
  const sessions = new Map();

  const connectorFor = (options) => factory.createConnector({ getConfig: async () => demoConfig(options) });

  const sessionOf = (req, res) => {
    const id = /(?:^|;\s*)demo_sid=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (id && sessions.has(id)) {
      return sessions.get(id);
    }
    const fresh = { id: randomBytes(12).toString('base64url') };
    sessions.set(fresh.id, fresh);
    res.setHeader('set-cookie', `demo_sid=${fresh.id}; HttpOnly; SameSite=Lax; Path=/`);
    return fresh;
  };

  const send = (res, status, body, type = 'text/html; charset=utf-8') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };

  const routes = {
    '/': (req, res) => send(res, 200, renderHome({ metadata: factory.metadata, mockUrl: mock.url })),

    // Logto's side of "Sign in with WeChat": ask the connector where to send the browser.
    '/sign-in': async (req, res, query) => {
      const session = sessionOf(req, res);
      const options = {
        officialAccount: query.get('oa') !== 'off',
        badSecret: query.get('case') === 'bad-secret',
        tokenStorage: query.get('tokens') === 'on',
        errorCase: query.get('case') ?? 'none',
      };
      // The unbound Official Account only shows inside WeChat, where that account is used.
      const inWeChat = query.get('inWeChat') === 'on' || options.errorCase === 'unbound';
      const userAgent = inWeChat ? wechatUserAgent : req.headers['user-agent'];
      const steps = [];
      const state = newState();
      Object.assign(session, { state, options, userAgent, steps, connectorSession: {} });
      const connector = await connectorFor(options);
      const url = await timed(steps, 'getAuthorizationUri', () =>
        connector.getAuthorizationUri(
          { state, redirectUri: `http://${req.headers.host}/callback`, connectorId: 'demo', connectorFactoryId: 'wechat-web', jti: 'demo', headers: { userAgent } },
          async (stored) => {
            session.connectorSession = stored;
          }
        )
      );
      session.authorizationUri = url;
      // The connector builds WeChat's real URL; the browser goes to the same path on the mock.
      const target = new URL(url.replace(officialOrigin, mock.url));
      if (options.errorCase === 'expired') target.searchParams.set('outcome', 'expired');
      if (['revoked', 'unbound'].includes(options.errorCase)) target.searchParams.set('kind', options.errorCase);
      res.writeHead(302, { location: target.toString() });
      res.end();
    },

    // WeChat sends the browser back here with ?code&state.
    '/callback': async (req, res, query) => {
      const session = sessionOf(req, res);
      const steps = session.steps ?? [];
      const view = { steps, authorizationUri: session.authorizationUri, flow: session.connectorSession?.wechatWebFlow ?? 'qr_code', userAgent: session.userAgent };
      if (!session.state || query.get('state') !== session.state) {
        steps.push({ label: 'check state', ms: 0, ok: false });
        return send(res, 400, renderResult({ ...view, error: { code: 'state_mismatch', status: 400, data: { message: 'The state does not match this browser session; start again.' } } }));
      }
      steps.push({ label: 'check state', ms: 0, ok: true });
      session.state = undefined;
      const connector = await connectorFor(session.options);
      try {
        const data = Object.fromEntries(query);
        const getSession = async () => session.connectorSession;
        const { userInfo, tokenResponse } = session.options.tokenStorage
          ? await timed(steps, 'getTokenResponseAndUserInfo', () => connector.getTokenResponseAndUserInfo(data, getSession))
          : { userInfo: await timed(steps, 'getUserInfo', () => connector.getUserInfo(data, getSession)) };
        session.tokenResponse = tokenResponse;
        send(res, 200, renderResult({ ...view, userInfo, tokenResponse }));
      } catch (error) {
        send(res, logtoStatus(error.code), renderResult({ ...view, error: { code: error.code, status: logtoStatus(error.code), data: error.data } }));
      }
    },

    // Token storage: what Logto does when the stored access token has expired.
    '/refresh': async (req, res) => {
      const session = sessionOf(req, res);
      const steps = [];
      const view = { steps, flow: session.connectorSession?.wechatWebFlow ?? 'qr_code', refreshed: true };
      if (!session.tokenResponse?.refresh_token) {
        return send(res, 400, renderResult({ ...view, error: { code: 'no_refresh_token', status: 400, data: { message: 'Sign in with token storage on first.' } } }));
      }
      const connector = await connectorFor(session.options);
      try {
        const tokenResponse = await timed(steps, 'getAccessTokenByRefreshToken', () =>
          connector.getAccessTokenByRefreshToken(session.tokenResponse.refresh_token)
        );
        send(res, 200, renderResult({ ...view, tokenResponse }));
      } catch (error) {
        send(res, logtoStatus(error.code), renderResult({ ...view, error: { code: error.code, status: logtoStatus(error.code), data: error.data } }));
      }
    },
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://demo');
    const route = routes[url.pathname];
    if (!route) {
      return send(res, 404, 'not found', 'text/plain');
    }
    try {
      await route(req, res, url.searchParams);
    } catch (error) {
      send(res, 500, `demo error: ${error?.message}`, 'text/plain');
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  }).catch(async (error) => {
    if (error.code !== 'EADDRINUSE') throw error;
    await new Promise((resolve) => server.listen(0, host, resolve));
  });
  const url = `http://localhost:${server.address().port}`;
  if (!quiet) {
    console.log(`WeChat connector demo (connector loaded by Logto's loader, mock WeChat at ${mock.url})`);
    console.log(`Open ${url} in a browser. Ctrl-C stops.`);
  }
  return {
    url,
    mock,
    async close() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
      await mock.close();
    },
  };
};

/** The terminal walk-through: one sign-in, step by step, then a refresh and an error case. */
const runCli = async () => {
  const print = (label, value) => console.log(`${label.padEnd(28)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const mock = await startMockWeChat({ apps });
  process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
  try {
    const steps = [];
    const factory = await timed(steps, 'load', loadWithLogto);
    print('1. Logto loader', `accepted ${factory.metadata.id} (${factory.type}) in ${steps[0].ms.toFixed(1)} ms`);
    const connector = await factory.createConnector({ getConfig: async () => demoConfig({ officialAccount: false }) });
    const state = newState();
    const redirectUri = 'https://logto.localhost/callback/wechat';
    const url = await timed(steps, 'uri', () => connector.getAuthorizationUri({ state, redirectUri, headers: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130' } }, async () => {}));
    print('2. getAuthorizationUri', url);
    const confirm = new URL('/connect/qrconnect/confirm', mock.url);
    for (const [key, value] of new URL(url).searchParams) confirm.searchParams.set(key, value);
    confirm.searchParams.set('name', 'alice');
    const back = new URL((await fetch(confirm, { redirect: 'manual' })).headers.get('location'));
    print('3. user scans, WeChat calls', back.toString());
    print('4. state matches', String(back.searchParams.get('state') === state));
    const { userInfo, tokenResponse } = await timed(steps, 'signin', () =>
      connector.getTokenResponseAndUserInfo(Object.fromEntries(back.searchParams), async () => ({}))
    );
    print('5. getTokenResponseAndUserInfo', `${steps.at(-1).ms.toFixed(1)} ms`);
    print('   user info', { id: userInfo.id, name: userInfo.name, avatar: userInfo.avatar });
    print('   token response', { ...tokenResponse, access_token: `${tokenResponse.access_token.slice(0, 12)}…`, refresh_token: `${tokenResponse.refresh_token.slice(0, 13)}…` });
    const refreshed = await connector.getAccessTokenByRefreshToken(tokenResponse.refresh_token);
    print('6. refresh access token', `new token ${refreshed.access_token.slice(0, 12)}…, expires_in ${refreshed.expires_in}`);
    try {
      await connector.getUserInfo({ code: 'expired', state }, async () => ({}));
    } catch (error) {
      print('7. expired code', `ConnectorError ${error.code} → Logto answers HTTP ${logtoStatus(error.code)}`);
    }
    console.log('Done: one sign-in through Logto\'s loader against the mock WeChat.');
  } finally {
    await mock.close();
  }
};

if (process.argv.includes('--cli')) {
  await runCli();
} else {
  const demo = await start();
  const stop = async () => {
    await demo.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

