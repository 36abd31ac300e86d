//! Property tests ("fuzzing") of the three input-facing parts of the core: the config validator,
//! the URL builder and the reply parser. Each property is checked against a reference written
//! independently of the code under test. `PROPTEST_CASES=200000 cargo test --release --test fuzz`
//! runs them for longer.

use connector_wechat_web_core::authorization::{authorization_uri, qr_uri, Request};
use connector_wechat_web_core::config::{self, Config, FIELDS};
use connector_wechat_web_core::error::{Code, Data};
use connector_wechat_web_core::reply::{parse_json, token_reply, user_info};
use connector_wechat_web_core::schema::{Input, Kind};
use connector_wechat_web_core::wechat::Endpoint;
use proptest::prelude::*;
use serde_json::Value;

/// The characters JavaScript's `encodeURI` leaves as they are (ECMA-262: uriReserved,
/// uriUnescaped and `#`); every other byte of the UTF-8 is escaped.
const URI_KEPT: &str = ";/?:@&=+$,-_.!~*'()#";

/// `%XX` for one byte, upper-case hex, as both encoders write it.
fn escaped(byte: u8) -> String {
    format!("%{byte:02X}")
}

/// `encodeURI` for a well-formed string, written from the standard's definition (independently of
/// the `percent-encoding` set the implementation uses).
fn reference_encode_uri(value: &str) -> String {
    value
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || URI_KEPT.as_bytes().contains(&byte) {
                char::from(byte).to_string()
            } else {
                escaped(byte)
            }
        })
        .collect()
}

/// The WHATWG `application/x-www-form-urlencoded` byte serializer (what `URLSearchParams`
/// writes), written from the specification: `*-._` and alphanumerics as they are, space as `+`.
fn reference_form(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b' ' => "+".to_owned(),
            b'*' | b'-' | b'.' | b'_' => char::from(byte).to_string(),
            _ if byte.is_ascii_alphanumeric() => char::from(byte).to_string(),
            _ => escaped(byte),
        })
        .collect()
}

fn reference_qr_uri(app_id: &str, redirect: &str, scope: &str, state: &str) -> String {
    let pairs = [
        ("appid", app_id.to_owned()),
        ("redirect_uri", reference_encode_uri(redirect)),
        ("response_type", "code".to_owned()),
        ("scope", scope.to_owned()),
        ("state", state.to_owned()),
    ];
    let query: Vec<String> = pairs
        .iter()
        .map(|(key, value)| format!("{}={}", reference_form(key), reference_form(value)))
        .collect();
    format!(
        "https://open.weixin.qq.com/connect/qrconnect?{}",
        query.join("&")
    )
}

/// Percent-decoding, written from RFC 3986: `%XX` is the byte XX, any other byte is itself.
fn reference_percent_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            out.push(u8::from_str_radix(value.get(at + 1..at + 3)?, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Strings made of what URL encoding is for: the URL's delimiters, `%`, `+`, spaces, non-ASCII,
/// controls; and any string at all.
fn awkward() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::collection::vec(
            prop_oneof![
                Just("&".to_owned()), Just("=".to_owned()), Just("#".to_owned()), Just("%".to_owned()),
                Just("+".to_owned()), Just(" ".to_owned()), Just("/".to_owned()), Just("?".to_owned()),
                Just("%41".to_owned()), Just("微信".to_owned()), Just("😀".to_owned()), Just("\u{0}".to_owned()),
                "[a-zA-Z0-9._~-]{1,4}",
            ],
            0..16,
        ).prop_map(|parts| parts.concat()),
        1 => any::<String>(),
    ]
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Undefined),
        Just(Kind::Null),
        Just(Kind::Boolean),
        Just(Kind::Number),
        Just(Kind::NaN),
        Just(Kind::BigInt),
        Just(Kind::Symbol),
        Just(Kind::Function),
        Just(Kind::Array),
        Just(Kind::Object),
        Just(Kind::Date),
        Just(Kind::Map),
        Just(Kind::Set),
        Just(Kind::Promise),
    ]
}

fn field_value() -> impl Strategy<Value = Input> {
    prop_oneof![
        3 => prop_oneof![Just(String::new()), "[a-z_]{1,12}", any::<String>(),
                         Just("snsapi_userinfo".to_owned()), Just("snsapi_base".to_owned()),
                         Just("snsapi_login".to_owned())]
            .prop_map(Input::Text),
        1 => kind().prop_map(|k| if k == Kind::Object { Input::Object(vec![]) } else { Input::Scalar(k) }),
    ]
}

