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
    use tokio::io::AsyncReadExt;

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
