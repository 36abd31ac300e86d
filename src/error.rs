//! Connector error codes and payloads, the one WeChat `errcode` mapping, and redaction.
//!
//! A [`Failure`] is what every fallible operation of the core returns. The Logto entry turns it
//! into `new ConnectorError(code, data)` of the host's `@logto/connector-kit`, so `data` follows
//! what the official connector passes for the same situation.

#![forbid(unsafe_code)]

use serde_json::{Map, Number, Value};

use crate::schema::Issue;

/// The `ConnectorErrorCodes` values this connector produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    General,
    InvalidConfig,
    InvalidResponse,
    InvalidRequestParameters,
    SocialAuthCodeInvalid,
    SocialAccessTokenInvalid,
    AuthorizationFailed,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::General => "general",
            Code::InvalidConfig => "invalid_config",
            Code::InvalidResponse => "invalid_response",
            Code::InvalidRequestParameters => "invalid_request_parameters",
            Code::SocialAuthCodeInvalid => "social_auth_code_invalid",
            Code::SocialAccessTokenInvalid => "social_invalid_access_token",
            Code::AuthorizationFailed => "authorization_failed",
        }
    }
}

/// The `data` argument of `ConnectorError`.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// `new ConnectorError(code)`.
    None,
    /// A string; connector-kit stores it as `{ message }`.
    Text(String),
    /// A JSON object such as `{ errorDescription, errcode }`.
    Json(Value),
    /// A zod validation failure; the Logto entry wraps the issues in a `ZodError`-like error.
    Issues(Vec<Issue>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub code: Code,
    pub data: Data,
}

pub type Result<T> = std::result::Result<T, Failure>;

impl Failure {
    pub fn new(code: Code, data: Data) -> Self {
        Failure { code, data }
    }

    pub fn bare(code: Code) -> Self {
        Failure::new(code, Data::None)
    }

    pub fn text(code: Code, text: impl Into<String>) -> Self {
        Failure::new(code, Data::Text(text.into()))
    }

    /// `{ errorDescription }`: Logto shows `errorDescription` as the message of a general error.
    pub fn described(code: Code, description: impl Into<String>) -> Self {
        let mut map = Map::new();
        map.insert("errorDescription".into(), Value::String(description.into()));
        Failure::new(code, Data::Json(Value::Object(map)))
    }

    pub fn issues(code: Code, issues: Vec<Issue>) -> Self {
        Failure::new(code, Data::Issues(issues))
    }

    /// `errmsg` as the data when WeChat sent one, no data otherwise (as the official connector).
    fn with_errmsg(code: Code, errmsg: Option<&str>) -> Self {
        match errmsg {
            Some(message) => Failure::text(code, message),
            None => Failure::bare(code),
        }
    }

    /// Replaces every occurrence of the given secrets in the failure's strings.
    pub fn redact(mut self, secrets: &[&str]) -> Self {
        match &mut self.data {
            Data::None | Data::Issues(_) => {}
            Data::Text(text) => *text = redact(text, secrets),
            Data::Json(value) => redact_value(value, secrets),
        }
        self
    }
}

/// Which WeChat endpoint answered: each maps a few `errcode`s to a specific connector code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    AccessToken,
    UserInfo,
    RefreshToken,
}

/// WeChat's `errcode`s for a code that cannot be exchanged: 40029 invalid, 40163 already used,
/// 42003 expired (the official connector's `invalidAuthCodeErrcode`).
const INVALID_AUTH_CODE_ERRCODES: [f64; 3] = [40029.0, 40163.0, 42003.0];
/// `errcode`s of userinfo for an access token WeChat no longer accepts: 40001 invalid
/// credential, 40014 invalid access token.
const INVALID_ACCESS_TOKEN_ERRCODES: [f64; 2] = [40001.0, 40014.0];
/// `errcode`s of the refresh endpoint for a refresh token that is invalid (40030) or expired
/// (42002): the user must sign in again.
const INVALID_REFRESH_TOKEN_ERRCODES: [f64; 2] = [40030.0, 42002.0];

/// The one `errcode` mapping. `errcode` 0 (and an absent one) is success, like the official
/// connector's `if (errcode)`.
pub fn check_errcode(
    endpoint: Endpoint,
    errcode: Option<&Number>,
    errmsg: Option<&str>,
) -> Result<()> {
    let Some(number) = errcode else {
        return Ok(());
    };
    let value = number.as_f64().unwrap_or(f64::NAN);
    if value == 0.0 || value.is_nan() {
        return Ok(());
    }
    let is = |codes: &[f64]| codes.contains(&value);
    let specific = match endpoint {
        Endpoint::AccessToken if is(&INVALID_AUTH_CODE_ERRCODES) => {
            Some(Code::SocialAuthCodeInvalid)
        }
        Endpoint::UserInfo if is(&INVALID_ACCESS_TOKEN_ERRCODES) => {
            Some(Code::SocialAccessTokenInvalid)
        }
        Endpoint::RefreshToken if is(&INVALID_REFRESH_TOKEN_ERRCODES) => {
            Some(Code::SocialAccessTokenInvalid)
        }
        _ => None,
    };
    if let Some(code) = specific {
        return Err(Failure::with_errmsg(code, errmsg));
    }
    let mut map = Map::new();
    if let Some(message) = errmsg {
        map.insert("errorDescription".into(), Value::String(message.into()));
    }
    map.insert("errcode".into(), Value::Number(number.clone()));
    Err(Failure::new(Code::General, Data::Json(Value::Object(map))))
}

