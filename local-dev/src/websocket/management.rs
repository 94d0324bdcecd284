//! API Gateway's Management API on local-dev's port, as the AWS SDK's apigatewaymanagement
//! client calls it: `POST` pushes the body, `GET` describes, `DELETE` closes. An unknown or
//! closed connection is 410 GoneException. In the cloud this API is SigV4-authenticated;
//! here it answers loopback peers only, without auth.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, StatusCode, header};
use serde_json::json;

use super::registry::{Gone, Registry};

/// PostToConnection's largest payload.
const MAX_PUSH_BYTES: usize = 128 * 1024;

pub fn router(registry: Arc<Registry>) -> Router {
    Router::new()
        .route(
            "/@connections/{connection_id}",
            get(describe).post(push).delete(close),
        )
        .layer(axum::extract::DefaultBodyLimit::max(MAX_PUSH_BYTES))
        .layer(axum::middleware::from_fn(loopback_only))
        .with_state(registry)
}

/// The Management API answers this machine only.
async fn loopback_only(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if !peer.ip().is_loopback() {
        return forbidden();
    }
    next.run(request).await
}

/// An error as AWS APIs write it (`x-amzn-ErrorType`, `message`), which the SDK parses, with
/// API.md's error object beside it.
fn aws_error(status: StatusCode, error_type: &'static str, code: &str, message: &str) -> Response {
    let body = json!({ "message": message, "error": { "code": code, "message": message } });
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert("x-amzn-ErrorType", HeaderValue::from_static(error_type));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn gone(connection_id: &str) -> Response {
    let message = format!("connection {connection_id} is gone");
    aws_error(StatusCode::GONE, "GoneException", "not_found", &message)
}

fn forbidden() -> Response {
    let message = "the Management API answers loopback only";
    aws_error(
        StatusCode::FORBIDDEN,
        "ForbiddenException",
        "forbidden",
        message,
    )
}

async fn push(
    State(registry): State<Arc<Registry>>,
    Path(connection_id): Path<String>,
    body: Bytes,
) -> Response {
    match registry.push(&connection_id, &body) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(Gone) => gone(&connection_id),
    }
}

async fn describe(
    State(registry): State<Arc<Registry>>,
    Path(connection_id): Path<String>,
) -> Response {
    let Some(live) = registry.get(&connection_id) else {
        return gone(&connection_id);
    };
    let body = json!({
        "connectedAt": live.connected_at.to_string(),
        "lastActiveAt": live.last_active().to_string(),
        "identity": { "sourceIp": live.source_ip.to_string(), "userAgent": live.user_agent },
    });
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn close(
    State(registry): State<Arc<Registry>>,
    Path(connection_id): Path<String>,
) -> Response {
    match registry.close(&connection_id, 1000, "closed through the Management API") {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(Gone) => gone(&connection_id),
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use http::Request;
    use tower::ServiceExt;

    use super::super::registry::Registry;

    #[tokio::test]
    async fn only_this_machine_reaches_the_management_api() {
        let router = super::router(Arc::new(Registry::default()));
        // An unknown connection is 410 to a loopback peer; anyone else is refused before that.
        for (peer, status) in [
            ("203.0.113.9:5000", 403),
            ("10.0.0.2:5000", 403),
            ("127.0.0.1:5000", 410),
            ("[::1]:5000", 410),
        ] {
            for method in ["GET", "POST", "DELETE"] {
                let mut request = Request::builder()
                    .method(method)
                    .uri("/@connections/abc=")
                    .body(Body::from("hi"))
                    .unwrap();
                let peer: SocketAddr = peer.parse().unwrap();
                request.extensions_mut().insert(ConnectInfo(peer));
                let response = router.clone().oneshot(request).await.unwrap();
                assert_eq!(response.status().as_u16(), status, "{method} from {peer}");
            }
        }
    }
}
