// Logto's entry point. It adapts the native binding to Logto's connector shape and turns the
// binding's failure results into the host's ConnectorError; all behaviour lives in Rust.
import { connectorId, metadata } from './metadata.js';
import { loadBinding } from './platform.js';

const binding = await loadBinding(() => import('../index.js'));

/**
 * A stand-in for zod's `ZodError` — `issues`, `name`, a JSON `message` — used only where the
 * host has no zod of its own (see `hostModules`).
 */
export class ZodError extends Error {
  constructor(issues) {
    super(JSON.stringify(issues, null, 2));
    this.issues = issues;
    this.name = 'ZodError';
  }

  get errors() {
    return this.issues;
  }

  flatten() {
    const fieldErrors = {};
    const formErrors = [];
    for (const issue of this.issues) {
      if (issue.path.length === 0) {
        formErrors.push(issue.message);
      } else {
        (fieldErrors[issue.path[0]] ??= []).push(issue.message);
      }
    }
    return { formErrors, fieldErrors };
  }
}

// The host's own @logto/connector-kit and zod (Logto's copies, resolved from this folder as
// Logto resolves its connectors), imported once: when Logto creates the connector (its loader
// does so at start-up) or when the first error is raised, never at import. Logto recognises a
// ConnectorError, and fills an error body's `details`, only for instances of its own classes.
let hostModules;
let HostZodError = ZodError;
const loadHost = () =>
  (hostModules ??= Promise.all([import('@logto/connector-kit'), import('zod').catch(() => undefined)]).then(
    ([kit, zod]) => {
      HostZodError = typeof zod?.ZodError === 'function' ? zod.ZodError : ZodError;
      return kit;
    }
  ));

const toConnectorError = async ({ code, data, issues }) => {
  const kit = await loadHost();
  return new kit.ConnectorError(code, issues ? new HostZodError(issues) : data);
};

/** Raises a failure result as a ConnectorError; passes anything else through. */
const settle = async (outcome) => {
  if (outcome?.error) {
    throw await toConnectorError(outcome.error);
  }
  return outcome;
};

/** A binding call that threw (or rejected) instead of returning a result: still a ConnectorError. */
const nativeFailure = (error) => ({
  error: {
    code: 'general',
    data: { errorDescription: `The native WeChat connector failed: ${error?.message ?? String(error)}` },
  },
});
const invoke = (run) => {
  try {
    return run();
  } catch (error) {
    return nativeFailure(error);
  }
};
const invokeAsync = async (run) => {
  try {
    return await run();
  } catch (error) {
    return nativeFailure(error);
  }
};

// Calls a binding function with a config first — the object, a bit set of which of the values
// after it are not undefined (so that Rust asks N-API about those only), its `then` (zod's promise
// check reads it) and the values of the keys Rust validates — then up to four arguments of the
// call's own. Property reads are far cheaper here than through N-API, and written out each read
// stays monomorphic. The keys must be the binding's, in its order (checked at load).
const defined = (...values) => {
  let bits = 0;
  for (let i = 0; i < values.length; i += 1) {
    if (values[i] !== undefined) bits |= 1 << i;
  }
  return bits;
};
const withConfig = (run, config, a, b, c, d) => {
  const then = config?.then;
  const appId = config?.appId;
  const appSecret = config?.appSecret;
  const scope = config?.scope;
  const officialAccountAppId = config?.officialAccountAppId;
  const officialAccountAppSecret = config?.officialAccountAppSecret;
  const officialAccountScope = config?.officialAccountScope;
  return run(
    config,
    defined(then, appId, appSecret, scope, officialAccountAppId, officialAccountAppSecret, officialAccountScope),
    then,
    appId,
    appSecret,
    scope,
    officialAccountAppId,
    officialAccountAppSecret,
    officialAccountScope,
    a,
    b,
    c,
    d
  );
};
const authorizationUri = binding.authorizationUriFunction();
const configKeys = ['appId', 'appSecret', 'scope', 'officialAccountAppId', 'officialAccountAppSecret', 'officialAccountScope'];
if (binding.configKeys().join() !== configKeys.join()) {
  throw new Error('lib/index.js reads other config keys than the native binding validates');
}

/** Reads the flow recorded by getAuthorizationUri; no session means the QR login. */
const readSession = async (getSession) => {
  try {
    return typeof getSession === 'function' ? await getSession() : undefined;
  } catch {
    return undefined;
  }
};

const safeParse = (value) => {
  const { data, issues } = binding.validateConfig(value);
  return issues ? { success: false, error: new HostZodError(issues) } : { success: true, data };
};

const parse = (value) => {
  const result = safeParse(value);
  if (!result.success) {
    throw result.error;
  }
  return result.data;
};

export const configGuard = Object.freeze({
  safeParse,
  parse,
  safeParseAsync: async (value) => safeParse(value),
  parseAsync: async (value) => parse(value),
});

/** The official module's named export: exchanges a code, resolves to `{ accessToken, openid }`. */
export const getAccessToken = async (code, config) => {
  const { accessToken, openid } = await settle(await invokeAsync(() => withConfig(binding.accessToken, config, code)));
  return { accessToken, openid };
};

const createConnector = async ({ getConfig }) => {
  await loadHost();
  const signIn = async (data, getSession) => {
    const { code } = await settle(invoke(() => binding.callbackCode(data)));
    const config = await getConfig(connectorId);
    const session = await readSession(getSession);
    return settle(await invokeAsync(() => withConfig(binding.signIn, config, code, session)));
  };

  return {
    metadata,
    type: 'Social',
    configGuard,
    getAuthorizationUri: async ({ state, redirectUri, scope, headers }, setSession) => {
      const config = await getConfig(connectorId);
      const outcome = invoke(() => withConfig(authorizationUri, config, state, redirectUri, scope, headers?.userAgent));
      // A bare URL in the usual case; `{ url, session }` when the flow must be recorded.
      if (typeof outcome === 'string') {
        return outcome;
      }
      const { url, session } = await settle(outcome);
      try {
        await setSession(session);
      } catch (error) {
        // Where Logto keeps no connector session (the Management API, /api/me), its setSession
        // throws not_implemented. The QR login needs no session: answer with its URL, as the
        // official connector does for every user agent.
        if (error?.code !== 'not_implemented') {
          throw error;
        }
        return settle(invoke(() => withConfig(authorizationUri, config, state, redirectUri, scope, undefined)));
      }
      return url;
    },
    getUserInfo: async (data, getSession) => (await signIn(data, getSession)).userInfo,
    getTokenResponseAndUserInfo: async (data, getSession) => {
      const { tokenResponse, userInfo } = await signIn(data, getSession);
      return { tokenResponse, userInfo };
    },
    getAccessTokenByRefreshToken: async (refreshToken) => {
      const config = await getConfig(connectorId);
      const { tokenResponse } = await settle(
        await invokeAsync(() => withConfig(binding.refreshAccessToken, config, refreshToken))
      );
      return tokenResponse;
    },
  };
};

export default createConnector;
