use std::collections::HashSet;

use api_tests::{assert_timestamp, assert_ulid, contents, message_ids, spawn_app};
use serde_json::{Value, json};

fn send_path(room: &str) -> String {
    format!("/api/public/chat-rooms/{room}/send_message/")
}

fn messages_path(room: &str, query: &str) -> String {
    format!("/api/public/chat-rooms/{room}/get_messages/{query}")
}

/// The two senders of a room, each as (the prefix of its routes, its token): the customer, and
/// an agent on the admin routes.
async fn both_sides(app: &api_tests::TestApp, customer: &str) -> [(&'static str, String); 2] {
    [
        ("/api/public/chat-rooms", customer.to_owned()),
        ("/api/admin/chat-rooms", app.agent_token().await),
    ]
}

#[tokio::test]
async fn customer_and_agent_messages_have_api_md_shape() {
    let app = spawn_app().await;
    let (room, token) = app.open_room("Ada").await;
    let sent = app
        .post(
            &send_path(&room),
            Some(&token),
            json!({ "content": "  Hello  ", "client_msg_id": "c-1" }),
        )
        .await;
    assert_eq!(sent.status, 201, "{:?}", sent.body);
    assert_ulid(&sent.body["id"]);
    assert_eq!(sent.body["room_id"], room.as_str());
    assert_eq!(sent.body["sender_type"], "customer");
    assert_eq!(sent.body["sender_name"], "Ada");
    assert_eq!(sent.body["content"], "Hello");
    assert_eq!(sent.body["client_msg_id"], "c-1");
    assert_timestamp(&sent.body["created_at"]);

    let agent = app.agent_token().await;
    let reply = app
        .post(
            &format!("/api/admin/chat-rooms/{room}/send_message/"),
            Some(&agent),
            json!({ "content": "Hi Ada" }),
        )
        .await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["sender_type"], "agent");
    assert_eq!(reply.body["sender_name"], "Admin");
    assert_eq!(reply.body["client_msg_id"], Value::Null);

    let page = app.get(&messages_path(&room, ""), Some(&token)).await;
    assert_eq!(contents(&page.body), vec!["Hello", "Hi Ada"]);
    assert_eq!(page.body["next"], Value::Null);
}

