//! What the binding's functions answer: each one result object, with the value or `error`, which
//! `lib/index.js` raises as the host's `ConnectorError`.

use napi::bindgen_prelude::Object;
use napi_derive::napi;
use serde_json::Value;

use crate::{authorization, check, error, flow, reply};

/// Why a call failed, for `new ConnectorError(code, data)`; with `issues`, the data is a
/// `ZodError` of them.
#[napi(object)]
pub struct Failure {
    /// A `ConnectorErrorCodes` value, such as `social_auth_code_invalid`.
    pub code: String,
    /// What went wrong: `{ errorDescription, errcode? }`, or a message.
    #[napi(ts_type = "string | Record<string, unknown>")]
    pub data: Option<Value>,
    #[napi(ts_type = "ZodIssue[]")]
    pub issues: Option<Vec<Value>>,
}

impl From<error::Failure> for Failure {
    fn from(failure: error::Failure) -> Self {
        let code = failure.code.as_str().to_owned();
        let (data, issues) = failure.into_data();
        Failure { code, data, issues }
    }
}

/// `validateConfig`: the config with the keys zod keeps (the very values checked), or the
/// issues zod would report.
#[napi(object, object_from_js = false)]
pub struct ConfigResult<'env> {
    #[napi(ts_type = "WechatWebConfig")]
    pub data: Option<Object<'env>>,
    #[napi(ts_type = "ZodIssue[]")]
    pub issues: Option<Vec<Value>>,
}

/// What `getAuthorizationUri` records with `setSession` for a sign-in inside WeChat, and what
/// `getUserInfo` reads back with `getSession`.
#[napi(object)]
pub struct FlowSession {
    pub wechat_web_flow: Option<String>,
    pub wechat_web_app_id: Option<String>,
    pub wechat_web_scope: Option<String>,
}

impl From<authorization::Session> for FlowSession {
    fn from(session: authorization::Session) -> Self {
        FlowSession {
            wechat_web_flow: Some(authorization::FLOW_OFFICIAL_ACCOUNT.to_owned()),
            wechat_web_app_id: Some(session.app_id),
            wechat_web_scope: Some(session.scope.to_owned()),
        }
    }
}

impl From<FlowSession> for flow::StoredFlow {
    fn from(session: FlowSession) -> Self {
        flow::StoredFlow {
            flow: session.wechat_web_flow,
            app_id: session.wechat_web_app_id,
        }
    }
}

/// `getAuthorizationUri`: where to send the browser, or the failure.
#[napi(object)]
pub struct AuthorizationUriResult {
    pub url: Option<String>,
    pub error: Option<Failure>,
}

impl From<error::Result<String>> for AuthorizationUriResult {
    fn from(result: error::Result<String>) -> Self {
        let (url, error) = split(result);
        AuthorizationUriResult { url, error }
    }
}

/// connector-kit's `SocialUserInfo`: `id` is the `unionid` (or, in the QR login without one,
/// the `openid`); `rawData` is WeChat's profile reply.
#[napi(object)]
pub struct UserInfo {
    pub id: String,
    pub avatar: Option<String>,
    pub name: Option<String>,
    #[napi(ts_type = "Record<string, unknown>")]
    pub raw_data: Value,
}

impl From<reply::UserInfo> for UserInfo {
    fn from(info: reply::UserInfo) -> Self {
        UserInfo {
            id: info.id,
            avatar: info.avatar,
            name: info.name,
            raw_data: info.raw_data,
        }
    }
}

/// connector-kit's `TokenResponse`, as Logto stores it.
#[napi(object)]
pub struct TokenResponse {
    #[napi(js_name = "access_token")]
    pub access_token: String,
    #[napi(js_name = "refresh_token")]
    pub refresh_token: Option<String>,
    /// Seconds.
    #[napi(js_name = "expires_in")]
    pub expires_in: Option<f64>,
    pub scope: Option<String>,
}

impl From<flow::TokenResponse> for TokenResponse {
    fn from(token: flow::TokenResponse) -> Self {
        TokenResponse {
            access_token: token.access_token,
            refresh_token: token.refresh_token,
            expires_in: token.expires_in.and_then(|n| n.as_f64()),
            scope: token.scope,
        }
    }
}

/// `signIn`: the user and WeChat's tokens, or the failure.
#[napi(object)]
pub struct SignInResult {
    pub user_info: Option<UserInfo>,
    pub token_response: Option<TokenResponse>,
    pub error: Option<Failure>,
}

impl From<error::Result<flow::SignIn>> for SignInResult {
    fn from(result: error::Result<flow::SignIn>) -> Self {
        let (done, error) = split(result);
        let (user_info, token_response) = done
            .map(|done| (done.user_info.into(), done.token_response.into()))
            .unzip();
        SignInResult {
            user_info,
            token_response,
            error,
        }
    }
}

/// `getAccessTokenByRefreshToken`: the new tokens, or the failure.
#[napi(object)]
pub struct RefreshResult {
    pub token_response: Option<TokenResponse>,
    pub error: Option<Failure>,
}

impl From<error::Result<flow::TokenResponse>> for RefreshResult {
    fn from(result: error::Result<flow::TokenResponse>) -> Self {
        let (token, error) = split(result);
        let token_response = token.map(Into::into);
        RefreshResult {
            token_response,
            error,
        }
    }
}

/// `getAccessToken` (the official module's named export): the code exchange alone.
#[napi(object)]
pub struct AccessTokenResult {
    pub access_token: Option<String>,
    pub openid: Option<String>,
    pub error: Option<Failure>,
}

impl From<error::Result<reply::TokenReply>> for AccessTokenResult {
    fn from(result: error::Result<reply::TokenReply>) -> Self {
        let (token, error) = split(result);
        let (access_token, openid) = token
            .map(|token| (token.access_token, token.openid))
            .unzip();
        AccessTokenResult {
            access_token,
            openid,
            error,
        }
    }
}

/// A result's value and its failure, apart, as the result objects hold them.
fn split<T>(result: error::Result<T>) -> (Option<T>, Option<Failure>) {
    match result {
        Ok(value) => (Some(value), None),
        Err(failure) => (None, Some(failure.into())),
    }
}

/// `checkWechat`: one line per check, or why none could run (an invalid config).
#[napi(object)]
pub struct CheckResult {
    pub lines: Vec<CheckLine>,
    pub error: Option<Failure>,
}

/// One check of the install check: what was checked, whether it passed, what was found.
#[napi(object)]
pub struct CheckLine {
    pub check: String,
    pub passed: bool,
    pub text: String,
}

impl From<check::Line> for CheckLine {
    fn from(line: check::Line) -> Self {
        CheckLine {
            check: line.check.to_owned(),
            passed: line.passed,
            text: line.text,
        }
    }
}
