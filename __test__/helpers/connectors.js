// Both connectors side by side: the official package (a devDependency) and ours, fed the same
// config and reaching the same mock WeChat. Ours reaches it through LOGTO_WECHAT_API_BASE_URL.
// The official one has https://api.weixin.qq.com built in, so it reaches the mock as it would
// reach WeChat through a proxy: Node's own proxy support (the default agent's `proxyEnv`) tunnels
// api.weixin.qq.com:443 through a loopback proxy to a TLS endpoint that holds a certificate for
// that name (the test CA's, trusted by the agent) and passes the bytes on to the mock. Real
// sockets and real TLS all the way; nothing intercepts got's requests.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

import { satisfies } from '../../lib/versions.js';
import { caFile, startMockWeChat, tlsDir } from '../../mock/wechat-server.js';

export const officialModule = await import('@logto/connector-wechat-web');
export const oursModule = await import('../../lib/index.js');

export const webApp = Object.freeze({ appId: 'wx_web_app', appSecret: 'web-app-secret-123456' });

let wechat;
let proxy;
const startProxy = async () => {
  const secureContext = tls.createSecureContext({
    cert: readFileSync(`${tlsDir}server.pem`),
    key: readFileSync(`${tlsDir}server.key`),
  });
  const server = http.createServer((req, res) => res.writeHead(405).end());
  server.on('connect', (req, socket) => {
    socket.on('error', () => socket.destroy());
    if (req.url !== 'api.weixin.qq.com:443') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const { hostname, port } = new URL(wechat.url);
    const upstream = net.connect(Number(port), hostname.replace(/^\[(.*)\]$/, '$1'));
    let tunnel;
    socket.on('close', () => upstream.destroy());
    // As a proxy answers: 502 when WeChat cannot be reached, a broken tunnel when it breaks.
    upstream.on('error', () => (tunnel ? tunnel.destroy() : socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')));
    upstream.on('connect', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      tunnel = new tls.TLSSocket(socket, { isServer: true, secureContext });
      tunnel.on('error', () => tunnel.destroy());
      tunnel.pipe(upstream).pipe(tunnel);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The test file ends when its tests do, tunnels or not.
  server.unref();
  return `http://127.0.0.1:${server.address().port}`;
};

/** Points both connectors at `mock` (anything with a `url`; a closed port is an unreachable WeChat). */
export const bridgeOfficialTo = async (mock) => {
  // Older Nodes ignore `proxyEnv`, and the official connector would look for the real WeChat.
  if (!satisfies(process.version, '^22.21.0 || >=24.5.0')) {
    throw new Error(`the differential suites need Node's built-in proxy support (22.21+, 24.5+), not ${process.version}: run them with npm test`);
  }
  wechat = mock;
  proxy ??= await startProxy();
  https.globalAgent = new https.Agent({ proxyEnv: { HTTPS_PROXY: proxy }, ca: readFileSync(caFile) });
  process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
};

export const createBoth = async (config = webApp) => {
  const getConfig = async () => config;
  return {
    official: await officialModule.default({ getConfig }),
    ours: await oursModule.default({ getConfig }),
  };
};

/** A mock WeChat with both connectors pointed at it, for the Website App alone. */
export const startBoth = async () => {
  const mock = await startMockWeChat();
  await bridgeOfficialTo(mock);
  return { mock, both: await createBoth() };
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