#[tokio::test]
async fn message_fields_are_checked_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (room, customer) = app.open_room("Ada").await;
    let fits = json!({ "content": "é".repeat(4000) });
    assert_eq!(
        app.post(&send_path(&room), Some(&customer), fits)
            .await
            .status,
        201
    );
    for (prefix, token) in both_sides(&app, &customer).await {
        let send = format!("{prefix}/{room}/send_message");
        for (body, field) in [
            (json!({}), "content"),
            (json!({ "content": null }), "content"),
            (json!({ "content": "" }), "content"),
            (json!({ "content": " \t\n " }), "content"),
            (json!({ "content": "x".repeat(4001) }), "content"),
            (
                json!({ "content": "hi", "client_msg_id": "" }),
                "client_msg_id",
            ),
            (
                json!({ "content": "hi", "client_msg_id": "has space" }),
                "client_msg_id",
            ),
            (
                json!({ "content": "hi", "client_msg_id": "x".repeat(65) }),
                "client_msg_id",
            ),
        ] {
            app.post(&send, Some(&token), body).await.assert_error(
                422,
                "validation_error",
                Some(field),
            );
        }
        for body in [
            json!({ "content": 5 }),
            json!({ "content": "hi", "client_msg_id": 7 }),
            json!([]),
        ] {
            app.post(&send, Some(&token), body)
                .await
                .assert_error(400, "bad_request", None);
        }
        app.post_raw(&send, Some(&token), "content=hi")
            .await
            .assert_error(400, "bad_request", None);
    }
    let page = app.get(&messages_path(&room, ""), Some(&customer)).await;
    assert_eq!(page.body["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_retry_with_the_same_client_msg_id_answers_200_with_the_identical_message() {
    let app = spawn_app().await;
    let (room, customer) = app.open_room("Ada").await;
    for ((prefix, token), client_msg_id) in both_sides(&app, &customer)
        .await
        .into_iter()
        .zip(["c-1", "a-1"])
    {
        let send = format!("{prefix}/{room}/send_message");
        let body = json!({ "content": "only once", "client_msg_id": client_msg_id });
        let first = app.post(&send, Some(&token), body.clone()).await;
        let retry = app.post(&send, Some(&token), body).await;
        assert_eq!((first.status, retry.status), (201, 200), "{prefix}");
        assert_eq!(first.body, retry.body);
    }
    // The same id in another room is another message.
    let (other_room, other_token) = app.open_room("Bob").await;
    let elsewhere = app
        .post(
            &send_path(&other_room),
            Some(&other_token),
            json!({ "content": "x", "client_msg_id": "c-1" }),
        )
        .await;
    assert_eq!(elsewhere.status, 201);
    let page = app.get(&messages_path(&room, ""), Some(&customer)).await;
    assert_eq!(page.body["messages"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn concurrent_retries_store_one_message() {
    let app = spawn_app().await;
    let (room, token) = app.open_room("Ada").await;
    let body = json!({ "content": "racing", "client_msg_id": "race" });
    let replies = futures_join(&app, &room, &token, &body, 8).await;
    assert_eq!(
        replies.iter().filter(|(status, _)| *status == 201).count(),
        1
    );
    assert!(
        replies
            .iter()
            .all(|(status, _)| *status == 200 || *status == 201)
    );
    assert!(replies.windows(2).all(|w| w[0].1 == w[1].1));
    let page = app.get(&messages_path(&room, ""), Some(&token)).await;
    assert_eq!(page.body["messages"].as_array().unwrap().len(), 1);
}

async fn futures_join(
    app: &api_tests::TestApp,
    room: &str,
    token: &str,
    body: &Value,
    n: usize,
) -> Vec<(u16, Value)> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let client = reqwest::Client::new();
        let url = format!("{}{}", app.base, send_path(room));
        let (token, body) = (token.to_owned(), body.clone());
        tasks.spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        });
    }
    tasks.join_all().await
}

#[tokio::test]
async fn closed_rooms_refuse_messages_from_customers_and_agents() {
    let app = spawn_app().await;
    let (room, token) = app.open_room("Ada").await;
    let agent = app.agent_token().await;
    let send = send_path(&room);
    let before = json!({ "content": "before", "client_msg_id": "b-1" });
    let stored = app.post(&send, Some(&token), before.clone()).await;
    assert_eq!(stored.status, 201);
    let closed = app.room_action(&agent, &room, "close").await;
    assert_eq!(closed.body["status"], "closed");
    app.customer_says(&room, &token, "hello?")
        .await
        .assert_error(409, "conflict", None);
    // With a new client_msg_id too, from either side (on DynamoDB this is the cancelled
    // transaction whose retry guard must be read to tell a retry from a new message).
    let fresh = json!({ "content": "hello?", "client_msg_id": "n-1" });
    app.post(&send, Some(&token), fresh.clone())
        .await
        .assert_error(409, "conflict", None);
    let admin_send = format!("/api/admin/chat-rooms/{room}/send_message");
    for body in [json!({ "content": "bye" }), fresh] {
        app.post(&admin_send, Some(&agent), body)
            .await
            .assert_error(409, "conflict", None);
    }
    // A retry of what was stored before the close still answers 200 (API.md's order).
    let retry = app.post(&send, Some(&token), before).await;
    assert_eq!((retry.status, &retry.body), (200, &stored.body));
    // Nothing was stored but the notice of the close, which tells the customer.
    let page = app.get(&messages_path(&room, ""), Some(&token)).await;
    assert_eq!(
        api_tests::contents(&page.body),
        vec!["before", "Admin closed the conversation"]
    );
    assert_eq!(page.body["messages"][1]["sender_type"], "system");
    assert_eq!(closed.body["last_message"], page.body["messages"][1]);
    app.room_action(&agent, &room, "reopen").await;
    assert_eq!(
        app.customer_says(&room, &token, "hello again").await.status,
        201
    );
    let page = app.get(&messages_path(&room, ""), Some(&token)).await;
    assert_eq!(
        api_tests::contents(&page.body),
        vec![
            "before",
            "Admin closed the conversation",
            "Admin reopened the conversation",
            "hello again"
        ]
    );
}

