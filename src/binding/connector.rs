//! The connector's functions, with connector-kit's parameters. Each reads its JS values, lets the
//! core decide, and answers with one result object; the WeChat calls run on the I/O runtime.

use napi::bindgen_prelude::*;
use napi::{Env, JsValue, Unknown, ValueType};
use napi_derive::napi;

use super::input::read;
use super::results::{
    AccessTokenResult, AuthorizationUriResult, CheckResult, ConfigResult, FlowSession,
    RefreshResult, SignInResult,
};
use crate::error::{self, Code, Failure};
use crate::schema::{Kind, Shape};
use crate::{authorization, check, config, flow, wechat};

/// A host callback as Logto passes it, or whatever else was passed.
type Callback<'env, Args, Return> = Either<Function<'env, Args, Return>, Unknown<'env>>;

/// What a host callback returned: a promise, or anything else.
type Returned<'env, T> = Either<Promise<T>, Unknown<'env>>;

/// What the connector reads of connector-kit's `getAuthorizationUri` payload. Each value is
/// converted as the official connector converts it (`String(state)`, …).
#[napi(object, object_to_js = false)]
pub struct AuthorizationUriPayload<'env> {
    #[napi(ts_type = "string")]
    pub state: Option<Unknown<'env>>,
    #[napi(ts_type = "string")]
    pub redirect_uri: Option<Unknown<'env>>,
    #[napi(ts_type = "string")]
    pub scope: Option<Unknown<'env>>,
    #[napi(ts_type = "RequestHeaders")]
    pub headers: Option<Either<RequestHeaders<'env>, Unknown<'env>>>,
}

/// The browser's request headers, as Logto passes them.
#[napi(object, object_to_js = false)]
pub struct RequestHeaders<'env> {
    #[napi(ts_type = "string")]
    pub user_agent: Option<Unknown<'env>>,
}

/// The connector's `configGuard.safeParse`.
#[napi(catch_unwind, ts_args_type = "value: unknown")]
pub fn validate_config<'env>(env: &'env Env, value: Unknown<'env>) -> Result<ConfigResult<'env>> {
    let read = read(env, &value, config::keys())?;
    Ok(match config::parse(&read.input) {
        Ok(_) => {
            let mut data = Object::new(env)?;
            for (key, field) in read.fields {
                data.set_named_property(key, field)?;
            }
            ConfigResult {
                data: Some(data),
                issues: None,
            }
        }
        Err(issues) => ConfigResult {
            data: None,
            issues: Some(issues.iter().map(|issue| issue.to_json()).collect()),
        },
    })
}

/// The config as the flows use it, or `invalid_config` with the guard's issues.
fn validated(env: &Env, value: &Unknown) -> Result<error::Result<config::Config>> {
    Ok(config::require(&read(env, value, config::keys())?.input))
}

/// The config and the WeChat API it will call, both taken now, on the JS thread.
fn prepared(env: &Env, value: &Unknown) -> Result<error::Result<(config::Config, wechat::Api)>> {
    Ok(validated(env, value)?.and_then(|config| Ok((config, wechat::Api::from_env()?))))
}

