//! `POST /api/auth/login/`, `POST /api/auth/refresh/` and `POST /api/auth/password/`.

use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::input::{ChangePassword, Login, Refresh};

use super::{bearer, json_body, ok, respond, source_ip};
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

pub async fn change_password(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let agent = app.chat.agent(bearer(&request))?;
        let input = ChangePassword::parse(&json_body(&request)?)?;
        app.chat.change_password(&agent, input).await?;
        Ok(ok(json!({ "changed": true })))
    })
    .await
}
