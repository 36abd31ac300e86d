//! napi bindings, and nothing else: JS values in, plain results out. Failures are returned as
//! `{ error: { code, data?, issues? } }` for `lib/index.js` to raise as the host's
//! `ConnectorError`; nothing here throws on bad input, and a panic becomes a JS error.

pub mod authorization;
pub mod config;
pub mod error;
pub mod flow;
pub mod reply;
pub mod schema;
pub mod wechat;

use napi::bindgen_prelude::*;
use napi::{Env, JsGlobal, JsValue, Unknown, ValueType};
use napi_derive::napi;
use serde_json::Value;

use error::{Code, Data, Failure};
use schema::{Input, Kind, Shape};

/// One I/O thread for all requests. The connector only waits on sockets; a single worker avoids
/// the work-stealing wake-ups of a pool sized to the machine, next to Node's own thread (measured
/// in benchmark/). If it cannot be built, napi's default runtime is used.
#[napi_derive::module_init]
fn init() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("wechat-connector-io")
        .enable_all()
        .build();
    if let Ok(runtime) = runtime {
        create_custom_tokio_runtime(runtime);
    }
}

/// A failure, for `new ConnectorError(code, data)`; with `issues`, data is a ZodError of them.
#[napi(object)]
pub struct ConnectorFailure {
    pub code: String,
    pub data: Option<Value>,
    pub issues: Option<Vec<Value>>,
}

impl From<Failure> for ConnectorFailure {
    fn from(failure: Failure) -> Self {
        let code = failure.code.as_str().to_owned();
        let (data, issues) = match failure.data {
            Data::None => (None, None),
            Data::Text(text) => (Some(Value::String(text)), None),
            Data::Json(value) => (Some(value), None),
            Data::Issues(issues) => (None, Some(issues.iter().map(|i| i.to_json()).collect())),
        };
        ConnectorFailure { code, data, issues }
    }
}

/// zod's name for the type of a JS value (`getParsedType`).
fn kind_of(env: &Env, value: &Unknown) -> Result<Kind> {
    Ok(match value.get_type()? {
        ValueType::Undefined => Kind::Undefined,
        ValueType::Null => Kind::Null,
        ValueType::Boolean => Kind::Boolean,
        ValueType::Number => {
            if value.coerce_to_number()?.get_double()?.is_nan() {
                Kind::NaN
            } else {
                Kind::Number
            }
        }
        ValueType::String => Kind::String,
        ValueType::BigInt => Kind::BigInt,
        ValueType::Symbol => Kind::Symbol,
        ValueType::Function => Kind::Function,
        ValueType::Object => {
            let object = value.coerce_to_object()?;
            let is_function = |key: &str| -> Result<bool> {
                Ok(object.get_named_property::<Unknown>(key)?.get_type()? == ValueType::Function)
            };
            if value.is_array()? {
                Kind::Array
            } else if is_function("then")? && is_function("catch")? {
                Kind::Promise
            } else if is_plain(&object)? {
                // Its prototype is null or a root prototype: not a Map, Set or Date.
                Kind::Object
            } else {
                let global: JsGlobal = env.get_global()?;
                let instance_of = |name: &str| -> Result<bool> {
                    value.instanceof(global.get_named_property::<Unknown>(name)?)
                };
                if instance_of("Map")? {
                    Kind::Map
                } else if instance_of("Set")? {
                    Kind::Set
                } else if value.is_date()? {
                    Kind::Date
                } else {
                    Kind::Object
                }
            }
        }
        _ => Kind::Unknown,
    })
}

/// An object whose prototype is `null` or has no prototype itself (`Object.prototype`).
fn is_plain(object: &Object) -> Result<bool> {
    let prototype = object.get_prototype()?;
    if prototype.get_type()? == ValueType::Null {
        return Ok(true);
    }
    Ok(prototype.coerce_to_object()?.get_prototype()?.get_type()? == ValueType::Null)
}

/// JavaScript's `String(value)`, as UTF-8 (a lone surrogate becomes U+FFFD).
fn read_text(value: &Unknown) -> Result<String> {
    if value.get_type()? == ValueType::String {
        return read_string(value);
    }
    value.coerce_to_string()?.into_utf8()?.into_owned()
}

