//! The runtime side of a function binary: build everything once, then serve events.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use lambda_http::aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use lambda_runtime::{LambdaEvent, service_fn};
use tracing::Instrument;

use shared::aws::AwsSettings;
use shared::store::MemoryStore;

use crate::app::NoConnections;
use crate::routes::{self, Function, HttpHandler, Route, UNROUTED};
use crate::{App, Config};

/// Runs the function named `function` (each binary passes its own name) until Lambda stops
/// it: a REST route with `lambda_http`, a WebSocket route with `lambda_runtime`.
pub async fn run(function: &str) -> Result<(), lambda_runtime::Error> {
    crate::telemetry::init();
    let Some((found, pushes)) = routes::function(function) else {
        return Err(format!("no route has the function name {function}").into());
    };
    let app = if function == routes::WEB_FUNCTION {
        App::new(
            &Config::for_pages(),
            Arc::new(MemoryStore::new()),
            Arc::new(NoConnections),
        )
    } else {
        let aws = AwsSettings::from_env()?;
        App::deployed(&aws, &Config::load(&aws).await?, pushes)
    };
    serve(found, app, function.to_owned()).await
}

/// Serves the function's events, each in an `invocation` span naming the function, the route
/// and what the event is about (the room of the path, the connection), never a token or a
/// body; each ends with one `answered` line (status, milliseconds), as local-dev writes.
async fn serve(found: Function, app: App, function: String) -> Result<(), lambda_runtime::Error> {
    match found {
        Function::Http(routes) => {
            lambda_http::run(lambda_http::service_fn(move |request: Request| {
                let handler = handler_of(&routes, &request);
                let span = http_span(&function, &request);
                let app = app.clone();
                async move {
                    let started = Instant::now();
                    let response = handler(app, request).await;
                    answered(response.status().as_u16(), started);
                    Ok::<_, Infallible>(response)
                }
                .instrument(span)
            }))
            .await
        }
        Function::Invoke(handler) => {
            lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
                let span = tracing::info_span!(
                    "invocation",
                    function = function.as_str(),
                    request_id = event.context.request_id.as_str(),
                );
                let app = app.clone();
                async move { handler(app, event.payload).await }.instrument(span)
            }))
            .await
        }
        Function::WebSocket(handler) => {
            lambda_runtime::run(service_fn(
                move |event: LambdaEvent<ApiGatewayWebsocketProxyRequest>| {
                    let context = &event.payload.request_context;
                    let span = tracing::info_span!(
                        "invocation",
                        function = function.as_str(),
                        route = context.route_key.as_deref().unwrap_or_default(),
                        connection = context.connection_id.as_deref().unwrap_or_default(),
                        request_id = event.context.request_id.as_str(),
                    );
                    let app = app.clone();
                    async move {
                        let started = Instant::now();
                        let response = handler(app, event.payload).await;
                        answered(u16::try_from(response.status_code).unwrap_or(0), started);
                        Ok::<_, Infallible>(response)
                    }
                    .instrument(span)
                },
            ))
            .await
        }
    }
}

/// The span of one HTTP API event: the route key API Gateway matched and the room of the path.
fn http_span(function: &str, request: &Request) -> tracing::Span {
    let (route, request_id) = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => {
            (context.route_key.clone(), context.request_id.clone())
        }
        _ => (None, None),
    };
    let params = request.path_parameters_ref();
    let room = params
        .and_then(|params| params.first("id"))
        .unwrap_or_default();
    tracing::info_span!(
        "invocation",
        function,
        route = route.as_deref().unwrap_or_default(),
        room,
        request_id = request_id.as_deref().unwrap_or_default(),
    )
}

fn answered(status: u16, started: Instant) {
    tracing::info!(
        status,
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "answered"
    );
}

/// The handler of the route API Gateway matched: the `$default` route's (`UNROUTED`) in the
/// function that serves it, else the function's route of that key.
pub fn handler_of(routes: &[&Route], request: &Request) -> HttpHandler {
    let unrouted = matches!(
        request.request_context_ref(),
        Some(RequestContext::ApiGatewayV2(context)) if context.route_key.as_deref() == Some("$default")
    );
    if unrouted
        && routes
            .iter()
            .all(|route| route.function == UNROUTED.function)
    {
        return UNROUTED.handler;
    }
    route_of(routes, request).handler
}

/// The route API Gateway matched (`routeKey`, "GET /web/{proxy+}"), among a function's routes;
/// a function of one route serves whatever reaches it.
pub fn route_of<'r>(routes: &[&'r Route], request: &Request) -> &'r Route {
    let key = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.route_key.as_deref(),
        _ => None,
    };
    routes
        .iter()
        .find(|route| key == Some(format!("{} {}", route.method, route.path).as_str()))
        .unwrap_or(&routes[0])
}
