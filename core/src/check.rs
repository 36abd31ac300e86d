//! "Will sign-in work?", asked before the first user tries: can the WeChat API be reached from
//! here (DNS, TLS, the proxy used, how long it took), and does WeChat accept each app's AppID and
//! AppSecret? The second is asked with a code exchange for a made-up code: WeChat checks the
//! credentials before the code, so `40029` (invalid code) means they were accepted.

use std::time::Instant;

use serde_json::Value;

use crate::config::{App, Config};
use crate::redact::Secrets;
use crate::wechat::{self, Api, Endpoint};

/// A code no user was ever given.
const MADE_UP_CODE: &str = "connector-wechat-web-rs-install-check";

/// One check's outcome, one line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub check: &'static str,
    pub passed: bool,
    pub text: String,
}

/// Every check, in order: the API base, then each configured app.
pub async fn run(api: &Api, config: &Config) -> Vec<Line> {
    // No line carries a secret of the config, whichever app's answer echoes it.
    let secrets = api.redaction(config.secrets());
    let mut lines = vec![reach(api, &secrets).await.line()];
    let mut apps = vec![("Website App", &config.web)];
    if let Some(account) = &config.official_account {
        apps.push(("Official Account", &account.app));
    }
    for (check, app) in apps {
        lines.push(
            credentials(api, app, &secrets)
                .await
                .line(check, &app.app_id),
        );
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

pub async fn reach(api: &Api, secrets: &Secrets) -> Reach {
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
    let answer = wechat::get(api, Endpoint::AccessToken, "")
        .await
        .map(|response| response.status)
        .map_err(|failure| failure.redact(secrets).describe());
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
            Verdict::Accepted => (
                true,
                format!("WeChat accepts the AppID {app_id} and its AppSecret"),
            ),
            Verdict::AppIdRejected { errmsg } => (
                false,
                format!("WeChat knows no app with the AppID {app_id} (errcode 40013: {errmsg})"),
            ),
            Verdict::AppSecretRejected { errmsg } => (
                false,
                format!(
                    "WeChat refuses the AppSecret given for the AppID {app_id} \
                     (errcode 40125: {errmsg})"
                ),
            ),
            Verdict::Other { errcode, errmsg } => (
                false,
                format!("WeChat answered the AppID {app_id} with errcode {errcode}: {errmsg}"),
            ),
            Verdict::Failed { description } => (
                false,
                format!("no answer for the AppID {app_id}: {description}"),
            ),
        };
        Line {
            check,
            passed,
            text,
        }
    }
}

