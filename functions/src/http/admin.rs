//! The agents' routes under `/api/admin/chat-rooms/`.

use lambda_http::{Body, Request, Response};
use shared::ChatError;
use shared::domain::Reader;
use shared::domain::RoomStatus;
use shared::input::{Assign, AssigneeFilter, NewMessage};
use shared::views;

use super::{bearer, cursor, json_body, limit, message_window, ok, query, respond, room_id};
use crate::App;

fn status_filter(request: &Request) -> Result<Option<RoomStatus>, ChatError> {
    match query(request, "status") {
        None => Ok(None),
        Some("open") => Ok(Some(RoomStatus::Open)),
        Some("closed") => Ok(Some(RoomStatus::Closed)),
        Some(_) => Err(ChatError::validation(
            "status",
            "status must be open or closed",
        )),
    }
}

pub async fn list_rooms(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let agent = app.chat.agent(bearer(&request))?;
        let status = status_filter(&request)?;
        let assignee = AssigneeFilter::parse(query(&request, "assignee"))?;
        let (limit, cursor) = (limit(&request)?, cursor(&request)?);
        let filter = (status, assignee);
        let page = app
            .chat
            .rooms(&agent, filter, limit, cursor.as_ref())
            .await?;
        Ok(ok(views::rooms(&page, Reader::Agent)))
    })
    .await
}

pub async fn get_room(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        app.chat.agent(bearer(&request))?;
        let room = app.chat.room(room_id(&request)?).await?;
        Ok(ok(views::room(&room, Reader::Agent)))
    })
    .await
}

pub async fn get_messages(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        app.chat.agent(bearer(&request))?;
        let room = room_id(&request)?;
        let (window, limit) = (message_window(&request)?, limit(&request)?);
        let page = app.chat.messages(room, window, limit).await?;
        Ok(ok(views::messages(&page)))
    })
    .await
}

pub async fn send_message(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let agent = app.chat.agent(bearer(&request))?;
        let room = room_id(&request)?;
        let input = NewMessage::parse(&json_body(&request)?)?;
        let sent = app.chat.send_as_agent(&agent, room, input).await?;
        Ok(super::sent(&sent))
    })
    .await
}

pub async fn mark_as_read(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        app.chat.agent(bearer(&request))?;
        let read_up_to = app.chat.mark_read(room_id(&request)?).await?;
        Ok(ok(views::marked_read(read_up_to)))
    })
    .await
}

async fn set_status(app: App, request: Request, status: RoomStatus) -> Response<Body> {
    respond(&request, async {
        let agent = app.chat.agent(bearer(&request))?;
        let room = app
            .chat
            .set_status(&agent, room_id(&request)?, status)
            .await?;
        Ok(ok(views::room(&room, Reader::Agent)))
    })
    .await
}

pub async fn assign(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        app.chat.agent(bearer(&request))?;
        let room = room_id(&request)?;
        let input = Assign::parse(&json_body(&request)?)?;
        let room = app.chat.assign(room, input.agent_id).await?;
        Ok(ok(views::room(&room, Reader::Agent)))
    })
    .await
}

pub async fn close(app: App, request: Request) -> Response<Body> {
    set_status(app, request, RoomStatus::Closed).await
}

pub async fn reopen(app: App, request: Request) -> Response<Body> {
    set_status(app, request, RoomStatus::Open).await
}
