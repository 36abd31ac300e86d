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
use std::borrow::Cow;
use std::cell::RefCell;
use std::mem::MaybeUninit;
use std::sync::Arc;

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
    classify(env, value, None)
}

/// [`kind_of`], given whether `value.then` is a function when the caller has already read it.
fn classify(env: &Env, value: &Unknown, then_is_function: Option<bool>) -> Result<Kind> {
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
            // SAFETY: the value is an object (checked just above).
            let object: Object = unsafe { value.cast()? };
            let is_function = |key: &str| -> Result<bool> {
                Ok(object.get_named_property::<Unknown>(key)?.get_type()? == ValueType::Function)
            };
            let then_is_function = match then_is_function {
                Some(known) => known,
                None => is_function("then")?,
            };
            if value.is_array()? {
                Kind::Array
            } else if then_is_function && is_function("catch")? {
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
    // SAFETY: a prototype is an object or null, and it is not null.
    let prototype: Object = unsafe { prototype.cast()? };
    Ok(prototype.get_prototype()?.get_type()? == ValueType::Null)
}

/// JavaScript's `String(value)`, as UTF-8 (a lone surrogate becomes U+FFFD).
fn read_text(value: &Unknown) -> Result<String> {
    match string_of(value)? {
        Some(text) => Ok(text),
        None => value.coerce_to_string()?.into_utf8()?.into_owned(),
    }
}

/// A JS string as UTF-8 (a lone surrogate becomes U+FFFD), `None` for any other value.
fn string_of(value: &Unknown) -> Result<Option<String>> {
    with_string(value, |text| text.map(str::to_owned))
}

/// What reading a JS string into a stack buffer gave.
enum Fit<'b, T> {
    /// The whole string.
    Whole(&'b [T]),
    /// A string too long for the buffer.
    Long,
    /// Not a string.
    NotString,
}

/// Reads a JS string into `buffer` in one N-API call. The buffer is not zeroed first: napi
/// writes the units it reports (and a NUL after them), and only those are looked at.
fn read_into<'b, T: Copy, C, const N: usize>(
    value: &Unknown,
    buffer: &'b mut [MaybeUninit<T>; N],
    read: unsafe fn(
        napi::sys::napi_env,
        napi::sys::napi_value,
        *mut C,
        usize,
        *mut usize,
    ) -> napi::sys::napi_status,
) -> Result<Fit<'b, T>> {
    let mut written = 0usize;
    // SAFETY: `buffer` is valid for N units and napi writes at most N, the NUL included;
    // `written` receives the number of units before the NUL.
    let status = unsafe {
        read(
            value.value().env,
            value.raw(),
            buffer.as_mut_ptr().cast(),
            N,
            &mut written,
        )
    };
    Ok(match status {
        napi::sys::Status::napi_ok if written < N - 1 => {
            // SAFETY: napi initialised the first `written` units (written < N).
            Fit::Whole(unsafe { std::slice::from_raw_parts(buffer.as_ptr().cast(), written) })
        }
        napi::sys::Status::napi_ok => Fit::Long,
        napi::sys::Status::napi_string_expected => Fit::NotString,
        _ => {
            return Err(Error::new(
                Status::GenericFailure,
                "could not read a string",
            ))
        }
    })
}

/// Hands `run` a JS string as UTF-8 (a lone surrogate becomes U+FFFD), `None` for any other
/// value: one N-API call and no allocation for strings that fit a stack buffer (config values
/// and states in practice).
fn with_string<R>(value: &Unknown, run: impl FnOnce(Option<&str>) -> R) -> Result<R> {
    let mut buffer = [MaybeUninit::<u8>::uninit(); 256];
    match read_into(value, &mut buffer, napi::sys::napi_get_value_string_utf8)? {
        // V8 writes UTF-8 (lone surrogates replaced), so the check cannot fail.
        Fit::Whole(bytes) => Ok(run(Some(&String::from_utf8_lossy(bytes)))),
        Fit::Long => Ok(run(Some(
            &value.coerce_to_string()?.into_utf8()?.into_owned()?,
        ))),
        Fit::NotString => Ok(run(None)),
    }
}

/// Whether `value` is the string `text`, without decoding or allocating in the usual case.
fn is_string(value: &Unknown, text: &str) -> Result<bool> {
    let mut buffer = [MaybeUninit::<u8>::uninit(); 256];
    match read_into(value, &mut buffer, napi::sys::napi_get_value_string_utf8)? {
        Fit::Whole(bytes) => Ok(bytes == text.as_bytes()),
        Fit::Long => with_string(value, |read| read == Some(text)),
        Fit::NotString => Ok(false),
    }
}

