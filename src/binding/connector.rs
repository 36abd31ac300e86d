//! The connector's functions, with connector-kit's parameters: `getAuthorizationUri(payload,
//! setSession, config)`, `getUserInfo(data, getSession, config)`, and so on. Each reads its JS
//! values, hands them to the core, and returns a result object; the WeChat calls run on the I/O
//! runtime.

use napi::bindgen_prelude::*;
use napi::{Env, JsGlobal, JsValue, Unknown, ValueType};
use napi_derive::napi;

use super::objects::{
    authorization_answer, AccessTokenResult, AuthorizationAnswer, FlowSession, RefreshResult,
    SignInResult, UserInfoResult,
};
use super::values::{string_value, text_if_string, Keys, Reader};
use crate::error::{Code, Failure};
use crate::schema::{Input, Kind, Shape};
use crate::{authorization, config, flow, wechat};

/// What `getAuthorizationUri` returns: the answer at once, or, when the flow had to be recorded
/// with an asynchronous `setSession`, once it is stored.
type Authorization<'env> = Either<AuthorizationAnswer, PromiseRaw<'env, AuthorizationAnswer>>;

/// A session callback as Logto passes it, or whatever else was passed.
type Callback<'env, Args> = Either<Function<'env, Args, Unknown<'env>>, Unknown<'env>>;

/// The connector's `configGuard.safeParse`: `{ data }` with the keys zod would keep (the very
/// values that were checked), or `{ issues }` as zod reports them.
#[napi(
    catch_unwind,
    ts_args_type = "value: unknown",
    ts_return_type = "{ data?: WechatWebConfig; issues?: ZodIssue[] }"
)]
pub fn validate_config<'env>(env: &'env Env, value: Unknown<'env>) -> Result<Object<'env>> {
    let read = Reader::new(env)?.read_shape(&value, Keys::Config)?;
    let mut result = Object::new(env)?;
    match config::parse(&read.input) {
        Ok(_) => {
            let mut data = Object::new(env)?;
            for (key, field) in read.fields {
                data.set_named_property(key, field)?;
            }
            result.set_named_property("data", data)?;
        }
        Err(issues) => {
            let issues: Vec<_> = issues.iter().map(|issue| issue.to_json()).collect();
            result.set_named_property("issues", issues)?;
        }
    }
    Ok(result)
}

/// The config as the flows use it, or `invalid_config` with the guard's issues.
fn validated(reader: &Reader, value: &Unknown) -> Result<crate::error::Result<config::Config>> {
    Ok(config::require(&reader.read_values(value, Keys::Config)?))
}

/// The config and the WeChat API it will call, both taken now, on the JS thread.
fn prepared(
    reader: &Reader,
    value: &Unknown,
) -> Result<crate::error::Result<(config::Config, wechat::Api)>> {
    Ok(validated(reader, value)?.and_then(|config| Ok((config, wechat::Api::from_env()?))))
}

