use api_tests::{assert_timestamp, assert_ulid, spawn_app};
use serde_json::{Value, json};

const ROOMS: &str = "/api/public/chat-rooms/";

#[tokio::test]
async fn a_visitor_opens_a_room_with_a_first_message() {
    let app = spawn_app().await;
    let reply = app
        .post(
            ROOMS,
            None,
            json!({
                "customer_name": "  Ada  ", "customer_email": "ada@example.com",
                "subject": "Billing question", "message": " Hello "
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    let room = &reply.body["room"];
    assert_ulid(&room["id"]);
    assert_eq!(room["customer_name"], "Ada");
    assert_eq!(room["customer_email"], "ada@example.com");
    assert_eq!(room["subject"], "Billing question");
    assert_eq!(room["status"], "open");
    assert_timestamp(&room["created_at"]);
    assert_timestamp(&room["updated_at"]);
    assert!(
        room.get("unread_count").is_none(),
        "unread_count is for agents only"
    );
    assert!(room.get("visitor").is_none() && room.get("visitor_id").is_none());
    let first = &room["last_message"];
    assert_eq!(first["content"], "Hello");
    assert_eq!(first["sender_type"], "customer");
    assert_eq!(first["sender_name"], "Ada");
    assert_eq!(first["room_id"], room["id"]);
    assert_eq!(first["client_msg_id"], Value::Null);
    assert!(reply.body["customer_token"].as_str().is_some());

    let id = room["id"].as_str().unwrap();
    let token = reply.body["customer_token"].as_str().unwrap();
    let messages = app
        .get(&format!("{ROOMS}{id}/get_messages/"), Some(token))
        .await;
    assert_eq!(messages.body["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn optional_fields_may_be_absent_or_null() {
    let app = spawn_app().await;
    for body in [
        json!({ "customer_name": "Ada" }),
        json!({ "customer_name": "Ada", "customer_email": null, "subject": null, "message": null }),
        json!({ "customer_name": "Ada", "subject": "   " }),
    ] {
        let reply = app.post(ROOMS, None, body).await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        let room = &reply.body["room"];
        assert_eq!(room["customer_email"], Value::Null);
        assert_eq!(room["subject"], Value::Null);
        assert_eq!(room["last_message"], Value::Null);
    }
}

#[tokio::test]
async fn every_field_of_a_new_room_is_checked() {
    let app = spawn_app().await;
    let name_of = |n: usize| "中".repeat(n);
    assert_eq!(
        app.post(ROOMS, None, json!({ "customer_name": name_of(100) }))
            .await
            .status,
        201
    );
    let cases = [
        (json!({}), "customer_name"),
        (json!({ "customer_name": null }), "customer_name"),
        (json!({ "customer_name": "  " }), "customer_name"),
        (json!({ "customer_name": name_of(101) }), "customer_name"),
        (
            json!({ "customer_name": "Ada", "customer_email": "not-an-email" }),
            "customer_email",
        ),
        (
            json!({ "customer_name": "Ada", "customer_email": "" }),
            "customer_email",
        ),
        (
            json!({ "customer_name": "Ada", "customer_email": format!("{}@example.com", "a".repeat(250)) }),
            "customer_email",
        ),
        (
            json!({ "customer_name": "Ada", "subject": "s".repeat(201) }),
            "subject",
        ),
        (
            json!({ "customer_name": "Ada", "message": " \n " }),
            "message",
        ),
        (
            json!({ "customer_name": "Ada", "message": "m".repeat(4001) }),
            "message",
        ),
    ];
    for (body, field) in cases {
        app.post(ROOMS, None, body.clone()).await.assert_error(
            422,
            "validation_error",
            Some(field),
        );
    }
    for body in [
        json!({ "customer_name": 42 }),
        json!({ "customer_name": "Ada", "customer_email": true }),
        json!({ "customer_name": "Ada", "subject": ["x"] }),
        json!({ "customer_name": "Ada", "message": { "content": "hi" } }),
        json!("Ada"),
    ] {
        app.post(ROOMS, None, body)
            .await
            .assert_error(400, "bad_request", None);
    }
    app.post_raw(ROOMS, None, "{\"customer_name\": ")
        .await
        .assert_error(400, "bad_request", None);
    app.post_raw(ROOMS, None, "")
        .await
        .assert_error(400, "bad_request", None);
    // None of the refused bodies stored anything.
    let agent = app.agent_token().await;
    assert_eq!(app.rooms_listed(&agent).await, 1);
}

#[tokio::test]
async fn a_returning_visitor_files_new_rooms_under_the_same_token() {
    let app = spawn_app().await;
    let (first, token) = app.open_room("Ada").await;
    let again = app
        .post(ROOMS, Some(&token), json!({ "customer_name": "Ada" }))
        .await;
    assert_eq!(again.status, 201);
    let second = again.body["room"]["id"].as_str().unwrap();
    let fresh_token = again.body["customer_token"].as_str().unwrap();
    for token in [token.as_str(), fresh_token] {
        let list = app.get(ROOMS, Some(token)).await;
        assert_eq!(list.status, 200);
        let ids: Vec<&str> = list.body["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            vec![second, first.as_str()],
            "most recent activity first"
        );
        assert_eq!(list.body["next"], Value::Null);
    }
    // Activity moves a room to the front.
    app.customer_says(&first, &token, "still there?").await;
    let list = app.get(ROOMS, Some(&token)).await;
    assert_eq!(list.body["rooms"][0]["id"], first.as_str());
}

#[tokio::test]
async fn a_bad_token_on_create_is_401_not_a_new_visitor() {
    let app = spawn_app().await;
    app.post(
        ROOMS,
        Some("forged.token.here"),
        json!({ "customer_name": "Ada" }),
    )
    .await
    .assert_error(401, "unauthorized", None);
    let agent = app.agent_token().await;
    let all = app.get("/api/admin/chat-rooms/", Some(&agent)).await;
    assert_eq!(all.body["rooms"], json!([]));
}

#[tokio::test]
async fn visitors_are_isolated_from_each_other() {
    let app = spawn_app().await;
    let (ada_room, _ada) = app.open_room("Ada").await;
    let (_bob_room, bob) = app.open_room("Bob").await;

    let not_found = |reply: api_tests::Reply| reply.assert_error(404, "not_found", None);
    not_found(app.get(&format!("{ROOMS}{ada_room}/"), Some(&bob)).await);
    not_found(
        app.get(&format!("{ROOMS}{ada_room}/get_messages/"), Some(&bob))
            .await,
    );
    not_found(app.customer_says(&ada_room, &bob, "let me in").await);
    // Indistinguishable from a room that does not exist.
    let ghost = "01JD0000000000000000000000";
    let theirs = app.get(&format!("{ROOMS}{ada_room}/"), Some(&bob)).await;
    let nobodys = app.get(&format!("{ROOMS}{ghost}/"), Some(&bob)).await;
    assert_eq!(theirs.body, nobodys.body);

    let list = app.get(ROOMS, Some(&bob)).await;
    let rooms = list.body["rooms"].as_array().unwrap();
    assert_eq!(rooms.len(), 1);
    assert_eq!(rooms[0]["customer_name"], "Bob");
    // Bob's attempt stored nothing in Ada's room.
    let agent = app.agent_token().await;
    let messages = app
        .get(
            &format!("/api/admin/chat-rooms/{ada_room}/get_messages/"),
            Some(&agent),
        )
        .await;
    assert_eq!(messages.body["messages"], json!([]));
}

#[tokio::test]
async fn unknown_and_malformed_room_ids_are_404() {
    let app = spawn_app().await;
    let (_, token) = app.open_room("Ada").await;
    for id in [
        "01JD0000000000000000000000",
        "not-a-ulid",
        "0",
        "%F0%9F%92%A9",
    ] {
        app.get(&format!("{ROOMS}{id}/"), Some(&token))
            .await
            .assert_error(404, "not_found", None);
    }
}

#[tokio::test]
async fn visitor_room_lists_page_with_a_cursor() {
    let app = spawn_app().await;
    let (_, token) = app.open_room("Ada").await;
    for _ in 0..4 {
        app.post(ROOMS, Some(&token), json!({ "customer_name": "Ada" }))
            .await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{ROOMS}?limit=2&cursor={c}"),
            None => format!("{ROOMS}?limit=2"),
        };
        let page = app.get(&path, Some(&token)).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        seen.extend(
            page.body["rooms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned()),
        );
        match page.body["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted);
    app.get(&format!("{ROOMS}?cursor=bm9wZQ"), Some(&token))
        .await
        .assert_error(422, "validation_error", Some("cursor"));
    app.get(&format!("{ROOMS}?limit=0"), Some(&token))
        .await
        .assert_error(422, "validation_error", Some("limit"));
}
