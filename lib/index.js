// Logto's entry point. The native binding has the connector's own functions; this closes them
// over `getConfig`, adds the metadata, and raises the binding's failure results as the host's
// ConnectorError (and config issues as the host's ZodError). All behaviour lives in Rust.
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

/** A binding result's value; its failure raised as the host's ConnectorError. */
const settle = (result) =>
  result.error
    ? toConnectorError(result.error).then((error) => {
        throw error;
      })
    : result;

// Errors thrown by the host's own callbacks (setSession), which pass through unchanged.
const hostErrors = new WeakSet();
const fromHost = (callback) =>
  typeof callback === 'function'
    ? async (...args) => {
        try {
          return await callback(...args);
        } catch (error) {
          if (Object(error) === error) hostErrors.add(error);
          throw error;
        }
      }
    : callback;

/** A binding call that threw instead of answering (it cannot run at all): a ConnectorError. */
const failed = async (error) => {
  if (hostErrors.has(error)) {
    throw error;
  }
  throw await toConnectorError({
    code: 'general',
    data: { errorDescription: `The WeChat connector failed: ${error?.message ?? String(error)}` },
  });
};

/**
 * Runs a binding call, which answers with a result (or a promise of one), and raises its failure.
 * The binding throws only when it cannot run at all (a panic, a value N-API cannot read): that is
 * a ConnectorError for Logto too. An error of the host's own (a failing setSession) passes
 * through unchanged.
 */
const call = (run) => {
  let result;
  try {
    result = run();
  } catch (error) {
    return failed(error);
  }
  return result instanceof Promise ? result.then(settle, failed) : settle(result);
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
  const { accessToken, openid } = await call(() => binding.getAccessToken(code, config));
  return { accessToken, openid };
};

const createConnector = async ({ getConfig }) => {
  await loadHost();
  return {
    metadata,
    type: 'Social',
    configGuard,
    getAuthorizationUri: async (payload, setSession) => {
      const config = await getConfig(connectorId);
      let answer;
      try {
        answer = binding.getAuthorizationUri(payload, fromHost(setSession), config);
      } catch (error) {
        return failed(error);
      }
      // The URL itself, at once or once setSession has stored the flow; or a failure.
      if (typeof answer === 'string') return answer;
      return answer instanceof Promise ? answer.then(settle, failed) : settle(answer);
    },
    getUserInfo: async (data, getSession) => {
      const config = await getConfig(connectorId);
      return (await call(() => binding.getUserInfo(data, getSession, config))).userInfo;
    },
    getTokenResponseAndUserInfo: async (data, getSession) => {
      const config = await getConfig(connectorId);
      const { userInfo, tokenResponse } = await call(() => binding.getTokenResponseAndUserInfo(data, getSession, config));
      return { tokenResponse, userInfo };
    },
    getAccessTokenByRefreshToken: async (refreshToken) => {
      const config = await getConfig(connectorId);
      return (await call(() => binding.getAccessTokenByRefreshToken(refreshToken, config))).tokenResponse;
    },
  };
};

export default createConnector;
