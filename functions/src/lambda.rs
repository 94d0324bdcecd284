//! The runtime side of a function binary: build everything once, then serve events.

use std::convert::Infallible;
use std::sync::Arc;

use lambda_http::aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use lambda_runtime::{LambdaEvent, service_fn};

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
    serve(found, app).await
}

async fn serve(found: Function, app: App) -> Result<(), lambda_runtime::Error> {
    match found {
        Function::Http(routes) => {
            lambda_http::run(lambda_http::service_fn(move |request: Request| {
                let handler = handler_of(&routes, &request);
                let app = app.clone();
                async move { Ok::<_, Infallible>(handler(app, request).await) }
            }))
            .await
        }
        Function::Invoke(handler) => {
            lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
                let app = app.clone();
                async move { handler(app, event.payload).await }
            }))
            .await
        }
        Function::WebSocket(handler) => {
            lambda_runtime::run(service_fn(
                move |event: LambdaEvent<ApiGatewayWebsocketProxyRequest>| {
                    let app = app.clone();
                    async move { Ok::<_, Infallible>(handler(app, event.payload).await) }
                },
            ))
            .await
        }
    }
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
