//! Every REST handler, fed the HTTP API (payload format 2.0) event API Gateway sends it, from
//! the fixtures in `fixtures/http/<function>.json`, converted by lambda_http itself.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::NobodyListens;

use functions::routes::ROUTES;
use functions::{App, Config};
use serde_json::{Value, json};
use shared::store::MemoryStore;

const SECRET: &[u8] = b"the handler tests' secret, 32+ bytes long";

/// The fixture of `function`, its placeholders filled in, as lambda_http reads API Gateway's JSON.
/// `{id}` is `id` on a room's, an agent's and a canned response's route alike (`{{ROOM_ID}}`,
/// `{{AGENT_ID}}`, `{{CANNED_ID}}`): the caller passes the id the route wants.
fn event(function: &str, token: &str, id: &str, query: &str, body: &Value) -> lambda_http::Request {
    let body = common::inside_json_string(body);
    let text = common::fixture(
        &format!("http/{function}.json"),
        &[
            ("{{TOKEN}}", token),
            ("{{ROOM_ID}}", id),
            ("{{AGENT_ID}}", id),
            ("{{CANNED_ID}}", id),
            ("{{QUERY}}", query),
            ("{{BODY}}", &body),
        ],
    );
    lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{function}'s fixture: {e}"))
}

/// An app on an empty memory store that pushes nowhere.
fn app() -> App {
    let mut config = Config::with_secret(SECRET.to_vec()).unwrap();
    // Presigning is computed, not sent: no S3 needs to answer for an upload slot.
    config.attachments = Some(common::unreachable_bucket());
    App::new(
        &config,
        Arc::new(MemoryStore::new()),
        Arc::new(NobodyListens),
    )
}

/// The JSON body; a 204's empty one is `null`.
fn json_of(response: &lambda_http::Response<lambda_http::Body>) -> Value {
    match response.body() {
        lambda_http::Body::Text(text) => serde_json::from_str(text).unwrap(),
        lambda_http::Body::Empty => Value::Null,
        other => panic!("not a text body: {other:?}"),
    }
}

