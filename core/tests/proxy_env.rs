//! The proxy the install check names is the one the HTTP client picks from the environment. In a
//! process of its own: it sets environment variables.

use connector_wechat_web_core::wechat::Api;

#[test]
fn the_proxy_named_is_the_environments_without_its_credentials() {
    let https = || Api::at("https://api.weixin.qq.com").unwrap().proxy();
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    assert_eq!(https(), None);
    std::env::set_var("HTTPS_PROXY", "http://user:secret@10.0.0.8:3128");
    assert_eq!(https().as_deref(), Some("http://10.0.0.8:3128"));
    // Plain http (loopback only) never goes through a proxy.
    std::env::set_var("HTTP_PROXY", "http://10.0.0.8:3128");
    assert_eq!(Api::at("http://127.0.0.1:8080").unwrap().proxy(), None);
    std::env::set_var("NO_PROXY", "weixin.qq.com");
    assert_eq!(https(), None);
}
