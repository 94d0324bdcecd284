//! The two clients of `web/`: the agents' console at `/admin/chat`, the customer chat at
//! `/chat`, and their files under `/web/`. Read from the checkout at each request, so editing
//! a page needs no rebuild. Served with a Content-Security-Policy that forbids inline script.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::Path as UrlPath;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, StatusCode, header};
use shared::ChatError;

fn web_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web")
}

/// Scripts and styles only from this origin, never inline; the API and WebSockets may be
/// elsewhere (a deployed stack), hence `connect-src` allows any https/wss origin.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self' https: wss: ws:; object-src 'none'; base-uri 'none'; form-action 'self'";

pub fn router() -> Router {
    Router::new()
        .route("/admin/chat", get(|| page("admin/index.html", "'none'")))
        .route("/admin/chat/", get(|| page("admin/index.html", "'none'")))
        // The customer chat is what the embed script frames on other sites.
        .route("/chat", get(|| page("chat/index.html", "*")))
        .route("/chat/", get(|| page("chat/index.html", "*")))
        .route("/web/{*path}", get(asset))
}

async fn page(file: &str, frame_ancestors: &str) -> Response {
    let csp = format!("{CSP}; frame-ancestors {frame_ancestors}");
    serve(&web_root().join(file), &csp).await
}

async fn asset(UrlPath(path): UrlPath<String>) -> Response {
    let safe = !path.is_empty()
        && path.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        });
    if !safe {
        return not_found();
    }
    serve(
        &web_root().join(path),
        &format!("{CSP}; frame-ancestors 'none'"),
    )
    .await
}

async fn serve(file: &Path, csp: &str) -> Response {
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => return not_found(),
    };
    let Ok(body) = tokio::fs::read(file).await else {
        return not_found();
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    let value = |v: &str| HeaderValue::from_str(v).expect("header values are ASCII");
    headers.insert(header::CONTENT_TYPE, value(content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, value(csp));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, value("nosniff"));
    headers.insert(header::REFERRER_POLICY, value("no-referrer"));
    headers.insert(header::CACHE_CONTROL, value("no-cache"));
    response
}

fn not_found() -> Response {
    crate::http_api::chat_error(&ChatError::NotFound("no such file"))
}