/// A JS string as UTF-8, `None` if it holds a lone surrogate (`encodeURI` would throw). One
/// N-API call when it fits a stack buffer.
fn well_formed_text<'b>(value: &Unknown, ascii: &'b mut [u8; 512]) -> Result<Option<Cow<'b, str>>> {
    let mut buffer = [MaybeUninit::<u16>::uninit(); 512];
    let Fit::Whole(units) = read_into(value, &mut buffer, napi::sys::napi_get_value_string_utf16)?
    else {
        return Ok(String::from_utf16(&read_utf16(value)?).ok().map(Cow::Owned));
    };
    if units.iter().all(|&unit| unit < 0x80) {
        // ASCII, the usual case: copied into `ascii` rather than decoded character by character.
        let ascii = &mut ascii[..units.len()];
        for (byte, &unit) in ascii.iter_mut().zip(units) {
            *byte = unit as u8;
        }
        return Ok(std::str::from_utf8(ascii).ok().map(Cow::Borrowed));
    }
    Ok(String::from_utf16(units).ok().map(Cow::Owned))
}

/// JavaScript's `String(value)` as UTF-8, read into `buffer` when it is a string that fits.
fn text_in<'b>(value: &Unknown, buffer: &'b mut [MaybeUninit<u8>; 256]) -> Result<Cow<'b, str>> {
    match read_into(value, buffer, napi::sys::napi_get_value_string_utf8)? {
        // V8 writes UTF-8 (lone surrogates replaced), so this borrows.
        Fit::Whole(bytes) => Ok(String::from_utf8_lossy(bytes)),
        Fit::Long | Fit::NotString => read_text(value).map(Cow::Owned),
    }
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

/// The config keys, in schema order: `lib/index.js` reads them and passes the values (see
/// [`ConfigArgs`]), since a property read costs far less on the JS side of the boundary than
/// through N-API. It checks at load that it reads exactly these.
#[napi]
pub fn config_keys() -> Vec<&'static str> {
    config::FIELDS.iter().map(|f| f.key).collect()
}

/// A config as `lib/index.js` hands it over: the object, its `then` (zod's promise check looks
/// at it), and the values of [`config_keys`], in order.
struct ConfigArgs<'a, 'env> {
    object: &'a Unknown<'env>,
    /// Which of `then` (bit 0) and the values (bits 1 to 6) are not `undefined`: N-API is asked
    /// about those only (a type query for `undefined` tests every other type first).
    defined: u32,
    then: &'a Unknown<'env>,
    values: [&'a Unknown<'env>; 6],
}

/// A config value as read: absent (`undefined`), a string, or anything else.
enum Read {
    Absent,
    Text(String),
    Other,
}

/// The texts of a config read from strings and `undefined` alone.
type ConfigText = Vec<Option<String>>;

thread_local! {
    /// The last config validated from strings and `undefined` alone, with those values. Logto
    /// hands over the same config on every call, and validation is a function of the values, so
    /// while they stay the same the result is reused rather than rebuilt (a thread per JS realm).
    static LAST_CONFIG: RefCell<Option<(ConfigText, Arc<config::Config>)>> = const { RefCell::new(None) };
}

impl ConfigArgs<'_, '_> {
    /// The validated config, or the `invalid_config` failure.
    fn validate(&self, env: &Env) -> Result<error::Result<Arc<config::Config>>> {
        let then_is_function = self.is_defined(0) && self.then.get_type()? == ValueType::Function;
        let kind = classify(env, self.object, Some(then_is_function))?;
        if kind != Kind::Object {
            return Ok(config::require(&Input::Scalar(kind)).map(Arc::new));
        }
        if let Some(config) = self.last_config()? {
            return Ok(Ok(config));
        }
        let mut fields = Vec::with_capacity(config::FIELDS.len());
        let mut text: Option<ConfigText> = Some(Vec::with_capacity(config::FIELDS.len()));
        for (index, (field, value)) in config::FIELDS.iter().zip(self.values).enumerate() {
            let read = if self.is_defined(index + 1) {
                read_field(value)?
            } else {
                Read::Absent
            };
            match read {
                Read::Absent => text.iter_mut().for_each(|text| text.push(None)),
                Read::Text(value) => {
                    text.iter_mut()
                        .for_each(|text| text.push(Some(value.clone())));
                    fields.push((field.key.to_owned(), Input::Text(value)));
                }
                Read::Other => {
                    text = None;
                    fields.push((field.key.to_owned(), read_input(env, value, &[])?));
                }
            }
        }
        let result = config::require(&Input::Object(fields)).map(Arc::new);
        if let (Some(text), Ok(config)) = (text, &result) {
            LAST_CONFIG.set(Some((text, Arc::clone(config))));
        }
        Ok(result)
    }

