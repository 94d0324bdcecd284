//! The security review's points that a client can see: CORS only for configured origins,
//! security headers on the pages, and logs that never hold a token, a password or a body.

use std::io::Write;
use std::sync::{Arc, Mutex};

use api_tests::{spawn_app, spawn_app_with};
use serde_json::json;

const SHOP: &str = "https://shop.example";
const EVIL: &str = "https://evil.example";

async fn raw(
    app: &api_tests::TestApp,
    method: reqwest::Method,
    path: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", app.base));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// The admin room list asked from a page of `origin`.
async fn from_page_of(app: &api_tests::TestApp, origin: &str) -> reqwest::Response {
    let headers = [("origin", origin)];
    raw(
        app,
        reqwest::Method::GET,
        "/api/admin/chat-rooms/",
        &headers,
    )
    .await
}

fn allow_origin(response: &reqwest::Response) -> Option<&str> {
    response
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap())
}

async fn preflight(app: &api_tests::TestApp, origin: &str) -> reqwest::Response {
    let headers = [
        ("origin", origin),
        ("access-control-request-method", "POST"),
        (
            "access-control-request-headers",
            "authorization, content-type",
        ),
    ];
    raw(
        app,
        reqwest::Method::OPTIONS,
        "/api/public/chat-rooms/",
        &headers,
    )
    .await
}

#[tokio::test]
async fn cors_answers_only_configured_origins() {
    let app = spawn_app_with(|options| {
        options.cors_origins = local_dev::AllowedOrigins::parse([SHOP]).unwrap();
    })
    .await;
    let allowed = preflight(&app, SHOP).await;
    assert_eq!(allowed.status(), 204);
    assert_eq!(allow_origin(&allowed), Some(SHOP));
    let methods = allowed.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"), "{methods}");

    let refused = preflight(&app, EVIL).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(allow_origin(&refused), None);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");

    // A simple request is answered, but only the configured origin may read the answer.
    let from_shop = from_page_of(&app, SHOP).await;
    assert_eq!(from_shop.status(), 401);
    assert_eq!(allow_origin(&from_shop), Some(SHOP));
    let from_evil = from_page_of(&app, EVIL).await;
    assert_eq!(allow_origin(&from_evil), None);
}

#[tokio::test]
async fn without_configured_origins_no_site_may_call_the_api() {
    let app = spawn_app().await;
    let from_shop = from_page_of(&app, SHOP).await;
    assert_eq!(allow_origin(&from_shop), None);
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let app = spawn_app().await;
    for (path, framed_by) in [
        ("/admin/chat", "frame-ancestors 'none'"),
        ("/chat", "frame-ancestors *"),
        ("/web/admin/console.js", "frame-ancestors 'none'"),
        ("/web/styles.css", "frame-ancestors 'none'"),
    ] {
        let page = raw(&app, reqwest::Method::GET, path, &[]).await;
        assert_eq!(page.status(), 200, "{path}");
        let header = |name: &str| page.headers()[name].to_str().unwrap().to_owned();
        let csp = header("content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(csp.contains("object-src 'none'"), "{csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(csp.contains(framed_by), "{path}: {csp}");
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("referrer-policy"), "no-referrer");
    }
    app.get("/web/nothing-here.js", None)
        .await
        .assert_error(404, "not_found", None);
    let api = raw(&app, reqwest::Method::GET, "/api/admin/chat-rooms/", &[]).await;
    assert_eq!(api.headers()["cache-control"], "no-store");
    assert_eq!(api.headers()["content-type"], "application/json");
}

/// Log lines, as written.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test binary, from the first call on, at TRACE through the filter
/// the functions and local-dev use: a global subscriber (a thread's own subscriber would miss
/// callsites other tests' threads registered first).
fn captured_logs() -> &'static Captured {
    use tracing_subscriber::layer::SubscriberExt;
    static CAPTURED: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::registry()
            .with(functions::telemetry::filter("trace"))
            .with(tracing_subscriber::fmt::layer().with_writer(move || writer.clone()));
        tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");
        captured
    })
}

#[tokio::test]
async fn logs_hold_no_token_password_or_message_body() {
    let captured = captured_logs();
    let app = spawn_app().await;
    let guess = "hunter2-never-log-me";
    assert_eq!(app.login("admin", guess).await.status, 401);
    let login = app.login("admin", "admin123").await;
    let (access, refresh) = (
        login.body["access"].as_str().unwrap().to_owned(),
        login.body["refresh"].as_str().unwrap().to_owned(),
    );
    let created = app
        .post(
            "/api/public/chat-rooms/",
            None,
            json!({ "customer_name": "Ada", "message": "first-body-never-logged" }),
        )
        .await;
    let room = created.body["room"]["id"].as_str().unwrap().to_owned();
    let customer = created.body["customer_token"].as_str().unwrap().to_owned();
    let mut socket = app
        .connect(&format!("/ws/chat/{room}/?token={customer}"))
        .await;
    socket
        .send_json(json!({ "action": "send_message", "content": "ws-body-never-logged" }))
        .await;
    socket.next_of_type("message").await;
    app.customer_says(&room, &customer, "rest-body-never-logged")
        .await;
    app.post("/api/auth/refresh/", None, json!({ "refresh": refresh }))
        .await;
    app.post(
        "/api/admin/chat-rooms/x/send_message/",
        Some(&access),
        json!({}),
    )
    .await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("answered"),
        "the server logged nothing: the test would be vacuous: {logs}"
    );
    for secret in [
        guess,
        "admin123",
        "first-body-never-logged",
        "ws-body-never-logged",
        "rest-body-never-logged",
        &access,
        &refresh,
        &customer,
    ] {
        assert!(!logs.contains(secret), "the logs hold {secret:?}:\n{logs}");
    }
}
