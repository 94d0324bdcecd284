//! The route table: the one list of the functions. Each function's name is also the name of
//! its binary (`src/bin/<function>.rs`) and of its function in template.yaml, and each declares
//! what it touches, so the template's least-privilege policies can be held to the code.
//!
//! REST paths are written without their trailing slash, as API Gateway HTTP APIs declare
//! routes; local-dev also answers each with the slash that API.md writes.

use http::Method;
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest,
};
use lambda_http::{Body, Request, Response};
use lambda_runtime::BoxFuture;

use crate::App;
use crate::http::{admin, attachments, auth, canned, health, public, team, web};
use crate::{operations, ws};

pub type HttpHandler = fn(App, Request) -> BoxFuture<'static, Response<Body>>;
pub type WsHandler =
    fn(App, ApiGatewayWebsocketProxyRequest) -> BoxFuture<'static, ApiGatewayProxyResponse>;
pub type InvokeHandler =
    fn(App, serde_json::Value) -> BoxFuture<'static, Result<serde_json::Value, String>>;

/// Whether a function pushes to WebSocket connections: only those build the Management API
/// client. What each function may do in DynamoDB is not written here but recorded from its
/// calls (`call_log`), and the template is held to those records (`tests/iam`).
const PUSHES: bool = true;
const SILENT: bool = false;

pub struct Route {
    pub method: Method,
    /// With `{id}` for the room's (or, under `/api/admin/agents/`, the agent's, and under
    /// `/api/admin/canned-responses/` the response's) id, as API Gateway and axum write path
    /// parameters.
    pub path: &'static str,
    pub function: &'static str,
    pub handler: HttpHandler,
    pub pushes: bool,
}

macro_rules! routes {
    ($($method:ident $path:literal => $function:literal $handler:path, $pushes:expr;)*) => {
        &[$(Route {
            method: Method::$method,
            path: $path,
            function: $function,
            handler: |app, request| Box::pin($handler(app, request)),
            pushes: $pushes,
        }),*]
    };
}

#[rustfmt::skip]
pub const ROUTES: &[Route] = routes! {
    POST "/api/auth/login" => "auth-login" auth::login, SILENT;
    POST "/api/auth/refresh" => "auth-refresh" auth::refresh, SILENT;
    POST "/api/auth/password" => "auth-password" auth::change_password, SILENT;
    POST "/api/public/chat-rooms" => "public-create-room" public::create_room, PUSHES;
    GET "/api/public/chat-rooms" => "public-list-rooms" public::list_rooms, SILENT;
    GET "/api/public/chat-rooms/{id}" => "public-get-room" public::get_room, SILENT;
    POST "/api/public/chat-rooms/{id}/send_message" => "public-send-message" public::send_message, PUSHES;
    GET "/api/public/chat-rooms/{id}/get_messages" => "public-get-messages" public::get_messages, SILENT;
    POST "/api/public/chat-rooms/{id}/attachments" => "public-create-attachment" attachments::public_create, SILENT;
    GET "/api/public/availability" => "public-availability" public::availability, SILENT;
    GET "/api/admin/chat-rooms" => "admin-list-rooms" admin::list_rooms, SILENT;
    GET "/api/admin/chat-rooms/{id}" => "admin-get-room" admin::get_room, SILENT;
    GET "/api/admin/chat-rooms/{id}/get_messages" => "admin-get-messages" admin::get_messages, SILENT;
    POST "/api/admin/chat-rooms/{id}/send_message" => "admin-send-message" admin::send_message, PUSHES;
    POST "/api/admin/chat-rooms/{id}/mark_as_read" => "admin-mark-as-read" admin::mark_as_read, PUSHES;
    POST "/api/admin/chat-rooms/{id}/close" => "admin-close-room" admin::close, PUSHES;
    POST "/api/admin/chat-rooms/{id}/reopen" => "admin-reopen-room" admin::reopen, PUSHES;
    POST "/api/admin/chat-rooms/{id}/assign" => "admin-assign-room" admin::assign, PUSHES;
    POST "/api/admin/chat-rooms/{id}/attachments" => "admin-create-attachment" attachments::admin_create, SILENT;
    GET "/api/admin/agents" => "admin-list-agents" team::list_agents, SILENT;
    POST "/api/admin/agents" => "admin-create-agent" team::create_agent, SILENT;
    POST "/api/admin/agents/{id}/deactivate" => "admin-deactivate-agent" team::deactivate_agent, PUSHES;
    // Silent: deactivation closed the agent's sockets, so activating it changes nobody's
    // availability (it is offline until it connects again).
    POST "/api/admin/agents/{id}/activate" => "admin-activate-agent" team::activate_agent, SILENT;
    POST "/api/admin/presence" => "admin-set-presence" team::set_presence, PUSHES;
    GET "/api/admin/canned-responses" => "admin-list-canned" canned::list, SILENT;
    POST "/api/admin/canned-responses" => "admin-create-canned" canned::create, SILENT;
    PUT "/api/admin/canned-responses/{id}" => "admin-update-canned" canned::replace, SILENT;
    DELETE "/api/admin/canned-responses/{id}" => "admin-delete-canned" canned::delete, SILENT;
    GET "/api/health" => "health" health::check, SILENT;
};