    fn is_defined(&self, index: usize) -> bool {
        self.defined & (1 << index) != 0
    }

    /// The last config, if this one's values are the same strings and `undefined`s: one N-API
    /// call per value and no allocation.
    fn last_config(&self) -> Result<Option<Arc<config::Config>>> {
        LAST_CONFIG.with_borrow(|last| {
            let Some((seen, config)) = last else {
                return Ok(None);
            };
            for (index, (value, seen)) in self.values.iter().zip(seen).enumerate() {
                let same = match seen {
                    None => !self.is_defined(index + 1),
                    Some(seen) => self.is_defined(index + 1) && is_string(value, seen)?,
                };
                if !same {
                    return Ok(None);
                }
            }
            Ok(Some(Arc::clone(config)))
        })
    }
}

/// A config value `lib/index.js` marked as defined: in one N-API call when it is a string.
fn read_field(value: &Unknown) -> Result<Read> {
    if let Some(text) = string_of(value)? {
        return Ok(Read::Text(text));
    }
    Ok(match value.get_type()? {
        ValueType::Undefined => Read::Absent,
        _ => Read::Other,
    })
}

/// The config parameters every flow takes before its own (see [`ConfigArgs`]).
macro_rules! config_args {
    ($config:expr, $defined:expr, $then:expr, $a:expr, $b:expr, $c:expr, $d:expr, $e:expr, $f:expr) => {
        ConfigArgs {
            object: $config,
            defined: $defined,
            then: $then,
            values: [$a, $b, $c, $d, $e, $f],
        }
    };
}

/// `configGuard.safeParse`: `{ data }` with the keys zod would keep, or `{ issues }`.
#[napi(
    catch_unwind,
    ts_return_type = "{ data?: { appId: string; appSecret: string; scope?: string; officialAccountAppId?: string; officialAccountAppSecret?: string; officialAccountScope?: 'snsapi_userinfo' }; issues?: ZodIssue[] }"
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

fn failed_authorization(env: &Env, failure: Failure) -> Result<napi::sys::napi_value> {
    outcome(
        env,
        AuthorizationOutcome {
            url: None,
            session: None,
            error: Some(failure.into()),
        },
    )
}

fn outcome(env: &Env, outcome: AuthorizationOutcome) -> Result<napi::sys::napi_value> {
    // SAFETY: converted in the current call's scope.
    unsafe { AuthorizationOutcome::to_napi_value(env.raw(), outcome) }
}

/// The arguments of `authorizationUri`: the config's (see [`ConfigArgs`]), then the request's.
const AUTHORIZATION_ARGS: usize = 13;

/// `getAuthorizationUri`'s binding, as a plain N-API function (made once by `lib/index.js`).
/// Logto calls it for every sign-in page, and there napi-rs's generated wrapper (argument borrow
/// bookkeeping, return conversion) cost a quarter of the call (callgrind: ~2,000 of ~9,000
/// instructions). It returns the URL alone in the usual case, `{ url, session }` when the flow
/// must be recorded, or `{ error }`; it throws only if the binding itself fails.
#[napi(
    ts_return_type = "(config: unknown, defined: number, then: unknown, appId: unknown, appSecret: unknown, configScope: unknown, officialAccountAppId: unknown, officialAccountAppSecret: unknown, officialAccountScope: unknown, state: unknown, redirectUri: unknown, scope: unknown, userAgent: unknown) => string | AuthorizationOutcome"
)]
pub fn authorization_uri_function(env: &Env) -> Result<Unknown<'_>> {
    plain_function(env, c"authorizationUri", authorization_uri_callback)
}

/// A JS function whose calls go straight to `callback`.
fn plain_function<'env>(
    env: &'env Env,
    name: &std::ffi::CStr,
    callback: unsafe extern "C" fn(
        napi::sys::napi_env,
        napi::sys::napi_callback_info,
    ) -> napi::sys::napi_value,
) -> Result<Unknown<'env>> {
    let mut function = std::ptr::null_mut();
    // SAFETY: a plain N-API call; the name is NUL-terminated.
    check_status!(unsafe {
        napi::sys::napi_create_function(
            env.raw(),
            name.as_ptr(),
            isize::try_from(name.count_bytes()).unwrap_or(0),
            Some(callback),
            std::ptr::null_mut(),
            &mut function,
        )
    })?;
    // SAFETY: `function` is the handle just created in this scope.
    Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), function) })
}