/// A JS string as UTF-8, in one N-API call for strings that fit a stack buffer (every config
/// value and state in practice), in two otherwise. `value` must be a string.
fn read_string(value: &Unknown) -> Result<String> {
    let mut buffer = [0u8; 512];
    let mut written = 0usize;
    // SAFETY: `buffer` is valid for `buffer.len()` bytes and napi writes at most that many,
    // NUL included; `written` receives the number of bytes before the NUL.
    let status = unsafe {
        napi::sys::napi_get_value_string_utf8(
            value.value().env,
            value.raw(),
            buffer.as_mut_ptr().cast(),
            buffer.len(),
            &mut written,
        )
    };
    if status != napi::sys::Status::napi_ok {
        return Err(Error::new(Status::StringExpected, "expected a string"));
    }
    if written < buffer.len() - 1 {
        // V8 wrote the whole string (it replaces lone surrogates), so this is valid UTF-8.
        return Ok(String::from_utf8_lossy(&buffer[..written]).into_owned());
    }
    value.coerce_to_string()?.into_utf8()?.into_owned()
}

/// A JS string as UTF-16 code units, for `encodeURI`'s lone-surrogate check.
fn read_utf16(value: &Unknown) -> Result<Vec<u16>> {
    let units = value.coerce_to_string()?.into_utf16()?;
    // The buffer ends with the NUL terminator napi writes.
    Ok(units
        .as_slice()
        .split_last()
        .map_or(&[][..], |(_, units)| units)
        .to_vec())
}

/// Reads a JS value as a schema sees it: for an object, only the given keys that are `in` it.
fn read_input(env: &Env, value: &Unknown, keys: &[&str]) -> Result<Input> {
    let kind = kind_of(env, value)?;
    Ok(match kind {
        Kind::String => Input::Text(read_text(value)?),
        Kind::Object => {
            let object = value.coerce_to_object()?;
            let mut fields = Vec::with_capacity(keys.len());
            for key in keys {
                // `key in object` only matters when the value reads as undefined.
                let field: Unknown = object.get_named_property(key)?;
                if field.get_type()? != ValueType::Undefined || object.has_named_property(key)? {
                    fields.push(((*key).to_owned(), read_input(env, &field, &[])?));
                }
            }
            Input::Object(fields)
        }
        other => Input::Scalar(other),
    })
}

fn read_config(env: &Env, value: &Unknown) -> Result<Input> {
    read_input(env, value, &config_keys())
}

/// The config keys, in schema order. In the sign-in flows `lib/index.js` passes the config
/// followed by the values of these keys: a property read costs far less on the JS side of the
/// boundary than through N-API (which copies and internalizes the key name on every read).
#[napi]
pub fn config_keys() -> Vec<&'static str> {
    config::FIELDS.iter().map(|f| f.key).collect()
}

/// A config handed over as the object and its values for [`config_keys`]. For validation an
/// absent key and one holding `undefined` are the same, so no `in` check is needed here.
fn read_config_values(env: &Env, config: &Unknown, values: [&Unknown; 6]) -> Result<Input> {
    let kind = kind_of(env, config)?;
    if kind != Kind::Object {
        return Ok(Input::Scalar(kind));
    }
    let mut fields = Vec::with_capacity(values.len());
    for (field, value) in config::FIELDS.iter().zip(values) {
        match value.get_type()? {
            ValueType::Undefined => {}
            ValueType::String => {
                fields.push((field.key.to_owned(), Input::Text(read_string(value)?)))
            }
            _ => fields.push((field.key.to_owned(), read_input(env, value, &[])?)),
        }
    }
    Ok(Input::Object(fields))
}

/// The config parameters every flow takes after its own: the object, then its values.
macro_rules! config_values {
    ($env:expr, $config:expr, $a:expr, $b:expr, $c:expr, $d:expr, $e:expr, $f:expr) => {
        read_config_values($env, &$config, [&$a, &$b, &$c, &$d, &$e, &$f])
    };
}

