//! The route table: the one list of REST routes. Each route's function name is also the name of
//! its binary (`src/bin/<function>.rs`) and of its function in template.yaml. Paths are written
//! as API.md writes them, with the trailing slash; every route also answers without it.

use http::Method;
use lambda_http::{Body, Request, Response};
use lambda_runtime::BoxFuture;

use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest,
};

use crate::App;
use crate::http::{admin, auth, public};
use crate::ws;

pub type HttpHandler = fn(App, Request) -> BoxFuture<'static, Response<Body>>;
pub type WsHandler =
    fn(App, ApiGatewayWebsocketProxyRequest) -> BoxFuture<'static, ApiGatewayProxyResponse>;

pub struct Route {
    pub method: Method,
    /// With `{id}` for the room id, as API Gateway and axum write path parameters.
    pub path: &'static str,
    pub function: &'static str,
    pub handler: HttpHandler,
}

macro_rules! routes {
    ($($method:ident $path:literal => $function:literal $handler:path;)*) => {
        &[$(Route {
            method: Method::$method,
            path: $path,
            function: $function,
            handler: |app, request| Box::pin($handler(app, request)),
        }),*]
    };
}

pub const ROUTES: &[Route] = routes! {
    POST "/api/auth/login/" => "auth-login" auth::login;
    POST "/api/auth/refresh/" => "auth-refresh" auth::refresh;
    POST "/api/public/chat-rooms/" => "public-create-room" public::create_room;
    GET "/api/public/chat-rooms/" => "public-list-rooms" public::list_rooms;
    GET "/api/public/chat-rooms/{id}/" => "public-get-room" public::get_room;
    POST "/api/public/chat-rooms/{id}/send_message/" => "public-send-message" public::send_message;
    GET "/api/public/chat-rooms/{id}/get_messages/" => "public-get-messages" public::get_messages;
    GET "/api/admin/chat-rooms/" => "admin-list-rooms" admin::list_rooms;
    GET "/api/admin/chat-rooms/{id}/" => "admin-get-room" admin::get_room;
    GET "/api/admin/chat-rooms/{id}/get_messages/" => "admin-get-messages" admin::get_messages;
    POST "/api/admin/chat-rooms/{id}/send_message/" => "admin-send-message" admin::send_message;
    POST "/api/admin/chat-rooms/{id}/mark_as_read/" => "admin-mark-as-read" admin::mark_as_read;
    POST "/api/admin/chat-rooms/{id}/close/" => "admin-close-room" admin::close;
    POST "/api/admin/chat-rooms/{id}/reopen/" => "admin-reopen-room" admin::reopen;
};

/// A route of the WebSocket API, selected by `$request.body.action`: only `$connect`,
/// `$default` and `$disconnect` exist, so every frame goes to `$default`.
pub struct WsRoute {
    pub route_key: &'static str,
    pub function: &'static str,
    pub handler: WsHandler,
}

pub const WS_ROUTES: &[WsRoute] = &[
    WsRoute {
        route_key: "$connect",
        function: "ws-connect",
        handler: |app, event| Box::pin(ws::connect(app, event)),
    },
    WsRoute {
        route_key: "$default",
        function: "ws-message",
        handler: |app, event| Box::pin(ws::message(app, event)),
    },
    WsRoute {
        route_key: "$disconnect",
        function: "ws-disconnect",
        handler: |app, event| Box::pin(ws::disconnect(app, event)),
    },
];

pub fn ws_route(route_key: &str) -> &'static WsRoute {
    WS_ROUTES
        .iter()
        .find(|route| route.route_key == route_key)
        .expect("the three WebSocket routes exist")
}

/// A function of either API, by name.
pub enum Function {
    Http(HttpHandler),
    WebSocket(WsHandler),
}

pub fn function(name: &str) -> Option<Function> {
    let http = ROUTES.iter().find(|route| route.function == name);
    let ws = WS_ROUTES.iter().find(|route| route.function == name);
    http.map(|route| Function::Http(route.handler))
        .or_else(|| ws.map(|route| Function::WebSocket(route.handler)))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::ROUTES;

    #[test]
    fn every_route_has_its_binary_and_every_binary_its_route() {
        let bins: BTreeSet<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/bin"))
                .unwrap()
                .map(|entry| {
                    entry
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .trim_end_matches(".rs")
                        .to_owned()
                })
                .collect();
        let functions: BTreeSet<String> = ROUTES
            .iter()
            .map(|r| r.function)
            .chain(super::WS_ROUTES.iter().map(|r| r.function))
            .map(str::to_owned)
            .collect();
        for function in &functions {
            assert!(
                bins.contains(function),
                "{function} has no src/bin/{function}.rs"
            );
        }
        for bin in &bins {
            assert!(functions.contains(bin), "src/bin/{bin}.rs serves no route");
        }
    }

    #[test]
    fn routes_are_unique_and_written_with_a_trailing_slash() {
        let mut seen = BTreeSet::new();
        for route in ROUTES {
            assert!(route.path.ends_with('/'), "{}", route.path);
            assert!(
                seen.insert((route.method.as_str(), route.path)),
                "{} {}",
                route.method,
                route.path
            );
        }
    }
}
