//! `POST /api/auth/login/` and `POST /api/auth/refresh/`.

use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::input::{Login, Refresh};

use super::{json_body, ok, respond, source_ip};
use crate::App;

pub async fn login(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let login = Login::parse(&json_body(&request)?)?;
        let session = app.chat.login(login, source_ip(&request)).await?;
        let agent = &session.agent;
        Ok(ok(json!({
            "access": session.access,
            "refresh": session.refresh,
            "agent": {
                "id": agent.id, "username": agent.username,
                "display_name": agent.display_name, "role": agent.role,
            },
        })))
    })
    .await
}

pub async fn refresh(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let refresh = Refresh::parse(&json_body(&request)?)?;
        let access = app.chat.refresh(refresh).await?;
        Ok(ok(json!({ "access": access })))
    })
    .await
}
