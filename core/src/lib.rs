//! The WeChat Web connector's logic, without Node: everything the napi binding (the crate at the
//! repository's root) hands JS values to and turns results of. No napi types (the crate does not
//! depend on napi) and no unsafe code.

pub mod authorization;
pub mod check;
pub mod config;
pub mod error;
pub mod flow;
pub mod redact;
pub mod reply;
pub mod schema;
pub mod wechat;

/// For the tests' servers on loopback.
#[cfg(test)]
mod test_server {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server on loopback that answers each request with the bytes `respond` makes of its
    /// head, one connection at a time; its base URL.
    pub async fn answering(respond: impl Fn(&str) -> Vec<u8> + Send + 'static) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let request = read_request(&mut socket).await;
                let _ = socket.write_all(&respond(&request)).await;
            }
        });
        base
    }

    /// An HTTP reply with `body`, its length declared, closing the connection.
    pub fn reply(status: u16, body: &str) -> Vec<u8> {
        let length = body.len();
        format!(
            "HTTP/1.1 {status} X\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n{body}"
        )
        .into_bytes()
    }

    /// Reads a request's head (all a GET has).
    pub async fn read_request(socket: &mut tokio::net::TcpStream) -> String {
        let mut request = Vec::new();
        let mut buffer = [0; 1024];
        while !request.ends_with(b"\r\n\r\n") {
            let n = socket.read(&mut buffer).await.unwrap();
            assert!(n > 0, "the connection closed before the request's end");
            request.extend_from_slice(&buffer[..n]);
        }
        String::from_utf8(request).unwrap()
    }
}