/// A JS config as the binding would read it: each schema key absent or present with some value.
fn config_input() -> impl Strategy<Value = Input> {
    prop_oneof![
        1 => kind().prop_filter("objects are built below", |k| *k != Kind::Object).prop_map(Input::Scalar),
        1 => any::<String>().prop_map(Input::Text),
        6 => proptest::collection::vec(proptest::option::of(field_value()), FIELDS.len()).prop_map(|values| {
            Input::Object(
                FIELDS.iter().zip(values)
                    .filter_map(|(field, value)| value.map(|v| (field.key.to_owned(), v)))
                    .collect(),
            )
        }),
    ]
}

/// The zod schema, written out: what it accepts.
fn zod_accepts(input: &Input) -> bool {
    let Input::Object(fields) = input else {
        return false;
    };
    let get = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let text = |key: &str| match get(key) {
        Some(Input::Text(t)) => Some(t.as_str()),
        _ => None,
    };
    let absent = |key: &str| matches!(get(key), None | Some(Input::Scalar(Kind::Undefined)));
    let optional_string = |key: &str| absent(key) || text(key).is_some();
    let base = text("appId").is_some()
        && text("appSecret").is_some()
        && optional_string("scope")
        && matches!(text("scope"), None | Some("" | "snsapi_login"))
        && optional_string("officialAccountAppId")
        && optional_string("officialAccountAppSecret")
        && (absent("officialAccountScope")
            || matches!(text("officialAccountScope"), Some("snsapi_userinfo")));
    let set = |key: &str| text(key).is_some_and(|t| !t.is_empty());
    base && set("officialAccountAppId") == set("officialAccountAppSecret")
}

