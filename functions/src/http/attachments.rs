//! Upload slots: `POST .../chat-rooms/{id}/attachments` for the room's customer and for agents.

use lambda_http::{Body, Request, Response};
use shared::input::NewUpload;
use shared::views;

use super::{bearer, created, json_body, respond, room_id};
use crate::App;

pub async fn public_create(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let visitor = app.chat.visitor(bearer(&request))?;
        let room = room_id(&request)?;
        let input = NewUpload::parse(&json_body(&request)?, app.chat.attachment_rules())?;
        let slot = app.chat.visitor_upload(&visitor, room, input).await?;
        Ok(created(views::upload_slot(&slot)))
    })
    .await
}

pub async fn admin_create(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let agent = app.chat.agent(bearer(&request))?;
        let room = room_id(&request)?;
        let input = NewUpload::parse(&json_body(&request)?, app.chat.attachment_rules())?;
        let slot = app.chat.agent_upload(&agent, room, input).await?;
        Ok(created(views::upload_slot(&slot)))
    })
    .await
}
