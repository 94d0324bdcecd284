//! `GET /api/health`: for a load balancer, a container check or a script waiting for the
//! server. Its own small function, holding only a `GetItem` on the table: an HTTP API has no
//! mock integration (REST APIs do), and a check that reads nothing would say "ok" with the
//! table unreachable.

use lambda_http::{Body, Request, Response};
use shared::views;

use super::{ok, respond, unavailable};
use crate::App;

pub async fn check(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let health = app.chat.health().await;
        let body = views::health(&health);
        Ok(if health.store {
            ok(body)
        } else {
            unavailable(body)
        })
    })
    .await
}