/// The official guard (first three keys only) accepts.
fn official_accepts(input: &Input) -> bool {
    let Input::Object(fields) = input else {
        return false;
    };
    let get = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    matches!(get("appId"), Some(Input::Text(_)))
        && matches!(get("appSecret"), Some(Input::Text(_)))
        && matches!(
            get("scope"),
            None | Some(Input::Scalar(Kind::Undefined)) | Some(Input::Text(_))
        )
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just(40029i64),
            Just(40163),
            Just(42003),
            Just(40001),
            Just(40014),
            Just(0),
            Just(-1)
        ]
        .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof![
                        Just("access_token".to_owned()),
                        Just("openid".to_owned()),
                        Just("errcode".to_owned()),
                        Just("errmsg".to_owned()),
                        Just("expires_in".to_owned()),
                        Just("unionid".to_owned()),
                        Just("nickname".to_owned()),
                        Just("headimgurl".to_owned()),
                        Just("__proto__".to_owned()),
                        "[a-z]{1,6}"
                    ],
                    inner
                ),
                0..8,
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn config_validation_agrees_with_the_zod_schema(input in config_input()) {
        let parsed = config::parse(&input);
        prop_assert_eq!(parsed.is_ok(), zod_accepts(&input), "{:?}", input);
        // Never accepts what the official schema rejects.
        if parsed.is_ok() {
            prop_assert!(official_accepts(&input));
        }
        if let Err(issues) = parsed {
            prop_assert!(!issues.is_empty());
            for issue in issues {
                prop_assert!(!issue.message.is_empty());
            }
        }
    }

    #[test]
    fn qr_uri_equals_the_reference(
        app_id in any::<String>(), redirect in any::<String>(), state in any::<String>(),
        config_scope in proptest::option::of(any::<String>()), payload_scope in proptest::option::of(any::<String>()),
    ) {
        let config = Config {
            web: config::App { app_id: app_id.clone(), app_secret: "s".into() },
            scope: config_scope.clone(),
            official_account: None,
        };
        let request = Request { state: &state, redirect_uri: &redirect, scope: payload_scope.as_deref(), user_agent: None };
        let scope = payload_scope.clone().or(config_scope).unwrap_or_else(|| "snsapi_login".into());
        prop_assert_eq!(qr_uri(&config, &request), reference_qr_uri(&app_id, &redirect, &scope, &state));
    }

    #[test]
    fn authorization_never_panics_and_the_qr_flow_ignores_user_agents(
        redirect in any::<String>(), state in any::<String>(), agent in proptest::option::of(any::<String>()),
    ) {
        let config = Config {
            web: config::App { app_id: "wx".into(), app_secret: "s".into() },
            scope: None, official_account: None,
        };
        let request = Request { state: &state, redirect_uri: &redirect, scope: None, user_agent: agent.as_deref() };
        let found = authorization_uri(&config, &request).unwrap();
        prop_assert_eq!(&found.url, &qr_uri(&config, &request));
        prop_assert!(found.session.is_none());
        prop_assert!(found.url.is_ascii());

        // Inside WeChat with an Official Account: also ASCII, WeChat's parameter order.
        let with_account = Config {
            official_account: Some(config::OfficialAccount {
                app: config::App { app_id: state.clone(), app_secret: "s".into() },
            }),
            ..config
        };
        let inside = Request { user_agent: Some("MicroMessenger"), ..request };
        match authorization_uri(&with_account, &inside) {
            Ok(found) => {
                prop_assert!(found.session.is_some());
                prop_assert!(found.url.is_ascii());
                prop_assert!(found.url.starts_with("https://open.weixin.qq.com/connect/oauth2/authorize?appid="));
                prop_assert!(found.url.ends_with("#wechat_redirect"));
            }
            // Only a state longer than WeChat accepts is refused.
            Err(_) => prop_assert!(state.len() > 128),
        }
    }

    #[test]
    fn official_account_uri_round_trips(app_id in awkward(), redirect in awkward(), state in awkward()) {
        let config = Config {
            web: config::App { app_id: "wx_web".into(), app_secret: "s".into() },
            scope: None,
            official_account: Some(config::OfficialAccount {
                app: config::App { app_id: app_id.clone(), app_secret: "s".into() },
            }),
        };
        let request = Request { state: &state, redirect_uri: &redirect, scope: None, user_agent: Some("MicroMessenger/8.0") };
        let Ok(found) = authorization_uri(&config, &request) else {
            prop_assert!(state.len() > 128);
            return Ok(());
        };
        let url = found.url;
        // One fragment, WeChat's; the parameters in WeChat's order, each value exactly as given.
        let (base, fragment) = url.split_once('#').unwrap();
        prop_assert_eq!(fragment, "wechat_redirect");
        let query = base.strip_prefix("https://open.weixin.qq.com/connect/oauth2/authorize?").unwrap();
        let pairs: Vec<(&str, String)> = query
            .split('&')
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap();
                (key, reference_percent_decode(value).unwrap())
            })
            .collect();
        let expected = [
            ("appid", app_id), ("redirect_uri", redirect), ("response_type", "code".to_owned()),
            ("scope", "snsapi_userinfo".to_owned()), ("state", state),
        ];
        prop_assert_eq!(pairs, expected.to_vec());
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_parser(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(value) = parse_json(&body) {
            let _ = token_reply(&value, Endpoint::AccessToken);
            let _ = user_info(value, "openid");
        }
    }

    #[test]
    fn replies_follow_the_official_rules(value in json_value()) {
        let body = serde_json::to_vec(&value).unwrap();
        let parsed = parse_json(&body).unwrap();
        let field = |key: &str| parsed.get(key);
        let is = |key: &str, f: fn(&Value) -> bool| field(key).is_none_or(f);
        let types_ok = parsed.is_object()
            && is("access_token", Value::is_string) && is("openid", Value::is_string)
            && is("expires_in", Value::is_number) && is("refresh_token", Value::is_string)
            && is("scope", Value::is_string) && is("errcode", Value::is_number) && is("errmsg", Value::is_string);
        let errcode = field("errcode").and_then(Value::as_f64).unwrap_or(0.0);
        let token_present = field("access_token").and_then(Value::as_str).is_some_and(|s| !s.is_empty())
            && field("openid").and_then(Value::as_str).is_some_and(|s| !s.is_empty());
        match token_reply(&parsed, Endpoint::AccessToken) {
            Ok(reply) => {
                prop_assert!(types_ok && errcode == 0.0 && token_present);
                prop_assert_eq!(Some(reply.access_token.as_str()), field("access_token").and_then(Value::as_str));
            }
            Err(failure) => {
                if !types_ok {
                    prop_assert_eq!(failure.code, Code::InvalidResponse);
                    prop_assert!(matches!(failure.data, Data::Issues(_)));
                } else if errcode != 0.0 {
                    let expected = if [40029.0, 40163.0, 42003.0].contains(&errcode) { Code::SocialAuthCodeInvalid } else { Code::General };
                    prop_assert_eq!(failure.code, expected);
                } else {
                    prop_assert!(!token_present);
                    prop_assert_eq!(failure.code, Code::InvalidResponse);
                }
            }
        }
        // `__proto__` never survives, at any depth.
        prop_assert!(!serde_json::to_string(&parsed).unwrap().contains("\"__proto__\""));
    }
}
