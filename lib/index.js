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

/**
 * A binding call's result, its `error` raised. Anything else the binding throws (it cannot run:
 * a panic, a value it cannot read) is a ConnectorError too, unless `fromHost` says the host threw it.
 */
const call = async (run, fromHost = () => false) => {
  let result;
  try {
    result = await run();
  } catch (error) {
    if (fromHost(error)) throw error;
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
  const run = async (name, args, fromHost) => {
    const config = await getConfig(connectorId);
    return call(() => binding[name](...args, config), fromHost);
  };
  return {
    metadata,
    type: 'Social',
    configGuard,
    getAuthorizationUri: async (payload, setSession) => {
      // What the host's setSession throws passes through unchanged. The binding gets it as an async
      // function: napi-rs gives back whatever a promise rejects with, but cannot keep a string (or
      // any value but an object) thrown synchronously.
      let thrown;
      const watched = async (session) => {
        try {
          return await setSession(session);
        } catch (error) {
          thrown = { error };
          throw error;
        }
      };
      const fromHost = (error) => thrown !== undefined && Object.is(thrown.error, error);
      const callback = typeof setSession === 'function' ? watched : setSession;
      return (await run('getAuthorizationUri', [payload, callback], fromHost)).url;
    },
    getUserInfo: async (data, getSession) => (await run('signIn', [data, getSession])).userInfo,
    getTokenResponseAndUserInfo: async (data, getSession) => {
      const { userInfo, tokenResponse } = await run('signIn', [data, getSession]);
      return { tokenResponse, userInfo };
    },
    getAccessTokenByRefreshToken: async (refreshToken) => (await run('getAccessTokenByRefreshToken', [refreshToken])).tokenResponse,
  };
};

export default createConnector;
