//! Authorization URLs: the QR login (网站应用) and, inside WeChat's browser, the Official
//! Account web authorization (服务号网页授权).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::config::{Config, OfficialAccount, QR_SCOPE, SCOPE_USERINFO};
use crate::error::{Code, Failure, Result};

const QR_ENDPOINT: &str = "https://open.weixin.qq.com/connect/qrconnect";
const OFFICIAL_ACCOUNT_ENDPOINT: &str = "https://open.weixin.qq.com/connect/oauth2/authorize";
/// WeChat documents `state` as at most 128 bytes in the Official Account flow.
const MAX_OFFICIAL_ACCOUNT_STATE: usize = 128;

/// The flow an Official Account sign-in records in Logto's connector session.
pub const FLOW_OFFICIAL_ACCOUNT: &str = "official_account";

/// What JavaScript's `encodeURI` escapes: everything but alphanumerics and
/// `;,/?:@&=+$-_.!~*'()#`.
const ENCODE_URI: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b';')
    .remove(b',')
    .remove(b'/')
    .remove(b'?')
    .remove(b':')
    .remove(b'@')
    .remove(b'&')
    .remove(b'=')
    .remove(b'+')
    .remove(b'$')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'#');

/// All but the RFC 3986 unreserved characters (`-._~`), as WeChat's own examples encode the
/// Official Account URL's values.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Appends `value` as `URLSearchParams` serializes it (WHATWG `application/x-www-form-urlencoded`).
fn push_form_encoded(out: &mut String, value: &str) {
    out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
}

/// A query string of `key=value` pairs joined by `&`, both form-encoded.
pub fn form_query(pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(pairs);
    query.finish()
}

/// JavaScript's `encodeURI` for a well-formed string (a JS string with a lone surrogate makes
/// `encodeURI` throw; the binding rejects those before they get here).
fn encode_uri(value: &str) -> String {
    utf8_percent_encode(value, ENCODE_URI).to_string()
}

/// True for WeChat's in-app browser (its user agent carries `MicroMessenger`), but not for
/// WeCom (企业微信), whose browser carries both `MicroMessenger` and `wxwork`.
fn is_wechat_browser(user_agent: &str) -> bool {
    let lower = user_agent.to_ascii_lowercase();
    lower.contains("micromessenger") && !lower.contains("wxwork")
}

/// What Logto passes to `getAuthorizationUri`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    pub state: &'a str,
    pub redirect_uri: &'a str,
    pub scope: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// What to record with `setSession` for an Official Account sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub app_id: String,
    pub scope: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub url: String,
    /// `Some` when the flow must be recorded for `getUserInfo`.
    pub session: Option<Session>,
}

/// The QR login URL, byte-identical to the official connector's.
pub fn qr_uri(config: &Config, request: &Request) -> String {
    let scope = request
        .scope
        .or(config.scope.as_deref())
        .unwrap_or(QR_SCOPE);
    let mut url = String::with_capacity(
        QR_ENDPOINT.len()
            + 80
            + 3 * (config.web.app_id.len() + scope.len() + request.state.len())
            + 5 * request.redirect_uri.len(),
    );
    url.push_str(QR_ENDPOINT);
    url.push_str("?appid=");
    push_form_encoded(&mut url, &config.web.app_id);
    url.push_str("&redirect_uri=");
    // The official connector puts `encodeURI(redirectUri)` into URLSearchParams.
    push_form_encoded(&mut url, &encode_uri(request.redirect_uri));
    url.push_str("&response_type=code&scope=");
    push_form_encoded(&mut url, scope);
    url.push_str("&state=");
    push_form_encoded(&mut url, request.state);
    url
}

/// The Official Account web-authorization URL. WeChat checks the parameter order and needs the
/// `#wechat_redirect` fragment.
fn official_account_uri(account: &OfficialAccount, request: &Request) -> Result<String> {
    if request.state.len() > MAX_OFFICIAL_ACCOUNT_STATE {
        return Err(Failure::described(
            Code::InvalidRequestParameters,
            format!(
                "state is {} bytes; WeChat accepts at most {MAX_OFFICIAL_ACCOUNT_STATE} in the Official Account flow",
                request.state.len()
            ),
        ));
    }
    let encode = |value| utf8_percent_encode(value, UNRESERVED);
    Ok(format!(
        "{OFFICIAL_ACCOUNT_ENDPOINT}?appid={}&redirect_uri={}&response_type=code&scope={SCOPE_USERINFO}&state={}#wechat_redirect",
        encode(&account.app.app_id),
        encode(request.redirect_uri),
        encode(request.state),
    ))
}

