//! The runtime side of a function binary: build everything once, then serve events.

use std::convert::Infallible;

use anyhow::Context;
use lambda_http::{Request, service_fn};

use crate::routes::{self, Route};
use crate::{App, Config};

/// Runs the HTTP route whose function name is `function` (each binary passes its own name).
pub async fn serve_http(function: &str) -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let route: &Route = routes::by_function(function)
        .with_context(|| format!("no route has the function name {function}"))?;
    let config = Config::from_env()?;
    let app = App::from_config(&config);
    let handler = route.handler;
    lambda_http::run(service_fn(move |request: Request| {
        let app = app.clone();
        async move { Ok::<_, Infallible>(handler(app, request).await) }
    }))
    .await
}