/// The N-API callback behind [`authorization_uri_function`].
unsafe extern "C" fn authorization_uri_callback(
    raw_env: napi::sys::napi_env,
    info: napi::sys::napi_callback_info,
) -> napi::sys::napi_value {
    guarded(raw_env, "authorizationUri", || {
        let mut argc = AUTHORIZATION_ARGS;
        let mut argv = [std::ptr::null_mut(); AUTHORIZATION_ARGS];
        // SAFETY: `argv` has room for `argc` handles; missing arguments come back as undefined.
        check_status!(unsafe {
            napi::sys::napi_get_cb_info(
                raw_env,
                info,
                &mut argc,
                argv.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        })?;
        // SAFETY: handles of this call's scope.
        let args = argv.map(|raw| unsafe { Unknown::from_raw_unchecked(raw_env, raw) });
        authorization_uri(&Env::from_raw(raw_env), &args)
    })
}

/// Runs the body of a plain N-API callback: a failure or a panic becomes a thrown JS error
/// (which `lib/index.js` turns into a ConnectorError); nothing unwinds into Node.
fn guarded(
    raw_env: napi::sys::napi_env,
    name: &str,
    run: impl FnOnce() -> Result<napi::sys::napi_value>,
) -> napi::sys::napi_value {
    let message = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(Ok(value)) => return value,
        Ok(Err(error)) => format!("{name} failed: {}", error.reason),
        Err(_) => format!("{name} panicked"),
    };
    // If a JS exception is already pending (a getter threw), that one propagates instead.
    if let Ok(message) = std::ffi::CString::new(message) {
        // SAFETY: a plain N-API call with a NUL-terminated message.
        unsafe { napi::sys::napi_throw_error(raw_env, std::ptr::null(), message.as_ptr()) };
    }
    std::ptr::null_mut()
}

/// A URL as a JS string. Authorization URLs are ASCII (every variable part is percent-encoded;
/// tests/fuzz.rs checks it), and an ASCII string is created as Latin-1, a copy, rather than
/// decoded as UTF-8.
fn js_url(env: &Env, url: &str) -> Result<napi::sys::napi_value> {
    let mut value = std::ptr::null_mut();
    let create = if url.is_ascii() {
        napi::sys::napi_create_string_latin1
    } else {
        napi::sys::napi_create_string_utf8
    };
    // SAFETY: `url` is valid for `url.len()` bytes; Latin-1 only when every byte is ASCII.
    check_status!(unsafe {
        create(
            env.raw(),
            url.as_ptr().cast(),
            isize::try_from(url.len()).unwrap_or(isize::MAX),
            &mut value,
        )
    })?;
    Ok(value)
}

/// `getAuthorizationUri`. Values are converted as the official connector's `URLSearchParams`
/// and `encodeURI` convert them; a redirect URI `encodeURI` would reject (a lone surrogate)
/// fails.
fn authorization_uri(
    env: &Env,
    args: &[Unknown; AUTHORIZATION_ARGS],
) -> Result<napi::sys::napi_value> {
    let [config, defined, then, app_id, app_secret, config_scope, official_account_app_id, official_account_app_secret, official_account_scope, state, redirect_uri, scope, user_agent] =
        args;
    let mut mask = 0u32;
    // SAFETY: a plain N-API call; a non-number fails with a status.
    check_status!(unsafe {
        napi::sys::napi_get_value_uint32(env.raw(), defined.raw(), &mut mask)
    })?;
    let config = config_args!(
        config,
        mask,
        then,
        app_id,
        app_secret,
        config_scope,
        official_account_app_id,
        official_account_app_secret,
        official_account_scope
    );
    let config = match config.validate(env)? {
        Ok(config) => config,
        Err(failure) => return failed_authorization(env, failure),
    };
    let mut state_buffer = [MaybeUninit::uninit(); 256];
    let state = text_in(state, &mut state_buffer)?;
    let mut redirect_buffer = [0; 512];
    let Some(redirect_uri) = well_formed_text(redirect_uri, &mut redirect_buffer)? else {
        return failed_authorization(
            env,
            Failure::described(
                Code::InvalidRequestParameters,
                "redirectUri is not a well-formed string (URI malformed)",
            ),
        );
    };
    let scope = if matches!(scope.get_type()?, ValueType::Undefined | ValueType::Null) {
        None
    } else {
        Some(read_text(scope)?)
    };
    let user_agent = string_of(user_agent)?;
    let request = authorization::Request {
        state: &state,
        redirect_uri: &redirect_uri,
        scope: scope.as_deref(),
        user_agent: user_agent.as_deref(),
    };
    let written = URL.with_borrow_mut(|url| {
        authorization::write_authorization_uri(url, &config, &request)
            .map(|session| session.map(|session| (url.clone(), session)))
    });
    match written {
        Ok(None) => URL.with_borrow_mut(|url| {
            let value = js_url(env, url);
            if url.capacity() > MAX_KEPT_URL {
                // An unusually long URL: do not keep its buffer for the life of the thread.
                *url = String::new();
            }
            value
        }),
        Ok(Some((url, session))) => outcome(
            env,
            AuthorizationOutcome {
                url: Some(url),
                session: Some(FlowSession {
                    flow: authorization::FLOW_OFFICIAL_ACCOUNT.to_owned(),
                    app_id: session.app_id,
                    scope: session.scope.to_owned(),
                }),
                error: None,
            },
        ),
        Err(failure) => failed_authorization(env, failure),
    }
}

