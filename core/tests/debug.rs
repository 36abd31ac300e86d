//! README's promise for `Debug` (what a panic message or a log line would print): each type shows
//! what it is, and `[redacted]` where a secret, a token or echoed text would be.

use connector_wechat_web_core::config::{App, Config, OfficialAccount};
use connector_wechat_web_core::error::{Code, EchoShape, Failure};
use connector_wechat_web_core::flow::TokenResponse;
use connector_wechat_web_core::reply::TokenReply;
use connector_wechat_web_core::schema::Input;
use connector_wechat_web_core::wechat::{Api, Response};

const SECRET: &str = "s3cret-of-the-app";
const TOKEN: &str = "ACCESS_TOKEN_VALUE";
const REFRESH: &str = "REFRESH_TOKEN_VALUE";

fn shown(value: &impl std::fmt::Debug) -> String {
    let text = format!("{value:?}");
    for secret in [SECRET, TOKEN, REFRESH] {
        assert!(!text.contains(secret), "{text}");
    }
    text
}

#[test]
fn config_shows_app_ids_and_hides_secrets() {
    let app = |app_id: &str| App {
        app_id: app_id.to_owned(),
        app_secret: SECRET.to_owned(),
    };
    assert_eq!(
        shown(&app("wx_web")),
        r#"App { app_id: "wx_web", app_secret: [redacted] }"#
    );
    let config = Config {
        web: app("wx_web"),
        scope: None,
        official_account: Some(OfficialAccount { app: app("wx_oa") }),
    };
    let text = shown(&config);
    assert!(
        text.contains(r#"app_id: "wx_oa", app_secret: [redacted]"#),
        "{text}"
    );
}

#[test]
fn tokens_are_hidden() {
    let reply = TokenReply {
        access_token: TOKEN.to_owned(),
        openid: "openid-1".to_owned(),
        refresh_token: Some(REFRESH.to_owned()),
        expires_in: Some(7200.into()),
        scope: Some("snsapi_login".to_owned()),
        unionid: Some("unionid-1".to_owned()),
        is_snapshot_user: false,
    };
    assert_eq!(
        shown(&reply),
        r#"TokenReply { access_token: [redacted], openid: "openid-1", refresh_token: Some([redacted]), expires_in: Some(Number(7200)), scope: Some("snsapi_login"), unionid: Some("unionid-1"), is_snapshot_user: false }"#
    );
    let response = TokenResponse {
        access_token: TOKEN.to_owned(),
        refresh_token: None,
        expires_in: None,
        scope: None,
    };
    assert_eq!(
        shown(&response),
        "TokenResponse { access_token: [redacted], refresh_token: None, expires_in: None, scope: None }"
    );
}

#[test]
fn echoed_text_and_inputs_show_their_size_only() {
    let echoed = Failure::echoed(
        Code::General,
        format!("{SECRET} {TOKEN}"),
        EchoShape::Quoted,
    );
    let text = shown(&echoed);
    assert!(text.contains("Echo(Quoted, 36 bytes)"), "{text}");
    let input = Input::Object(vec![(
        "appSecret".to_owned(),
        Input::Text(SECRET.to_owned()),
    )]);
    assert_eq!(shown(&input), r#"{"appSecret": Text(17 bytes)}"#);
}

#[test]
fn the_api_shows_its_base_without_credentials_and_a_response_its_size() {
    let api = Api::at(&format!(
        "https://gateway-user:{SECRET}@gateway.example:8443/wechat"
    ))
    .unwrap();
    let text = shown(&api);
    assert_eq!(
        text,
        r#"Api { base: Ok("https://gateway.example:8443/wechat"), .. }"#
    );
    assert!(!text.contains("gateway-user"), "{text}");
    let body = format!(r#"{{"access_token":"{TOKEN}"}}"#).into_bytes();
    assert_eq!(
        shown(&Response { status: 200, body }),
        "Response(200, 37 bytes)"
    );
}