#[tokio::test]
async fn every_rest_handler_answers_its_api_gateway_event() {
    let app = app();
    let seeded = common::seed(&app, None).await;
    let (room, customer) = (seeded.room, seeded.customer);
    let (agent, refresh) = (seeded.access, seeded.refresh);
    let grace = json!({
        "username": "grace", "password": "a long password",
        "display_name": "Grace", "role": "agent",
    });
    let grace = shared::input::NewAgent::parse(
        &shared::input::JsonObject::parse(grace.to_string().as_bytes()).unwrap(),
    )
    .unwrap();
    let grace = app
        .chat
        .add_agent(grace)
        .await
        .unwrap()
        .agent
        .id
        .to_string();

    let hello = shared::input::NewCannedResponse::parse(
        &shared::input::JsonObject::parse(br#"{"short_code":"hello","content":"Hello!"}"#).unwrap(),
    )
    .unwrap();
    let hello = app.chat.add_canned(hello).await.unwrap().id.to_string();

    // Each route's case, by its function's name, in the order they run (later cases read what
    // earlier ones wrote): (token, query, body, status, what the body shows).
    type Shows<'a> = Box<dyn Fn(&Value) -> bool + 'a>;
    let cases: Vec<(&str, &str, &str, Value, u16, Shows)> = vec![
        (
            "auth-login",
            "",
            "",
            json!({"username": "admin", "password": "admin123"}),
            200,
            Box::new(|b: &Value| b["access"].is_string()),
        ),
        (
            "auth-refresh",
            "",
            "",
            json!({"refresh": refresh}),
            200,
            Box::new(|b: &Value| b["access"].is_string()),
        ),
        (
            "public-create-room",
            "",
            "",
            json!({"customer_name": "Bob", "message": "Hi"}),
            201,
            Box::new(|b: &Value| b["room"]["last_message"]["content"] == "Hi"),
        ),
        (
            "public-list-rooms",
            &customer,
            "limit=10",
            json!(null),
            200,
            Box::new(|b: &Value| b["rooms"][0]["id"] == room.as_str()),
        ),
        (
            "public-get-room",
            &customer,
            "",
            json!(null),
            200,
            Box::new(|b: &Value| b["id"] == room.as_str() && b.get("unread_count").is_none()),
        ),
        (
            "public-send-message",
            &customer,
            "",
            json!({"content": "hello", "client_msg_id": "fx-1"}),
            201,
            Box::new(|b: &Value| b["client_msg_id"] == "fx-1"),
        ),
        (
            "public-create-attachment",
            &customer,
            "",
            json!({"filename": "shot.png", "content_type": "image/png", "size": 120}),
            201,
            Box::new(|b: &Value| {
                b["attachment"]["size"] == 120
                    && b["upload"]["url"]
                        .as_str()
                        .is_some_and(|url| url.contains("X-Amz-Signature="))
            }),
        ),
        (
            "admin-create-attachment",
            &agent,
            "",
            json!({"filename": "invoice.pdf", "content_type": "application/pdf", "size": 9}),
            201,
            Box::new(|b: &Value| b["attachment"]["filename"] == "invoice.pdf"),
        ),
        (
            "public-get-messages",
            &customer,
            "limit=5",
            json!(null),
            200,
            Box::new(|b: &Value| b["messages"][0]["content"] == "hello"),
        ),
        (
            "admin-list-rooms",
            &agent,
            "status=open",
            json!(null),
            200,
            Box::new(|b: &Value| b["rooms"].as_array().is_some_and(|r| r.len() == 2)),
        ),
        (
            "admin-get-room",
            &agent,
            "",
            json!(null),
            200,
            Box::new(|b: &Value| b["unread_count"] == 1),
        ),
        (
            "admin-get-messages",
            &agent,
            "after=",
            json!(null),
            200,
            Box::new(|b: &Value| b["messages"].as_array().is_some_and(|m| m.len() == 1)),
        ),
        (
            "admin-send-message",
            &agent,
            "",
            json!({"content": "hi Ada"}),
            201,
            Box::new(|b: &Value| b["sender_type"] == "agent"),
        ),
        (
            "admin-mark-as-read",
            &agent,
            "",
            json!(null),
            200,
            Box::new(|b: &Value| b["unread_count"] == 0 && b["read_up_to"].is_string()),
        ),
        (
            "admin-close-room",
            &agent,
            "",
            json!(null),
            200,
            Box::new(|b: &Value| b["status"] == "closed"),
        ),
        (
            "admin-reopen-room",
            &agent,
            "",
            json!(null),
            200,
            Box::new(|b: &Value| b["status"] == "open"),
        ),
        (
            "admin-assign-room",
            &agent,
            "",
            json!({ "agent_id": grace }),
            200,
            Box::new(|b: &Value| {
                b["assignee"]["display_name"] == "Grace"
                    && b["last_message"]["content"] == "Grace joined the conversation"
            }),
        ),
        (
            "admin-list-agents",
            &agent,
            "",
            json!(null),
            200,
            Box::new(|b: &Value| b["agents"].as_array().is_some_and(|a| a.len() == 2)),
        ),
        (
            "admin-create-agent",
            &agent,
            "",
            json!({
                "username": "linus", "password": "another long one",
                "display_name": "Linus", "role": "admin",
            }),
            201,
            Box::new(|b: &Value| b["username"] == "linus" && b["active"] == true),
        ),
        (
            "admin-deactivate-agent",
            &agent,
            "",
            json!(null),
            200,
            Box::new(|b: &Value| b["username"] == "grace" && b["active"] == false),
        ),
        (
            "admin-activate-agent",
            &agent,
            "",
            json!(null),
            200,
            Box::new(|b: &Value| b["username"] == "grace" && b["active"] == true),
        ),
        (
            "admin-set-presence",
            &agent,
            "",
            json!({ "availability": "away" }),
            200,
            // No connection is open: the agent stays offline.
            Box::new(|b: &Value| b["username"] == "admin" && b["availability"] == "offline"),
        ),
        (
            "admin-list-canned",
            &agent,
            "q=HEL",
            json!(null),
            200,
            Box::new(|b: &Value| b["canned_responses"][0]["short_code"] == "hello"),
        ),
        (
            "admin-create-canned",
            &agent,
            "",
            json!({ "short_code": "bye", "content": "Bye!" }),
            201,
            Box::new(|b: &Value| b["short_code"] == "bye" && b["content"] == "Bye!"),
        ),
        (
            "admin-update-canned",
            &agent,
            "",
            json!({ "short_code": "hi", "content": "Hi {{customer.name}}!" }),
            200,
            Box::new(|b: &Value| b["id"] == hello.as_str() && b["short_code"] == "hi"),
        ),
        (
            "admin-delete-canned",
            &agent,
            "",
            json!(null),
            204,
            Box::new(|b: &Value| b.is_null()),
        ),
        (
            "auth-password",
            &agent,
            "",
            json!({ "current_password": "admin123", "new_password": "a new long password" }),
            200,
            Box::new(|b: &Value| *b == json!({ "changed": true })),
        ),
        (
            "public-availability",
            "",
            "",
            json!(null),
            200,
            Box::new(|b: &Value| *b == json!({"online": false})),
        ),
        (
            "health",
            "",
            "",
            json!(null),
            200,
            Box::new(|b: &Value| *b == json!({"status": "ok", "store": "ok"})),
        ),
    ];
    let named: BTreeSet<&str> = cases.iter().map(|case| case.0).collect();
    let routed: BTreeSet<&str> = ROUTES.iter().map(|route| route.function).collect();
    assert_eq!(named, routed, "one case per route, by name");
    assert_eq!(named.len(), cases.len(), "no route twice");
    for (function, token, query, body, status, shows) in cases {
        let route = ROUTES.iter().find(|r| r.function == function).unwrap();
        let id = if route.path.starts_with("/api/admin/agents/") {
            &grace
        } else if route.path.starts_with("/api/admin/canned-responses/") {
            &hello
        } else {
            &room
        };
        let request = event(function, token, id, query, &body);
        let response = (route.handler)(app.clone(), request).await;
        let answer = json_of(&response);
        assert_eq!(response.status().as_u16(), status, "{function}: {answer}");
        assert!(shows(&answer), "{function}: {answer}");
    }
}

#[test]
fn each_fixture_is_its_routes_event() {
    for route in ROUTES {
        let path = format!(
            "{}/tests/fixtures/http/{}.json",
            env!("CARGO_MANIFEST_DIR"),
            route.function
        );
        let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(fixture["version"], "2.0");
        assert_eq!(
            fixture["routeKey"],
            format!("{} {}", route.method, route.path)
        );
        assert_eq!(
            fixture["requestContext"]["http"]["method"],
            route.method.as_str()
        );
    }
}

#[tokio::test]
async fn a_bad_token_in_a_real_event_is_401_with_the_error_body() {
    let app = app();
    let route = ROUTES
        .iter()
        .find(|r| r.function == "admin-list-rooms")
        .unwrap();
    let response =
        (route.handler)(app, event(route.function, "forged", "", "", &json!(null))).await;
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(json_of(&response)["error"]["code"], "unauthorized");
}

/// The `$default` route's event (API Gateway's, for a request no route matched) for
/// `method` `path`?`query`, as the `web` function receives it.
fn unrouted_event(method: &str, path: &str, query: &str, token: &str) -> lambda_http::Request {
    let text = common::fixture(
        "http/unrouted.json",
        &[
            ("{{METHOD}}", method),
            ("{{PATH}}", path),
            ("{{QUERY}}", query),
            ("{{TOKEN}}", token),
            (
                "{{BODY}}",
                &common::inside_json_string(&json!({"content": "hi"})),
            ),
        ],
    );
    lambda_http::request::from_str(&text).expect("the $default fixture")
}

#[tokio::test]
async fn the_default_route_redirects_a_slash_path_and_answers_the_rest_with_the_error_body() {
    let app = app();
    let Some((functions::routes::Function::Http(routes), _)) =
        functions::routes::function(functions::routes::UNROUTED.function)
    else {
        panic!("the $default route's function serves HTTP");
    };
    let room = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    let send = format!("/api/public/chat-rooms/{room}/send_message");
    for (method, path, query, status, location) in [
        ("POST", format!("{send}/"), "", 308, Some(send.clone())),
        (
            "POST",
            "/api/auth/login/".to_owned(),
            "",
            308,
            Some("/api/auth/login".to_owned()),
        ),
        (
            "GET",
            "/api/admin/chat-rooms/".to_owned(),
            "status=open&limit=5",
            308,
            Some("/api/admin/chat-rooms?status=open&limit=5".to_owned()),
        ),
        (
            "GET",
            "/chat/".to_owned(),
            "",
            308,
            Some("/chat".to_owned()),
        ),
        // A slash path whose route takes another method, a known path with another method,
        // an unknown path, the root.
        ("GET", format!("{send}/"), "", 405, None),
        ("DELETE", "/api/public/chat-rooms".to_owned(), "", 405, None),
        ("GET", "/api/nothing-here/".to_owned(), "", 404, None),
        ("GET", "/".to_owned(), "", 404, None),
        // A preflight, should API Gateway hand it over rather than answer it (it adds the
        // CORS headers it is configured with).
        ("OPTIONS", "/api/auth/login".to_owned(), "", 204, None),
    ] {
        let request = unrouted_event(method, &path, query, "any");
        let handler = functions::lambda::handler_of(&routes, &request);
        let response = handler(app.clone(), request).await;
        let at = format!("{method} {path}?{query}");
        assert_eq!(response.status().as_u16(), status, "{at}");
        let header = response.headers().get("location");
        assert_eq!(
            header.map(|value| value.to_str().unwrap().to_owned()),
            location,
            "{at}"
        );
        if status >= 400 {
            let code = if status == 405 {
                "method_not_allowed"
            } else {
                "not_found"
            };
            assert_eq!(json_of(&response)["error"]["code"], code, "{at}");
        }
    }
}
