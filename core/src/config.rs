//! The connector's config: validation with zod-identical issues, and the typed result.
//!
//! The first three keys are exactly the official guard
//! `z.object({ appId: z.string(), appSecret: z.string(), scope: z.string().optional() })`.
//! The Official Account keys are optional additions; id and secret come together or not at all.
//!
//! Two deliberate differences keep identities whole (see the guide's "One person, one account"):
//! a QR `scope` other than `snsapi_login` is refused (WeChat's QR page rejects any other), and the
//! Official Account scope is `snsapi_userinfo` only (`snsapi_base` never gives a `unionid`).

use crate::error::{Code, Failure, Result};
use crate::redact::Hidden;
use crate::schema::{check_object, Field, FieldType, Input, Issue, Shape};

/// The one scope WeChat's QR login (网站应用) accepts.
pub const QR_SCOPE: &str = "snsapi_login";
/// The Official Account scope: the only one that gives a `unionid`.
pub const SCOPE_USERINFO: &str = "snsapi_userinfo";
const OFFICIAL_ACCOUNT_SCOPES: &[&str] = &[SCOPE_USERINFO];

/// The guard's fields, in order. The binding reads exactly these keys from a JS config.
pub const FIELDS: &[Field] = &[
    Field::required("appId", FieldType::String),
    Field::required("appSecret", FieldType::String),
    Field::optional("scope", FieldType::String),
    Field::optional("officialAccountAppId", FieldType::String),
    Field::optional("officialAccountAppSecret", FieldType::String),
    Field::optional(
        "officialAccountScope",
        FieldType::Enum(OFFICIAL_ACCOUNT_SCOPES),
    ),
];

/// The guard's keys, in its order.
pub fn keys() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().map(|field| field.key)
}

/// Credentials of one WeChat app.
#[derive(Clone, PartialEq, Eq)]
pub struct App {
    pub app_id: String,
    pub app_secret: String,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("app_id", &self.app_id)
            .field("app_secret", &Hidden)
            .finish()
    }
}

/// The Official Account (服务号) used inside WeChat's own browser, always with
/// [`SCOPE_USERINFO`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialAccount {
    pub app: App,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The Website App (网站应用) used by the QR login.
    pub web: App,
    /// The QR login scope: [`QR_SCOPE`], or `None` when absent or empty (the same URL).
    pub scope: Option<String>,
    pub official_account: Option<OfficialAccount>,
}

impl Config {
    /// Every secret the config holds, for redaction.
    pub fn secrets(&self) -> Vec<&str> {
        let mut secrets = vec![self.web.app_secret.as_str()];
        if let Some(account) = &self.official_account {
            secrets.push(&account.app.app_secret);
        }
        secrets
    }
}