/// Where to send the browser: WeChat's QR login page, or, inside WeChat's own browser with an
/// Official Account configured, its consent page. In that case the flow is recorded with
/// `setSession` for `getUserInfo`; where Logto keeps no session (its Management API and
/// `/api/me`, whose `setSession` throws `not_implemented`) the QR login, which needs none, is the
/// answer, as the official connector gives for every browser.
#[napi(
    catch_unwind,
    ts_args_type = "payload: AuthorizationUriPayload, setSession: SetSession, config: unknown",
    ts_return_type = "string | Failed | Promise<string | Failed>"
)]
pub fn get_authorization_uri<'env>(
    env: &'env Env,
    payload: Object<'env>,
    set_session: Callback<'env, FlowSession>,
    config: Unknown<'env>,
) -> Result<Authorization<'env>> {
    let answer = |result: crate::error::Result<String>| Ok(Either::A(authorization_answer(result)));
    let (config, read) = Reader::new(env)?.read_authorization(&config, &payload)?;
    let config = match config {
        Ok(config) => config,
        Err(failure) => return answer(Err(failure)),
    };
    // Converted as the official connector's URLSearchParams and encodeURI convert them.
    let state = read.text(&read.state)?;
    let Some(redirect_uri) = read.well_formed_text(&read.redirect_uri)? else {
        return answer(Err(Failure::described(
            Code::InvalidRequestParameters,
            "redirectUri is not a well-formed string (URI malformed)",
        )));
    };
    let scope = match &read.scope {
        Some(scope) => Some(read.text(scope)?),
        None => None,
    };
    let request = authorization::Request {
        state: &state,
        redirect_uri: &redirect_uri,
        scope: scope.as_deref(),
        user_agent: read.user_agent.as_deref(),
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
    let returned = match set_session.call(session.into()) {
        Ok(returned) => returned,
        Err(error) => {
            let thrown = JsError::from(error).into_unknown(*env);
            return if is_not_implemented(&thrown)? {
                answer(Ok(qr_url))
            } else {
                Err(Error::from(thrown))
            };
        }
    };
    if !returned.is_promise()? {
        return answer(Ok(found.url));
    }
    let url = found.url;
    let stored = PromiseRaw::<Unknown>::new(env.raw(), returned.raw())
        .then(move |_| Ok(authorization_answer(Ok(url))))?;
    let answered = stored.catch(move |thrown: CallbackContext<Unknown>| {
        if is_not_implemented(&thrown.value)? {
            Ok(Either::A(authorization_answer(Ok(qr_url))))
        } else {
            // Anything else setSession failed with is the caller's to see, unchanged.
            PromiseRaw::<()>::reject(&thrown.env, thrown.value).map(Either::B)
        }
    })?;
    Ok(Either::B(PromiseRaw::new(env.raw(), answered.raw())))
}

/// Whether a thrown value is connector-kit's `ConnectorError('not_implemented')` (Logto's
/// `notImplemented`).
fn is_not_implemented(thrown: &Unknown) -> Result<bool> {
    if thrown.get_type()? != ValueType::Object {
        return Ok(false);
    }
    let code: Unknown = thrown.coerce_to_object()?.get_named_property("code")?;
    Ok(text_if_string(&code)?.as_deref() == Some("not_implemented"))
}

/// Signs the user in: checks the callback data and the config, reads the flow `getSession`
/// returns (none, or a failing `getSession`, is the QR login), exchanges the code with that flow's
/// app and reads the profile.
#[napi(
    catch_unwind,
    ts_args_type = "data: unknown, getSession: GetSession, config: unknown",
    ts_return_type = "Promise<UserInfoResult>"
)]
pub fn get_user_info<'env>(
    env: &'env Env,
    data: Unknown<'env>,
    get_session: Callback<'env, ()>,
    config: Unknown<'env>,
) -> Result<PromiseRaw<'env, UserInfoResult>> {
    sign_in(env, &data, get_session, &config)
}

/// `getUserInfo`, with WeChat's tokens for Logto's token storage. A refresh token issued to
/// the Official Account is marked `wxoa:`, so that a refresh goes to the app that issued it.
#[napi(
    catch_unwind,
    ts_args_type = "data: unknown, getSession: GetSession, config: unknown",
    ts_return_type = "Promise<SignInResult>"
)]
pub fn get_token_response_and_user_info<'env>(
    env: &'env Env,
    data: Unknown<'env>,
    get_session: Callback<'env, ()>,
    config: Unknown<'env>,
) -> Result<PromiseRaw<'env, SignInResult>> {
    sign_in(env, &data, get_session, &config)
}

fn sign_in<'env, R>(
    env: &'env Env,
    data: &Unknown,
    get_session: Callback<'env, ()>,
    config: &Unknown,
) -> Result<PromiseRaw<'env, R>>
where
    R: From<crate::error::Result<flow::SignIn>> + ToNapiValue + Send + 'static,
{
    let reader = Reader::new(env)?;
    let code = match callback_code(env, &reader, data)? {
        Ok(code) => code,
        Err(failure) => return PromiseRaw::resolve(env, R::from(Err(failure))),
    };
    let (config, api) = match prepared(&reader, config)? {
        Ok(prepared) => prepared,
        Err(failure) => return PromiseRaw::resolve(env, R::from(Err(failure))),
    };
    let session = match get_session {
        Either::A(get_session) => get_session.call(()).ok(),
        Either::B(_) => None,
    };
    let Some(session) = session.filter(|value| value.is_promise().unwrap_or(false)) else {
        let session = match session {
            Some(value) => Some(read_session(&reader, &value)?),
            None => None,
        };
        return run_sign_in(env, config, api, code, session);
    };
    // A rejected getSession means no session, as a missing one does.
    let read = PromiseRaw::<Unknown>::new(env.raw(), session.raw())
        .catch(|_: CallbackContext<Unknown>| Ok(Null))?;
    let started = PromiseRaw::<Unknown>::new(env.raw(), read.raw()).then(move |context| {
        let session = read_session(&Reader::new(&context.env)?, &context.value)?;
        let running: PromiseRaw<R> = run_sign_in(&context.env, config, api, code, Some(session))?;
        // Handed straight back to the promise machinery, within this callback's scope.
        Ok(PromiseRaw::<'static, R>::new(
            context.env.raw(),
            running.raw(),
        ))
    })?;
    Ok(PromiseRaw::new(env.raw(), started.raw()))
}

