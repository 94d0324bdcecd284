//! The REST handlers, and what they share: reading the bearer token, the body, the path and the
//! query of an API Gateway request, and writing API.md's responses.

pub mod admin;
pub mod attachments;
pub mod auth;
pub mod canned;
pub mod health;
pub mod public;
pub mod team;
pub mod unrouted;
pub mod web;

use std::future::Future;
use std::net::IpAddr;

use http::{HeaderValue, StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::Value;
use shared::ChatError;
use shared::domain::{Limit, MessageWindow, PageCursor, RoomId};
use shared::input::{JsonObject, MAX_BODY_BYTES};

/// A successful answer: its status and JSON body.
pub struct Reply {
    status: StatusCode,
    body: Value,
}

pub fn ok(body: Value) -> Reply {
    Reply {
        status: StatusCode::OK,
        body,
    }
}

pub fn created(body: Value) -> Reply {
    Reply {
        status: StatusCode::CREATED,
        body,
    }
}

/// Done, with nothing to say (a deletion): 204 and no body.
pub fn no_content() -> Reply {
    Reply {
        status: StatusCode::NO_CONTENT,
        body: Value::Null,
    }
}

/// A health check that found a part failing.
pub fn unavailable(body: Value) -> Reply {
    Reply {
        status: StatusCode::SERVICE_UNAVAILABLE,
        body,
    }
}

/// Runs a handler's work and writes its outcome. An oversized body is refused before any work.
pub async fn respond(
    request: &Request,
    work: impl Future<Output = Result<Reply, ChatError>>,
) -> Response<Body> {
    let outcome = if request.body().len() > MAX_BODY_BYTES {
        Err(ChatError::PayloadTooLarge)
    } else {
        work.await
    };
    match outcome {
        Ok(reply) if reply.status == StatusCode::NO_CONTENT => {
            let mut response = Response::new(Body::Empty);
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
        }
        Ok(reply) => json_response(reply.status, &reply.body),
        Err(error) => error_response(&error),
    }
}

/// API.md's error response. The cause of an internal error is logged here and only here.
pub fn error_response(error: &ChatError) -> Response<Body> {
    error.log_if_internal();
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = json_response(status, &error.body());
    if let ChatError::RateLimited { retry_after_secs } = error {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
    }
    response
}

fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    let mut response = Response::new(Body::Text(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The token of an `Authorization: Bearer` header. A header of another form still counts as a
/// token given (an empty one), so that it fails as a bad token rather than passing as none.
pub fn bearer(request: &Request) -> Option<&str> {
    let value = request.headers().get(header::AUTHORIZATION)?;
    let value = value.to_str().unwrap_or_default();
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Some(token.trim()),
        _ => Some(""),
    }
}

/// The request body as a JSON object.
pub fn json_body(request: &Request) -> Result<JsonObject, ChatError> {
    JsonObject::parse(request.body().as_ref())
}

/// The `{id}` of the path. An id that is not one names no room: 404, like an unknown room.
pub fn room_id(request: &Request) -> Result<RoomId, ChatError> {
    request
        .path_parameters_ref()
        .and_then(|params| params.first("id"))
        .and_then(|raw| raw.parse().ok())
        .ok_or_else(ChatError::room_not_found)
}

/// The client's address as API Gateway saw it (`requestContext.http.sourceIp`): the key of
/// the per-IP rate limits.
pub fn source_ip(request: &Request) -> Option<IpAddr> {
    match request.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => context.http.source_ip.as_deref()?.parse().ok(),
        _ => None,
    }
}

/// A query parameter; an empty value counts as absent.
pub fn query<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .query_string_parameters_ref()
        .and_then(|params| params.first(name))
        .filter(|value| !value.is_empty())
}

pub fn limit(request: &Request) -> Result<Limit, ChatError> {
    Limit::parse(query(request, "limit"))
}

pub fn cursor(request: &Request) -> Result<Option<PageCursor>, ChatError> {
    PageCursor::parse(query(request, "cursor"))
}

pub fn message_window(request: &Request) -> Result<MessageWindow, ChatError> {
    MessageWindow::parse(query(request, "after"), query(request, "before"))
}

/// A send's answer: 201 with the new message, or 200 with the same message for a retry.
pub fn sent(sent: &shared::service::Sent) -> Reply {
    let body = shared::views::message(&sent.message);
    if sent.replayed {
        ok(body)
    } else {
        created(body)
    }
}