/// The function that serves the pages.
pub const WEB_FUNCTION: &str = "web";

/// The pages of `web/` and the API reference, all served by one function that touches no table. `{proxy+}` is API
/// Gateway's greedy path parameter (axum's `{*proxy}`); it must be named `proxy`: for any
/// other name SAM writes the Lambda permission's path literally (`.../GET/web/{path+}`),
/// which matches no request, so API Gateway could not invoke the function
/// (functions/tests/template.rs checks the permissions against concrete requests).
#[rustfmt::skip]
pub const WEB_ROUTES: &[Route] = routes! {
    GET "/" => "web" web::home, SILENT;
    GET "/README.md" => "web" web::readme, SILENT;
    GET "/admin/chat" => "web" web::console, SILENT;
    GET "/chat" => "web" web::chat, SILENT;
    GET "/web/{proxy+}" => "web" web::asset, SILENT;
    GET "/api/openapi.json" => "web" web::api_reference, SILENT;
};

/// The HTTP API's `$default` route, which API Gateway gives every request no route matched
/// (`crate::http::unrouted`): it is the `web` function's too.
pub struct DefaultRoute {
    pub function: &'static str,
    pub handler: HttpHandler,
}

pub const UNROUTED: DefaultRoute = DefaultRoute {
    function: WEB_FUNCTION,
    handler: |app, request| Box::pin(crate::http::unrouted::answer(app, request)),
};

/// What the route table makes of a request that no route took as it came.
#[derive(Debug, PartialEq, Eq)]
pub enum Matched {
    /// A route takes this method and path.
    Route(&'static str),
    /// Routes take this path, but with other methods.
    OtherMethod,
    Nothing,
}

/// The route of the table that `method` and `path` would reach, as API Gateway matches them:
/// a `{name}` is one non-empty segment, a `{name+}` the rest of the path.
pub fn matching(method: &Method, path: &str) -> Matched {
    let mut found = Matched::Nothing;
    for route in http_routes().filter(|route| path_matches(route.path, path)) {
        if route.method == *method {
            return Matched::Route(route.path);
        }
        found = Matched::OtherMethod;
    }
    found
}

fn path_matches(template: &str, path: &str) -> bool {
    let mut parts = path.split('/');
    for expected in template.split('/') {
        if expected.starts_with('{') && expected.ends_with("+}") {
            return parts.any(|part| !part.is_empty());
        }
        match parts.next() {
            Some(part) if expected.starts_with('{') => {
                if part.is_empty() {
                    return false;
                }
            }
            Some(part) if part == expected => {}
            _ => return false,
        }
    }
    parts.next().is_none()
}

/// Every REST route of the HTTP API: the API's, then the pages'.
pub fn http_routes() -> impl Iterator<Item = &'static Route> {
    ROUTES.iter().chain(WEB_ROUTES)
}

/// A route of the WebSocket API, selected by `$request.body.action`: only `$connect`,
/// `$default` and `$disconnect` exist, so every frame goes to `$default`.
pub struct WsRoute {
    pub route_key: &'static str,
    pub function: &'static str,
    pub handler: WsHandler,
    pub pushes: bool,
}

pub const WS_ROUTES: &[WsRoute] = &[
    WsRoute {
        route_key: "$connect",
        function: "ws-connect",
        handler: |app, event| Box::pin(ws::connect(app, event)),
        pushes: PUSHES,
    },
    WsRoute {
        route_key: "$default",
        function: "ws-message",
        handler: |app, event| Box::pin(ws::message(app, event)),
        pushes: PUSHES,
    },
    WsRoute {
        route_key: "$disconnect",
        function: "ws-disconnect",
        handler: |app, event| Box::pin(ws::disconnect(app, event)),
        pushes: PUSHES,
    },
];

pub fn ws_route(route_key: &str) -> &'static WsRoute {
    WS_ROUTES
        .iter()
        .find(|route| route.route_key == route_key)
        .expect("the three WebSocket routes exist")
}

/// A function behind no API: invoked directly (`aws lambda invoke`) by an operator, or by
/// an EventBridge schedule.
pub struct Operation {
    pub function: &'static str,
    pub handler: InvokeHandler,
    pub pushes: bool,
    /// The EventBridge schedule expression that invokes it, if one does (template.yaml's
    /// `Schedule` event; local-dev runs it on the same period).
    pub schedule: Option<Schedule>,
}

