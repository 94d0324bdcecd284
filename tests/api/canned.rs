//! Canned responses: any agent lists and searches them, admins create, replace and delete
//! them; short codes are unique; bad input changes nothing.

use api_tests::{Reply, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

use crate::team::add;

const PATH: &str = "/api/admin/canned-responses/";

async fn create(app: &TestApp, token: &str, code: &str, content: &str) -> Reply {
    app.post(
        PATH,
        Some(token),
        json!({"short_code": code, "content": content}),
    )
    .await
}

async fn put(app: &TestApp, token: &str, id: &str, body: Value) -> Reply {
    let request = app.request(Method::PUT, &format!("{PATH}{id}/"), Some(token));
    app.send(request.json(&body)).await
}

async fn delete(app: &TestApp, token: &str, id: &str) -> Reply {
    app.send(app.request(Method::DELETE, &format!("{PATH}{id}/"), Some(token)))
        .await
}

async fn codes(app: &TestApp, token: &str, q: Option<&str>) -> Vec<String> {
    let path = match q {
        Some(q) => format!("{PATH}?q={q}"),
        None => PATH.to_owned(),
    };
    let reply = app.get(&path, Some(token)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["canned_responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["short_code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn admins_write_canned_responses_and_any_agent_searches_them_in_the_documented_order() {
    let app = spawn_app().await;
    let admin = app.agent_token().await;
    let refund = create(
        &app,
        &admin,
        "refund",
        "Hi {{customer.name}}, your refund is on its way",
    )
    .await;
    assert_eq!(refund.status, 201, "{:?}", refund.body);
    let mut fields: Vec<&String> = refund.body.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        ["content", "created_at", "id", "short_code", "updated_at"]
    );
    api_tests::assert_timestamp(&refund.body["created_at"]);
    for (code, content) in [
        ("late-refund", "Late refunds take a week"),
        ("shipping", "We ship in two days; a REFUND takes five"),
        ("hello", "Hello, {{agent.name}} here"),
    ] {
        assert_eq!(create(&app, &admin, code, content).await.status, 201);
    }
    // Any agent reads them: all by short code, or the matches of q best first.
    add(&app, &admin, "dana", "Dana", "agent").await;
    let dana = app.login("dana", "dana-password").await.body["access"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        codes(&app, &dana, None).await,
        ["hello", "late-refund", "refund", "shipping"]
    );
    assert_eq!(
        codes(&app, &dana, Some("REF")).await,
        ["refund", "late-refund", "shipping"]
    );
    assert_eq!(codes(&app, &dana, Some("")).await.len(), 4);
    assert!(codes(&app, &dana, Some("zebra")).await.is_empty());

    // Replacing takes both fields; the short code moves, and the old one is free again.
    let id = refund.id();
    let replaced = put(
        &app,
        &admin,
        &id,
        json!({"short_code": "refunds", "content": "Refunded"}),
    )
    .await;
    assert_eq!(replaced.status, 200, "{:?}", replaced.body);
    assert_eq!(replaced.body["id"], id.as_str());
    assert_eq!(replaced.body["created_at"], refund.body["created_at"]);
    assert_ne!(replaced.body["updated_at"], refund.body["updated_at"]);
    assert_eq!(
        create(&app, &admin, "refund", "the code is free")
            .await
            .status,
        201
    );

    let gone = delete(&app, &admin, &id).await;
    assert_eq!((gone.status, &gone.body), (204, &Value::Null));
    assert!(
        !codes(&app, &dana, None)
            .await
            .contains(&"refunds".to_owned())
    );
    // Its code is free too; deleting it again, or replacing it, is 404.
    assert_eq!(create(&app, &admin, "refunds", "again").await.status, 201);
    delete(&app, &admin, &id)
        .await
        .assert_error(404, "not_found", None);
    put(
        &app,
        &admin,
        &id,
        json!({"short_code": "x", "content": "y"}),
    )
    .await
    .assert_error(404, "not_found", None);
}

#[tokio::test]
async fn canned_response_writes_are_refused_clearly_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.agent_token().await;
    let first = create(&app, &admin, "hello", "Hello!").await;
    let other = create(&app, &admin, "bye", "Bye!").await;
    let before = app.get(PATH, Some(&admin)).await.body;

    create(&app, &admin, "hello", "taken")
        .await
        .assert_error(409, "conflict", None);
    put(
        &app,
        &admin,
        &other.id(),
        json!({"short_code": "hello", "content": "taken"}),
    )
    .await
    .assert_error(409, "conflict", None);
    for (body, field) in [
        (json!({"content": "no code"}), "short_code"),
        (
            json!({"short_code": "Hello", "content": "upper case"}),
            "short_code",
        ),
        (
            json!({"short_code": "a/b", "content": "a separator"}),
            "short_code",
        ),
        (
            json!({"short_code": "x".repeat(33), "content": "too long"}),
            "short_code",
        ),
        (json!({"short_code": "ok"}), "content"),
        (json!({"short_code": "ok", "content": "   "}), "content"),
        (
            json!({"short_code": "ok", "content": "x".repeat(4001)}),
            "content",
        ),
    ] {
        app.post(PATH, Some(&admin), body.clone())
            .await
            .assert_error(422, "validation_error", Some(field));
        put(&app, &admin, &first.id(), body).await.assert_error(
            422,
            "validation_error",
            Some(field),
        );
    }
    let wrong_type = json!({"short_code": 7, "content": "x"});
    app.post(PATH, Some(&admin), wrong_type.clone())
        .await
        .assert_error(400, "bad_request", None);
    put(&app, &admin, &first.id(), wrong_type)
        .await
        .assert_error(400, "bad_request", None);
    // An agent without the admin role reads but does not write; a customer does neither.
    add(&app, &admin, "dana", "Dana", "agent").await;
    let dana = app.login("dana", "dana-password").await.body["access"]
        .as_str()
        .unwrap()
        .to_owned();
    create(&app, &dana, "mine", "x")
        .await
        .assert_error(403, "forbidden", None);
    put(
        &app,
        &dana,
        &first.id(),
        json!({"short_code": "x", "content": "y"}),
    )
    .await
    .assert_error(403, "forbidden", None);
    delete(&app, &dana, &first.id())
        .await
        .assert_error(403, "forbidden", None);
    let (_, customer) = app.open_room("Ada").await;
    app.get(PATH, Some(&customer))
        .await
        .assert_error(403, "forbidden", None);
    app.get(PATH, None)
        .await
        .assert_error(401, "unauthorized", None);
    // A malformed id is an unknown one.
    delete(&app, &admin, "not-an-id")
        .await
        .assert_error(404, "not_found", None);
    assert_eq!(
        app.get(PATH, Some(&admin)).await.body,
        before,
        "nothing changed"
    );
}