#[tokio::test]
async fn pagination_walks_back_and_forth_over_many_messages_without_gap_or_duplicate() {
    let app = spawn_app().await;
    let (room, token) = app.open_room("Ada").await;
    let mut sent = Vec::new();
    for i in 0..125 {
        sent.push(
            app.customer_says(&room, &token, &format!("m{i}"))
                .await
                .id(),
        );
    }
    let ids = |page: &api_tests::Reply| message_ids(&page.body);

    // Backwards from the newest page.
    let mut walked: Vec<String> = Vec::new();
    let mut page = app
        .get(&messages_path(&room, "?limit=20"), Some(&token))
        .await;
    loop {
        let mut chunk = ids(&page);
        chunk.extend(walked);
        walked = chunk;
        match page.body["next"].as_str() {
            Some(before) => {
                assert_eq!(before, walked[0], "next is the oldest id of the page");
                page = app
                    .get(
                        &messages_path(&room, &format!("?limit=20&before={before}")),
                        Some(&token),
                    )
                    .await;
            }
            None => break,
        }
    }
    assert_eq!(walked, sent);

    // Forwards from the first, as a reconnecting client catches up.
    let mut walked = vec![sent[0].clone()];
    let mut after = sent[0].clone();
    loop {
        let page = app
            .get(
                &messages_path(&room, &format!("?limit=30&after={after}")),
                Some(&token),
            )
            .await;
        walked.extend(ids(&page));
        match page.body["next"].as_str() {
            Some(next) => {
                assert_eq!(
                    next,
                    walked.last().unwrap(),
                    "next is the newest id of the page"
                );
                after = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(walked, sent);
    let unique: HashSet<&String> = walked.iter().collect();
    assert_eq!(unique.len(), 125);

    // Catching up from the newest id gives nothing and no next.
    let last = app
        .get(
            &messages_path(&room, &format!("?after={}", sent[124])),
            Some(&token),
        )
        .await;
    assert_eq!(
        (last.body["messages"].clone(), last.body["next"].clone()),
        (json!([]), Value::Null)
    );
    // Without a limit, the newest 50.
    let default = app
        .get(
            &messages_path(&room, "?limit=&after=&before="),
            Some(&token),
        )
        .await;
    assert_eq!(ids(&default), sent[75..]);
}

#[tokio::test]
async fn message_queries_are_checked() {
    let app = spawn_app().await;
    let (room, customer) = app.open_room("Ada").await;
    let id = app.customer_says(&room, &customer, "x").await.id();
    for (prefix, token) in both_sides(&app, &customer).await {
        let messages = format!("{prefix}/{room}/get_messages");
        for (query, field) in [
            ("?limit=ten".to_owned(), "limit"),
            ("?limit=0".to_owned(), "limit"),
            ("?limit=201".to_owned(), "limit"),
            ("?after=nope".to_owned(), "after"),
            ("?before=123".to_owned(), "before"),
            (format!("?after={id}&before={id}"), "before"),
        ] {
            app.get(&format!("{messages}{query}"), Some(&token))
                .await
                .assert_error(422, "validation_error", Some(field));
        }
        let most = app
            .get(&format!("{messages}?limit=200"), Some(&token))
            .await;
        assert_eq!(most.status, 200, "{prefix}");
    }
}

#[tokio::test]
async fn ids_sort_in_the_order_of_fast_sequential_sends() {
    let app = spawn_app().await;
    let (room, token) = app.open_room("Ada").await;
    let mut ids = Vec::new();
    for i in 0..60 {
        ids.push(app.customer_says(&room, &token, &i.to_string()).await.id());
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    let page = app
        .get(&messages_path(&room, "?limit=200"), Some(&token))
        .await;
    assert_eq!(
        contents(&page.body),
        (0..60).map(|i| i.to_string()).collect::<Vec<_>>()
    );
}