/// A fixed period, as EventBridge's `rate(...)` says it.
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    pub minutes: u32,
}

impl Schedule {
    /// EventBridge's schedule expression (`rate(1 minute)`, `rate(5 minutes)`).
    pub fn expression(self) -> String {
        match self.minutes {
            1 => "rate(1 minute)".to_owned(),
            n => format!("rate({n} minutes)"),
        }
    }

    pub fn period(self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.minutes) * 60)
    }
}

pub const OPERATIONS: &[Operation] = &[
    Operation {
        function: "create-agent",
        handler: |app, payload| Box::pin(operations::create_agent(app, payload)),
        pushes: SILENT,
        schedule: None,
    },
    // Presence for sockets that died unseen: their records expire 2 h 10 min after they
    // connected, and an agent whose last one did must be pushed offline within a minute.
    Operation {
        function: "sweep-connections",
        handler: |app, payload| Box::pin(operations::sweep_connections(app, payload)),
        pushes: PUSHES,
        schedule: Some(Schedule { minutes: 1 }),
    },
];

/// A function of the table, by name.
pub enum Function {
    /// Its routes (the web function has three), told apart by the event's route key.
    Http(Vec<&'static Route>),
    WebSocket(WsHandler),
    Invoke(InvokeHandler),
}

/// A function of the table by name: its handlers and whether it pushes.
pub fn function(name: &str) -> Option<(Function, bool)> {
    let http: Vec<&'static Route> = http_routes().filter(|r| r.function == name).collect();
    let ws = WS_ROUTES.iter().find(|route| route.function == name);
    let operation = OPERATIONS.iter().find(|op| op.function == name);
    let pushes = http.iter().any(|route| route.pushes);
    (!http.is_empty())
        .then_some((Function::Http(http), pushes))
        .or_else(|| ws.map(|route| (Function::WebSocket(route.handler), route.pushes)))
        .or_else(|| operation.map(|op| (Function::Invoke(op.handler), op.pushes)))
}

/// The methods of the REST routes, sorted: what a browser on an allowed site may call (CORS).
pub fn http_methods() -> Vec<&'static str> {
    let methods: std::collections::BTreeSet<&'static str> = ROUTES
        .iter()
        .map(|route| match route.method {
            Method::GET => "GET",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::DELETE => "DELETE",
            _ => panic!("a route of another method: {}", route.path),
        })
        .collect();
    methods.into_iter().collect()
}

/// Every function once: its name and whether it pushes.
pub fn all_functions() -> impl Iterator<Item = (&'static str, bool)> {
    let mut seen = std::collections::BTreeSet::new();
    let http = http_routes().map(|r| (r.function, r.pushes));
    let ws = WS_ROUTES.iter().map(|r| (r.function, r.pushes));
    let operations = OPERATIONS.iter().map(|o| (o.function, o.pushes));
    http.chain(ws)
        .chain(operations)
        .filter(move |(name, _)| seen.insert(*name))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::all_functions;

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
    fn requests_match_routes_as_api_gateway_matches_them() {
        use super::{Matched, matching};
        use http::Method;
        let room = "/api/public/chat-rooms/01ARZ3NDEKTSV4RRFFQ69G5FAV/send_message";
        let send = "/api/public/chat-rooms/{id}/send_message";
        assert_eq!(matching(&Method::POST, room), Matched::Route(send));
        assert_eq!(matching(&Method::GET, room), Matched::OtherMethod);
        assert_eq!(
            matching(&Method::POST, &format!("{room}/")),
            Matched::Nothing
        );
        assert_eq!(
            matching(&Method::POST, "/api/public/chat-rooms//send_message"),
            Matched::Nothing
        );
        assert_eq!(
            matching(&Method::GET, "/web/lib/api.js"),
            Matched::Route("/web/{proxy+}")
        );
        assert_eq!(matching(&Method::GET, "/web/"), Matched::Nothing);
        assert_eq!(matching(&Method::GET, "/api/nothing"), Matched::Nothing);
        assert_eq!(
            matching(&Method::DELETE, "/api/auth/login"),
            Matched::OtherMethod
        );
    }

    #[test]
    fn routes_are_unique_and_written_without_a_trailing_slash() {
        let mut seen = BTreeSet::new();
        for route in super::http_routes() {
            // API Gateway HTTP APIs take no route ending in `/` (SAM drops one silently), the
            // root `/` aside (functions/tests/template.rs finds it in the transformed API).
            assert!(
                route.path == "/" || !route.path.ends_with('/'),
                "{}",
                route.path
            );
            assert!(
                seen.insert((route.method.as_str(), route.path)),
                "{} {}",
                route.method,
                route.path
            );
        }
    }
}
