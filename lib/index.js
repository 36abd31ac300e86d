// Logto's entry point. The native binding has the connector's own functions; this closes them
// over `getConfig`, adds the metadata, and raises the `error` of each binding result as the host's
// ConnectorError (config issues as the host's ZodError). All behaviour lives in Rust.
import { loadBinding } from './binding.js';
import { connectorId, metadata } from './metadata.js';
import { ZodError } from './zod-error.js';

export { ZodError };

const binding = loadBinding();

// The host's @logto/connector-kit and zod, resolved from this folder as Logto resolves them, and
// imported when the connector is created or an error raised, not at import: Logto recognises a
// ConnectorError, and fills an error body's `details`, only for instances of its own classes.
let hostModules;
let HostZodError = ZodError;
const loadHost = () =>
  (hostModules ??= Promise.all([import('@logto/connector-kit'), import('zod').catch(() => undefined)]).then(([kit, zod]) => {
    HostZodError = typeof zod?.ZodError === 'function' ? zod.ZodError : ZodError;
    return kit;
  }));

const connectorError = async ({ code, data, issues }) =>
  new (await loadHost()).ConnectorError(code, issues ? new HostZodError(issues) : data);

// What the host's own callbacks throw passes through unchanged; they stay synchronous or not.
const hostErrors = new WeakSet();
const rethrow = (error) => {
  if (Object(error) === error) hostErrors.add(error);
  throw error;
};
const fromHost = (callback) =>
  typeof callback === 'function'
    ? (...args) => {
        try {
          const returned = callback(...args);
          return returned instanceof Promise ? returned.catch(rethrow) : returned;
        } catch (error) {
          return rethrow(error);
        }
      }
    : callback;

/**
 * A binding call's result, its `error` raised. Anything else the binding throws (it cannot run:
 * a panic, a value it cannot read) is a ConnectorError too; the host's own errors pass through.
 */
const call = async (run) => {
  let result;
  try {
    result = await run();
  } catch (error) {
    if (hostErrors.has(error)) throw error;
    const errorDescription = `The WeChat connector failed: ${error?.message ?? String(error)}`;
    throw await connectorError({ code: 'general', data: { errorDescription } });
  }
  if (result.error) throw await connectorError(result.error);
  return result;
};

const safeParse = (value) => {
  const { data, issues } = binding.validateConfig(value);
  return issues ? { success: false, error: new HostZodError(issues) } : { success: true, data };
};

const parse = (value) => {
  const { success, data, error } = safeParse(value);
  if (success) return data;
  throw error;
};

export const configGuard = Object.freeze({
  safeParse,
  parse,
  safeParseAsync: async (value) => safeParse(value),
  parseAsync: async (value) => parse(value),
});

/** The official module's named export: exchanges a code, resolves to `{ accessToken, openid }`. */
export const getAccessToken = async (code, config) => {
  const { accessToken, openid } = await call(() => binding.getAccessToken(code, config));
  return { accessToken, openid };
};

const createConnector = async ({ getConfig }) => {
  await loadHost();
  // Each binding function takes the connector function's arguments, then the config.
  const run = async (name, ...args) => {
    const config = await getConfig(connectorId);
    return call(() => binding[name](...args, config));
  };
  return {
    metadata,
    type: 'Social',
    configGuard,
    getAuthorizationUri: async (payload, setSession) => (await run('getAuthorizationUri', payload, fromHost(setSession))).url,
    getUserInfo: async (data, getSession) => (await run('signIn', data, getSession)).userInfo,
    getTokenResponseAndUserInfo: async (data, getSession) => {
      const { userInfo, tokenResponse } = await run('signIn', data, getSession);
      return { tokenResponse, userInfo };
    },
    getAccessTokenByRefreshToken: async (refreshToken) => (await run('getAccessTokenByRefreshToken', refreshToken)).tokenResponse,
  };
};

export default createConnector;
