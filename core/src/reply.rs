//! Parsing WeChat's replies the way the official connector does: the body is JSON whatever its
//! content type, checked field by field with zod-identical issues, then `errcode` is mapped.

use serde_json::{Number, Value};

use crate::error::{check_errcode, Code, EchoShape, Failure, Result};
use crate::redact::Hidden;
use crate::schema::{check_object, Field, FieldType};
use crate::wechat::Endpoint;

/// Largest body we read; WeChat's replies are well under a few KB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

const TOKEN_FIELDS: &[Field] = &[
    Field::optional("access_token", FieldType::String),
    Field::optional("openid", FieldType::String),
    Field::optional("expires_in", FieldType::Number),
    Field::optional("refresh_token", FieldType::String),
    Field::optional("scope", FieldType::String),
    Field::optional("errcode", FieldType::Number),
    Field::optional("errmsg", FieldType::String),
];

const USER_INFO_FIELDS: &[Field] = &[
    Field::optional("unionid", FieldType::String),
    Field::optional("headimgurl", FieldType::String),
    Field::optional("nickname", FieldType::String),
    Field::optional("errcode", FieldType::Number),
    Field::optional("errmsg", FieldType::String),
];

/// The body as text, decoded like Node's `buffer.toString('utf8')` (bad bytes become U+FFFD).
fn body_text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

/// connector-kit's `parseJson`: `JSON.parse`, then its JSON guard, which drops `__proto__` keys.
/// Not JSON → `invalid_response` with the body text.
pub fn parse_json(body: &[u8]) -> Result<Value> {
    let text = body_text(body);
    match serde_json::from_str::<Value>(&text) {
        Ok(mut value) => {
            drop_proto_keys(&mut value);
            Ok(value)
        }
        Err(_) => Err(Failure::echoed(
            Code::InvalidResponse,
            text,
            EchoShape::Text,
        )),
    }
}

/// Drops `__proto__` keys (as connector-kit's JSON guard does) and makes every integer beyond
/// JavaScript's safe range a double, as `JSON.parse` would read it.
fn drop_proto_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.shift_remove("__proto__");
            map.values_mut().for_each(drop_proto_keys);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_proto_keys),
        Value::Number(number) => {
            const SAFE: u64 = (1 << 53) - 1;
            let unsafe_integer = number.as_u64().is_some_and(|n| n > SAFE)
                || number.as_i64().is_some_and(|n| n.unsigned_abs() > SAFE);
            if unsafe_integer {
                if let Some(double) = number.as_f64().and_then(Number::from_f64) {
                    *number = double;
                }
            }
        }
        _ => {}
    }
}

fn text_field(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn number_field(value: &Value, key: &str) -> Option<Number> {
    value.get(key).and_then(|v| v.as_number().cloned())
}

/// A checked reply of `/sns/oauth2/access_token` or `/sns/oauth2/refresh_token`.
#[derive(Clone, PartialEq)]
pub struct TokenReply {
    pub access_token: String,
    pub openid: String,
    pub refresh_token: Option<String>,
    pub expires_in: Option<Number>,
    pub scope: Option<String>,
    /// Only a string `unionid` counts; the official guard does not look at this key.
    pub unionid: Option<String>,
    /// `is_snapshotuser: 1`: WeChat's read-only "snapshot" identity (Official Account flow).
    pub is_snapshot_user: bool,
}

impl std::fmt::Debug for TokenReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenReply")
            .field("access_token", &Hidden)
            .field("openid", &self.openid)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| Hidden),
            )
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("unionid", &self.unionid)
            .field("is_snapshot_user", &self.is_snapshot_user)
            .finish()
    }
}

/// Checks a token reply. The order is the official connector's: field types, then `errcode`,
/// then non-empty `access_token` and `openid` (the refresh endpoint needs only the token).
pub fn token_reply(value: &Value, endpoint: Endpoint) -> Result<TokenReply> {
    let issues = check_object(value, TOKEN_FIELDS);
    if !issues.is_empty() {
        return Err(Failure::issues(Code::InvalidResponse, issues));
    }
    check_errcode(
        endpoint,
        value.get("errcode").and_then(Value::as_number),
        value.get("errmsg").and_then(Value::as_str),
    )?;
    let access_token = text_field(value, "access_token").unwrap_or_default();
    let openid = text_field(value, "openid").unwrap_or_default();
    let needs_openid = endpoint == Endpoint::AccessToken;
    if access_token.is_empty() || (needs_openid && openid.is_empty()) {
        return Err(Failure::bare(Code::InvalidResponse));
    }
    Ok(TokenReply {
        access_token,
        openid,
        refresh_token: text_field(value, "refresh_token"),
        expires_in: number_field(value, "expires_in"),
        scope: text_field(value, "scope"),
        unionid: text_field(value, "unionid"),
        is_snapshot_user: value
            .get("is_snapshotuser")
            .and_then(Value::as_f64)
            .is_some_and(|n| n == 1.0),
    })
}