/// Validates a config as the guard does; `Err` holds the zod issues.
pub fn parse(input: &Input) -> std::result::Result<Config, Vec<Issue>> {
    let mut issues = check_object(input, FIELDS);
    if issues.is_empty() {
        issues.extend(qr_scope_issue(input));
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    let text = |key: &str| input.field(key).and_then(Shape::as_text);
    let owned = |key: &str| text(key).map(str::to_owned);
    let non_empty = |key: &str| text(key).filter(|t| !t.is_empty());

    let official_account = match (
        non_empty("officialAccountAppId"),
        non_empty("officialAccountAppSecret"),
    ) {
        (Some(app_id), Some(app_secret)) => Some(OfficialAccount {
            app: App {
                app_id: app_id.to_owned(),
                app_secret: app_secret.to_owned(),
            },
        }),
        (None, None) => None,
        (Some(_), None) => return Err(vec![pair_issue("officialAccountAppSecret")]),
        (None, Some(_)) => return Err(vec![pair_issue("officialAccountAppId")]),
    };

    Ok(Config {
        web: App {
            app_id: owned("appId").unwrap_or_default(),
            app_secret: owned("appSecret").unwrap_or_default(),
        },
        scope: non_empty("scope").map(str::to_owned),
        official_account,
    })
}

/// A QR `scope` other than `snsapi_login` (or empty): WeChat's QR page would answer it with
/// "Scope 参数错误", so the admin learns it when saving instead. The official guard accepts any
/// string here; this is a deliberate difference.
fn qr_scope_issue(input: &Input) -> Option<Issue> {
    let scope = input.field("scope").and_then(Shape::as_text)?;
    if scope.is_empty() || scope == QR_SCOPE {
        return None;
    }
    Some(Issue::custom(
        vec!["scope".to_owned()],
        format!(
            "WeChat's QR login accepts only the scope {QR_SCOPE} (leave scope empty for it); \
             {scope:?} is not accepted there. The in-WeChat scope belongs to officialAccountScope."
        ),
    ))
}

fn pair_issue(missing: &str) -> Issue {
    Issue::custom(
        vec![missing.to_owned()],
        "officialAccountAppId and officialAccountAppSecret must be set together",
    )
}

/// Validation inside the flows: an invalid config is `invalid_config` with the ZodError.
pub fn require(input: &Input) -> Result<Config> {
    parse(input).map_err(|issues| Failure::issues(Code::InvalidConfig, issues))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Kind;

    fn object(fields: &[(&str, Input)]) -> Input {
        Input::Object(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }
    fn text(s: &str) -> Input {
        Input::Text(s.to_owned())
    }

    #[test]
    fn the_keys_are_the_guards_in_its_order() {
        assert_eq!(
            keys().collect::<Vec<_>>(),
            [
                "appId",
                "appSecret",
                "scope",
                "officialAccountAppId",
                "officialAccountAppSecret",
                "officialAccountScope"
            ]
        );
    }

    #[test]
    fn accepts_the_official_shape() {
        let config = parse(&object(&[
            ("appSecret", text("s")),
            ("appId", text("a")),
            ("scope", Input::Scalar(Kind::Undefined)),
        ]))
        .unwrap();
        assert_eq!(config.web.app_id, "a");
        assert_eq!(config.scope, None);
        assert!(config.official_account.is_none());
    }

    #[test]
    fn reports_zod_issues_for_wrong_types() {
        let issues = parse(&object(&[
            ("appId", Input::Scalar(Kind::Number)),
            ("scope", Input::Scalar(Kind::Null)),
        ]))
        .unwrap_err();
        let messages: Vec<_> = issues.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Expected string, received number",
                "Required",
                "Expected string, received null"
            ]
        );
        let root = parse(&Input::Scalar(Kind::Array)).unwrap_err();
        assert_eq!(root[0].message, "Expected object, received array");
    }

    #[test]
    fn official_account_needs_both_id_and_secret() {
        let base = [("appId", text("a")), ("appSecret", text("s"))];
        let mut with_id = base.to_vec();
        with_id.push(("officialAccountAppId", text("wxoa")));
        let issues = parse(&object(&with_id)).unwrap_err();
        assert_eq!(issues[0].path, ["officialAccountAppSecret"]);

        let mut both = with_id.clone();
        both.push(("officialAccountAppSecret", text("oasecret")));
        both.push(("officialAccountScope", text(SCOPE_USERINFO)));
        let config = parse(&object(&both)).unwrap();
        let oa = config.official_account.unwrap();
        assert_eq!(oa.app.app_id, "wxoa");

        // Empty strings count as "not configured".
        let mut empty = base.to_vec();
        empty.push(("officialAccountAppId", text("")));
        assert!(parse(&object(&empty)).unwrap().official_account.is_none());

        let mut bad_scope = both.clone();
        bad_scope.push(("officialAccountScope", text("snsapi_base")));
        let bad_scope: Vec<_> =
            bad_scope
                .into_iter()
                .rev()
                .fold(Vec::new(), |mut acc: Vec<(&str, Input)>, (k, v)| {
                    if !acc.iter().any(|(key, _)| *key == k) {
                        acc.push((k, v));
                    }
                    acc
                });
        let issues = parse(&object(&bad_scope)).unwrap_err();
        assert_eq!(
            issues[0].message,
            "Invalid enum value. Expected 'snsapi_userinfo', received 'snsapi_base'"
        );
    }

    #[test]
    fn the_qr_scope_is_snsapi_login_or_nothing() {
        let with_scope = |scope: &str| {
            object(&[
                ("appId", text("a")),
                ("appSecret", text("s")),
                ("scope", text(scope)),
            ])
        };
        assert_eq!(
            parse(&with_scope(QR_SCOPE)).unwrap().scope.as_deref(),
            Some(QR_SCOPE)
        );
        assert_eq!(parse(&with_scope("")).unwrap().scope, None);
        for scope in [
            "snsapi_userinfo",
            "snsapi_base",
            "snsapi_login snsapi_userinfo",
        ] {
            let issues = parse(&with_scope(scope)).unwrap_err();
            assert_eq!(issues.len(), 1);
            assert_eq!(issues[0].path, ["scope"]);
            assert!(issues[0]
                .message
                .contains("accepts only the scope snsapi_login"));
            assert!(issues[0].message.contains("officialAccountScope"));
        }
        // Type errors come first, as zod reports them; the scope check needs a valid shape.
        let issues = parse(&object(&[("appId", text("a")), ("scope", text("x"))])).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path, ["appSecret"]);
    }
}
