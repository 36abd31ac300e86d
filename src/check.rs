//! "Will sign-in work?", asked before the first user tries: can the WeChat API be reached from
//! here (DNS, TLS, the proxy used, how long it took), and does WeChat accept each app's AppID and
//! AppSecret? The second is asked with a code exchange for a made-up code: WeChat checks the
//! credentials before the code, so `40029` (invalid code) means they were accepted.

#![forbid(unsafe_code)]

use std::time::Instant;

use serde_json::Value;

use crate::config::{App, Config};
use crate::redact::Secrets;
use crate::wechat::{self, Api, Retry};

/// A code no user was ever given.
const MADE_UP_CODE: &str = "connector-wechat-web-rs-install-check";
const WHAT: &str = "WeChat access_token endpoint";

/// One check's outcome, one line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub check: &'static str,
    pub passed: bool,
    pub text: String,
}

/// Every check, in order: the API base, then each configured app.
pub async fn run(api: &Api, config: &Config) -> Vec<Line> {
    let mut lines = vec![reach(api).await.line()];
    let mut apps = vec![("Website App", &config.web)];
    if let Some(account) = &config.official_account {
        apps.push(("Official Account", &account.app));
    }
    for (check, app) in apps {
        lines.push(credentials(api, app).await.line(check, &app.app_id));
    }
    lines
}

/// How the API base answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Reach {
    /// The base URL, as it may be shown.
    pub base: String,
    /// The proxy used, or `None` for a direct connection.
    pub proxy: Option<String>,
    /// What the base's host resolved to, on a direct connection (through a proxy, the proxy
    /// resolves it); `Err` with why not.
    pub addresses: Option<Result<Vec<String>, String>>,
    /// The HTTP status of an answer over TCP and TLS, or why there was none.
    pub answer: Result<u16, String>,
    pub milliseconds: u128,
}

impl Reach {
    fn line(&self) -> Line {
        let route = match (&self.proxy, &self.addresses) {
            (Some(proxy), _) => format!("through the proxy {proxy}"),
            (None, Some(Ok(addresses))) => format!("direct to {}", addresses.join(", ")),
            _ => "direct".to_owned(),
        };
        let tls = if self.base.starts_with("https:") {
            " over TLS"
        } else {
            ""
        };
        let (passed, outcome) = match (&self.addresses, &self.answer) {
            (Some(Err(why)), _) => (false, format!("its host name did not resolve: {why}")),
            (_, Ok(status)) => (true, format!("answered HTTP {status}{tls}")),
            (_, Err(why)) => (false, format!("no answer: {why}")),
        };
        Line {
            check: "WeChat API",
            passed,
            text: format!(
                "{}, {route}: {outcome}, in {} ms",
                self.base, self.milliseconds
            ),
        }
    }
}

pub async fn reach(api: &Api) -> Reach {
    let started = Instant::now();
    let proxy = api.proxy();
    // Resolved as the HTTP client resolves it (getaddrinfo), here blocking the I/O thread for
    // the lookup: the check is the only work of its process.
    let addresses = match (&proxy, api.host_and_port()) {
        (None, Some(host_and_port)) => Some(
            std::net::ToSocketAddrs::to_socket_addrs(&host_and_port)
                .map(|found| found.map(|address| address.ip().to_string()).collect())
                .map_err(|error| error.to_string()),
        ),
        _ => None,
    };
    let answer = match addresses {
        Some(Err(_)) => Err(String::new()),
        _ => wechat::get(api, wechat::ACCESS_TOKEN_PATH, "", WHAT, Retry::Never)
            .await
            .map(|response| response.status)
            .map_err(|failure| failure.redact(&redaction(api, [])).describe()),
    };
    Reach {
        base: api.shown_base(),
        proxy,
        addresses,
        answer,
        milliseconds: started.elapsed().as_millis(),
    }
}

/// What WeChat said of an app's AppID and AppSecret.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// `40029` for the made-up code, or a code exchange that succeeded.
    Accepted,
    /// `40013`: WeChat knows no app with this AppID.
    AppIdRejected { errmsg: String },
    /// `40125`: the AppSecret is not this app's.
    AppSecretRejected { errmsg: String },
    /// Any other `errcode`, as WeChat sent it.
    Other { errcode: i64, errmsg: String },
    /// No answer WeChat could have given: a transport failure, a non-2xx status, a body that is
    /// not JSON.
    Failed { description: String },
}

impl Verdict {
    fn line(&self, check: &'static str, app_id: &str) -> Line {
        let (passed, text) = match self {
            Verdict::Accepted => (true, format!("WeChat accepts the AppID {app_id} and its AppSecret")),
            Verdict::AppIdRejected { errmsg } => (false, format!("WeChat knows no app with the AppID {app_id} (errcode 40013: {errmsg})")),
            Verdict::AppSecretRejected { errmsg } => (false, format!("WeChat refuses the AppSecret given for the AppID {app_id} (errcode 40125: {errmsg})")),
            Verdict::Other { errcode, errmsg } => (false, format!("WeChat answered the AppID {app_id} with errcode {errcode}: {errmsg}")),
            Verdict::Failed { description } => (false, format!("no answer for the AppID {app_id}: {description}")),
        };
        Line {
            check,
            passed,
            text,
        }
    }
}

pub async fn credentials(api: &Api, app: &App) -> Verdict {
    let query = crate::authorization::form_query(&[
        ("appid", &app.app_id),
        ("secret", &app.app_secret),
        ("code", MADE_UP_CODE),
        ("grant_type", "authorization_code"),
    ]);
    let secrets = redaction(api, [app.app_secret.as_str()]);
    let reply = async {
        let response = wechat::get(api, wechat::ACCESS_TOKEN_PATH, &query, WHAT, Retry::Never)
            .await?
            .success(WHAT)?;
        crate::reply::parse_json(&response.body)
    }
    .await;
    let reply = match reply {
        Ok(reply) => reply,
        Err(failure) => {
            return Verdict::Failed {
                description: failure.redact(&secrets).describe(),
            }
        }
    };
    let errmsg = reply.get("errmsg").and_then(Value::as_str).unwrap_or("");
    let errmsg = secrets.redact(errmsg);
    match reply.get("errcode").and_then(Value::as_i64).unwrap_or(0) {
        0 | 40029 => Verdict::Accepted,
        40013 => Verdict::AppIdRejected { errmsg },
        40125 => Verdict::AppSecretRejected { errmsg },
        errcode => Verdict::Other { errcode, errmsg },
    }
}

fn redaction<'a>(api: &'a Api, values: impl IntoIterator<Item = &'a str>) -> Secrets {
    Secrets::new(values.into_iter().chain(api.credentials()))
}
