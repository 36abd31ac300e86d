//! The WeChat API client: where requests go, how long they may take, how much is read, and how
//! transport failures are described (never with the URL, which carries the secret or token).

use std::error::Error as _;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::{redirect, Client, Url};
use tokio::sync::Semaphore;

use crate::error::{Code, EchoShape, Failure, Result};
use crate::redact::Secrets;
use crate::reply::MAX_BODY_BYTES;

/// Environment variable naming the API origin (default `https://api.weixin.qq.com`).
const BASE_URL_ENV: &str = "LOGTO_WECHAT_API_BASE_URL";
const DEFAULT_BASE_URL: &str = "https://api.weixin.qq.com";
/// Budget of one request: connect, TLS, headers and the whole body.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The WeChat endpoints the connector calls: each has its path, its name in error descriptions,
/// whether it may be retried, and a few `errcode`s of its own ([`crate::error::check_errcode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// The code exchange.
    AccessToken,
    UserInfo,
    RefreshToken,
}

impl Endpoint {
    fn path(self) -> &'static str {
        match self {
            Endpoint::AccessToken => "/sns/oauth2/access_token",
            Endpoint::UserInfo => "/sns/userinfo",
            Endpoint::RefreshToken => "/sns/oauth2/refresh_token",
        }
    }

    /// How error descriptions name it.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::AccessToken => "WeChat access_token endpoint",
            Endpoint::UserInfo => "WeChat userinfo endpoint",
            Endpoint::RefreshToken => "WeChat refresh_token endpoint",
        }
    }

    /// Whether a request may be sent once more, after [`RETRY_PAUSE`], when the connection was
    /// refused, reset or aborted before any response arrived (never after a timeout). Userinfo
    /// and refresh may; the code exchange may not: a code works once, so a request that may have
    /// reached WeChat is never sent twice.
    fn retried(self) -> bool {
        self != Endpoint::AccessToken
    }
}

/// Where the calls of one connector call go, and the client that makes them: taken when the call
/// is made, on the JS thread (where Node may also change the environment), from
/// [`BASE_URL_ENV`]. Plain http is allowed to loopback only, and never through a proxy: the
/// query carries the app secret.
#[derive(Clone)]
pub struct Api {
    base: String,
    client: Client,
    /// Shared by every call: see [`MAX_REQUESTS_IN_FLIGHT`].
    in_flight: Arc<Semaphore>,
    /// The user name and password of the base URL, never repeated in an error.
    credentials: Vec<String>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("base", &Url::parse(&self.base).map(|url| shown(&url)))
            .finish_non_exhaustive()
    }
}

impl Api {
    /// The base URL as it may be shown: scheme, host, port and path.
    pub fn shown_base(&self) -> String {
        Url::parse(&self.base).map_or_else(|_| String::new(), |url| shown(&url))
    }

    /// The host and port requests go to, before any proxy.
    pub fn host_and_port(&self) -> Option<(String, u16)> {
        let url = Url::parse(&self.base).ok()?;
        Some((url.host_str()?.to_owned(), url.port_or_known_default()?))
    }

    /// The proxy requests go through, as the HTTP client picks it from `HTTPS_PROXY`,
    /// `ALL_PROXY` and `NO_PROXY` (its own rules, read the same way), shown as scheme, host and
    /// port; `None` for a direct connection (plain http to loopback always is).
    pub fn proxy(&self) -> Option<String> {
        if self.base.starts_with("http:") {
            return None;
        }
        let uri: http::Uri = self.base.parse().ok()?;
        let matcher = hyper_util::client::proxy::matcher::Matcher::from_system();
        let proxy = matcher.intercept(&uri)?;
        let proxy = proxy.uri();
        let port = proxy
            .port()
            .map(|port| format!(":{port}"))
            .unwrap_or_default();
        Some(format!(
            "{}://{}{port}",
            proxy.scheme_str().unwrap_or("http"),
            proxy.host().unwrap_or_default()
        ))
    }

