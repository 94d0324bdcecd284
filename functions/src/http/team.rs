//! The team's routes under `/api/admin/agents/`: any agent lists it, admins change it; and
//! `/api/admin/presence/`, where an agent sets itself online or away.

use lambda_http::{Body, Request, RequestExt, Response};
use shared::ChatError;
use shared::domain::AgentId;
use shared::input::{NewAgent, SetAvailability};
use shared::views;

use super::{bearer, created, json_body, ok, respond};
use crate::App;

/// The agent of the path; a malformed id is as unknown (404).
fn agent_id(request: &Request) -> Result<AgentId, ChatError> {
    request
        .path_parameters_ref()
        .and_then(|params| params.first("id"))
        .and_then(|raw| raw.parse().ok())
        .ok_or(ChatError::NotFound("agent not found"))
}

pub async fn list_agents(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        app.chat.agent(bearer(&request))?;
        Ok(ok(views::agents(&app.chat.team().await?)))
    })
    .await
}

pub async fn create_agent(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        app.chat.admin(bearer(&request))?;
        let input = NewAgent::parse(&json_body(&request)?)?;
        Ok(created(views::agent(&app.chat.add_agent(input).await?)))
    })
    .await
}

async fn set_active(app: App, request: Request, active: bool) -> Response<Body> {
    respond(&request, async {
        let admin = app.chat.admin(bearer(&request))?;
        let id = agent_id(&request)?;
        let member = app.chat.set_agent_active(&admin, id, active).await?;
        Ok(ok(views::agent(&member)))
    })
    .await
}

pub async fn deactivate_agent(app: App, request: Request) -> Response<Body> {
    set_active(app, request, false).await
}

pub async fn activate_agent(app: App, request: Request) -> Response<Body> {
    set_active(app, request, true).await
}

pub async fn set_presence(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let agent = app.chat.agent(bearer(&request))?;
        let input = SetAvailability::parse(&json_body(&request)?)?;
        Ok(ok(views::agent(
            &app.chat.set_availability(&agent, input).await?,
        )))
    })
    .await
}