/// `configGuard.safeParse`: `{ data }` with the keys zod would keep, or `{ issues }`.
#[napi(
    catch_unwind,
    ts_return_type = "{ data?: { appId: string; appSecret: string; scope?: string; officialAccountAppId?: string; officialAccountAppSecret?: string; officialAccountScope?: 'snsapi_userinfo' | 'snsapi_base' }; issues?: ZodIssue[] }"
)]
pub fn validate_config<'env>(env: &'env Env, config: Unknown<'env>) -> Result<Object<'env>> {
    let input = read_config(env, &config)?;
    let mut result = Object::new(env)?;
    match config::parse(&input) {
        Ok(parsed) => {
            // zod hands back the very values it checked; so do we.
            let source = config.coerce_to_object()?;
            let mut data = Object::new(env)?;
            for key in parsed.data {
                data.set_named_property(key, source.get_named_property::<Unknown>(key)?)?;
            }
            result.set_named_property("data", data)?;
        }
        Err(issues) => {
            let issues: Vec<Value> = issues.iter().map(|i| i.to_json()).collect();
            result.set_named_property("issues", issues)?;
        }
    }
    Ok(result)
}

/// The `ZodIssue` type the issues above follow.
#[napi(object)]
pub struct ZodIssue {
    pub code: String,
    pub path: Vec<String>,
    pub message: String,
    pub expected: Option<String>,
    pub received: Option<String>,
}

/// What `getAuthorizationUri` records with `setSession`.
#[napi(object)]
pub struct FlowSession {
    #[napi(js_name = "wechatWebFlow")]
    pub flow: String,
    #[napi(js_name = "wechatWebAppId")]
    pub app_id: String,
    #[napi(js_name = "wechatWebScope")]
    pub scope: String,
}

#[napi(object)]
pub struct AuthorizationOutcome {
    pub url: Option<String>,
    pub session: Option<FlowSession>,
    pub error: Option<ConnectorFailure>,
}

fn failed_authorization(failure: Failure) -> AuthorizationOutcome {
    AuthorizationOutcome {
        url: None,
        session: None,
        error: Some(failure.into()),
    }
}

/// `getAuthorizationUri`: the URL alone in the usual case, or `{ url, session }` when the flow
/// must be recorded, or `{ error }`. Values are converted as the official connector's
/// `URLSearchParams` and `encodeURI` convert them; a redirect URI `encodeURI` would reject (a
/// lone surrogate) fails.
#[allow(clippy::too_many_arguments)]
#[napi(catch_unwind, ts_return_type = "string | AuthorizationOutcome")]
pub fn authorization_uri(
    env: &Env,
    state: Unknown,
    redirect_uri: Unknown,
    scope: Unknown,
    user_agent: Unknown,
    config: Unknown,
    app_id: Unknown,
    app_secret: Unknown,
    config_scope: Unknown,
    official_account_app_id: Unknown,
    official_account_app_secret: Unknown,
    official_account_scope: Unknown,
) -> Result<Either<String, AuthorizationOutcome>> {
    let input = config_values!(
        env,
        config,
        app_id,
        app_secret,
        config_scope,
        official_account_app_id,
        official_account_app_secret,
        official_account_scope
    )?;
    let config = match config::require(&input) {
        Ok(config) => config,
        Err(failure) => return Ok(Either::B(failed_authorization(failure))),
    };
    let state = read_text(&state)?;
    let Ok(redirect_uri) = String::from_utf16(&read_utf16(&redirect_uri)?) else {
        return Ok(Either::B(failed_authorization(Failure::described(
            Code::InvalidRequestParameters,
            "redirectUri is not a well-formed string (URI malformed)",
        ))));
    };
    let scope = match scope.get_type()? {
        ValueType::Undefined | ValueType::Null => None,
        _ => Some(read_text(&scope)?),
    };
    let user_agent = match user_agent.get_type()? {
        ValueType::String => Some(read_text(&user_agent)?),
        _ => None,
    };
    let request = authorization::Request {
        state: &state,
        redirect_uri: &redirect_uri,
        scope: scope.as_deref(),
        user_agent: user_agent.as_deref(),
    };
    Ok(match authorization::authorization_uri(&config, &request) {
        Ok(authorization::Authorization { url, session: None }) => Either::A(url),
        Ok(authorization::Authorization {
            url,
            session: Some(session),
        }) => Either::B(AuthorizationOutcome {
            url: Some(url),
            session: Some(FlowSession {
                flow: authorization::FLOW_OFFICIAL_ACCOUNT.to_owned(),
                app_id: session.app_id,
                scope: session.scope.to_owned(),
            }),
            error: None,
        }),
        Err(failure) => Either::B(failed_authorization(failure)),
    })
}

