//! CORS for the REST API, as template.yaml configures it on the HTTP API: only the configured
//! origins (the sites that host the console or the chat) may call it from a browser; there is
//! no wildcard. Pages served by local-dev itself are same-origin and need none.

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};
use shared::ChatError;

/// Origins such as `https://shop.example` (scheme, host and port; no path, no wildcard).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedOrigins(Arc<Vec<HeaderValue>>);

impl AllowedOrigins {
    pub fn parse<'a>(origins: impl IntoIterator<Item = &'a str>) -> anyhow::Result<Self> {
        let mut allowed = Vec::new();
        for origin in origins.into_iter().map(str::trim).filter(|o| !o.is_empty()) {
            let well_formed = ["http://", "https://"].iter().any(|scheme| {
                origin
                    .strip_prefix(scheme)
                    .is_some_and(|host| !host.is_empty() && !host.contains(['/', '*', ' ']))
            });
            if !well_formed {
                anyhow::bail!(
                    "{origin:?} is not an origin like https://shop.example (no path, no *)"
                );
            }
            allowed.push(HeaderValue::from_str(origin)?);
        }
        Ok(Self(Arc::new(allowed)))
    }

    fn allows(&self, origin: &HeaderValue) -> bool {
        self.0.iter().any(|allowed| allowed == origin)
    }
}

pub fn layer(router: Router, origins: AllowedOrigins) -> Router {
    router.layer(middleware::from_fn(move |request: Request, next: Next| {
        cors(origins.clone(), request, next)
    }))
}

async fn cors(origins: AllowedOrigins, request: Request, next: Next) -> Response {
    let allowed = request
        .headers()
        .get(header::ORIGIN)
        .filter(|origin| origins.allows(origin))
        .cloned();
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        match &allowed {
            Some(_) => preflight_answer(),
            None => origin_refused(),
        }
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
}

fn preflight_answer() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    let methods = functions::routes::http_methods().join(", ");
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_str(&methods).expect("method names are header text"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

fn origin_refused() -> Response {
    crate::http_api::chat_error(&ChatError::Forbidden("this origin may not call the API"))
}

#[cfg(test)]
mod tests {
    use super::AllowedOrigins;

    #[test]
    fn only_plain_origins_are_accepted() {
        let ok = AllowedOrigins::parse(["https://shop.example", " http://127.0.0.1:3000 ", ""]);
        assert_eq!(ok.unwrap().0.len(), 2);
        for bad in [
            "*",
            "https://*.example",
            "https://shop.example/",
            "shop.example",
            "https://",
        ] {
            assert!(AllowedOrigins::parse([bad]).is_err(), "{bad}");
        }
    }
}
