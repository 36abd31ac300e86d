//! What the exported functions return. Each result holds the value or `error`, a failure that
//! `lib/index.js` raises as the host's `ConnectorError`; the binding itself throws only when it
//! cannot run at all.

use napi_derive::napi;
use serde_json::Value;

use crate::error::Failure;
use crate::{authorization, flow, reply};

/// A failure, for `new ConnectorError(code, data)`; with `issues`, the data is a `ZodError` of
/// them.
#[napi(object)]
pub struct ConnectorFailure {
    /// A `ConnectorErrorCodes` value, such as `social_auth_code_invalid`.
    pub code: String,
    /// What went wrong: `{ errorDescription, errcode? }`, or a message.
    #[napi(ts_type = "string | Record<string, unknown>")]
    pub data: Option<Value>,
    #[napi(ts_type = "ZodIssue[]")]
    pub issues: Option<Vec<Value>>,
}

impl From<Failure> for ConnectorFailure {
    fn from(failure: Failure) -> Self {
        let code = failure.code.as_str().to_owned();
        let (data, issues) = failure.into_data();
        ConnectorFailure { code, data, issues }
    }
}

/// What `getAuthorizationUri` records with `setSession` for a sign-in inside WeChat.
#[napi(object)]
pub struct FlowSession {
    #[napi(js_name = "wechatWebFlow")]
    pub flow: String,
    #[napi(js_name = "wechatWebAppId")]
    pub app_id: String,
    #[napi(js_name = "wechatWebScope")]
    pub scope: String,
}

impl From<authorization::Session> for FlowSession {
    fn from(session: authorization::Session) -> Self {
        FlowSession {
            flow: authorization::FLOW_OFFICIAL_ACCOUNT.to_owned(),
            app_id: session.app_id,
            scope: session.scope.to_owned(),
        }
    }
}

/// A failure alone: how `getAuthorizationUri` answers when it has no URL.
#[napi(object)]
pub struct Failed {
    pub error: ConnectorFailure,
}

/// `getAuthorizationUri`'s answer: the URL to send the browser to (a string, as connector-kit's
/// `getAuthorizationUri` resolves to), or the failure.
pub type AuthorizationAnswer = napi::Either<String, Failed>;

pub fn authorization_answer(result: crate::error::Result<String>) -> AuthorizationAnswer {
    match result {
        Ok(url) => napi::Either::A(url),
        Err(failure) => napi::Either::B(Failed {
            error: failure.into(),
        }),
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

/// `getUserInfo`: the user, or the failure.
#[napi(object)]
pub struct UserInfoResult {
    pub user_info: Option<UserInfo>,
    pub error: Option<ConnectorFailure>,
}

/// `getTokenResponseAndUserInfo`: the user and WeChat's tokens, or the failure.
#[napi(object)]
pub struct SignInResult {
    pub user_info: Option<UserInfo>,
    pub token_response: Option<TokenResponse>,
    pub error: Option<ConnectorFailure>,
}

impl From<crate::error::Result<flow::SignIn>> for UserInfoResult {
    fn from(result: crate::error::Result<flow::SignIn>) -> Self {
        match result {
            Ok(done) => UserInfoResult {
                user_info: Some(done.user_info.into()),
                error: None,
            },
            Err(failure) => UserInfoResult {
                user_info: None,
                error: Some(failure.into()),
            },
        }
    }
}

impl From<crate::error::Result<flow::SignIn>> for SignInResult {
    fn from(result: crate::error::Result<flow::SignIn>) -> Self {
        match result {
            Ok(done) => SignInResult {
                user_info: Some(done.user_info.into()),
                token_response: Some(done.token_response.into()),
                error: None,
            },
            Err(failure) => SignInResult {
                user_info: None,
                token_response: None,
                error: Some(failure.into()),
            },
        }
    }
}

/// `getAccessTokenByRefreshToken`: the new tokens, or the failure.
#[napi(object)]
pub struct RefreshResult {
    pub token_response: Option<TokenResponse>,
    pub error: Option<ConnectorFailure>,
}

impl From<crate::error::Result<flow::TokenResponse>> for RefreshResult {
    fn from(result: crate::error::Result<flow::TokenResponse>) -> Self {
        match result {
            Ok(token) => RefreshResult {
                token_response: Some(token.into()),
                error: None,
            },
            Err(failure) => RefreshResult {
                token_response: None,
                error: Some(failure.into()),
            },
        }
    }
}

/// `getAccessToken` (the official module's named export): the code exchange alone.
#[napi(object)]
pub struct AccessTokenResult {
    pub access_token: Option<String>,
    pub openid: Option<String>,
    pub error: Option<ConnectorFailure>,
}

impl From<crate::error::Result<reply::TokenReply>> for AccessTokenResult {
    fn from(result: crate::error::Result<reply::TokenReply>) -> Self {
        match result {
            Ok(token) => AccessTokenResult {
                access_token: Some(token.access_token),
                openid: Some(token.openid),
                error: None,
            },
            Err(failure) => AccessTokenResult {
                access_token: None,
                openid: None,
                error: Some(failure.into()),
            },
        }
    }
}