/// Shortest secret we redact: shorter strings would mangle ordinary words, and real WeChat
/// secrets and tokens are far longer (32 and 80+ characters).
const MIN_REDACTED_LEN: usize = 6;

const REDACTED: &str = "[redacted]";

pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        if secret.len() >= MIN_REDACTED_LEN && out.contains(secret) {
            out = out.replace(secret, REDACTED);
        }
    }
    scrub_token_fields(&out)
}

fn redact_value(value: &mut Value, secrets: &[&str]) {
    match value {
        Value::String(text) => *text = redact(text, secrets),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, secrets)),
        Value::Object(map) => map.values_mut().for_each(|v| redact_value(v, secrets)),
        _ => {}
    }
}

/// In text that is not valid JSON (so could not be parsed and checked), masks the value after an
/// `access_token`/`refresh_token` key: a truncated token reply must not carry a token into an error.
fn scrub_token_fields(text: &str) -> String {
    const KEYS: [&str; 2] = ["\"access_token\"", "\"refresh_token\""];
    if !KEYS.iter().any(|k| text.contains(k)) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((index, key)) = KEYS
        .iter()
        .filter_map(|k| rest.find(k).map(|i| (i, *k)))
        .min_by_key(|(i, _)| *i)
    {
        let after_key = index + key.len();
        out.push_str(&rest[..after_key]);
        rest = &rest[after_key..];
        // Skip `\s*:\s*"` and mask up to the closing quote (or the end of the text).
        let trimmed = rest.trim_start();
        let Some(after_colon) = trimmed.strip_prefix(':') else {
            continue;
        };
        let value = after_colon.trim_start();
        let Some(inner) = value.strip_prefix('"') else {
            continue;
        };
        out.push_str(&rest[..rest.len() - inner.len()]);
        let end = inner.find('"').unwrap_or(inner.len());
        out.push_str(REDACTED);
        rest = &inner[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn num(n: i64) -> Number {
        Number::from(n)
    }

    #[test]
    fn errcode_zero_or_absent_is_success() {
        assert!(check_errcode(Endpoint::AccessToken, None, None).is_ok());
        assert!(check_errcode(Endpoint::AccessToken, Some(&num(0)), Some("ok")).is_ok());
    }

    #[test]
    fn invalid_code_errcodes_map_to_auth_code_invalid() {
        for code in [40029, 40163, 42003] {
            let failure = check_errcode(Endpoint::AccessToken, Some(&num(code)), Some("bad code"))
                .unwrap_err();
            assert_eq!(failure.code, Code::SocialAuthCodeInvalid);
            assert_eq!(failure.data, Data::Text("bad code".into()));
        }
        let failure = check_errcode(Endpoint::AccessToken, Some(&num(40029)), None).unwrap_err();
        assert_eq!(failure.data, Data::None);
    }

    #[test]
    fn other_errcodes_are_general_with_description() {
        let failure = check_errcode(
            Endpoint::AccessToken,
            Some(&num(40125)),
            Some("invalid appsecret"),
        )
        .unwrap_err();
        assert_eq!(failure.code, Code::General);
        assert_eq!(
            failure.data,
            Data::Json(json!({"errorDescription": "invalid appsecret", "errcode": 40125}))
        );
        // A userinfo errcode that is specific to the token endpoint stays general.
        let failure = check_errcode(Endpoint::UserInfo, Some(&num(40029)), None).unwrap_err();
        assert_eq!(failure.data, Data::Json(json!({"errcode": 40029})));
    }

    #[test]
    fn access_token_and_refresh_errcodes() {
        for code in [40001, 40014] {
            let f = check_errcode(Endpoint::UserInfo, Some(&num(code)), Some("m")).unwrap_err();
            assert_eq!(f.code, Code::SocialAccessTokenInvalid);
        }
        for code in [40030, 42002] {
            let f = check_errcode(Endpoint::RefreshToken, Some(&num(code)), Some("m")).unwrap_err();
            assert_eq!(f.code, Code::SocialAccessTokenInvalid);
        }
        let f = check_errcode(Endpoint::RefreshToken, Some(&num(41003)), Some("m")).unwrap_err();
        assert_eq!(f.code, Code::General);
    }

    #[test]
    fn redaction_masks_secrets_and_token_fields() {
        let text = "secret=abcdefgh1234 and {\"access_token\": \"TOKEN123\", \"refresh_token\":\"R";
        let out = redact(text, &["abcdefgh1234", "x"]);
        assert!(!out.contains("abcdefgh1234"));
        assert!(!out.contains("TOKEN123"));
        assert!(!out.contains("\"R"));
        assert!(out.contains("\"access_token\": \"[redacted]\""));
        // Short strings are not treated as secrets.
        assert_eq!(redact("a b c", &["a"]), "a b c");
    }

    #[test]
    fn redaction_reaches_nested_json_data() {
        let failure = Failure::new(
            Code::General,
            Data::Json(json!({"errorDescription": "echo supersecret1"})),
        )
        .redact(&["supersecret1"]);
        assert_eq!(
            failure.data,
            Data::Json(json!({"errorDescription": "echo [redacted]"}))
        );
    }
}
