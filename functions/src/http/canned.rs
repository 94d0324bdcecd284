//! `/api/admin/canned-responses/`: any agent lists and searches them, admins write them.

use lambda_http::{Body, Request, RequestExt, Response};
use shared::ChatError;
use shared::domain::CannedResponseId;
use shared::input::NewCannedResponse;
use shared::views;

use super::{bearer, created, json_body, no_content, ok, query, respond};
use crate::App;

/// The response of the path; a malformed id is as unknown (404).
fn canned_id(request: &Request) -> Result<CannedResponseId, ChatError> {
    request
        .path_parameters_ref()
        .and_then(|params| params.first("id"))
        .and_then(|raw| raw.parse().ok())
        .ok_or(ChatError::NotFound("canned response not found"))
}

pub async fn list(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        app.chat.agent(bearer(&request))?;
        let found = app.chat.canned_responses(query(&request, "q")).await?;
        Ok(ok(views::canned_responses(&found)))
    })
    .await
}

pub async fn create(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        app.chat.admin(bearer(&request))?;
        let input = NewCannedResponse::parse(&json_body(&request)?)?;
        Ok(created(views::canned_response(
            &app.chat.add_canned(input).await?,
        )))
    })
    .await
}

pub async fn replace(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        app.chat.admin(bearer(&request))?;
        let id = canned_id(&request)?;
        let input = NewCannedResponse::parse(&json_body(&request)?)?;
        Ok(ok(views::canned_response(
            &app.chat.replace_canned(id, input).await?,
        )))
    })
    .await
}

pub async fn delete(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        app.chat.admin(bearer(&request))?;
        app.chat.remove_canned(canned_id(&request)?).await?;
        Ok(no_content())
    })
    .await
}