#[napi(object)]
pub struct CodeOutcome {
    pub code: Option<String>,
    pub error: Option<ConnectorFailure>,
}

/// The callback data must be an object with a string `code`; otherwise `general` with
/// `JSON.stringify(data)`, as the official connector reports it.
#[napi(catch_unwind)]
pub fn callback_code(env: &Env, data: Unknown) -> Result<CodeOutcome> {
    let input = read_input(env, &data, &["code"])?;
    if let Some(code) = input.field("code").and_then(Shape::as_text) {
        if input.kind() == Kind::Object {
            return Ok(CodeOutcome {
                code: Some(code.to_owned()),
                error: None,
            });
        }
    }
    let global: JsGlobal = env.get_global()?;
    let json: Object = global.get_named_property("JSON")?;
    let stringify: Function<Unknown, Unknown> = json.get_named_property("stringify")?;
    let failure = match stringify.apply(json, data) {
        Ok(text) if text.get_type()? == ValueType::String => {
            Failure::text(Code::General, read_text(&text)?)
        }
        Ok(_) => Failure::bare(Code::General),
        Err(_) => Failure::described(
            Code::General,
            "the callback data is not an object with a string `code`",
        ),
    };
    Ok(CodeOutcome {
        code: None,
        error: Some(failure.into()),
    })
}

#[napi(object)]
pub struct UserInfo {
    pub id: String,
    pub avatar: Option<String>,
    pub name: Option<String>,
    pub raw_data: Value,
}

#[napi(object)]
pub struct TokenResponse {
    #[napi(js_name = "access_token")]
    pub access_token: String,
    #[napi(js_name = "refresh_token")]
    pub refresh_token: Option<String>,
    #[napi(js_name = "expires_in")]
    pub expires_in: Option<Value>,
    pub scope: Option<String>,
}

impl From<flow::TokenResponse> for TokenResponse {
    fn from(t: flow::TokenResponse) -> Self {
        TokenResponse {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_in: t.expires_in.map(Value::Number),
            scope: t.scope,
        }
    }
}

#[napi(object)]
pub struct SignInOutcome {
    pub user_info: Option<UserInfo>,
    pub token_response: Option<TokenResponse>,
    pub error: Option<ConnectorFailure>,
}

impl From<error::Result<flow::SignIn>> for SignInOutcome {
    fn from(result: error::Result<flow::SignIn>) -> Self {
        match result {
            Ok(done) => SignInOutcome {
                user_info: Some(UserInfo {
                    id: done.user_info.id,
                    avatar: done.user_info.avatar,
                    name: done.user_info.name,
                    raw_data: done.user_info.raw_data,
                }),
                token_response: Some(done.token_response.into()),
                error: None,
            },
            Err(failure) => SignInOutcome {
                user_info: None,
                token_response: None,
                error: Some(failure.into()),
            },
        }
    }
}

/// The API origin is read when the call is made, next to the config it goes with.
fn with_base_url(config: config::Config) -> error::Result<(config::Config, String)> {
    Ok((config, wechat::base_url()?))
}

/// `getUserInfo` and `getTokenResponseAndUserInfo` after the callback check: validates the
/// config, reads the flow from the connector session, exchanges the code, fetches the profile.
#[allow(clippy::too_many_arguments)]
#[napi(catch_unwind, ts_return_type = "Promise<SignInOutcome>")]
pub fn sign_in<'env>(
    env: &'env Env,
    code: String,
    session: Unknown<'env>,
    config: Unknown<'env>,
    app_id: Unknown<'env>,
    app_secret: Unknown<'env>,
    config_scope: Unknown<'env>,
    official_account_app_id: Unknown<'env>,
    official_account_app_secret: Unknown<'env>,
    official_account_scope: Unknown<'env>,
) -> Result<PromiseRaw<'env, SignInOutcome>> {
    let input = config_values!(
        env,
        config,
        app_id,
        app_secret,
        config_scope,
        official_account_app_id,
        official_account_app_secret,
        official_account_scope
    )?;
    let config = config::require(&input).and_then(with_base_url);
    let session_keys = [
        authorization::SESSION_FLOW,
        authorization::SESSION_APP_ID,
        authorization::SESSION_SCOPE,
    ];
    let session = read_input(env, &session, &session_keys)?;
    env.spawn_future(async move {
        let outcome = match config {
            Ok((config, base)) => {
                let flow = flow::flow_from_session(&config, Some(&session));
                flow::sign_in(&base, &config, &code, flow).await.into()
            }
            Err(failure) => Err(failure).into(),
        };
        Ok(outcome)
    })
}