/// Where to send the browser: WeChat's QR login page, or, inside WeChat's own browser with an
/// Official Account configured, its consent page, once the flow is recorded with `setSession`.
/// Where Logto keeps no session (its `setSession` throws `not_implemented`), the QR login, which
/// needs none. Any other error of `setSession` rejects, unchanged.
#[napi(
    catch_unwind,
    ts_args_type = "payload: AuthorizationUriPayload, setSession: SetSession, config: unknown"
)]
pub fn get_authorization_uri<'env>(
    env: &'env Env,
    payload: AuthorizationUriPayload<'env>,
    set_session: Callback<'env, FlowSession, Returned<'env, ()>>,
    config: Unknown<'env>,
) -> Result<PromiseRaw<'env, AuthorizationUriResult>> {
    let answer = |result: error::Result<String>| PromiseRaw::resolve(env, result.into());
    let config = match validated(env, &config)? {
        Ok(config) => config,
        Err(failure) => return answer(Err(failure)),
    };
    // Converted in the official connector's order: `encodeURI(redirectUri)` (which throws on a
    // lone surrogate), then URLSearchParams' `String()` of the scope and the state.
    // A value the payload lacks is `undefined`, converted as JavaScript converts it.
    let undefined = ().into_unknown(env)?;
    let Some(redirect_uri) = well_formed_string(&payload.redirect_uri.unwrap_or(undefined))? else {
        return answer(Err(Failure::described(
            Code::InvalidRequestParameters,
            "redirectUri is not a well-formed string (URI malformed)",
        )));
    };
    let scope = match &payload.scope {
        // `customScope ?? config.scope`: null is no scope either.
        Some(scope) if scope.get_type()? != ValueType::Null => Some(string_value(scope)?),
        _ => None,
    };
    let state = string_value(&payload.state.unwrap_or(undefined))?;
    let user_agent = match &payload.headers {
        Some(Either::A(RequestHeaders {
            user_agent: Some(agent),
        })) => text_if_string(agent)?,
        _ => None,
    };
    let request = authorization::Request {
        state: &state,
        redirect_uri: &redirect_uri,
        scope: scope.as_deref(),
        user_agent: user_agent.as_deref(),
    };
    let found = match authorization::authorization_uri(&config, &request) {
        Ok(found) => found,
        Err(failure) => return answer(Err(failure)),
    };
    let Some(session) = found.session else {
        return answer(Ok(found.url));
    };
    let qr_url = authorization::qr_uri(&config, &request);
    let Either::A(set_session) = set_session else {
        return answer(Ok(qr_url));
    };
    let url = found.url;
    match set_session.call(session.into()) {
        Ok(Either::B(_)) => answer(Ok(url)),
        Ok(Either::A(stored)) => {
            env.spawn_future_with_callback(async move { Ok(stored.await) }, move |env, stored| {
                match stored.err().map(|error| unless_not_implemented(env, error)) {
                    None => Ok(Ok(url).into()),
                    Some(Ok(None)) => Ok(Ok(qr_url).into()),
                    Some(Ok(Some(thrown))) => Err(Error::from_unknown_without_coercion(thrown)),
                    Some(Err(error)) => Err(error),
                }
            })
        }
        Err(error) => match unless_not_implemented(env, error)? {
            None => answer(Ok(qr_url)),
            Some(thrown) => PromiseRaw::reject(env, thrown),
        },
    }
}

/// What the host threw, the value itself (napi-rs keeps any value a promise rejects with, and an
/// object thrown synchronously), unless it is connector-kit's `ConnectorError('not_implemented')`.
fn unless_not_implemented(env: &Env, error: Error) -> Result<Option<Unknown<'_>>> {
    let thrown = error.into_unknown(env)?;
    let code = match thrown.get_type()? {
        ValueType::Object => Object::from_unknown(thrown)?
            .get_named_property("code")
            .ok(),
        _ => None,
    };
    Ok(match code {
        Some(Either::<String, Unknown>::A(code)) if code == "not_implemented" => None,
        _ => Some(thrown),
    })
}

/// Signs the user in, for `getUserInfo` and `getTokenResponseAndUserInfo`: checks the callback
/// data and the config, reads the flow `getSession` returns (none, or a failing `getSession`, is
/// the QR login), exchanges the code with that flow's app and reads the profile. A refresh token
/// issued to the Official Account is marked `wxoa:`, so that a refresh goes to the app that
/// issued it.
#[napi(
    catch_unwind,
    ts_args_type = "data: unknown, getSession: GetSession, config: unknown"
)]
pub fn sign_in<'env>(
    env: &'env Env,
    data: Unknown<'env>,
    get_session: Callback<'env, (), Returned<'env, Option<FlowSession>>>,
    config: Unknown<'env>,
) -> Result<PromiseRaw<'env, SignInResult>> {
    let answer = |failure| PromiseRaw::resolve(env, SignInResult::from(Err(failure)));
    let code = match callback_code(env, data)? {
        Ok(code) => code,
        Err(failure) => return answer(failure),
    };
    let (config, api) = match prepared(env, &config)? {
        Ok(prepared) => prepared,
        Err(failure) => return answer(failure),
    };
    // A getSession that throws, rejects or gives something else than a flow session: no
    // session, the QR login.
    let session = match get_session {
        Either::A(get_session) => match get_session.call(()) {
            Ok(Either::A(promise)) => StoredSession::Later(promise),
            Ok(Either::B(value)) => StoredSession::Now(Option::from_unknown(value).ok().flatten()),
            Err(_) => StoredSession::Now(None),
        },
        Either::B(_) => StoredSession::Now(None),
    };
    env.spawn_future(async move {
        let session = match session {
            StoredSession::Now(session) => session,
            StoredSession::Later(promise) => promise.await.ok().flatten(),
        };
        let flow = flow::flow_from_session(&config, session.map(Into::into).as_ref());
        Ok(SignInResult::from(
            flow::sign_in(&api, &config, &code, flow).await,
        ))
    })
}

/// The flow session `getSession` gave: at once, or once its promise settles.
enum StoredSession {
    Now(Option<FlowSession>),
    Later(Promise<Option<FlowSession>>),
}

