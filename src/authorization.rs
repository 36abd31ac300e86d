//! Authorization URLs: the QR login (网站应用) and, inside WeChat's browser, the Official Account
//! web authorization (服务号网页授权).

use crate::config::{Config, OfficialAccount, QR_SCOPE, SCOPE_USERINFO};
use crate::error::{Code, Failure, Result};

pub const QR_ENDPOINT: &str = "https://open.weixin.qq.com/connect/qrconnect";
pub const OFFICIAL_ACCOUNT_ENDPOINT: &str = "https://open.weixin.qq.com/connect/oauth2/authorize";
/// WeChat documents `state` as at most 128 bytes in the Official Account flow.
pub const MAX_OFFICIAL_ACCOUNT_STATE: usize = 128;

/// The `setSession` keys that record an Official Account sign-in.
pub const SESSION_FLOW: &str = "wechatWebFlow";
pub const SESSION_APP_ID: &str = "wechatWebAppId";
pub const SESSION_SCOPE: &str = "wechatWebScope";
pub const FLOW_OFFICIAL_ACCOUNT: &str = "official_account";

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// A byte class: alphanumerics plus `extra`.
const fn keeping(extra: &[u8]) -> [bool; 256] {
    let mut keep = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        keep[byte] = (byte as u8).is_ascii_alphanumeric();
        byte += 1;
    }
    let mut index = 0;
    while index < extra.len() {
        keep[extra[index] as usize] = true;
        index += 1;
    }
    keep
}

/// What `URLSearchParams` leaves as is.
const FORM: [bool; 256] = keeping(b"*-._");
/// What `encodeURI` leaves as is.
const URI: [bool; 256] = keeping(b";,/?:@&=+$-_.!~*'()#");
/// RFC 3986 unreserved characters.
const UNRESERVED: [bool; 256] = keeping(b"-._~");

/// `%00%01…%FF`: the escape of byte `b` is `ESCAPES[3 * b..3 * b + 3]`.
const ESCAPES: &str = {
    const BYTES: [u8; 768] = {
        let mut bytes = [0u8; 768];
        let mut byte = 0;
        while byte < 256 {
            bytes[3 * byte] = b'%';
            bytes[3 * byte + 1] = HEX[byte >> 4];
            bytes[3 * byte + 2] = HEX[byte & 15];
            byte += 1;
        }
        bytes
    };
    match std::str::from_utf8(&BYTES) {
        Ok(escapes) => escapes,
        Err(_) => panic!("escapes are ASCII"),
    }
};

fn escape(byte: u8) -> &'static str {
    let at = 3 * usize::from(byte);
    &ESCAPES[at..at + 3]
}

#[inline]
fn push_escaped(out: &mut String, byte: u8) {
    out.push_str(escape(byte));
}

/// Appends `value`, copying runs of bytes in `keep` and handing every other byte to `escape`.
fn escape_into(
    out: &mut String,
    value: &str,
    keep: &[bool; 256],
    escape: impl Fn(&mut String, u8),
) {
    let mut start = 0;
    for (index, &byte) in value.as_bytes().iter().enumerate() {
        if keep[usize::from(byte)] {
            continue;
        }
        // A run of kept (ASCII) bytes starts and ends on character boundaries.
        if start < index {
            out.push_str(&value[start..index]);
        }
        escape(out, byte);
        start = index + 1;
    }
    if start < value.len() {
        out.push_str(&value[start..]);
    }
}

/// The WHATWG `application/x-www-form-urlencoded` byte serializer (what `URLSearchParams`
/// produces): `*-._` and alphanumerics stay, space becomes `+`, everything else `%XX`.
pub fn form_encode_into(out: &mut String, value: &str) {
    escape_into(out, value, &FORM, |out, byte| match byte {
        b' ' => out.push('+'),
        _ => push_escaped(out, byte),
    });
}

/// `form_encode_into(out, &encode_uri(value))` without the intermediate string: what
/// `encodeURI` escapes comes out as `%25XX`.
fn form_encode_uri_into(out: &mut String, value: &str) {
    escape_into(out, value, &FORM, |out, byte| {
        if !URI[usize::from(byte)] {
            out.push_str("%25");
            out.push_str(&escape(byte)[1..]);
        } else {
            push_escaped(out, byte);
        }
    });
}