#[napi(object)]
pub struct AccessTokenOutcome {
    pub access_token: Option<String>,
    pub openid: Option<String>,
    pub error: Option<ConnectorFailure>,
}

/// The official module's `getAccessToken(code, config)`: the code exchange alone.
#[allow(clippy::too_many_arguments)]
#[napi(catch_unwind, ts_return_type = "Promise<AccessTokenOutcome>")]
pub fn access_token<'env>(
    env: &'env Env,
    code: String,
    config: Unknown<'env>,
    app_id: Unknown<'env>,
    app_secret: Unknown<'env>,
    config_scope: Unknown<'env>,
    official_account_app_id: Unknown<'env>,
    official_account_app_secret: Unknown<'env>,
    official_account_scope: Unknown<'env>,
) -> Result<PromiseRaw<'env, AccessTokenOutcome>> {
    let input = config_values!(
        env,
        config,
        app_id,
        app_secret,
        config_scope,
        official_account_app_id,
        official_account_app_secret,
        official_account_scope
    )?;
    let config = config::require(&input).and_then(with_base_url);
    env.spawn_future(async move {
        let result = match config {
            Ok((config, base)) => flow::exchange_code(&base, &config.web, &code).await,
            Err(failure) => Err(failure),
        };
        Ok(match result {
            Ok(token) => AccessTokenOutcome {
                access_token: Some(token.access_token),
                openid: Some(token.openid),
                error: None,
            },
            Err(failure) => AccessTokenOutcome {
                access_token: None,
                openid: None,
                error: Some(failure.into()),
            },
        })
    })
}

#[napi(object)]
pub struct RefreshOutcome {
    pub token_response: Option<TokenResponse>,
    pub error: Option<ConnectorFailure>,
}

/// `getAccessTokenByRefreshToken`.
#[allow(clippy::too_many_arguments)]
#[napi(catch_unwind, ts_return_type = "Promise<RefreshOutcome>")]
pub fn refresh_access_token<'env>(
    env: &'env Env,
    refresh_token: Unknown<'env>,
    config: Unknown<'env>,
    app_id: Unknown<'env>,
    app_secret: Unknown<'env>,
    config_scope: Unknown<'env>,
    official_account_app_id: Unknown<'env>,
    official_account_app_secret: Unknown<'env>,
    official_account_scope: Unknown<'env>,
) -> Result<PromiseRaw<'env, RefreshOutcome>> {
    let input = config_values!(
        env,
        config,
        app_id,
        app_secret,
        config_scope,
        official_account_app_id,
        official_account_app_secret,
        official_account_scope
    )?;
    let config = config::require(&input).and_then(with_base_url);
    let refresh_token = match refresh_token.get_type()? {
        ValueType::String => Ok(read_text(&refresh_token)?),
        _ => Err(Failure::described(
            Code::InvalidRequestParameters,
            "the refresh token is not a string",
        )),
    };
    env.spawn_future(async move {
        let result = match (config, refresh_token) {
            (Ok((config, base)), Ok(token)) => flow::refresh(&base, &config, &token).await,
            (Err(failure), _) | (_, Err(failure)) => Err(failure),
        };
        Ok(match result {
            Ok(token) => RefreshOutcome {
                token_response: Some(token.into()),
                error: None,
            },
            Err(failure) => RefreshOutcome {
                token_response: None,
                error: Some(failure.into()),
            },
        })
    })
}

/// Diagnostics: panics on purpose, synchronously (`"sync"`) or inside the async runtime
/// (`"async"`), so that tests can show a Rust panic reaches JS as an error and the process lives.
#[napi(catch_unwind, ts_return_type = "Promise<void>")]
pub fn panic_probe<'env>(env: &'env Env, place: String) -> Result<PromiseRaw<'env, ()>> {
    if place == "sync" {
        panic!("deliberate panic (panicProbe, sync)");
    }
    env.spawn_future(async move {
        if place == "async" {
            panic!("deliberate panic (panicProbe, async)");
        }
        Ok(())
    })
}
