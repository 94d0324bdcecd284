//! The API Gateway HTTP API, emulated: every route of the route table is mounted (as declared,
//! and with the trailing slash API.md writes), and each axum request becomes the payload-v2
//! event API Gateway would send, converted to a `lambda_http::Request` by lambda_http's own
//! code, then handed to the function's handler.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body as AxumBody;
use axum::extract::{ConnectInfo, RawPathParams, Request};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, on};
use functions::App;
use functions::http::error_response;
use functions::routes::{HttpHandler, Route, UNROUTED, http_routes};
use http::header;
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayV2httpRequest, ApiGatewayV2httpRequestContext,
    ApiGatewayV2httpRequestContextHttpDescription,
};
use lambda_http::request::LambdaRequest;
use shared::ChatError;
use shared::input::MAX_BODY_BYTES;
use tracing::Instrument;

use crate::answer_log::AnswerLog;

pub fn router(app: App, answers: Option<AnswerLog>) -> Router {
    let mut by_path: BTreeMap<String, MethodRouter> = BTreeMap::new();
    for route in http_routes() {
        for path in axum_paths(route.path) {
            let entry = by_path.remove(&path).unwrap_or_default();
            let methods = mount(route, app.clone(), answers.clone());
            by_path.insert(path, entry.merge(methods));
        }
    }
    // What no route takes goes where API Gateway sends it: the `$default` route's handler
    // (405 for a known path with another method, else 404).
    let unrouted = {
        let app = app.clone();
        let answers = answers.clone();
        move |ConnectInfo(peer): ConnectInfo<SocketAddr>, request: Request| {
            let target = Target::unrouted();
            let work = invoke(
                target,
                app.clone(),
                answers.clone(),
                peer,
                HashMap::new(),
                request,
            );
            crate::call_log::as_function(UNROUTED.function, work)
        }
    };
    by_path
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| {
            router.route(&path, methods.fallback(unrouted.clone()))
        })
        .fallback(unrouted)
}

/// The route an event is for: its key (`POST /api/auth/login`, or `$default`), the function
/// and handler that serve it.
#[derive(Clone)]
struct Target {
    key: String,
    function: &'static str,
    handler: HttpHandler,
}

impl Target {
    fn route(route: &'static Route) -> Self {
        Self {
            key: format!("{} {}", route.method, route.path),
            function: route.function,
            handler: route.handler,
        }
    }

    fn unrouted() -> Self {
        Self {
            key: "$default".to_owned(),
            function: UNROUTED.function,
            handler: UNROUTED.handler,
        }
    }
}

/// A route's paths as axum writes them: as declared and with a trailing slash; a greedy
/// parameter (API Gateway's `{proxy+}`, axum's `{*proxy}`) takes the rest of the path, slash
/// included.
fn axum_paths(path: &str) -> Vec<String> {
    match path.strip_suffix("+}") {
        Some(greedy) => {
            let (prefix, name) = greedy
                .rsplit_once('{')
                .expect("a greedy parameter is braced");
            vec![format!("{prefix}{{*{name}}}")]
        }
        // The root has no slash form.
        None if path == "/" => vec![path.to_owned()],
        None => vec![path.to_owned(), format!("{path}/")],
    }
}

fn mount(route: &'static Route, app: App, answers: Option<AnswerLog>) -> MethodRouter {
    let filter = MethodFilter::try_from(route.method.clone()).expect("route methods are standard");
    let target = Target::route(route);
    on(
        filter,
        move |ConnectInfo(peer): ConnectInfo<SocketAddr>,
              params: RawPathParams,
              request: Request| {
            let path_parameters = params
                .iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect();
            let work = invoke(
                target.clone(),
                app,
                answers.clone(),
                peer,
                path_parameters,
                request,
            );
            crate::call_log::as_function(route.function, work)
        },
    )
}