/// The callback data must be an object with a string `code`; otherwise `general` with
/// `JSON.stringify(data)`, as the official connector reports it.
fn callback_code(env: &Env, data: Unknown) -> Result<error::Result<String>> {
    let input = read(env, &data, ["code"])?.input;
    if input.kind() == Kind::Object {
        if let Some(code) = input.field("code").and_then(Shape::as_text) {
            return Ok(Ok(code.to_owned()));
        }
    }
    let json: Object = env.get_global()?.get_named_property("JSON")?;
    let stringify: Function<Unknown, Option<String>> = json.get_named_property("stringify")?;
    Ok(Err(match stringify.apply(json, data) {
        Ok(Some(text)) => Failure::text(Code::General, text),
        Ok(None) => Failure::bare(Code::General),
        Err(_) => Failure::described(
            Code::General,
            "the callback data is not an object with a string `code`",
        ),
    }))
}

/// Asks the app that issued the refresh token for a new access token.
#[napi(catch_unwind, ts_args_type = "refreshToken: string, config: unknown")]
pub fn get_access_token_by_refresh_token<'env>(
    env: &'env Env,
    refresh_token: Either<String, Unknown<'env>>,
    config: Unknown<'env>,
) -> Result<PromiseRaw<'env, RefreshResult>> {
    let Either::A(refresh_token) = refresh_token else {
        let failure = Failure::described(
            Code::InvalidRequestParameters,
            "the refresh token is not a string",
        );
        return PromiseRaw::resolve(env, RefreshResult::from(Err(failure)));
    };
    let (config, api) = match prepared(env, &config)? {
        Ok(prepared) => prepared,
        Err(failure) => return PromiseRaw::resolve(env, RefreshResult::from(Err(failure))),
    };
    env.spawn_future(async move {
        Ok(RefreshResult::from(
            flow::refresh(&api, &config, &refresh_token).await,
        ))
    })
}

/// The official module's named export `getAccessToken(code, config)`: the code exchange alone,
/// with the Website App.
#[napi(catch_unwind, ts_args_type = "code: string, config: unknown")]
pub fn get_access_token<'env>(
    env: &'env Env,
    code: Unknown<'env>,
    config: Unknown<'env>,
) -> Result<PromiseRaw<'env, AccessTokenResult>> {
    let code = string_value(&code)?;
    let (config, api) = match prepared(env, &config)? {
        Ok(prepared) => prepared,
        Err(failure) => return PromiseRaw::resolve(env, AccessTokenResult::from(Err(failure))),
    };
    env.spawn_future(async move {
        Ok(AccessTokenResult::from(
            flow::exchange_code(&api, &config.web, &code).await,
        ))
    })
}

/// The install check's questions to WeChat (`lib/check.js --config`): can its API be reached
/// from here, and does it accept each configured app's AppID and AppSecret.
#[napi(catch_unwind, ts_args_type = "config: unknown")]
pub fn check_wechat<'env>(
    env: &'env Env,
    config: Unknown<'env>,
) -> Result<PromiseRaw<'env, CheckResult>> {
    let (config, api) = match prepared(env, &config)? {
        Ok(prepared) => prepared,
        Err(failure) => {
            let error = Some(failure.into());
            return PromiseRaw::resolve(
                env,
                CheckResult {
                    lines: vec![],
                    error,
                },
            );
        }
    };
    env.spawn_future(async move {
        let lines = check::run(&api, &config).await;
        let lines = lines.into_iter().map(Into::into).collect();
        Ok(CheckResult { lines, error: None })
    })
}

/// JavaScript's `String(value)` as UTF-8, a lone surrogate becoming U+FFFD (as URLSearchParams
/// converts it). Throws where `String()` would (a symbol).
fn string_value(value: &Unknown) -> Result<String> {
    value.coerce_to_string()?.into_utf8()?.into_owned()
}

/// The value as UTF-8 when it is a string; `None` for any other type.
fn text_if_string(value: &Unknown) -> Result<Option<String>> {
    match value.get_type()? {
        ValueType::String => String::from_unknown(*value).map(Some),
        _ => Ok(None),
    }
}

/// `String(value)` when it is well-formed UTF-16; `None` when it holds a lone surrogate, which
/// makes JavaScript's `encodeURI` throw.
fn well_formed_string(value: &Unknown) -> Result<Option<String>> {
    let units = value.coerce_to_string()?.into_utf16()?;
    // napi's buffer ends with the NUL terminator it writes.
    let units = units.as_slice();
    let units = units.strip_suffix(&[0]).unwrap_or(units);
    Ok(String::from_utf16(units).ok())
}