thread_local! {
    /// The buffer QR login URLs are written into before becoming JS strings: one allocation
    /// for the thread rather than one per call.
    static URL: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The largest URL buffer kept between calls.
const MAX_KEPT_URL: usize = 8 * 1024;

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
fn with_base_url(config: Arc<config::Config>) -> error::Result<(Arc<config::Config>, String)> {
    Ok((config, wechat::base_url()?))
}

/// `getUserInfo` and `getTokenResponseAndUserInfo` after the callback check: validates the
/// config, reads the flow from the connector session, exchanges the code, fetches the profile.
#[allow(clippy::too_many_arguments)]
#[napi(catch_unwind, ts_return_type = "Promise<SignInOutcome>")]
pub fn sign_in<'env>(
    env: &'env Env,
    config: Unknown<'env>,
    defined: u32,
    then: Unknown<'env>,
    app_id: Unknown<'env>,
    app_secret: Unknown<'env>,
    config_scope: Unknown<'env>,
    official_account_app_id: Unknown<'env>,
    official_account_app_secret: Unknown<'env>,
    official_account_scope: Unknown<'env>,
    code: String,
    session: Unknown<'env>,
) -> Result<PromiseRaw<'env, SignInOutcome>> {
    let config = config_args!(
        &config,
        defined,
        &then,
        &app_id,
        &app_secret,
        &config_scope,
        &official_account_app_id,
        &official_account_app_secret,
        &official_account_scope
    );
    let config = config.validate(env)?.and_then(with_base_url);
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
    config: Unknown<'env>,
    defined: u32,
    then: Unknown<'env>,
    app_id: Unknown<'env>,
    app_secret: Unknown<'env>,
    config_scope: Unknown<'env>,
    official_account_app_id: Unknown<'env>,
    official_account_app_secret: Unknown<'env>,
    official_account_scope: Unknown<'env>,
    code: String,
) -> Result<PromiseRaw<'env, AccessTokenOutcome>> {
    let config = config_args!(
        &config,
        defined,
        &then,
        &app_id,
        &app_secret,
        &config_scope,
        &official_account_app_id,
        &official_account_app_secret,
        &official_account_scope
    );
    let config = config.validate(env)?.and_then(with_base_url);
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
    config: Unknown<'env>,
    defined: u32,
    then: Unknown<'env>,
    app_id: Unknown<'env>,
    app_secret: Unknown<'env>,
    config_scope: Unknown<'env>,
    official_account_app_id: Unknown<'env>,
    official_account_app_secret: Unknown<'env>,
    official_account_scope: Unknown<'env>,
    refresh_token: Unknown<'env>,
) -> Result<PromiseRaw<'env, RefreshOutcome>> {
    let config = config_args!(
        &config,
        defined,
        &then,
        &app_id,
        &app_secret,
        &config_scope,
        &official_account_app_id,
        &official_account_app_secret,
        &official_account_scope
    );
    let config = config.validate(env)?.and_then(with_base_url);
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

/// Diagnostics: a plain N-API function, made like `authorizationUri`'s, that panics when called.
#[napi]
pub fn panic_probe_function(env: &Env) -> Result<Unknown<'_>> {
    unsafe extern "C" fn panics(
        raw_env: napi::sys::napi_env,
        _: napi::sys::napi_callback_info,
    ) -> napi::sys::napi_value {
        guarded(raw_env, "panicProbe", || {
            panic!("deliberate panic (panicProbeFunction)")
        })
    }
    plain_function(env, c"panicProbe", panics)
}
