//! docs/openapi.json, the API reference local-dev and the `web` function serve, held to the
//! code: the route table's routes, methods, path parameters and functions; the error body
//! `ChatError` writes; the WebSocket frames `Frame::parse` reads. What the routes answer (each
//! status and body) is held to the black-box tests' answers by `openapi_answers.rs`.

mod reference;

use std::collections::BTreeSet;

use functions::routes::http_routes;
use reference::{branches, check, document, operation, path_parameters, resolve};
use serde_json::{Value, json};
use shared::ChatError;
use shared::input::{Action, Frame};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

#[test]
fn the_reference_holds_every_route_of_the_table_and_no_other() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|key| METHODS.contains(&key.as_str()))
                .map(move |method| (method.to_ascii_uppercase(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = http_routes()
        .map(|route| {
            (
                route.method.to_string(),
                reference::openapi_path(route.path),
            )
        })
        .collect();
    assert_eq!(documented, routed);
}

#[test]
fn each_operation_names_the_function_that_serves_it_and_its_path_parameters() {
    let doc = document();
    let mut operation_ids = BTreeSet::new();
    for route in http_routes() {
        let at = format!("{} {}", route.method, route.path);
        let op = operation(&doc, route.method.as_str(), route.path)
            .unwrap_or_else(|| panic!("{at} is not documented"));
        assert_eq!(op["x-function"], route.function, "{at}");
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{at}"));
        assert!(operation_ids.insert(id.to_owned()), "{at}: {id} twice");

        // Parameters may sit on the operation or on its path item.
        let item = &doc["paths"][reference::openapi_path(route.path)];
        let declared: Vec<&Value> = [&item["parameters"], &op["parameters"]]
            .into_iter()
            .filter_map(Value::as_array)
            .flatten()
            .map(|parameter| resolve(&doc, parameter))
            .collect();
        let in_path: Vec<String> = declared
            .iter()
            .filter(|parameter| parameter["in"] == "path")
            .map(|parameter| {
                assert_eq!(parameter["required"], true, "{at}: {parameter}");
                parameter["name"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(in_path, path_parameters(route.path), "{at}");
    }
}

#[test]
fn every_error_answer_is_documented_as_the_error_body() {
    let doc = document();
    for route in http_routes() {
        let at = format!("{} {}", route.method, route.path);
        let op = operation(&doc, route.method.as_str(), route.path)
            .unwrap_or_else(|| panic!("{at} is not documented"));
        let statuses: Vec<u16> = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(|status| status.parse().unwrap_or_else(|_| panic!("{at}: {status}")))
            .collect();
        assert!(statuses.contains(&500), "{at}: every route may fail");
        // Every 4xx and the 500 are the error body; a 503 (the health check's) is an answer
        // naming the part that failed.
        let errors = statuses
            .into_iter()
            .filter(|status| (400..500).contains(status) || *status == 500);
        for status in errors {
            let response = reference::response(&doc, op, status).unwrap();
            let content = response["content"].as_object().unwrap();
            assert_eq!(
                content.keys().collect::<Vec<_>>(),
                ["application/json"],
                "{at} {status}"
            );
            assert_eq!(
                content["application/json"]["schema"],
                json!({ "$ref": "#/components/schemas/Error" }),
                "{at} {status}"
            );
            if status == 429 {
                assert!(response["headers"]["Retry-After"].is_object(), "{at}");
            }
        }
    }
}

/// Every kind of error, as the code writes its body.
fn every_error() -> Vec<ChatError> {
    vec![
        ChatError::bad_request("a JSON body is required"),
        ChatError::validation("content", "content must not be empty"),
        ChatError::invalid_token(),
        ChatError::Forbidden("this route is for agents"),
        ChatError::room_not_found(),
        ChatError::Conflict("the room is closed"),
        ChatError::MethodNotAllowed,
        ChatError::PayloadTooLarge,
        ChatError::RateLimited {
            retry_after_secs: 30,
        },
        ChatError::Internal(anyhow::anyhow!("the table is missing")),
    ]
}

#[test]
fn the_error_schema_is_the_body_chat_error_writes() {
    let doc = document();
    let schema = json!({ "$ref": "#/components/schemas/Error" });
    let mut codes = BTreeSet::new();
    for error in every_error() {
        let body = error.body();
        check(&doc, &schema, &body, "error").unwrap();
        codes.insert(body["error"]["code"].as_str().unwrap().to_owned());
    }
    // The codes the schema lists are those the code writes.
    let listed: BTreeSet<String> =
        doc["components"]["schemas"]["ErrorObject"]["properties"]["code"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|code| code.as_str().unwrap().to_owned())
            .collect();
    assert_eq!(listed, codes);
    // And the schema refuses what is not an error body.
    for wrong in [
        json!({ "error": { "code": "teapot", "message": "x" } }),
        json!({ "error": { "code": "internal" } }),
        json!({ "message": "Not Found" }),
        json!({ "error": { "code": "internal", "message": "x", "cause": "y" } }),
    ] {
        assert!(check(&doc, &schema, &wrong, "error").is_err(), "{wrong}");
    }
}

/// The smallest frame a `ClientFrame` branch describes: its required properties, each with a
/// value of its schema (the first of an `enum`).
fn example(doc: &Value, branch: &Value) -> Value {
    let mut frame = serde_json::Map::new();
    for name in branch["required"].as_array().unwrap() {
        let name = name.as_str().unwrap();
        let property = resolve(doc, &branch["properties"][name]);
        let value = match (&property["const"], property["type"].as_str()) {
            (Value::Null, _) if property["enum"].is_array() => property["enum"][0].clone(),
            (Value::Null, Some("boolean")) => json!(true),
            (Value::Null, Some("string")) => json!("hello"),
            (Value::Null, other) => panic!("{name}: no example for {other:?}"),
            (constant, _) => constant.clone(),
        };
        frame.insert(name.to_owned(), value);
    }
    Value::Object(frame)
}

#[test]
fn the_websocket_frames_described_are_those_the_code_reads() {
    let doc = document();
    let socket = &doc["x-websocket"];
    assert!(
        socket["urls"]["cloud"]
            .as_str()
            .unwrap()
            .starts_with("wss://")
    );
    // Every documented frame parses, and together they reach every kind of frame the code
    // has: the match below is exhaustive, so a new kind fails to compile until it is listed.
    let kind = |frame: &Frame| match frame {
        Frame::Ping => "ping",
        Frame::Act(Action::SendMessage { .. }) => "send_message",
        Frame::Act(Action::Typing { .. }) => "typing",
        Frame::Act(Action::MarkAsRead { .. }) => "mark_as_read",
        Frame::Act(Action::SetAvailability(_)) => "set_availability",
    };
    let mut kinds = BTreeSet::new();
    for branch in branches(&doc, &socket["clientFrames"]) {
        let frame = example(&doc, branch);
        let parsed = Frame::parse(frame.to_string().as_bytes())
            .unwrap_or_else(|error| panic!("{frame}: {error:?}"));
        assert_eq!(
            branch["properties"]["action"]["const"],
            kind(&parsed),
            "{frame}"
        );
        kinds.insert(kind(&parsed));
    }
    assert_eq!(
        kinds,
        BTreeSet::from([
            "ping",
            "send_message",
            "typing",
            "mark_as_read",
            "set_availability"
        ])
    );
    // An action the document does not list is refused.
    let unknown = Frame::parse(br#"{"action":"dance"}"#);
    assert!(
        matches!(unknown, Err(ChatError::BadRequest(_))),
        "{unknown:?}"
    );

    // Events: one branch per `type`, told apart by it; the error event carries the error body.
    let types: Vec<&str> = branches(&doc, &socket["serverEvents"])
        .into_iter()
        .map(|branch| branch["properties"]["type"]["const"].as_str().unwrap())
        .collect();
    assert_eq!(types.iter().collect::<BTreeSet<_>>().len(), types.len());
    for error in every_error() {
        let event = shared::views::error_event(&error);
        check(&doc, &socket["serverEvents"], &event, "event").unwrap();
    }
}

#[test]
fn every_schema_uses_only_keywords_the_check_reads() {
    // `check` panics on a keyword it does not read; run every schema against a value of each
    // JSON type so that every keyword of every schema is visited at least at its top level.
    let doc = document();
    let samples = [
        json!(null),
        json!(true),
        json!(1),
        json!("x"),
        json!([]),
        json!({}),
    ];
    let walk = |schema: &Value| {
        for sample in &samples {
            let _ = check(&doc, schema, sample, "sample");
        }
    };
    let mut schemas: Vec<Value> = Vec::new();
    collect_schemas(&doc, &mut schemas);
    assert!(schemas.len() > 40, "{}", schemas.len());
    for schema in &schemas {
        walk(schema);
    }
}

/// Every schema object of the document, nested ones included.
fn collect_schemas(value: &Value, found: &mut Vec<Value>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                match key.as_str() {
                    "schema" | "items" | "additionalProperties" if child.is_object() => {
                        found.push(child.clone())
                    }
                    "schemas" | "properties" => {
                        found.extend(child.as_object().unwrap().values().cloned())
                    }
                    "oneOf" => found.extend(child.as_array().unwrap().iter().cloned()),
                    _ => {}
                }
                collect_schemas(child, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_schemas(item, found)),
        _ => {}
    }
}
