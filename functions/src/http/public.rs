//! The customer's routes under `/api/public/chat-rooms/`.

use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::domain::Reader;
use shared::input::{NewMessage, NewRoom};
use shared::views;

use super::{
    bearer, created, cursor, json_body, limit, message_window, ok, respond, room_id, source_ip,
};
use crate::App;

pub async fn create_room(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let visitor = app.chat.returning_visitor(bearer(&request))?;
        let input = NewRoom::parse(&json_body(&request)?)?;
        let source = source_ip(&request);
        let created_room = app.chat.create_room(visitor, source, input).await?;
        Ok(created(json!({
            "room": views::room(&created_room.room, Reader::Customer),
            "customer_token": created_room.customer_token,
        })))
    })
    .await
}

pub async fn list_rooms(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let visitor = app.chat.visitor(bearer(&request))?;
        let (limit, cursor) = (limit(&request)?, cursor(&request)?);
        let page = app
            .chat
            .visitor_rooms(&visitor, limit, cursor.as_ref())
            .await?;
        Ok(ok(views::rooms(&page, Reader::Customer)))
    })
    .await
}

pub async fn get_room(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let visitor = app.chat.visitor(bearer(&request))?;
        let room = app.chat.visitor_room(&visitor, room_id(&request)?).await?;
        Ok(ok(views::room(&room, Reader::Customer)))
    })
    .await
}

pub async fn send_message(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let visitor = app.chat.visitor(bearer(&request))?;
        let room = room_id(&request)?;
        let input = NewMessage::parse(&json_body(&request)?)?;
        let sent = app.chat.send_as_visitor(&visitor, room, input).await?;
        Ok(super::sent(&sent))
    })
    .await
}

pub async fn get_messages(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        let visitor = app.chat.visitor(bearer(&request))?;
        let room = room_id(&request)?;
        let (window, limit) = (message_window(&request)?, limit(&request)?);
        let page = app
            .chat
            .visitor_messages(&visitor, room, window, limit)
            .await?;
        Ok(ok(views::messages(&page)))
    })
    .await
}

/// `GET /api/public/availability`: no token; whether an agent is online to answer.
pub async fn availability(app: App, request: Request) -> Response<Body> {
    respond(&request, async {
        Ok(ok(views::availability(app.chat.anyone_online().await?)))
    })
    .await
}
