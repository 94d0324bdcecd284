//! API Gateway's WebSocket API, emulated on local-dev's port: upgrades run the `$connect`
//! function (its 4xx refuses the upgrade with that status), each frame runs `$default`, a close
//! runs `$disconnect`, and the Management API (`/@connections/{id}`) pushes, describes and
//! closes connections. API Gateway's limits hold: 32 KiB frames (over it: close 1009), an idle
//! timeout and a maximum connection lifetime.

mod events;
mod management;
mod registry;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use functions::App;
use functions::routes::ws_route;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest,
};
use shared::ChatError;
use shared::domain::Timestamp;
use shared::input::MAX_FRAME_BYTES;
use tokio::time::Instant;
use tracing::Instrument;

pub use registry::{InProcessPusher, Registry};
use registry::{Live, Outgoing};

use events::ConnectionMeta;

/// Each socket's read buffer. Chat frames are small; a larger frame grows it while it is read.
/// Idle sockets are most sockets, and this is most of what one costs.
const READ_BUFFER_BYTES: usize = 256;

/// API Gateway's connection limits, shortened by tests.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub idle_timeout: Duration,
    pub max_lifetime: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(10 * 60),
            max_lifetime: Duration::from_secs(2 * 3600),
        }
    }
}

#[derive(Clone)]
struct Gateway {
    app: App,
    registry: Arc<Registry>,
    limits: Limits,
}

pub fn router(app: App, registry: Arc<Registry>, limits: Limits) -> Router {
    let gateway = Gateway {
        app,
        registry: registry.clone(),
        limits,
    };
    Router::new()
        .route("/ws", get(upgrade))
        .route("/ws/", get(upgrade))
        .route("/ws/chat/{room_id}", get(upgrade))
        .route("/ws/chat/{room_id}/", get(upgrade))
        .route("/ws/admin/chat", get(upgrade))
        .route("/ws/admin/chat/", get(upgrade))
        .with_state(gateway)
        .merge(management::router(registry))
}

/// What an upgrade request brings.
struct Upgrade {
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
    peer: SocketAddr,
    headers: HeaderMap,
    query: HashMap<String, Vec<String>>,
}

/// Every upgrade path: `/ws?room_id=&token=` (customers) and `/ws?token=` (agents), as in the
/// cloud; the seed's `/ws/admin/chat/?token=`, the same; and the seed's customer path
/// `/ws/chat/{room_id}/?token=`, whose room becomes the cloud form's `room_id` parameter.
async fn upgrade(
    State(gateway): State<Gateway>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    room_in_path: Option<Path<String>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut query = parse_query(query.as_deref());
    if let Some(Path(room_id)) = room_in_path {
        query.insert("room_id".to_owned(), vec![room_id]);
    }
    let request = Upgrade {
        ws,
        peer,
        headers,
        query,
    };
    gateway.upgrade(request).await
}

fn parse_query(raw: Option<&str>) -> HashMap<String, Vec<String>> {
    let mut query: HashMap<String, Vec<String>> = HashMap::new();
    for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        query
            .entry(name.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    query
}

/// An id in API Gateway's style: 16 random bytes, URL-safe base64 with padding.
fn new_connection_id() -> String {
    let random = ulid::Ulid::new().random().to_be_bytes();
    base64::engine::general_purpose::URL_SAFE.encode(&random[6..])
}

fn now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_unix_millis(since_epoch.as_millis() as i64)
}

impl Gateway {
    async fn upgrade(self, upgrade: Upgrade) -> Response {
        let Ok(ws) = upgrade.ws else {
            let error = ChatError::bad_request("this path takes WebSocket upgrades only");
            return json_response(StatusCode::UPGRADE_REQUIRED, error.body().to_string());
        };
        let id = new_connection_id();
        let user_agent = upgrade
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let domain_name = upgrade
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("127.0.0.1")
            .to_owned();
        let connected_at = now();
        let meta = ConnectionMeta {
            id: &id,
            connected_at,
            domain_name: &domain_name,
            source_ip: upgrade.peer.ip(),
            user_agent: user_agent.as_deref(),
        };
        let span = tracing::info_span!("websocket", connection = %id);
        let event = events::connect_event(&meta, upgrade.query, upgrade.headers, connected_at);
        let answer = invoke("$connect", self.app.clone(), event)
            .instrument(span.clone())
            .await;
        if answer.status_code != 200 {
            return refused_upgrade(answer);
        }

        let live = Live::new(connected_at, upgrade.peer.ip(), user_agent.clone());
        let live = self.registry.insert(&id, live);
        let on_failure = {
            let (gateway, id, domain_name) = (self.clone(), id.clone(), domain_name.clone());
            move |_| {
                tokio::spawn(async move {
                    gateway
                        .disconnected(&id, &domain_name, 1006, "upgrade failed")
                        .await
                });
            }
        };
        let session = Session {
            gateway: self.clone(),
            id: id.clone(),
            domain_name,
        };
        let mut response = ws
            .read_buffer_size(READ_BUFFER_BYTES)
            .write_buffer_size(0)
            .max_frame_size(2 * MAX_FRAME_BYTES)
            .max_message_size(2 * MAX_FRAME_BYTES)
            .on_failed_upgrade(on_failure)
            .on_upgrade(move |socket| session.run(socket, live).instrument(span));
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert("x-connection-id", value);
        }
        response
    }

    /// Runs `$disconnect` once the socket is closed, whoever closed it.
    async fn disconnected(&self, id: &str, domain_name: &str, code: u16, reason: &str) {
        let Some(live) = self.registry.get(id) else {
            return;
        };
        self.registry.remove(id);
        let meta = ConnectionMeta {
            id,
            connected_at: live.connected_at,
            domain_name,
            source_ip: live.source_ip,
            user_agent: live.user_agent.as_deref(),
        };
        let mut event = events::event(&meta, "$disconnect", now());
        event.request_context.disconnect_status_code = Some(i64::from(code));
        event.request_context.disconnect_reason = Some(reason.to_owned());
        invoke("$disconnect", self.app.clone(), event).await;
    }
}

