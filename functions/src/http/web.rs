//! The two clients of `web/`: the agents' console at `/admin/chat`, the customer chat at
//! `/chat`, their files under `/web/`, and the API reference at `/api/openapi.json`, served by
//! the `web` function behind the same HTTP API as the REST routes, so a deployed stack is
//! usable from its own URL with no other hosting and no CORS. Every answer carries a Content-Security-Policy that forbids inline
//! script; only the customer chat may be framed (the embed script frames it on other sites).
//!
//! A deployed function serves the files built into its binary, and writes `config.js` from
//! its own `WEBSOCKET_ENDPOINT`; local-dev serves them from the checkout at each request, so
//! editing a page needs no rebuild.

use std::path::{Path, PathBuf};

use http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, RequestExt, Response};
use shared::ChatError;

use super::error_response;
use crate::App;

/// Scripts and styles only from this origin, never inline; the API and WebSockets may be
/// elsewhere (a deployed stack), hence `connect-src` allows any https/wss origin.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self' https: wss: ws:; object-src 'none'; base-uri 'none'; form-action 'self'";

/// The files under `web/`, as the function binary carries them.
macro_rules! embedded {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/", $file)))),*]
    };
}

/// Every file of `web/` (a test holds this list to the folder).
pub const EMBEDDED: &[(&str, &[u8])] = embedded![
    "admin/canned.js",
    "admin/console.js",
    "admin/index.html",
    "admin/team.js",
    "chat/index.html",
    "chat/widget.js",
    "config.js",
    "embed.js",
    "home.html",
    "lib/api.js",
    "lib/conversation.js",
    "lib/endpoints.js",
    "lib/fields.js",
    "lib/render.js",
    "lib/socket.js",
    "lib/storage.js",
    "styles.css",
];

/// The OpenAPI document of the REST API, `docs/openapi.json`, built into the binary.
pub const OPENAPI: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json"));

/// Where the web files come from.
#[derive(Clone, Debug)]
pub enum WebFiles {
    /// The files built into the binary; `config.js` points the pages at `websocket_url` (the
    /// REST API is the origin that served them).
    Embedded { websocket_url: Option<String> },
    /// A folder read at each request (local-dev: the checkout's `web/`), `config.js` included.
    Folder(PathBuf),
}

impl WebFiles {
    /// The checkout's `web/` folder.
    pub fn checkout() -> Self {
        Self::Folder(Path::new(env!("CARGO_MANIFEST_DIR")).join("../web"))
    }

    /// For a deployed stack: the pages' WebSocket URL is the Management API's endpoint
    /// (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`) with the `wss` scheme.
    pub fn embedded(websocket_endpoint: Option<&str>) -> Self {
        let websocket_url = websocket_endpoint
            .and_then(|endpoint| endpoint.strip_prefix("https://"))
            .map(|rest| format!("wss://{rest}"));
        Self::Embedded { websocket_url }
    }

    async fn read(&self, file: &str) -> Option<Vec<u8>> {
        match self {
            Self::Embedded { websocket_url } if file == "config.js" => {
                Some(config_js(websocket_url.as_deref().unwrap_or_default()).into_bytes())
            }
            Self::Embedded { .. } => EMBEDDED
                .iter()
                .find(|(name, _)| *name == file)
                .map(|(_, bytes)| bytes.to_vec()),
            Self::Folder(root) => tokio::fs::read(root.join(file)).await.ok(),
        }
    }
}

/// `web/config.js` for a deployed stack: the REST API is the pages' own origin (empty), the
/// WebSocket API is the stack's.
pub fn config_js(websocket_url: &str) -> String {
    let ws = serde_json::to_string(websocket_url).expect("a string serialises");
    format!(
        "// Written by the deployed `web` function from its stack's WebSocket API.\n\
         export const CONFIG = {{\n  apiBase: \"\",\n  wsBase: {ws},\n}};\n"
    )
}

/// The README, built into the binary for the start page's links.
const README: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"));

/// `GET /`: where a newcomer lands, with the links to everything and the store in use. The
/// page is `home.html` with the store's label put in as text.
pub async fn home(app: App, _: Request) -> Response<Body> {
    let mut response = page(&app, "home.html", "'none'").await;
    if let Body::Text(text) = response.body_mut() {
        *text = text.replace("{{STORE}}", &html_text(&app.store_label));
    }
    response
}