/// Picks the flow by user agent: the Official Account inside WeChat when one is configured, the
/// QR login everywhere else. Every URL is ASCII.
pub fn authorization_uri(config: &Config, request: &Request) -> Result<Authorization> {
    match (&config.official_account, request.user_agent) {
        (Some(account), Some(agent)) if is_wechat_browser(agent) => Ok(Authorization {
            url: official_account_uri(account, request)?,
            session: Some(Session {
                app_id: account.app.app_id.clone(),
                scope: SCOPE_USERINFO,
            }),
        }),
        _ => Ok(Authorization {
            url: qr_uri(config, request),
            session: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::App;

    fn config(scope: Option<&str>, official_account: bool) -> Config {
        Config {
            web: App {
                app_id: "wx_web".into(),
                app_secret: "websecret".into(),
            },
            scope: scope.map(str::to_owned),
            official_account: official_account.then(|| OfficialAccount {
                app: App {
                    app_id: "wx_oa".into(),
                    app_secret: "oasecret".into(),
                },
            }),
        }
    }

    #[test]
    fn encode_uri_matches_javascript() {
        assert_eq!(
            encode_uri("https://a.b/c d?x=1&y=%20#f"),
            "https://a.b/c%20d?x=1&y=%2520#f"
        );
        assert_eq!(encode_uri("ü😀[]"), "%C3%BC%F0%9F%98%80%5B%5D");
        assert_eq!(encode_uri("-_.!~*'()"), "-_.!~*'()");
    }

    #[test]
    fn form_encoding_matches_url_search_params() {
        let mut out = String::new();
        push_form_encoded(&mut out, "a b+c*~'!");
        assert_eq!(out, "a+b%2Bc*%7E%27%21");
        assert_eq!(form_query(&[("a b", "c&d")]), "a+b=c%26d");
    }

    #[test]
    fn qr_uri_double_encodes_the_redirect_uri_and_picks_the_scope() {
        let request = Request {
            state: "st ate",
            redirect_uri: "https://x.io/cb?a=b c",
            ..Request::default()
        };
        assert_eq!(
            qr_uri(&config(None, false), &request),
            "https://open.weixin.qq.com/connect/qrconnect?appid=wx_web&redirect_uri=https%3A%2F%2Fx.io%2Fcb%3Fa%3Db%2520c&response_type=code&scope=snsapi_login&state=st+ate"
        );
        let url = qr_uri(&config(Some("cfg"), false), &request);
        assert!(url.contains("&scope=cfg&"));
        let custom = Request {
            scope: Some(""),
            ..request
        };
        assert!(qr_uri(&config(Some("cfg"), false), &custom).contains("&scope=&"));
    }

    #[test]
    fn user_agents_pick_the_flow() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2d) NetType/WIFI Language/zh_CN";
        let wecom = "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 Safari/537.36 wxwork/4.1.0 MicroMessenger/7.0.1";
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
        assert!(is_wechat_browser(iphone));
        assert!(is_wechat_browser("micromessenger"));
        assert!(!is_wechat_browser(wecom));
        assert!(!is_wechat_browser(chrome));

        let request = Request {
            state: "abc-_1",
            redirect_uri: "https://logto.dev/callback/x",
            scope: None,
            user_agent: Some(iphone),
        };
        let auth = authorization_uri(&config(None, true), &request).unwrap();
        assert_eq!(
            auth.url,
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx_oa&redirect_uri=https%3A%2F%2Flogto.dev%2Fcallback%2Fx&response_type=code&scope=snsapi_userinfo&state=abc-_1#wechat_redirect"
        );
        assert_eq!(auth.session.unwrap().app_id, "wx_oa");

        // Not configured, or another browser: the QR login.
        let qr = authorization_uri(&config(None, false), &request).unwrap();
        assert!(qr.url.starts_with(QR_ENDPOINT) && qr.session.is_none());
        let desktop = Request {
            user_agent: Some(chrome),
            ..request
        };
        assert!(authorization_uri(&config(None, true), &desktop)
            .unwrap()
            .url
            .starts_with(QR_ENDPOINT));
    }

    #[test]
    fn long_states_are_refused_in_the_official_account_flow() {
        let state = "a".repeat(129);
        let request = Request {
            state: &state,
            redirect_uri: "https://x",
            scope: None,
            user_agent: Some("MicroMessenger"),
        };
        let failure = authorization_uri(&config(None, true), &request).unwrap_err();
        assert_eq!(failure.code, Code::InvalidRequestParameters);
        let ok = "a".repeat(128);
        let request = Request {
            state: &ok,
            ..request
        };
        assert!(authorization_uri(&config(None, true), &request).is_ok());
    }
}