    /// What no error of a call may carry: the given secrets and tokens, and this API's credentials.
    pub fn redaction<'a>(&'a self, values: impl IntoIterator<Item = &'a str>) -> Secrets {
        Secrets::new(values.into_iter().chain(self.credentials()))
    }

    /// The user name and password of the base URL (as written and decoded), for redaction.
    pub fn credentials(&self) -> impl Iterator<Item = &str> {
        self.credentials.iter().map(String::as_str)
    }

    pub fn from_env() -> Result<Api> {
        let raw = std::env::var(BASE_URL_ENV)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        Api::at(&raw)
    }

    /// The API at `raw`, which must pass the checks of [`BASE_URL_ENV`].
    pub fn at(raw: &str) -> Result<Api> {
        let url = check_base_url(raw)?;
        let clients = clients()?;
        let client = match url.scheme() {
            "http" => clients.direct.clone(),
            _ => clients.proxied.clone(),
        };
        let in_flight = Arc::clone(&clients.in_flight);
        let credentials = [url.username(), url.password().unwrap_or_default()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .flat_map(|part| {
                let decoded = percent_encoding::percent_decode_str(part)
                    .decode_utf8_lossy()
                    .into_owned();
                [part.to_owned(), decoded]
            })
            .collect();
        Ok(Api {
            base: raw.trim_end_matches('/').to_owned(),
            client,
            in_flight,
            credentials,
        })
    }
}

/// The base URL as errors may show it: scheme, host, port and path; never the user, password,
/// query or fragment.
fn shown(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{}://{host}:{port}{}", url.scheme(), url.path()),
        None => format!("{}://{host}{}", url.scheme(), url.path()),
    }
}

fn check_base_url(raw: &str) -> Result<Url> {
    let url = Url::parse(raw).map_err(|_| {
        Failure::described(Code::InvalidConfig, format!("{BASE_URL_ENV} is not a URL"))
    })?;
    let invalid = |why: &str| {
        Failure::described(
            Code::InvalidConfig,
            format!("{BASE_URL_ENV} {why}: {}", shown(&url)),
        )
    };
    match url.scheme() {
        // Another scheme may be anything, credentials included: nothing of it is repeated.
        "https" | "http" => {}
        _ => {
            return Err(Failure::described(
                Code::InvalidConfig,
                format!("{BASE_URL_ENV} must be an https URL"),
            ))
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment"));
    }
    match url.scheme() {
        "http" if !is_loopback(&url) => Err(invalid("must use https unless its host is loopback")),
        _ => Ok(url),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The two shared clients (connections and TLS sessions are reused across sign-ins): one that
/// honours the proxy settings, for https, and one that never uses a proxy, for plain http to
/// loopback.
struct Clients {
    proxied: Client,
    direct: Client,
    in_flight: Arc<Semaphore>,
}

/// Most requests to the API in flight at once; the others wait for their turn. Without a bound,
/// a burst of sign-ins makes the connection pool dial one new connection for every waiting
/// request (500 in flight opened ~700 connections in a run of 40,000 sign-ins), which can
/// overflow the upstream's listen queue: a dropped SYN is sent again only after 1 s, then 3 s,
/// and the request runs out of time. With the bound, the connections are at most this many,
/// each reused. The wait for a turn is not part of a request's 5 s.
const MAX_REQUESTS_IN_FLIGHT: usize = 64;

/// The clients, built at first use; a failure to build them is reported, not kept, so a later
/// call tries again.
fn clients() -> Result<&'static Clients> {
    static CLIENTS: OnceLock<Clients> = OnceLock::new();
    if let Some(clients) = CLIENTS.get() {
        return Ok(clients);
    }
    let built = build_client(true).and_then(|proxied| {
        Ok(Clients {
            proxied,
            direct: build_client(false)?,
            in_flight: Arc::new(Semaphore::new(MAX_REQUESTS_IN_FLIGHT)),
        })
    });
    match built {
        Ok(clients) => Ok(CLIENTS.get_or_init(|| clients)),
        Err(why) => Err(Failure::described(Code::General, why)),
    }
}

fn build_client(through_proxies: bool) -> std::result::Result<Client, String> {
    let mut builder = Client::builder()
        .redirect(redirect::Policy::none())
        // The whole-request budget is enforced once, around each attempt, in `get`.
        .connect_timeout(REQUEST_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!(
            "connector-wechat-web-rs/",
            env!("CARGO_PKG_VERSION")
        ));
    // Trust what Node trusts: the Mozilla roots (built in) plus NODE_EXTRA_CA_CERTS. Like Node,
    // an unreadable file is ignored rather than fatal.
    for certificate in extra_ca_certificates() {
        builder = builder.add_root_certificate(certificate);
    }
    if !through_proxies {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| format!("could not set up the HTTP client: {}", describe(&e)))
}

fn extra_ca_certificates() -> Vec<reqwest::Certificate> {
    let Some(path) = std::env::var_os("NODE_EXTRA_CA_CERTS").filter(|p| !p.is_empty()) else {
        return Vec::new();
    };
    std::fs::read(path)
        .ok()
        .and_then(|pem| reqwest::Certificate::from_pem_bundle(&pem).ok())
        .unwrap_or_default()
}

/// A response: status and the whole body (at most [`MAX_BODY_BYTES`]).
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Response({}, {} bytes)", self.status, self.body.len())
    }
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The response if it is 2xx; otherwise `general` naming the status (the body may echo
    /// what was sent, so it is not repeated).
    pub fn success(self, endpoint: Endpoint) -> Result<Response> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(Failure::described(
                Code::General,
                format!("{} answered HTTP {}", endpoint.name(), self.status),
            ))
        }
    }
}

