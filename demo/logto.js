// What the demo shares between its browser and terminal modes: the connector loaded through
// Logto's own loader, the demo configuration, and Logto's mapping of connector errors to HTTP.
import { fileURLToPath } from 'node:url';

import { loadConnectorFactories } from '@logto/cli/lib/connector/index.js';

export const root = fileURLToPath(new URL('../', import.meta.url));

/** The apps the mock WeChat knows, and the connector config that uses them. */
export const apps = Object.freeze({
  wx_demo_website: 'demo-website-secret-0123456789',
  wx_demo_official: 'demo-official-secret-0123456789',
});

export const demoConfig = ({ officialAccount = true, badSecret = false } = {}) => ({
  appId: 'wx_demo_website',
  appSecret: badSecret ? 'not-the-right-secret' : apps.wx_demo_website,
  ...(officialAccount
    ? {
        officialAccountAppId: 'wx_demo_official',
        officialAccountAppSecret: apps.wx_demo_official,
        officialAccountScope: 'snsapi_userinfo',
      }
    : {}),
});

export const wechatUserAgent =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323d) NetType/WIFI Language/zh_CN';

/** Loads this repository as Logto does: package.json check, lib/index.js, metadata, guard. */
export const loadWithLogto = async () => {
  const factories = await loadConnectorFactories([{ name: 'connector-wechat-web-rs', path: root }], false);
  const factory = factories.find((f) => f.metadata.id === 'wechat-web');
  if (!factory) {
    throw new Error("Logto's loader skipped the connector (see the message above)");
  }
  return factory;
};

/** The HTTP status Logto answers for a connector error code (koaConnectorErrorHandler). */
export const logtoStatus = (code) => {
  switch (code) {
    case 'social_auth_code_invalid':
    case 'social_invalid_access_token':
    case 'social_invalid_id_token':
    case 'authorization_failed':
      return 401;
    case 'not_implemented':
      return 501;
    case 'rate_limit_exceeded':
      return 429;
    default:
      return 400;
  }
};

/** A base64url state like the one Logto's sign-in experience makes. */
export const newState = () => Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('base64url').slice(0, 11);

/** Runs `fn`, recording how long it took under `label` in `steps`. */
export const timed = async (steps, label, fn) => {
  const start = process.hrtime.bigint();
  try {
    const value = await fn();
    steps.push({ label, ms: Number(process.hrtime.bigint() - start) / 1e6, ok: true });
    return value;
  } catch (error) {
    steps.push({ label, ms: Number(process.hrtime.bigint() - start) / 1e6, ok: false });
    throw error;
  }
};
