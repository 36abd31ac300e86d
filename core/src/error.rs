//! Connector error codes and payloads, and the one WeChat `errcode` mapping. Upstream text is
//! kept apart ([`Echo`]) so that redaction (`crate::redact`) reaches it, and only it.
//!
//! A [`Failure`] is what every fallible operation of the core returns. The Logto entry turns it
//! into `new ConnectorError(code, data)` of the host's `@logto/connector-kit`, so `data` follows
//! what the official connector passes for the same situation.

use serde_json::{Map, Number, Value};

use crate::redact::{mask_token_fields, Secrets};
use crate::schema::Issue;
use crate::wechat::Endpoint;

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
    /// A string of the connector's own; connector-kit stores it as `{ message }`.
    Text(String),
    /// A JSON object of the connector's own, such as `{ errorDescription }`.
    Json(Value),
    /// A zod validation failure; the Logto entry wraps the issues in the host's `ZodError`.
    Issues(Vec<Issue>),
    /// Text echoed by WeChat, a gateway or a proxy.
    Echo(Echo),
}

/// Text that came from upstream, in the shape the official connector reports it. It is the only
/// text redacted (the connector's own messages are left whole), before it is escaped, and it
/// leaves as an excerpt of at most [`MAX_ECHO_BYTES`].
#[derive(Clone, PartialEq)]
pub struct Echo {
    pub text: String,
    pub shape: EchoShape,
}

impl std::fmt::Debug for Echo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Echo({:?}, {} bytes)", self.shape, self.text.len())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum EchoShape {
    /// The text is the data.
    Text,
    /// `JSON.stringify(text)`, as the official connector reports a userinfo error body.
    Quoted,
    /// `{ errorDescription: prefix + text, errcode? }`.
    Description {
        prefix: String,
        errcode: Option<Number>,
    },
}

/// Most upstream text an error carries: Logto logs the data and may return it.
pub const MAX_ECHO_BYTES: usize = 1024;

/// At most [`MAX_ECHO_BYTES`] of `text`, cut at a character boundary, saying what was left out.
fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_ECHO_BYTES {
        return text.into();
    }
    let mut end = MAX_ECHO_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} more bytes]", &text[..end], text.len() - end).into()
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

    /// Upstream text, in the given shape.
    pub fn echoed(code: Code, text: impl Into<String>, shape: EchoShape) -> Self {
        Failure::new(
            code,
            Data::Echo(Echo {
                text: text.into(),
                shape,
            }),
        )
    }

    /// `errmsg` as the data when WeChat sent one, no data otherwise (as the official connector).
    fn with_errmsg(code: Code, errmsg: Option<&str>) -> Self {
        match errmsg {
            Some(message) => Failure::echoed(code, message, EchoShape::Text),
            None => Failure::bare(code),
        }
    }

    /// Redacts the echoed text of the failure (the connector's own text holds no secret).
    pub fn redact(mut self, secrets: &Secrets) -> Self {
        if let Data::Echo(echo) = &mut self.data {
            echo.text = secrets.redact(&echo.text);
        }
        self
    }

    /// The failure in one line, for a person: its description or text, else its code.
    pub fn describe(self) -> String {
        let code = self.code.as_str();
        match self.into_data() {
            (Some(Value::String(text)), _) => text,
            (Some(Value::Object(map)), _) => match map.get("errorDescription") {
                Some(Value::String(description)) => description.clone(),
                _ => format!("{code}: {}", Value::Object(map)),
            },
            _ => code.to_owned(),
        }
    }

    /// The data as JSON for `new ConnectorError(code, data)`, and the issues when it is a
    /// `ZodError`. Echoed text leaves as an excerpt, with token fields masked.
    pub fn into_data(self) -> (Option<Value>, Option<Vec<Value>>) {
        match self.data {
            Data::None => (None, None),
            Data::Text(text) => (Some(Value::String(text)), None),
            Data::Json(value) => (Some(value), None),
            Data::Issues(issues) => (None, Some(issues.iter().map(Issue::to_json).collect())),
            Data::Echo(Echo { text, shape }) => {
                let text = mask_token_fields(&excerpt(&text));
                let value = match shape {
                    EchoShape::Text => Value::String(text),
                    EchoShape::Quoted => {
                        Value::String(serde_json::to_string(&text).unwrap_or_default())
                    }
                    EchoShape::Description { prefix, errcode } => {
                        let mut map = Map::new();
                        if !text.is_empty() || errcode.is_none() {
                            map.insert("errorDescription".into(), Value::String(prefix + &text));
                        }
                        if let Some(errcode) = errcode {
                            map.insert("errcode".into(), Value::Number(errcode));
                        }
                        Value::Object(map)
                    }
                };
                (Some(value), None)
            }
        }
    }
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
    let Some(message) = errmsg else {
        map.insert("errcode".into(), Value::Number(number.clone()));
        return Err(Failure::new(Code::General, Data::Json(Value::Object(map))));
    };
    Err(Failure::echoed(
        Code::General,
        message,
        EchoShape::Description {
            prefix: String::new(),
            errcode: Some(number.clone()),
        },
    ))
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
            assert_eq!(failure.into_data().0, Some(json!("bad code")));
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
            failure.into_data().0,
            Some(json!({"errorDescription": "invalid appsecret", "errcode": 40125}))
        );
        // A userinfo errcode that is specific to the token endpoint stays general.
        let failure = check_errcode(Endpoint::UserInfo, Some(&num(40029)), None).unwrap_err();
        assert_eq!(failure.into_data().0, Some(json!({"errcode": 40029})));
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
    fn a_failure_described_in_one_line() {
        assert_eq!(Failure::text(Code::General, "a text").describe(), "a text");
        let described = Failure::described(Code::General, "a description");
        assert_eq!(described.describe(), "a description");
        let errcode = check_errcode(Endpoint::AccessToken, Some(&num(40164)), None).unwrap_err();
        assert_eq!(errcode.describe(), r#"general: {"errcode":40164}"#);
        assert_eq!(
            Failure::bare(Code::InvalidResponse).describe(),
            "invalid_response"
        );
    }

    #[test]
    fn only_echoed_text_is_redacted_and_it_leaves_as_an_excerpt() {
        let secrets = Secrets::new(["endpoint", "supersecret1"]);
        let own = Failure::described(Code::General, "WeChat userinfo endpoint").redact(&secrets);
        assert_eq!(
            own.into_data().0,
            Some(json!({"errorDescription": "WeChat userinfo endpoint"}))
        );
        // Redacted, "echo [redacted] x" is 17 bytes: byte 1024 falls inside an "é", so the
        // excerpt ends one byte earlier, after 503 of them.
        let long = format!("echo supersecret1 x{}", "é".repeat(2000));
        let echoed = Failure::echoed(Code::General, long, EchoShape::Text).redact(&secrets);
        let Some(Value::String(excerpt)) = echoed.into_data().0 else {
            panic!("a string")
        };
        let kept = format!("echo [redacted] x{}", "é".repeat(503));
        assert_eq!(kept.len(), MAX_ECHO_BYTES - 1);
        assert_eq!(
            excerpt,
            format!("{kept}… [{} more bytes]", 17 + 4000 - 1023)
        );
    }
}
