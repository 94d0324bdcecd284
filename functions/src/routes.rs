//! The route table: the one list of the functions. Each function's name is also the name of
//! its binary (`src/bin/<function>.rs`) and of its function in template.yaml, and each declares
//! what it touches, so the template's least-privilege policies can be held to the code.
//!
//! REST paths are written as API.md writes them, with the trailing slash; every route also
//! answers without it.

use http::Method;
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest,
};
use lambda_http::{Body, Request, Response};
use lambda_runtime::BoxFuture;

use crate::App;
use crate::http::{admin, auth, public};
use crate::{operations, ws};

pub type HttpHandler = fn(App, Request) -> BoxFuture<'static, Response<Body>>;
pub type WsHandler =
    fn(App, ApiGatewayWebsocketProxyRequest) -> BoxFuture<'static, ApiGatewayProxyResponse>;
pub type InvokeHandler =
    fn(App, serde_json::Value) -> BoxFuture<'static, Result<serde_json::Value, String>>;

/// What a function may do: the DynamoDB actions its code paths call (transactions need the
/// actions they contain), and whether it pushes to WebSocket connections.
#[derive(Debug, PartialEq, Eq)]
pub struct Access {
    pub dynamodb: &'static [&'static str],
    pub pushes: bool,
}

/// Pushing also forgets gone connections: two DeleteItems.
const PUSH: &[&str] = &["dynamodb:Query", "dynamodb:DeleteItem"];

/// Signing in reads the agent and the failed-login counters, and counts failures.
const LOGIN: Access = Access {
    dynamodb: &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    pushes: false,
};
const READ_AGENT: Access = Access {
    dynamodb: &["dynamodb:GetItem"],
    pushes: false,
};
const READ_ROOM: Access = Access {
    dynamodb: &["dynamodb:GetItem"],
    pushes: false,
};
const READ_MESSAGES: Access = Access {
    dynamodb: &["dynamodb:GetItem", "dynamodb:Query"],
    pushes: false,
};
/// Creating a room counts it (per IP and visitor) first.
const CREATE_ROOM: Access = Access {
    dynamodb: &["dynamodb:UpdateItem", "dynamodb:PutItem", PUSH[0], PUSH[1]],
    pushes: true,
};
const SEND: Access = Access {
    dynamodb: &[
        "dynamodb:UpdateItem",
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        PUSH[0],
        PUSH[1],
    ],
    pushes: true,
};
const CHANGE_ROOM: Access = Access {
    dynamodb: &["dynamodb:UpdateItem", PUSH[0], PUSH[1]],
    pushes: true,
};

pub struct Route {
    pub method: Method,
    /// With `{id}` for the room id, as API Gateway and axum write path parameters.
    pub path: &'static str,
    pub function: &'static str,
    pub handler: HttpHandler,
    pub access: Access,
}

macro_rules! routes {
    ($($method:ident $path:literal => $function:literal $handler:path, $access:expr;)*) => {
        &[$(Route {
            method: Method::$method,
            path: $path,
            function: $function,
            handler: |app, request| Box::pin($handler(app, request)),
            access: $access,
        }),*]
    };
}

#[rustfmt::skip]
pub const ROUTES: &[Route] = routes! {
    POST "/api/auth/login/" => "auth-login" auth::login, LOGIN;
    POST "/api/auth/refresh/" => "auth-refresh" auth::refresh, READ_AGENT;
    POST "/api/public/chat-rooms/" => "public-create-room" public::create_room, CREATE_ROOM;
    GET "/api/public/chat-rooms/" => "public-list-rooms" public::list_rooms,
        Access { dynamodb: &["dynamodb:Query", "dynamodb:BatchGetItem"], pushes: false };
    GET "/api/public/chat-rooms/{id}/" => "public-get-room" public::get_room, READ_ROOM;
    POST "/api/public/chat-rooms/{id}/send_message/" => "public-send-message" public::send_message, SEND;
    GET "/api/public/chat-rooms/{id}/get_messages/" => "public-get-messages" public::get_messages, READ_MESSAGES;
    GET "/api/admin/chat-rooms/" => "admin-list-rooms" admin::list_rooms,
        Access { dynamodb: &["dynamodb:Query"], pushes: false };
    GET "/api/admin/chat-rooms/{id}/" => "admin-get-room" admin::get_room, READ_ROOM;
    GET "/api/admin/chat-rooms/{id}/get_messages/" => "admin-get-messages" admin::get_messages, READ_MESSAGES;
    POST "/api/admin/chat-rooms/{id}/send_message/" => "admin-send-message" admin::send_message, SEND;
    POST "/api/admin/chat-rooms/{id}/mark_as_read/" => "admin-mark-as-read" admin::mark_as_read, CHANGE_ROOM;
    POST "/api/admin/chat-rooms/{id}/close/" => "admin-close-room" admin::close, CHANGE_ROOM;
    POST "/api/admin/chat-rooms/{id}/reopen/" => "admin-reopen-room" admin::reopen, CHANGE_ROOM;
};