/// A query string of `key=value` pairs joined by `&`, both form-encoded.
pub fn form_query(pairs: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
    for (index, (key, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        form_encode_into(&mut out, key);
        out.push('=');
        form_encode_into(&mut out, value);
    }
    out
}

/// JavaScript's `encodeURI` for a well-formed string (a JS string with a lone surrogate makes
/// `encodeURI` throw; the binding rejects those before they get here).
pub fn encode_uri(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    escape_into(&mut out, value, &URI, push_escaped);
    out
}

/// Percent-encodes all but RFC 3986 unreserved characters (space is `%20`).
fn encode_strict_into(out: &mut String, value: &str) {
    escape_into(out, value, &UNRESERVED, push_escaped);
}

/// True for WeChat's in-app browser (its user agent carries `MicroMessenger`), but not for
/// WeCom (企业微信), whose browser carries both `MicroMessenger` and `wxwork`.
pub fn is_wechat_browser(user_agent: &str) -> bool {
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
    let mut url = String::new();
    write_qr_uri(&mut url, config, request);
    url
}

fn write_qr_uri(url: &mut String, config: &Config, request: &Request) {
    let scope = request
        .scope
        .or(config.scope.as_deref())
        .unwrap_or(QR_SCOPE);
    url.reserve(
        QR_ENDPOINT.len()
            + 80
            + 3 * (config.web.app_id.len() + scope.len() + request.state.len())
            + 5 * request.redirect_uri.len(),
    );
    url.push_str(QR_ENDPOINT);
    url.push_str("?appid=");
    form_encode_into(url, &config.web.app_id);
    url.push_str("&redirect_uri=");
    // The official connector puts `encodeURI(redirectUri)` into URLSearchParams.
    form_encode_uri_into(url, request.redirect_uri);
    url.push_str("&response_type=code&scope=");
    form_encode_into(url, scope);
    url.push_str("&state=");
    form_encode_into(url, request.state);
}

/// The Official Account web-authorization URL. WeChat checks the parameter order and needs the
/// `#wechat_redirect` fragment.
pub fn official_account_uri(account: &OfficialAccount, request: &Request) -> Result<String> {
    let mut url = String::new();
    write_official_account_uri(&mut url, account, request)?;
    Ok(url)
}

fn write_official_account_uri(
    url: &mut String,
    account: &OfficialAccount,
    request: &Request,
) -> Result<()> {
    if request.state.len() > MAX_OFFICIAL_ACCOUNT_STATE {
        return Err(Failure::described(
            Code::InvalidRequestParameters,
            format!(
                "state is {} bytes; WeChat accepts at most {MAX_OFFICIAL_ACCOUNT_STATE} in the Official Account flow",
                request.state.len()
            ),
        ));
    }
    url.reserve(OFFICIAL_ACCOUNT_ENDPOINT.len() + request.redirect_uri.len() * 3 + 160);
    url.push_str(OFFICIAL_ACCOUNT_ENDPOINT);
    url.push_str("?appid=");
    encode_strict_into(url, &account.app.app_id);
    url.push_str("&redirect_uri=");
    encode_strict_into(url, request.redirect_uri);
    url.push_str("&response_type=code&scope=");
    url.push_str(SCOPE_USERINFO);
    url.push_str("&state=");
    encode_strict_into(url, request.state);
    url.push_str("#wechat_redirect");
    Ok(())
}

/// Picks the flow by user agent: the Official Account inside WeChat when one is configured, the
/// QR login everywhere else.
pub fn authorization_uri(config: &Config, request: &Request) -> Result<Authorization> {
    let mut url = String::new();
    let session = write_authorization_uri(&mut url, config, request)?;
    Ok(Authorization { url, session })
}

/// [`authorization_uri`], written into `url` (cleared first) so that a caller can reuse one
/// buffer; returns what to record, if anything. Every URL is ASCII.
pub fn write_authorization_uri(
    url: &mut String,
    config: &Config,
    request: &Request,
) -> Result<Option<Session>> {
    url.clear();
    match (&config.official_account, request.user_agent) {
        (Some(account), Some(agent)) if is_wechat_browser(agent) => {
            write_official_account_uri(url, account, request)?;
            Ok(Some(Session {
                app_id: account.app.app_id.clone(),
                scope: SCOPE_USERINFO,
            }))
        }
        _ => {
            write_qr_uri(url, config, request);
            Ok(None)
        }
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
            data: Vec::new(),
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
        form_encode_into(&mut out, "a b+c*~'!");
        assert_eq!(out, "a+b%2Bc*%7E%27%21");
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