async fn invoke(
    target: Target,
    app: App,
    answers: Option<AnswerLog>,
    peer: SocketAddr,
    path_parameters: HashMap<String, String>,
    request: Request,
) -> Response {
    let span = tracing::info_span!(
        "request",
        function = target.function,
        route = target.key.as_str(),
        path = request.uri().path().to_owned(),
    );
    async move {
        let started = Instant::now();
        let response = match to_lambda_request(&target.key, peer, path_parameters, request).await {
            Ok(request) => (target.handler)(app, request).await,
            Err(error) => error_response(&error),
        };
        if let Some(answers) = &answers {
            record(answers, &target.key, &response);
        }
        let response = into_axum(response);
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "answered"
        );
        response
    }
    .instrument(span)
    .await
}

/// The event API Gateway's HTTP API (payload format 2.0) would send for this request.
async fn to_lambda_request(
    route_key: &str,
    peer: SocketAddr,
    path_parameters: HashMap<String, String>,
    request: Request,
) -> Result<lambda_http::Request, ChatError> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES + 1)
        .await
        .map_err(|_| ChatError::PayloadTooLarge)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();

    let mut headers = parts.headers;
    // HTTP APIs hand cookies over separately, and not as a header.
    let cookies: Vec<String> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split("; ").map(str::to_owned))
        .collect();
    headers.remove(header::COOKIE);
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();

    let mut http = ApiGatewayV2httpRequestContextHttpDescription::default();
    http.method = parts.method.clone();
    http.path = Some(parts.uri.path().to_owned());
    http.protocol = Some(format!("{:?}", parts.version));
    http.source_ip = Some(peer.ip().to_string());
    http.user_agent = user_agent;

    let mut context = ApiGatewayV2httpRequestContext::default();
    context.route_key = Some(route_key.to_owned());
    context.account_id = Some("000000000000".to_owned());
    context.stage = Some("$default".to_owned());
    context.request_id = Some(ulid::Ulid::new().to_string());
    context.apiid = Some("local".to_owned());
    context.domain_prefix = host.split('.').next().map(str::to_owned);
    context.domain_name = Some(host);
    context.time_epoch = now.as_millis() as i64;
    context.http = http;

    let mut event = ApiGatewayV2httpRequest::default();
    event.version = Some("2.0".to_owned());
    event.route_key = Some(route_key.to_owned());
    event.raw_path = Some(parts.uri.path().to_owned());
    event.raw_query_string = Some(parts.uri.query().unwrap_or_default().to_owned());
    event.cookies = (!cookies.is_empty()).then_some(cookies);
    event.headers = headers;
    event.path_parameters = path_parameters;
    event.request_context = context;
    if !body.is_empty() {
        // Text bodies arrive as they are; anything else base64-encoded, as API Gateway does.
        match std::str::from_utf8(&body) {
            Ok(text) => event.body = Some(text.to_owned()),
            Err(_) => {
                use base64::Engine;
                event.body = Some(base64::engine::general_purpose::STANDARD.encode(&body));
                event.is_base64_encoded = true;
            }
        }
    }
    Ok(LambdaRequest::ApiGatewayV2(event).into())
}

fn record(
    answers: &AnswerLog,
    route_key: &str,
    response: &lambda_http::Response<lambda_http::Body>,
) {
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let status = response.status().as_u16();
    answers.http(route_key, status, content_type, response.body().as_ref());
}

fn into_axum(response: lambda_http::Response<lambda_http::Body>) -> Response {
    let (parts, body) = response.into_parts();
    let body = match body {
        lambda_http::Body::Empty => AxumBody::empty(),
        lambda_http::Body::Text(text) => AxumBody::from(text),
        lambda_http::Body::Binary(bytes) => AxumBody::from(bytes),
        _ => AxumBody::empty(),
    };
    Response::from_parts(parts, body)
}

/// An error as the functions answer it (status, API.md body, headers), for local-dev's own
/// answers too.
pub fn chat_error(error: &ChatError) -> Response {
    into_axum(error_response(error))
}