/// Pause before the one retry, so a restarting gateway or a flapping connection can recover.
const RETRY_PAUSE: Duration = Duration::from_millis(250);

/// GETs `endpoint?query` of the API; the flows redact what an error echoes, the base URL's
/// credentials included ([`Api::credentials`]).
pub async fn get(api: &Api, endpoint: Endpoint, query: &str) -> Result<Response> {
    let url = format!("{}{}?{query}", api.base, endpoint.path());
    let what = endpoint.name();
    let client = &api.client;
    let mut attempt = 0;
    loop {
        attempt += 1;
        // Held until the whole body is read; the semaphore is never closed.
        let turn = api.in_flight.acquire().await;
        let result = tokio::time::timeout(REQUEST_TIMEOUT, fetch(client, &url, what)).await;
        drop(turn);
        match result {
            Err(_) => return Err(timeout(what)),
            Ok(Ok(response)) => return Ok(response),
            Ok(Err(Fault::Connection(_))) if endpoint.retried() && attempt == 1 => {
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            Ok(Err(Fault::Connection(failure) | Fault::Other(failure))) => return Err(failure),
        }
    }
}

/// The connection was refused, reset or aborted before any response: a connection failure, not
/// an answer. (Only asked of errors from `send`, which come before the response head.)
fn is_connection_failure(error: &reqwest::Error) -> bool {
    use std::io::ErrorKind;
    if error.is_timeout() {
        return false;
    }
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::BrokenPipe
            );
        }
        source = cause.source();
    }
    false
}

enum Fault {
    /// Refused, reset or aborted before any response.
    Connection(Failure),
    Other(Failure),
}

async fn fetch(client: &Client, url: &str, what: &str) -> std::result::Result<Response, Fault> {
    let mut response = client.get(url).send().await.map_err(|e| {
        if e.is_timeout() {
            Fault::Other(timeout(what))
        } else if is_connection_failure(&e) {
            let summary = if e.is_connect() {
                "could not connect"
            } else {
                "connection lost"
            };
            Fault::Connection(transport(what, summary, &e))
        } else if e.is_connect() {
            Fault::Other(transport(what, "could not connect", &e))
        } else {
            Fault::Other(transport(what, "request failed", &e))
        }
    })?;
    let status = response.status().as_u16();
    if response.status().is_redirection() {
        return Err(Fault::Other(Failure::described(
            Code::General,
            format!("{what} answered with a redirect (HTTP {status}), which is not followed"),
        )));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(Fault::Other(too_large(what)));
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(Fault::Other(too_large(what)));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                return Err(Fault::Other(transport(
                    what,
                    "reading the reply failed",
                    &e,
                )))
            }
        }
    }
    Ok(Response { status, body })
}

fn timeout(what: &str) -> Failure {
    Failure::described(
        Code::General,
        format!(
            "{what} did not answer within {} s",
            REQUEST_TIMEOUT.as_secs()
        ),
    )
}

