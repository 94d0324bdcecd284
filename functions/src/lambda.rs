//! The runtime side of a function binary: build everything once, then serve events.

use std::convert::Infallible;

use lambda_http::Request;
use lambda_http::aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use lambda_runtime::{LambdaEvent, service_fn};

use crate::routes::{self, Function};
use crate::{App, Config};

/// Runs the function named `function` (each binary passes its own name) until Lambda stops
/// it: a REST route with `lambda_http`, a WebSocket route with `lambda_runtime`.
pub async fn run(function: &str) -> Result<(), lambda_runtime::Error> {
    crate::telemetry::init();
    let Some((found, access)) = routes::function(function) else {
        return Err(format!("no route has the function name {function}").into());
    };
    let app = App::from_config(&Config::from_env()?, access.pushes)?;
    serve(found, app).await
}

async fn serve(found: Function, app: App) -> Result<(), lambda_runtime::Error> {
    match found {
        Function::Http(handler) => {
            lambda_http::run(lambda_http::service_fn(move |request: Request| {
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
