//! The connector's operations, end to end: code exchange, user info, token storage and refresh.
//! Every failure leaving this module has the app secrets and the tokens redacted.

use serde_json::{Number, Value};

use crate::authorization::FLOW_OFFICIAL_ACCOUNT;
use crate::config::{App, Config};
use crate::error::{Code, Failure, Result};
use crate::redact::Hidden;
use crate::reply::{self, TokenReply, UserInfo};
use crate::wechat::{self, Api, Endpoint};

/// Marks a refresh token issued to the Official Account app, so that a refresh months later goes
/// to the app that issued it. Logto stores only the token itself, so the mark travels in it;
/// WeChat's tokens never contain `:`.
const OFFICIAL_ACCOUNT_REFRESH_PREFIX: &str = "wxoa:";

/// Which app a sign-in went through, read back from the connector session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    QrCode,
    OfficialAccount,
}

/// What `getAuthorizationUri` recorded in Logto's connector session, as read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredFlow {
    pub flow: Option<String>,
    pub app_id: Option<String>,
}

/// The flow recorded by `getAuthorizationUri`. A missing session, a foreign one, or one naming an
/// app that is no longer configured means the QR login, as the official connector assumes.
pub fn flow_from_session(config: &Config, session: Option<&StoredFlow>) -> Flow {
    let (Some(session), Some(account)) = (session, &config.official_account) else {
        return Flow::QrCode;
    };
    if session.flow.as_deref() == Some(FLOW_OFFICIAL_ACCOUNT)
        && session.app_id.as_deref() == Some(account.app.app_id.as_str())
    {
        Flow::OfficialAccount
    } else {
        Flow::QrCode
    }
}

fn app_for(config: &Config, flow: Flow) -> &App {
    match (flow, &config.official_account) {
        (Flow::OfficialAccount, Some(account)) => &account.app,
        _ => &config.web,
    }
}

/// `getAccessToken`: exchanges the authorization code. Never retried once it may have reached
/// WeChat, because a code can be used only once.
pub async fn exchange_code(api: &Api, app: &App, code: &str) -> Result<TokenReply> {
    let result = async {
        reply::token_reply(
            &exchange_reply(api, app, code).await?,
            Endpoint::AccessToken,
        )
    }
    .await;
    result.map_err(|f| f.redact(&api.redaction([app.app_secret.as_str()])))
}

/// The code exchange's reply, parsed, not yet checked; its failures not yet redacted.
pub async fn exchange_reply(api: &Api, app: &App, code: &str) -> Result<Value> {
    let query = crate::authorization::form_query(&[
        ("appid", &app.app_id),
        ("secret", &app.app_secret),
        ("code", code),
        ("grant_type", "authorization_code"),
    ]);
    let response = wechat::get(api, Endpoint::AccessToken, &query)
        .await?
        .success(Endpoint::AccessToken)?;
    reply::parse_json(&response.body)
}

async fn fetch_user_info(api: &Api, token: &TokenReply) -> Result<UserInfo> {
    let query = crate::authorization::form_query(&[
        ("access_token", &token.access_token),
        ("openid", &token.openid),
    ]);
    let response = wechat::get(api, Endpoint::UserInfo, &query).await?;
    if !response.is_success() {
        return Err(reply::user_info_status(response.status, &response.body));
    }
    reply::user_info(reply::parse_json(&response.body)?, &token.openid)
}

/// The token response Logto may store (`openid`/`unionid` stay in `userInfo.rawData`).
#[derive(Clone, PartialEq)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: Option<Number>,
    pub scope: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &Hidden)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| Hidden),
            )
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish()
    }
}

