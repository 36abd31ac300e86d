// What Logto's core does around a social connector, written from its source (core 1.42):
// - a sign-in keeps the connector session that `getAuthorizationUri` records in one of two ways:
//   the Interaction API checks it with connector-kit's `connectorSessionGuard` (a partial object
//   that keeps unknown keys) and hands `getUserInfo` a copy, once; with nothing stored its
//   `getSession` throws (`session.connector_validation_session_not_found`). The Experience API
//   (today's sign-in page) and the Account API (`/api/verifications/social`) keep it in a social
//   verification record, saved as JSON between the two requests and read back through the same
//   guard; its `getSession` answers the record's session, or `{}` when there is none;
// - the Management API (`POST /api/connectors/:id/authorization-uri`) and the account API
//   (`/api/me/social/...`) pass `notImplemented` from @logto/cli as `setSession`/`getSession`,
//   which throws `ConnectorError('not_implemented')`;
// - koaConnectorErrorHandler turns a ConnectorError of the host's own connector-kit into a
//   RequestError with a status per code, whose body's `details` is present only when the data is
//   an instance of the host's own zod `ZodError`; anything else is a 500;
// - two connector factories with one id stop Logto (`connector.more_than_one_connector_factory`).
// Each function answers as Logto's HTTP layer would: `{ status, body }`.

/** koaConnectorErrorHandler's statuses; codes it does not list are 400. */
const statusByCode = Object.freeze({
  social_auth_code_invalid: 401,
  social_invalid_access_token: 401,
  social_invalid_id_token: 401,
  authorization_failed: 401,
  not_implemented: 501,
  rate_limit_exceeded: 429,
  usage_limit_exceeded: 429,
  template_not_found: 400,
});

/** RequestError's `formatZodError`. */
const formatZodError = ({ issues }) =>
  issues.map((issue) => {
    const base = `Error in key path "${issue.path.map(String).join('.')}": (${issue.code}) `;
    return issue.code === 'invalid_type' ? `${base}Expected ${issue.expected} but received ${issue.received}.` : base + issue.message;
  });

/**
 * A Logto-like host over the given copies of connector-kit and zod (the ones the connector
 * resolves as the host's).
 */
export const createLogtoCore = ({ kit, zod }) => {
  const { ConnectorError, ConnectorErrorCodes, connectorSessionGuard } = kit;

  /** @logto/cli's `notImplemented`: throws synchronously. */
  const notImplemented = () => {
    throw new ConnectorError(ConnectorErrorCodes.NotImplemented);
  };

  /** Runs a route's work; answers `{ status, body }` as Logto's error handlers would. */
  const respond = async (work) => {
    try {
      return { status: 200, body: await work() };
    } catch (error) {
      if (!(error instanceof ConnectorError)) {
        return { status: 500, body: { code: 'unknown', message: 'Internal server error.' }, error };
      }
      const { code, data } = error;
      const details = data instanceof zod.ZodError ? formatZodError(data).join('\n') : undefined;
      return { status: statusByCode[code] ?? 400, body: { code: `connector.${code}`, data, ...(details ? { details } : {}) }, error };
    }
  };

  const payloadFor = (connector, { state, redirectUri, userAgent, scope, jti }) => ({
    state,
    redirectUri,
    ...(scope === undefined ? {} : { scope }),
    connectorId: 'wechat-connector-row',
    connectorFactoryId: connector.metadata.id,
    jti,
    headers: { userAgent },
  });

  /**
   * One sign-in, its connector session kept as the Interaction API (`keeper: 'interaction'`) or
   * as a social verification record (`keeper: 'verification'`) keeps it.
   */
  const signInFlow = (connector, { keeper = 'interaction' } = {}) => {
    let stored;
    const setSession = {
      interaction: async (session) => {
        stored = connectorSessionGuard.parse(session);
      },
      verification: async (session) => {
        // The record, saved once the request is done, and loaded by the next one.
        stored = connectorSessionGuard.parse(JSON.parse(JSON.stringify(session)));
      },
    }[keeper];
    const getSession = {
      interaction: async () => {
        if (!stored) {
          throw new Error('session.connector_validation_session_not_found');
        }
        const session = connectorSessionGuard.parse(structuredClone(stored));
        stored = undefined;
        return session;
      },
      verification: async () => stored ?? {},
    }[keeper];
    return {
      get session() {
        return stored && structuredClone(stored);
      },
      authorizationUri: (request) =>
        respond(async () => {
          const redirectTo = await connector.getAuthorizationUri(payloadFor(connector, { jti: 'interaction-jti', ...request }), setSession);
          return { redirectTo };
        }),
      /** `getUserInfo` (or, with token storage, `getTokenResponseAndUserInfo`) on the callback data. */
      verify: (connectorData, { tokenStorage = false } = {}) =>
        respond(async () =>
          tokenStorage ? connector.getTokenResponseAndUserInfo(connectorData, getSession) : connector.getUserInfo(connectorData, getSession)
        ),
    };
  };

  /** `POST /api/connectors/:id/authorization-uri` and `/api/me/social/authorization-uri`. */
  const withoutSession = (connector) => ({
    authorizationUri: (request) =>
      respond(async () => {
        const redirectTo = await connector.getAuthorizationUri(payloadFor(connector, { jti: '', ...request }), notImplemented);
        return { redirectTo };
      }),
    verify: (connectorData) => respond(async () => connector.getUserInfo(connectorData, notImplemented)),
  });

  /** Logto's refresh of a stored token (Secret Vault). */
  const refresh = (connector, refreshToken) => respond(async () => connector.getAccessTokenByRefreshToken(refreshToken));

  /** Logto's start-up check: at most one factory per connector id. */
  const checkFactories = (factories) => {
    const ids = factories.map(({ metadata }) => metadata.id);
    const duplicated = [...new Set(ids)].filter((id) => ids.filter((other) => other === id).length > 1);
    if (duplicated.length > 0) {
      throw Object.assign(new Error(`connector.more_than_one_connector_factory: ${duplicated.join(', ')}`), { status: 422 });
    }
  };

  /** The Management API's config check (`PATCH /api/connectors/:id`): the guard's verdict. */
  const validateConfig = (factory, config) =>
    respond(async () => {
      const result = factory.configGuard.safeParse(config);
      if (!result.success) {
        throw new ConnectorError(ConnectorErrorCodes.InvalidConfig, result.error);
      }
      return result.data;
    });

  return { signInFlow, managementApi: withoutSession, meApi: withoutSession, refresh, checkFactories, validateConfig, notImplemented };
};