fn read_session(reader: &Reader, value: &Unknown) -> Result<Input> {
    reader.read_values(value, Keys::Session)
}

fn run_sign_in<'env, R>(
    env: &'env Env,
    config: config::Config,
    api: wechat::Api,
    code: String,
    session: Option<Input>,
) -> Result<PromiseRaw<'env, R>>
where
    R: From<crate::error::Result<flow::SignIn>> + ToNapiValue + Send + 'static,
{
    env.spawn_future(async move {
        let flow = flow::flow_from_session(&config, session.as_ref());
        Ok(R::from(flow::sign_in(&api, &config, &code, flow).await))
    })
}

/// The callback data must be an object with a string `code`; otherwise `general` with
/// `JSON.stringify(data)`, as the official connector reports it.
fn callback_code(
    env: &Env,
    reader: &Reader,
    data: &Unknown,
) -> Result<crate::error::Result<String>> {
    let input = reader.read_values(data, Keys::CallbackData)?;
    if input.kind() == Kind::Object {
        if let Some(code) = input.field("code").and_then(Shape::as_text) {
            return Ok(Ok(code.to_owned()));
        }
    }
    let global: JsGlobal = env.get_global()?;
    let json: Object = global.get_named_property("JSON")?;
    let stringify: Function<Unknown, Unknown> = json.get_named_property("stringify")?;
    Ok(Err(match stringify.apply(json, *data) {
        Ok(text) if text.get_type()? == ValueType::String => {
            Failure::text(Code::General, string_value(&text)?)
        }
        Ok(_) => Failure::bare(Code::General),
        Err(_) => Failure::described(
            Code::General,
            "the callback data is not an object with a string `code`",
        ),
    }))
}

/// Asks the app that issued the refresh token for a new access token.
#[napi(
    catch_unwind,
    ts_args_type = "refreshToken: string, config: unknown",
    ts_return_type = "Promise<RefreshResult>"
)]
pub fn get_access_token_by_refresh_token<'env>(
    env: &'env Env,
    refresh_token: Unknown<'env>,
    config: Unknown<'env>,
) -> Result<PromiseRaw<'env, RefreshResult>> {
    let refresh_token = match text_if_string(&refresh_token)? {
        Some(token) => token,
        None => {
            let failure = Failure::described(
                Code::InvalidRequestParameters,
                "the refresh token is not a string",
            );
            return PromiseRaw::resolve(env, RefreshResult::from(Err(failure)));
        }
    };
    let (config, api) = match prepared(&Reader::new(env)?, &config)? {
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
#[napi(
    catch_unwind,
    ts_args_type = "code: string, config: unknown",
    ts_return_type = "Promise<AccessTokenResult>"
)]
pub fn get_access_token<'env>(
    env: &'env Env,
    code: Unknown<'env>,
    config: Unknown<'env>,
) -> Result<PromiseRaw<'env, AccessTokenResult>> {
    let code = string_value(&code)?;
    let (config, api) = match prepared(&Reader::new(env)?, &config)? {
        Ok(prepared) => prepared,
        Err(failure) => return PromiseRaw::resolve(env, AccessTokenResult::from(Err(failure))),
    };
    env.spawn_future(async move {
        Ok(AccessTokenResult::from(
            flow::exchange_code(&api, &config.web, &code).await,
        ))
    })
}