/// Runs the function of a WebSocket route on an event, as that function.
async fn invoke(
    route_key: &str,
    app: App,
    event: ApiGatewayWebsocketProxyRequest,
) -> ApiGatewayProxyResponse {
    let route = ws_route(route_key);
    crate::call_log::as_function(route.function, (route.handler)(app, event)).await
}

/// The refusal API Gateway answers when `$connect` says no: the function's status and body.
fn refused_upgrade(answer: ApiGatewayProxyResponse) -> Response {
    let status = u16::try_from(answer.status_code)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match answer.body {
        Some(lambda_http::Body::Text(text)) => text,
        _ => String::new(),
    };
    json_response(status, body)
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// One upgraded connection.
struct Session {
    gateway: Gateway,
    id: String,
    domain_name: String,
}

/// How a session ended, as the close code the client sees and `$disconnect` reports.
struct Ending {
    code: u16,
    reason: &'static str,
    /// Whether the server must still send the close frame.
    send_close: bool,
}

impl Session {
    async fn run(self, mut socket: WebSocket, live: Arc<Live>) {
        let limits = self.gateway.limits;
        let deadline = Instant::now() + limits.max_lifetime;
        let mut idle_until = Instant::now() + limits.idle_timeout;
        let ending = loop {
            tokio::select! {
                outgoing = live.next_outgoing() => {
                    if let Some(ending) = Box::pin(Self::write(&mut socket, outgoing)).await {
                        break ending;
                    }
                }
                incoming = socket.recv() => {
                    idle_until = Instant::now() + limits.idle_timeout;
                    match incoming {
                        Some(Ok(Message::Text(text))) => {
                            if let Some(ending) = Box::pin(self.frame(text.as_bytes(), false)).await {
                                break ending;
                            }
                        }
                        Some(Ok(Message::Binary(bytes))) => {
                            if let Some(ending) = Box::pin(self.frame(&bytes, true)).await {
                                break ending;
                            }
                        }
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                        Some(Ok(Message::Close(frame))) => {
                            let code = frame.map_or(1005, |f| f.code);
                            break Ending { code, reason: "client closed", send_close: false };
                        }
                        // tungstenite refuses frames far over the limit before we see them.
                        Some(Err(_)) => break Ending { code: 1009, reason: "Message too big", send_close: true },
                        None => break Ending { code: 1006, reason: "connection lost", send_close: false },
                    }
                }
                () = tokio::time::sleep_until(idle_until.min(deadline)) => {
                    let reason = if idle_until < deadline {
                        "Going away: idle timeout"
                    } else {
                        "Going away: connection lifetime"
                    };
                    break Ending { code: 1001, reason, send_close: true };
                }
            }
        };
        if ending.send_close {
            let close = CloseFrame {
                code: ending.code,
                reason: ending.reason.into(),
            };
            let _ = Box::pin(socket.send(Message::Close(Some(close)))).await;
        }
        let disconnected =
            self.gateway
                .disconnected(&self.id, &self.domain_name, ending.code, ending.reason);
        Box::pin(disconnected).await;
    }

    /// Writes what was pushed, in order; a close (or a failed write) ends the session.
    async fn write(socket: &mut WebSocket, outgoing: VecDeque<Outgoing>) -> Option<Ending> {
        for item in outgoing {
            match item {
                Outgoing::Frame(frame) => {
                    if socket.send(frame).await.is_err() {
                        return Some(Ending {
                            code: 1006,
                            reason: "send failed",
                            send_close: false,
                        });
                    }
                }
                Outgoing::Close(code, reason) => {
                    return Some(Ending {
                        code,
                        reason,
                        send_close: true,
                    });
                }
            }
        }
        None
    }

    /// Hands one frame to `$default`. Over 32 KiB, the connection ends with 1009 instead.
    async fn frame(&self, bytes: &[u8], binary: bool) -> Option<Ending> {
        if bytes.len() > MAX_FRAME_BYTES {
            return Some(Ending {
                code: 1009,
                reason: "Message too big",
                send_close: true,
            });
        }
        let live = self.gateway.registry.get(&self.id)?;
        let at = now();
        live.touch(at);
        let meta = ConnectionMeta {
            id: &self.id,
            connected_at: live.connected_at,
            domain_name: &self.domain_name,
            source_ip: live.source_ip,
            user_agent: live.user_agent.as_deref(),
        };
        let mut event = events::event(&meta, "$default", at);
        if binary {
            event.body = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
            event.is_base64_encoded = true;
        } else {
            event.body = Some(String::from_utf8_lossy(bytes).into_owned());
        }
        invoke("$default", self.gateway.app.clone(), event).await;
        None
    }
}