fn token_response(token: &TokenReply, flow: Flow) -> TokenResponse {
    let refresh_token = token.refresh_token.as_ref().map(|t| match flow {
        Flow::OfficialAccount => format!("{OFFICIAL_ACCOUNT_REFRESH_PREFIX}{t}"),
        Flow::QrCode => t.clone(),
    });
    TokenResponse {
        access_token: token.access_token.clone(),
        refresh_token,
        expires_in: token.expires_in.clone(),
        scope: token.scope.clone(),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SignIn {
    pub user_info: UserInfo,
    pub token_response: TokenResponse,
}

/// `getUserInfo` / `getTokenResponseAndUserInfo`: the code exchange with the app of the flow,
/// then the user's profile.
pub async fn sign_in(api: &Api, config: &Config, code: &str, flow: Flow) -> Result<SignIn> {
    let app = app_for(config, flow);
    let secrets = config.secrets();
    let token = exchange_code(api, app, code)
        .await
        .map_err(|f| f.redact(&api.redaction(secrets.iter().copied())))?;
    let mut with_tokens = secrets.clone();
    with_tokens.push(&token.access_token);
    if let Some(refresh) = &token.refresh_token {
        with_tokens.push(refresh);
    }
    let user_info = match flow {
        Flow::QrCode => fetch_user_info(api, &token).await,
        Flow::OfficialAccount => official_account_user(api, &token, &app.app_id).await,
    }
    .map_err(|f| f.redact(&api.redaction(with_tokens)))?;
    Ok(SignIn {
        token_response: token_response(&token, flow),
        user_info,
    })
}

/// The user of an Official Account sign-in, known by their `unionid` or not at all: WeChat gives
/// it only when the Official Account is bound to the Open Platform account of the Website App,
/// and the `openid` there differs from the same person's QR sign-ins, so signing in under it
/// would split one person into two Logto accounts.
async fn official_account_user(api: &Api, token: &TokenReply, app_id: &str) -> Result<UserInfo> {
    if token.is_snapshot_user {
        return Err(Failure::described(
            Code::AuthorizationFailed,
            "WeChat signed this user in with a snapshot (virtual) identity, which is read-only and \
             not a real account; the user must open the page in WeChat and tap 'Use full service' \
             (使用完整服务) before signing in",
        ));
    }
    let mut info = fetch_user_info(api, token).await?;
    let non_empty = |id: Option<&str>| id.filter(|id| !id.is_empty()).map(str::to_owned);
    let unionid = non_empty(info.raw_data.get("unionid").and_then(Value::as_str))
        .or_else(|| non_empty(token.unionid.as_deref()));
    let Some(unionid) = unionid else {
        return Err(not_bound_to_open_platform(app_id));
    };
    info.id = unionid;
    if let Value::Object(raw) = &mut info.raw_data {
        raw.insert("appid".into(), Value::String(app_id.to_owned()));
    }
    Ok(info)
}

fn not_bound_to_open_platform(app_id: &str) -> Failure {
    Failure::described(
        Code::General,
        format!(
            "the Official Account {app_id} signed this user in but WeChat gave no unionid, so the \
             user cannot be matched with their QR sign-ins; bind the Official Account to the WeChat \
             Open Platform account of the Website App (open.weixin.qq.com: 管理中心 → 公众号 → \
             绑定公众号), or remove the Official Account settings from the connector"
        ),
    )
}

/// `getAccessTokenByRefreshToken`: asks the app that issued the token for a new access token.
/// The refresh endpoint takes no secret.
pub async fn refresh(api: &Api, config: &Config, refresh_token: &str) -> Result<TokenResponse> {
    let (flow, app, token) = match refresh_token.strip_prefix(OFFICIAL_ACCOUNT_REFRESH_PREFIX) {
        Some(token) => match &config.official_account {
            Some(account) => (Flow::OfficialAccount, &account.app, token),
            None => {
                return Err(Failure::described(
                    Code::SocialAccessTokenInvalid,
                    "the refresh token was issued to the Official Account app, which is no longer configured; the user must sign in again",
                ))
            }
        },
        None => (Flow::QrCode, &config.web, refresh_token),
    };
    let query = crate::authorization::form_query(&[
        ("appid", &app.app_id),
        ("grant_type", "refresh_token"),
        ("refresh_token", token),
    ]);
    let mut secrets = config.secrets();
    secrets.push(token);
    let result = async {
        let response = wechat::get(api, Endpoint::RefreshToken, &query)
            .await?
            .success(Endpoint::RefreshToken)?;
        let reply =
            reply::token_reply(&reply::parse_json(&response.body)?, Endpoint::RefreshToken)?;
        Ok::<_, Failure>(token_response(&reply, flow))
    }
    .await;
    result.map_err(|f| f.redact(&api.redaction(secrets)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OfficialAccount;

    fn config(with_account: bool) -> Config {
        Config {
            web: App {
                app_id: "wx_web".into(),
                app_secret: "websecret".into(),
            },
            scope: None,
            official_account: with_account.then(|| OfficialAccount {
                app: App {
                    app_id: "wx_oa".into(),
                    app_secret: "oasecret".into(),
                },
            }),
        }
    }

    fn session(flow: &str, app: &str) -> StoredFlow {
        StoredFlow {
            flow: Some(flow.into()),
            app_id: Some(app.into()),
        }
    }

    #[test]
    fn the_session_picks_the_app_and_falls_back_to_qr() {
        let oa = session(FLOW_OFFICIAL_ACCOUNT, "wx_oa");
        assert_eq!(
            flow_from_session(&config(true), Some(&oa)),
            Flow::OfficialAccount
        );
        assert_eq!(flow_from_session(&config(false), Some(&oa)), Flow::QrCode);
        let foreign = session(FLOW_OFFICIAL_ACCOUNT, "wx_other");
        assert_eq!(
            flow_from_session(&config(true), Some(&foreign)),
            Flow::QrCode
        );
        assert_eq!(flow_from_session(&config(true), None), Flow::QrCode);
        let other_flow = session("qr", "wx_oa");
        assert_eq!(
            flow_from_session(&config(true), Some(&other_flow)),
            Flow::QrCode
        );
        assert_eq!(
            flow_from_session(&config(true), Some(&StoredFlow::default())),
            Flow::QrCode
        );
    }

    #[test]
    fn refresh_tokens_of_the_official_account_are_marked() {
        let token = TokenReply {
            access_token: "a".into(),
            openid: "o".into(),
            refresh_token: Some("r".into()),
            expires_in: None,
            scope: None,
            unionid: None,
            is_snapshot_user: false,
        };
        assert_eq!(
            token_response(&token, Flow::OfficialAccount)
                .refresh_token
                .as_deref(),
            Some("wxoa:r")
        );
        assert_eq!(
            token_response(&token, Flow::QrCode)
                .refresh_token
                .as_deref(),
            Some("r")
        );
    }

    /// A WeChat stand-in on loopback. The code exchange gives the token `<appid>.<code>` (and a
    /// `unionid` for the code `token-unionid`, an empty one otherwise); the profile for a token
    /// depends on its code: `profile-unionid` has a `unionid`, `empty-unionid` an empty one,
    /// `profile-down` is a 503 that echoes the token, any other has none.
    async fn wechat() -> Api {
        let base = crate::test_server::answering(|request| {
            let target = request.split(' ').nth(1).unwrap();
            let (path, query) = target.split_once('?').unwrap();
            let param = |name: &str| {
                let name = format!("{name}=");
                let mut pairs = query.split('&');
                pairs
                    .find_map(|pair| pair.strip_prefix(name.as_str()))
                    .unwrap()
                    .to_owned()
            };
            if path == "/sns/oauth2/access_token" {
                let (app, code) = (param("appid"), param("code"));
                let unionid = if code == "token-unionid" {
                    "u-token"
                } else {
                    ""
                };
                let token = format!("{app}.{code}");
                let reply = serde_json::json!({
                    "access_token": token,
                    "openid": "o",
                    "refresh_token": "refresh-0123",
                    "unionid": unionid,
                });
                return crate::test_server::reply(200, &reply.to_string());
            }
            let token = param("access_token");
            let (status, profile) = match token.split_once('.').unwrap().1 {
                "profile-down" => (503, format!(r#"{{"errmsg":"no profile for {token}"}}"#)),
                "profile-unionid" => (200, r#"{"openid":"o","unionid":"u-profile"}"#.into()),
                "empty-unionid" => (200, r#"{"openid":"o","unionid":""}"#.into()),
                _ => (200, r#"{"openid":"o"}"#.into()),
            };
            crate::test_server::reply(status, &profile)
        })
        .await;
        Api::at(&base).unwrap()
    }

    #[tokio::test]
    async fn a_sign_in_uses_the_flows_app_and_the_official_account_needs_a_unionid() {
        let (api, config) = (wechat().await, config(true));
        let qr = sign_in(&api, &config, "c", Flow::QrCode).await.unwrap();
        assert_eq!(qr.token_response.access_token, "wx_web.c");
        assert_eq!(qr.user_info.id, "o");

        let sign_in_oa = |code| sign_in(&api, &config, code, Flow::OfficialAccount);
        let oa = sign_in_oa("profile-unionid").await.unwrap();
        assert_eq!(oa.token_response.access_token, "wx_oa.profile-unionid");
        assert_eq!(
            oa.token_response.refresh_token.as_deref(),
            Some("wxoa:refresh-0123")
        );
        assert_eq!(oa.user_info.id, "u-profile");
        assert_eq!(oa.user_info.raw_data["appid"], "wx_oa");
        // The profile's unionid first, then the token reply's; an empty one is none.
        assert_eq!(
            sign_in_oa("token-unionid").await.unwrap().user_info.id,
            "u-token"
        );
        for code in ["no-unionid", "empty-unionid"] {
            let failure = sign_in_oa(code).await.unwrap_err();
            assert_eq!(failure.code, Code::General, "{code}");
            assert!(failure.describe().contains("gave no unionid"), "{code}");
        }
    }

    #[tokio::test]
    async fn a_profile_that_fails_is_an_error_without_the_token() {
        let api = wechat().await;
        let failure = sign_in(&api, &config(false), "profile-down", Flow::QrCode)
            .await
            .unwrap_err();
        assert_eq!(failure.code, Code::General);
        let description = failure.describe();
        assert!(
            description.contains("no profile for [redacted]"),
            "{description}"
        );
    }

    #[test]
    fn debug_output_carries_no_secret_and_no_token() {
        let token = TokenReply {
            access_token: "ACCESS-TOKEN-0123456789".into(),
            openid: "o".into(),
            refresh_token: Some("REFRESH-TOKEN-0123456789".into()),
            expires_in: None,
            scope: None,
            unionid: None,
            is_snapshot_user: false,
        };
        let input = crate::schema::Input::Object(vec![(
            "appSecret".into(),
            crate::schema::Input::Text("websecret".into()),
        )]);
        let printed = format!(
            "{:?} {:?} {:?} {:?}",
            config(true),
            token,
            token_response(&token, Flow::OfficialAccount),
            input
        );
        for secret in ["websecret", "oasecret", "ACCESS-TOKEN", "REFRESH-TOKEN"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("[redacted]"));
    }
}