pub async fn credentials(api: &Api, app: &App, secrets: &Secrets) -> Verdict {
    let reply = match crate::flow::exchange_reply(api, app, MADE_UP_CODE).await {
        Ok(reply) => reply,
        Err(failure) => {
            return Verdict::Failed {
                description: failure.redact(secrets).describe(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A WeChat stand-in on loopback that answers each code exchange by its AppID, as WeChat
    /// would: a known app with its secret gets 40029 for the made-up code.
    async fn wechat() -> String {
        crate::test_server::answering(|request| {
            let app = |id: &str| request.contains(&format!("appid={id}&"));
            let (status, body) = if app("wx_ok") && request.contains("secret=right&") {
                (200, r#"{"errcode":40029,"errmsg":"invalid code"}"#)
            } else if app("wx_ok") {
                (
                    200,
                    r#"{"errcode":40125,"errmsg":"invalid appsecret right-but-wrong"}"#,
                )
            } else if app("wx_real_code") {
                (200, r#"{"access_token":"T","openid":"o"}"#)
            } else if app("wx_blocked") {
                (
                    200,
                    r#"{"errcode":40164,"errmsg":"invalid ip, not in whitelist"}"#,
                )
            } else if app("wx_page") {
                (200, "<html>busy</html>")
            } else if app("wx_down") {
                (502, "{}")
            } else if request.starts_with("GET /sns/oauth2/access_token? ") {
                (200, r#"{"errcode":41002,"errmsg":"appid missing"}"#)
            } else {
                (200, r#"{"errcode":40013,"errmsg":"invalid appid"}"#)
            };
            crate::test_server::reply(status, body)
        })
        .await
    }

    fn app(app_id: &str, app_secret: &str) -> App {
        App {
            app_id: app_id.into(),
            app_secret: app_secret.into(),
        }
    }

    #[tokio::test]
    async fn wechats_answers_are_read_as_verdicts() {
        let api = Api::at(&wechat().await).unwrap();
        let verdict = |id, secret| {
            let api = api.clone();
            async move {
                let secrets = api.redaction([secret]);
                credentials(&api, &app(id, secret), &secrets).await
            }
        };
        assert_eq!(verdict("wx_ok", "right").await, Verdict::Accepted);
        assert_eq!(
            verdict("wx_real_code", "sec-0123456789").await,
            Verdict::Accepted
        );
        assert_eq!(
            verdict("wx_typo", "sec-0123456789").await,
            Verdict::AppIdRejected {
                errmsg: "invalid appid".into()
            }
        );
        // The secret WeChat echoes is redacted, whatever else it says.
        assert_eq!(
            verdict("wx_ok", "right-but-wrong").await,
            Verdict::AppSecretRejected {
                errmsg: "invalid appsecret [redacted]".into()
            }
        );
        assert_eq!(
            verdict("wx_blocked", "sec-0123456789").await,
            Verdict::Other {
                errcode: 40164,
                errmsg: "invalid ip, not in whitelist".into()
            }
        );
        for (id, why) in [("wx_page", "<html>busy</html>"), ("wx_down", "HTTP 502")] {
            let Verdict::Failed { description } = verdict(id, "sec-0123456789").await else {
                panic!("{id}: not a failure");
            };
            assert!(description.contains(why), "{description}");
        }
    }

    #[tokio::test]
    async fn reach_says_where_it_went_and_what_answered() {
        let base = wechat().await;
        let reached = reach(&Api::at(&base).unwrap(), &Secrets::new([])).await;
        assert_eq!(reached.base, format!("{base}/"));
        assert_eq!(
            (reached.proxy.as_deref(), reached.answer.clone()),
            (None, Ok(200))
        );
        assert_eq!(reached.addresses, Some(Ok(vec!["127.0.0.1".to_owned()])));
        let line = reached.line();
        assert!(line.passed);
        assert!(line.text.starts_with(&format!(
            "{base}/, direct to 127.0.0.1: answered HTTP 200, in "
        )));

        // Nothing listens on the port of a listener just closed.
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);
        let refused = reach(&Api::at(&base).unwrap(), &Secrets::new([])).await;
        // Our words, then the causes the network stack gave.
        let why = refused.answer.clone().unwrap_err();
        assert!(why.contains("could not connect"), "{why}");
        assert!(why.contains("Connection refused"), "{why}");
        assert!(!refused.line().passed);
    }

    #[test]
    fn each_line_says_what_was_found() {
        let reached = |proxy: Option<&str>, addresses, answer| Reach {
            base: "https://api.weixin.qq.com/".into(),
            proxy: proxy.map(str::to_owned),
            addresses,
            answer,
            milliseconds: 48,
        };
        let line = reached(Some("http://proxy:3128"), None, Ok(200)).line();
        assert_eq!(
            (line.check, line.passed, line.text.as_str()),
            ("WeChat API", true, "https://api.weixin.qq.com/, through the proxy http://proxy:3128: answered HTTP 200 over TLS, in 48 ms")
        );
        let line = reached(None, Some(Err("no such host".into())), Err(String::new())).line();
        assert_eq!(
            (line.passed, line.text.as_str()),
            (false, "https://api.weixin.qq.com/, direct: its host name did not resolve: no such host, in 48 ms")
        );
        let line = reached(
            None,
            Some(Ok(vec!["1.2.3.4".into(), "::1".into()])),
            Err("timed out".into()),
        )
        .line();
        assert_eq!(
            (line.passed, line.text.as_str()),
            (false, "https://api.weixin.qq.com/, direct to 1.2.3.4, ::1: no answer: timed out, in 48 ms")
        );

        let verdicts = [
            (
                Verdict::Accepted,
                true,
                "WeChat accepts the AppID wx1 and its AppSecret",
            ),
            (
                Verdict::AppIdRejected { errmsg: "m".into() },
                false,
                "WeChat knows no app with the AppID wx1 (errcode 40013: m)",
            ),
            (
                Verdict::AppSecretRejected { errmsg: "m".into() },
                false,
                "WeChat refuses the AppSecret given for the AppID wx1 (errcode 40125: m)",
            ),
            (
                Verdict::Other {
                    errcode: 40164,
                    errmsg: "m".into(),
                },
                false,
                "WeChat answered the AppID wx1 with errcode 40164: m",
            ),
            (
                Verdict::Failed {
                    description: "d".into(),
                },
                false,
                "no answer for the AppID wx1: d",
            ),
        ];
        for (verdict, passed, text) in verdicts {
            let line = verdict.line("Website App", "wx1");
            assert_eq!(
                (line.check, line.passed, line.text.as_str()),
                ("Website App", passed, text)
            );
        }
    }

    #[tokio::test]
    async fn run_asks_for_each_configured_app() {
        let api = Api::at(&wechat().await).unwrap();
        let mut config = Config {
            web: app("wx_ok", "right"),
            scope: None,
            official_account: None,
        };
        let checks = |lines: Vec<Line>| {
            lines
                .iter()
                .map(|line| (line.check, line.passed))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            checks(run(&api, &config).await),
            [("WeChat API", true), ("Website App", true)]
        );
        config.official_account = Some(crate::config::OfficialAccount {
            app: app("wx_typo", "sec-0123456789"),
        });
        assert_eq!(
            checks(run(&api, &config).await),
            [
                ("WeChat API", true),
                ("Website App", true),
                ("Official Account", false)
            ]
        );
        // An answer for one app that echoes another's secret: redacted too.
        config.web = app("wx_ok", "sec-web-0123");
        config.official_account = Some(crate::config::OfficialAccount {
            app: app("wx_typo", "right-but-wrong"),
        });
        let lines = run(&api, &config).await;
        assert_eq!(
            lines[1].text,
            "WeChat refuses the AppSecret given for the AppID wx_ok (errcode 40125: invalid appsecret [redacted])"
        );
    }
}
