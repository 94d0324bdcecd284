//! The WebSocket handlers: `$connect`, `$default` (every frame, dispatched on its `action`) and
//! `$disconnect`, each taking the event API Gateway's WebSocket API sends.

use base64::Engine;
use http::HeaderValue;
use lambda_http::Body;
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest,
};
use shared::ChatError;
use shared::domain::ConnectionId;

use crate::App;

fn connection_id(event: &ApiGatewayWebsocketProxyRequest) -> Result<ConnectionId, ChatError> {
    let raw = event
        .request_context
        .connection_id
        .as_deref()
        .unwrap_or_default();
    ConnectionId::parse(raw).map_err(|_| ChatError::bad_request("the event has no connection id"))
}

fn answer(status: i64, body: Option<String>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = status;
    if body.is_some() {
        response.headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    response.body = body.map(Body::Text);
    response
}

fn error_answer(error: &ChatError) -> ApiGatewayProxyResponse {
    error.log_if_internal();
    answer(i64::from(error.status()), Some(error.body().to_string()))
}

/// `$connect`: 200 records the connection; 401/403/404 refuse it (API Gateway then refuses
/// the upgrade with that status).
pub async fn connect(app: App, event: ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    let connected = async {
        let connection = connection_id(&event)?;
        let query = &event.query_string_parameters;
        let party = app
            .chat
            .connect(connection.clone(), query.first("token"), query.first("room_id"))
            .await?;
        tracing::info!(connection = %connection, agent = matches!(party, shared::ports::Party::Agent(_)), "connected");
        Ok::<_, ChatError>(())
    }
    .await;
    match connected {
        Ok(()) => answer(200, None),
        Err(error) => error_answer(&error),
    }
}

/// `$default`: one frame. Replies meant for this connection alone (pong, error, a retried
/// send's message) are pushed to it; the route itself always answers 200.
pub async fn message(app: App, event: ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    let connection = match connection_id(&event) {
        Ok(connection) => connection,
        Err(error) => return error_answer(&error),
    };
    let body = event.body.as_deref().unwrap_or_default();
    let frame = if event.is_base64_encoded {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap_or_default()
    } else {
        body.as_bytes().to_vec()
    };
    if let Some(reply) = app.chat.handle_frame(&connection, &frame).await {
        app.fanout
            .push_to(&connection, reply.to_string().as_bytes())
            .await;
    }
    answer(200, None)
}

/// `$disconnect`: forgets the connection.
pub async fn disconnect(
    app: App,
    event: ApiGatewayWebsocketProxyRequest,
) -> ApiGatewayProxyResponse {
    let forgotten = async {
        let connection = connection_id(&event)?;
        app.chat.disconnect(&connection).await?;
        tracing::info!(connection = %connection, "disconnected");
        Ok::<_, ChatError>(())
    }
    .await;
    match forgotten {
        Ok(()) => answer(200, None),
        Err(error) => error_answer(&error),
    }
}