/// `GET /README.md`: the guide, as plain text.
pub async fn readme(_: App, _: Request) -> Response<Body> {
    let mut response = Response::new(Body::Text(README.to_owned()));
    let headers = response.headers_mut();
    let value = HeaderValue::from_static;
    headers.insert(header::CONTENT_TYPE, value("text/plain; charset=utf-8"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        value("default-src 'none'; frame-ancestors 'none'"),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, value("nosniff"));
    headers.insert(header::CACHE_CONTROL, value("no-cache"));
    response
}

/// Text for HTML: the five characters that could open markup, escaped.
fn html_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `GET /admin/chat`: the agents' console, never framed.
pub async fn console(app: App, _: Request) -> Response<Body> {
    page(&app, "admin/index.html", "'none'").await
}

/// `GET /chat`: the customer chat, which the embed script frames on any site.
pub async fn chat(app: App, _: Request) -> Response<Body> {
    page(&app, "chat/index.html", "*").await
}

/// `GET /web/{proxy+}`: a script, style or image of the pages.
pub async fn asset(app: App, request: Request) -> Response<Body> {
    let path = request
        .path_parameters_ref()
        .and_then(|params| params.first("proxy"))
        .unwrap_or_default()
        .to_owned();
    if !is_safe(&path) {
        return not_found();
    }
    page(&app, &path, "'none'").await
}

/// `GET /api/openapi.json`: the API reference.
pub async fn api_reference(_: App, _: Request) -> Response<Body> {
    let mut response = Response::new(Body::Text(OPENAPI.to_owned()));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Plain names below `web/`: no empty, hidden or parent parts, nothing to escape the folder.
fn is_safe(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        })
}

async fn page(app: &App, file: &str, frame_ancestors: &str) -> Response<Body> {
    let content_type = match Path::new(file).extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => return not_found(),
    };
    let Some(bytes) = app.web.read(file).await else {
        return not_found();
    };
    let body = match String::from_utf8(bytes) {
        Ok(text) => Body::Text(text),
        Err(binary) => Body::Binary(binary.into_bytes()),
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    let value = |v: &str| HeaderValue::from_str(v).expect("header values are ASCII");
    headers.insert(header::CONTENT_TYPE, value(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        value(&format!("{CSP}; frame-ancestors {frame_ancestors}")),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, value("nosniff"));
    headers.insert(header::REFERRER_POLICY, value("no-referrer"));
    headers.insert(header::CACHE_CONTROL, value("no-cache"));
    response
}

fn not_found() -> Response<Body> {
    error_response(&ChatError::NotFound("no such file"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::{EMBEDDED, WebFiles, config_js, is_safe};

    fn files_under(root: &Path, dir: &Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files_under(root, &path, found);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                found.insert(relative.to_string_lossy().into_owned());
            }
        }
    }

    #[test]
    fn the_binary_carries_every_file_of_web_and_nothing_else() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
        let mut on_disk = BTreeSet::new();
        files_under(&root, &root, &mut on_disk);
        let embedded: BTreeSet<String> = EMBEDDED.iter().map(|(f, _)| f.to_string()).collect();
        assert_eq!(embedded, on_disk);
    }

    #[test]
    fn a_deployed_config_points_the_pages_at_the_stacks_websocket_api() {
        let files = WebFiles::embedded(Some(
            "https://abc123.execute-api.eu-west-1.amazonaws.com/prod",
        ));
        let WebFiles::Embedded { websocket_url } = &files else {
            unreachable!()
        };
        let url = websocket_url.as_deref().unwrap();
        assert_eq!(url, "wss://abc123.execute-api.eu-west-1.amazonaws.com/prod");
        let script = config_js(url);
        assert!(script.contains("apiBase: \"\""), "{script}");
        assert!(script.contains(&format!("wsBase: \"{url}\"")), "{script}");
        // The checkout's config.js has the same shape, so the pages read both alike.
        let checkout = String::from_utf8(
            EMBEDDED
                .iter()
                .find(|(f, _)| *f == "config.js")
                .unwrap()
                .1
                .to_vec(),
        )
        .unwrap();
        assert!(checkout.contains("export const CONFIG"), "{checkout}");
    }

    #[test]
    fn only_plain_names_below_web_are_served() {
        for good in ["styles.css", "admin/console.js", "lib/api.js"] {
            assert!(is_safe(good), "{good}");
        }
        for bad in [
            "",
            "../Cargo.toml",
            "lib/../../x",
            ".env",
            "a//b",
            "lib/%2e%2e",
            "a b",
        ] {
            assert!(!is_safe(bad), "{bad}");
        }
    }
}
