//! The HTTP API's `$default` route: what API Gateway does with a request no route matched.
//!
//! A deployed HTTP API matches paths exactly and takes no route ending in `/`, so API.md's
//! slash form of a route (what seed-era clients call) would get API Gateway's own 404. Here
//! it is redirected instead: 308 to the declared path, which keeps the method, the body and
//! (the redirect being to the same origin) the `Authorization` header, so a client that
//! follows redirects, as browsers and most HTTP libraries do, keeps working. A CORS preflight
//! is 204; anything else answers API.md's error body: 405 for a known path with another
//! method, else 404.

use http::{HeaderValue, Method, StatusCode, header};
use lambda_http::{Body, Request, RequestExt, Response};
use shared::ChatError;

use super::error_response;
use crate::App;
use crate::routes::{Matched, matching};

pub async fn answer(_: App, request: Request) -> Response<Body> {
    let path = request.raw_http_path().to_owned();
    let method = request.method().clone();
    // A route of any method (as `$default` is) may be handed CORS preflights instead of API
    // Gateway answering them itself; it adds the configured CORS headers to this answer, and
    // only for the configured origins.
    if method == Method::OPTIONS {
        let mut response = Response::new(Body::Empty);
        *response.status_mut() = StatusCode::NO_CONTENT;
        return response;
    }
    let declared = path.strip_suffix('/').filter(|rest| !rest.is_empty());
    if let Some(declared) = declared
        && matches!(matching(&method, declared), Matched::Route(_))
    {
        let location = match request.uri().query() {
            Some(query) if !query.is_empty() => format!("{declared}?{query}"),
            _ => declared.to_owned(),
        };
        return redirect(&location);
    }
    // The path as sent or as declared is a route's, with another method.
    let other_method = [Some(path.as_str()), declared]
        .into_iter()
        .flatten()
        .any(|path| matching(&method, path) == Matched::OtherMethod);
    if other_method {
        error_response(&ChatError::MethodNotAllowed)
    } else {
        error_response(&ChatError::NotFound("no such route"))
    }
}

fn redirect(location: &str) -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::PERMANENT_REDIRECT;
    let location = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/"));
    response.headers_mut().insert(header::LOCATION, location);
    response
}