/// A route of the WebSocket API, selected by `$request.body.action`: only `$connect`,
/// `$default` and `$disconnect` exist, so every frame goes to `$default`.
pub struct WsRoute {
    pub route_key: &'static str,
    pub function: &'static str,
    pub handler: WsHandler,
    pub access: Access,
}

pub const WS_ROUTES: &[WsRoute] = &[
    WsRoute {
        route_key: "$connect",
        function: "ws-connect",
        handler: |app, event| Box::pin(ws::connect(app, event)),
        access: Access {
            dynamodb: &["dynamodb:GetItem", "dynamodb:BatchWriteItem"],
            pushes: false,
        },
    },
    WsRoute {
        route_key: "$default",
        function: "ws-message",
        handler: |app, event| Box::pin(ws::message(app, event)),
        access: SEND,
    },
    WsRoute {
        route_key: "$disconnect",
        function: "ws-disconnect",
        handler: |app, event| Box::pin(ws::disconnect(app, event)),
        access: Access {
            dynamodb: &["dynamodb:DeleteItem"],
            pushes: false,
        },
    },
];

pub fn ws_route(route_key: &str) -> &'static WsRoute {
    WS_ROUTES
        .iter()
        .find(|route| route.route_key == route_key)
        .expect("the three WebSocket routes exist")
}

/// A function behind no API, invoked directly (`aws lambda invoke`) by an operator.
pub struct Operation {
    pub function: &'static str,
    pub handler: InvokeHandler,
    pub access: Access,
}

pub const OPERATIONS: &[Operation] = &[Operation {
    function: "create-agent",
    handler: |app, payload| Box::pin(operations::create_agent(app, payload)),
    access: Access {
        dynamodb: &["dynamodb:GetItem", "dynamodb:PutItem"],
        pushes: false,
    },
}];

/// A function of the table, by name.
pub enum Function {
    Http(HttpHandler),
    WebSocket(WsHandler),
    Invoke(InvokeHandler),
}

/// A function of the table by name: its handler and what it may do.
pub fn function(name: &str) -> Option<(Function, &'static Access)> {
    let http = ROUTES.iter().find(|route| route.function == name);
    let ws = WS_ROUTES.iter().find(|route| route.function == name);
    let operation = OPERATIONS.iter().find(|op| op.function == name);
    http.map(|route| (Function::Http(route.handler), &route.access))
        .or_else(|| ws.map(|route| (Function::WebSocket(route.handler), &route.access)))
        .or_else(|| operation.map(|op| (Function::Invoke(op.handler), &op.access)))
}

/// Every function: its name and what it may do.
pub fn all_functions() -> impl Iterator<Item = (&'static str, &'static Access)> {
    let http = ROUTES.iter().map(|r| (r.function, &r.access));
    let ws = WS_ROUTES.iter().map(|r| (r.function, &r.access));
    let operations = OPERATIONS.iter().map(|o| (o.function, &o.access));
    http.chain(ws).chain(operations)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::{ROUTES, all_functions};

    #[test]
    fn every_function_has_its_binary_and_every_binary_its_function() {
        let bins: BTreeSet<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/bin"))
                .unwrap()
                .map(|entry| {
                    let name = entry.unwrap().file_name();
                    name.to_string_lossy().trim_end_matches(".rs").to_owned()
                })
                .collect();
        let functions: BTreeSet<String> =
            all_functions().map(|(name, _)| name.to_owned()).collect();
        assert_eq!(bins, functions);
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
