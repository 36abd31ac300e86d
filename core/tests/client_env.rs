//! What the HTTP client takes from the environment, as Node would: the API base
//! (`LOGTO_WECHAT_API_BASE_URL`), extra trusted CAs (`NODE_EXTRA_CA_CERTS`) and the proxy for
//! https, never for plain http to loopback. In a process of its own, the variables set before
//! the clients are built.

use std::sync::{Arc, Mutex};

use connector_wechat_web_core::wechat::{self, Api, Endpoint};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::{self, pki_types::pem::PemObject};

/// The test CA and a certificate it signed for `localhost`, shared with the Node suites.
const TLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../__test__/fixtures/tls");

/// Answers every request on `listener` with `{}`, over TLS with `tls`.
fn serve(listener: std::net::TcpListener, tls: Option<tokio_rustls::TlsAcceptor>) {
    let listener = TcpListener::from_std(listener).unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    Some(tls) => {
                        if let Ok(stream) = tls.accept(socket).await {
                            answer(stream).await;
                        }
                    }
                    None => answer(socket).await,
                }
            });
        }
    });
}

async fn answer(mut stream: impl AsyncRead + AsyncWrite + Unpin) {
    head(&mut stream).await;
    let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
    let _ = stream.write_all(reply).await;
    let _ = stream.shutdown().await;
}

/// Reads a request's head and gives its first line.
async fn head(stream: &mut (impl AsyncRead + Unpin)) -> String {
    let mut reader = BufReader::new(stream);
    let (mut first, mut line) = (String::new(), String::new());
    let _ = reader.read_line(&mut first).await;
    while reader.read_line(&mut line).await.unwrap_or(0) > 0 && line != "\r\n" {
        line.clear();
    }
    first.trim_end().to_owned()
}

/// A forward proxy that tunnels `CONNECT` and refuses anything else; it notes each request line.
fn proxy(listener: std::net::TcpListener, asked: Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::from_std(listener).unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let asked = Arc::clone(&asked);
            tokio::spawn(async move {
                let line = head(&mut socket).await;
                asked.lock().unwrap().push(line.clone());
                let target = line
                    .strip_prefix("CONNECT ")
                    .and_then(|rest| rest.split(' ').next());
                let Some(upstream) = target.map(TcpStream::connect) else {
                    let _ = socket.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                let mut upstream = upstream.await.unwrap();
                socket
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .unwrap();
                let _ = tokio::io::copy_bidirectional(&mut socket, &mut upstream).await;
            });
        }
    });
}

fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    let chain = rustls::pki_types::CertificateDer::pem_file_iter(format!("{TLS}/server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_file(format!("{TLS}/server.key")).unwrap();
    // The provider rustls's features name: ring, the client's.
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

#[test]
fn the_client_takes_the_base_the_extra_cas_and_the_proxy_from_the_environment() {
    let bind = || std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (https, plain, forward) = (bind(), bind(), bind());
    let port = |listener: &std::net::TcpListener| listener.local_addr().unwrap().port();
    let (https_port, plain_port, proxy_port) = (port(&https), port(&plain), port(&forward));
    // Set before anything reads them: this is the process's only test.
    std::env::set_var(
        "LOGTO_WECHAT_API_BASE_URL",
        format!("https://localhost:{https_port}"),
    );
    std::env::set_var("NODE_EXTRA_CA_CERTS", format!("{TLS}/ca.pem"));
    let proxy_url = format!("http://127.0.0.1:{proxy_port}");
    for name in ["HTTPS_PROXY", "HTTP_PROXY"] {
        std::env::set_var(name, &proxy_url);
    }
    for name in [
        "NO_PROXY",
        "no_proxy",
        "ALL_PROXY",
        "all_proxy",
        "https_proxy",
        "http_proxy",
    ] {
        std::env::remove_var(name);
    }

    tokio::runtime::Runtime::new().unwrap().block_on(async {
        for listener in [&https, &plain, &forward] {
            listener.set_nonblocking(true).unwrap();
        }
        let asked = Arc::new(Mutex::new(Vec::new()));
        serve(https, Some(tls_acceptor()));
        serve(plain, None);
        proxy(forward, Arc::clone(&asked));

        // https: the base from the environment, through the proxy, trusting the extra CA.
        let api = Api::from_env().unwrap();
        assert_eq!(api.shown_base(), format!("https://localhost:{https_port}/"));
        assert_eq!(api.proxy(), Some(proxy_url.clone()));
        let response = wechat::get(&api, Endpoint::AccessToken, "").await.unwrap();
        assert_eq!(
            (response.status, response.body.as_slice()),
            (200, &b"{}"[..])
        );
        assert_eq!(
            *asked.lock().unwrap(),
            [format!("CONNECT localhost:{https_port} HTTP/1.1")]
        );

        // Plain http to loopback: direct, whatever HTTP_PROXY says.
        let api = Api::at(&format!("http://127.0.0.1:{plain_port}")).unwrap();
        assert_eq!(api.proxy(), None);
        let response = wechat::get(&api, Endpoint::AccessToken, "").await.unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(
            asked.lock().unwrap().len(),
            1,
            "{:?}",
            asked.lock().unwrap()
        );
    });
}