/// What `getUserInfo` resolves to.
#[derive(Debug, Clone, PartialEq)]
pub struct UserInfo {
    pub id: String,
    pub avatar: Option<String>,
    pub name: Option<String>,
    pub raw_data: Value,
}

/// Checks a `/sns/userinfo` reply: `{ id: unionid ?? openid, avatar, name, rawData }`.
pub fn user_info(value: Value, openid: &str) -> Result<UserInfo> {
    let issues = check_object(&value, USER_INFO_FIELDS);
    if !issues.is_empty() {
        return Err(Failure::issues(Code::InvalidResponse, issues));
    }
    check_errcode(
        Endpoint::UserInfo,
        value.get("errcode").and_then(Value::as_number),
        value.get("errmsg").and_then(Value::as_str),
    )?;
    Ok(UserInfo {
        id: text_field(&value, "unionid").unwrap_or_else(|| openid.to_owned()),
        avatar: text_field(&value, "headimgurl"),
        name: text_field(&value, "nickname"),
        raw_data: value,
    })
}

/// A non-2xx userinfo reply, as the official connector reports it: 401 means the access token is
/// bad; anything else is `general` with the JSON-stringified body text.
pub fn user_info_status(status: u16, body: &[u8]) -> Failure {
    if status == 401 {
        return Failure::bare(Code::SocialAccessTokenInvalid);
    }
    Failure::echoed(Code::General, body_text(body), EchoShape::Quoted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Data;
    use serde_json::json;

    #[test]
    fn non_json_bodies_are_invalid_response_with_the_text() {
        let failure = parse_json(b"<html>busy</html>").unwrap_err();
        assert_eq!(failure.code, Code::InvalidResponse);
        assert_eq!(failure.into_data().0, Some(json!("<html>busy</html>")));
        let failure = parse_json(b"\xff{").unwrap_err();
        assert_eq!(failure.into_data().0, Some(json!("\u{fffd}{")));
    }

    #[test]
    fn large_integers_become_doubles_like_json_parse() {
        let value =
            parse_json(b"[12345678901234567890, -9007199254740993, 9007199254740991]").unwrap();
        assert!(value[0].is_f64() && value[1].is_f64());
        assert_eq!(value[2].as_u64(), Some(9_007_199_254_740_991));
    }

    #[test]
    fn proto_keys_are_dropped_like_connector_kit_does() {
        let value = parse_json(br#"{"a":{"__proto__":{"x":1},"b":2},"__proto__":3}"#).unwrap();
        assert_eq!(value, json!({"a": {"b": 2}}));
    }

    #[test]
    fn token_reply_checks_types_then_errcode_then_presence() {
        let failure =
            token_reply(&json!({"errcode": "1", "openid": 2}), Endpoint::AccessToken).unwrap_err();
        let Data::Issues(issues) = failure.data else {
            panic!("expected issues")
        };
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].path, ["openid"]);

        let failure = token_reply(
            &json!({"errcode": 40163, "errmsg": "code been used"}),
            Endpoint::AccessToken,
        )
        .unwrap_err();
        assert_eq!(failure.code, Code::SocialAuthCodeInvalid);

        let failure = token_reply(
            &json!({"access_token": "", "openid": "o"}),
            Endpoint::AccessToken,
        )
        .unwrap_err();
        assert_eq!(failure, Failure::bare(Code::InvalidResponse));

        let reply = token_reply(
            &json!({"access_token": "t", "openid": "o", "expires_in": 7200, "is_snapshotuser": 1}),
            Endpoint::AccessToken,
        )
        .unwrap();
        assert!(reply.is_snapshot_user);
        assert_eq!(reply.expires_in, Some(Number::from(7200)));
    }

    #[test]
    fn user_info_prefers_unionid_even_when_empty() {
        let info = user_info(json!({"unionid": "", "nickname": "n"}), "oid").unwrap();
        assert_eq!(info.id, "");
        let info = user_info(json!({"headimgurl": "h"}), "oid").unwrap();
        assert_eq!(
            (info.id.as_str(), info.avatar.as_deref()),
            ("oid", Some("h"))
        );
    }

    #[test]
    fn user_info_status_mapping() {
        assert_eq!(
            user_info_status(401, b"x"),
            Failure::bare(Code::SocialAccessTokenInvalid)
        );
        assert_eq!(
            user_info_status(500, b"a\"b").into_data().0,
            Some(json!(r#""a\"b""#))
        );
    }
}