fn too_large(what: &str) -> Failure {
    Failure::described(
        Code::InvalidResponse,
        format!("{what} sent a reply larger than {MAX_BODY_BYTES} bytes"),
    )
}

/// A transport failure: our description, then the causes the HTTP stack gives, which are
/// treated as echoed text (they may name what a proxy or the network said).
fn transport(what: &str, summary: &str, error: &reqwest::Error) -> Failure {
    Failure::echoed(
        Code::General,
        describe(error),
        EchoShape::Description {
            prefix: format!("{what}: {summary}: "),
            errcode: None,
        },
    )
}

/// The error and its causes, without the request URL.
fn describe(error: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    if parts.is_empty() {
        parts.push(if error.is_body() {
            "body error".to_owned()
        } else {
            "unknown error".to_owned()
        });
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    /// A server on loopback that answers each request with a body of `size` bytes, its length
    /// declared or, `chunked`, streamed in chunks of 64 KiB and less.
    async fn serving(size: usize, chunked: bool) -> Api {
        let body = vec![b'x'; size];
        let mut reply = Vec::new();
        if chunked {
            reply.extend(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
            for chunk in body.chunks(64 * 1024) {
                reply.extend(format!("{:x}\r\n", chunk.len()).bytes());
                reply.extend(chunk);
                reply.extend(b"\r\n");
            }
            reply.extend(b"0\r\n\r\n");
        } else {
            reply.extend(format!("HTTP/1.1 200 OK\r\ncontent-length: {size}\r\n\r\n").bytes());
            reply.extend(body);
        }
        let base = crate::test_server::answering(move |_| reply.clone()).await;
        Api::at(&base).unwrap()
    }

    /// A server on loopback that resets its first `resets` connections once the request has
    /// arrived, then answers `{}`; with `garbage`, it answers each request with something that is
    /// not HTTP. Also gives the count of connections it took.
    async fn flaky(resets: usize, garbage: bool) -> (Api, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::Ordering::SeqCst;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let taken = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = Arc::clone(&taken);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let n = count.fetch_add(1, SeqCst) + 1;
                crate::test_server::read_request(&mut socket).await;
                let reply: &[u8] = if n <= resets {
                    // SO_LINGER 0: the close is a reset, not an orderly end.
                    #[expect(
                        deprecated,
                        reason = "deprecated for the blocking close a non-zero linger makes; zero does not block"
                    )]
                    socket.set_linger(Some(Duration::ZERO)).unwrap();
                    continue;
                } else if garbage {
                    b"HELLO\r\n\r\n"
                } else {
                    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}"
                };
                let _ = socket.write_all(reply).await;
            }
        });
        (Api::at(&base).unwrap(), taken)
    }

    #[tokio::test]
    async fn each_endpoint_is_asked_at_its_path_below_the_base_and_named_in_errors() {
        let (sent, mut lines) = tokio::sync::mpsc::unbounded_channel();
        let base = crate::test_server::answering(move |request| {
            let _ = sent.send(request.lines().next().unwrap_or_default().to_owned());
            crate::test_server::reply(502, "")
        })
        .await;
        let base = format!("{base}/gateway");
        let api = Api::at(&base).unwrap();
        for (endpoint, path, name) in [
            (
                Endpoint::AccessToken,
                "/sns/oauth2/access_token",
                "WeChat access_token endpoint",
            ),
            (
                Endpoint::UserInfo,
                "/sns/userinfo",
                "WeChat userinfo endpoint",
            ),
            (
                Endpoint::RefreshToken,
                "/sns/oauth2/refresh_token",
                "WeChat refresh_token endpoint",
            ),
        ] {
            let response = get(&api, endpoint, "a=b").await.unwrap();
            let line = lines.recv().await.unwrap();
            assert_eq!(line, format!("GET /gateway{path}?a=b HTTP/1.1"));
            let failure = response.success(endpoint).unwrap_err();
            assert_eq!(failure.describe(), format!("{name} answered HTTP 502"));
        }
    }

    #[tokio::test]
    async fn a_reset_before_any_response_is_retried_once_where_allowed() {
        use std::sync::atomic::Ordering::SeqCst;
        for endpoint in [Endpoint::UserInfo, Endpoint::RefreshToken] {
            let (api, taken) = flaky(1, false).await;
            let answered = get(&api, endpoint, "").await;
            assert_eq!(answered.unwrap().body, b"{}", "{endpoint:?}");
            assert_eq!(taken.load(SeqCst), 2, "{endpoint:?}");
        }

        let (api, taken) = flaky(1, false).await;
        let failure = get(&api, Endpoint::AccessToken, "").await.unwrap_err();
        let description = failure.describe();
        assert!(description.contains("connection lost"), "{description}");
        assert_eq!(taken.load(SeqCst), 1, "a code exchange is never sent twice");

        let (api, taken) = flaky(usize::MAX, false).await;
        assert!(get(&api, Endpoint::UserInfo, "").await.is_err());
        assert_eq!(taken.load(SeqCst), 2, "one retry, no more");

        // An answer that is not HTTP is an answer: not retried.
        let (api, taken) = flaky(0, true).await;
        assert!(get(&api, Endpoint::UserInfo, "").await.is_err());
        assert_eq!(taken.load(SeqCst), 1);
    }

    #[tokio::test]
    async fn a_body_of_the_cap_is_read_whole_and_one_byte_more_is_refused() {
        // The cap README promises, 1 MiB.
        const MIB: usize = 1024 * 1024;
        for chunked in [false, true] {
            let api = serving(MIB, chunked).await;
            let response = get(&api, Endpoint::AccessToken, "").await.unwrap();
            assert_eq!(response.body.len(), MIB, "chunked: {chunked}");
            let api = serving(MIB + 1, chunked).await;
            let failure = get(&api, Endpoint::AccessToken, "").await.unwrap_err();
            assert_eq!(failure.code, Code::InvalidResponse, "chunked: {chunked}");
        }
    }

    #[tokio::test]
    async fn a_redirect_is_refused_not_followed() {
        let base = crate::test_server::answering(|request| {
            if request.starts_with("GET /elsewhere ") {
                return crate::test_server::reply(200, "{}");
            }
            b"HTTP/1.1 302 Found\r\nlocation: /elsewhere\r\ncontent-length: 0\r\n\r\n".into()
        })
        .await;
        let failure = get(&Api::at(&base).unwrap(), Endpoint::UserInfo, "")
            .await
            .unwrap_err();
        assert_eq!(
            failure.describe(),
            "WeChat userinfo endpoint answered with a redirect (HTTP 302), which is not followed"
        );
    }

    #[test]
    fn the_base_is_shown_without_credentials_and_knows_its_port() {
        let api = Api::at("https://user:pass@gateway.example:8443/wechat").unwrap();
        assert_eq!(api.shown_base(), "https://gateway.example:8443/wechat");
        // Redacted as written and decoded; an empty password is nothing to redact.
        let credentials = |raw| {
            Api::at(raw)
                .unwrap()
                .credentials()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            credentials("https://us%65r:p%40ss@g.example"),
            "us%65r user p%40ss p@ss"
        );
        assert_eq!(credentials("https://user@g.example"), "user user");
        assert_eq!(credentials("https://g.example"), "");
        assert_eq!(api.host_and_port(), Some(("gateway.example".into(), 8443)));
        let api = Api::at("https://api.weixin.qq.com").unwrap();
        assert_eq!(api.shown_base(), "https://api.weixin.qq.com/");
        assert_eq!(api.host_and_port(), Some(("api.weixin.qq.com".into(), 443)));
        assert_eq!(
            Api::at("http://127.0.0.1").unwrap().host_and_port(),
            Some(("127.0.0.1".into(), 80))
        );
    }

    #[test]
    fn base_url_must_be_https_unless_loopback() {
        for ok in [
            "https://api.weixin.qq.com",
            "https://gateway.example/wechat/",
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.weixin.qq.com",
            "http://10.0.0.1",
            "ftp://x",
            "not a url",
            "https://x/?a=b",
            "http://localhost.evil.example",
        ] {
            let failure = check_base_url(bad).unwrap_err();
            assert_eq!(failure.code, Code::InvalidConfig, "{bad}");
        }
    }
}
