use api_tests::spawn_app;
use serde_json::{Value, json};

const ADMIN_ROOMS: &str = "/api/admin/chat-rooms/";

fn room_ids(reply: &api_tests::Reply) -> Vec<String> {
    reply.body["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn agents_see_every_room_most_recent_activity_first_with_unread_counts() {
    let app = spawn_app().await;
    let agent = app.agent_token().await;
    let (a, a_token) = app.open_room("A").await;
    let (b, _) = app.open_room("B").await;
    let (c, _) = app.open_room("C").await;
    app.customer_says(&a, &a_token, "one").await;
    app.customer_says(&a, &a_token, "two").await;

    let all = app.get(ADMIN_ROOMS, Some(&agent)).await;
    assert_eq!(all.status, 200);
    assert_eq!(room_ids(&all), vec![a.clone(), c.clone(), b.clone()]);
    let first = &all.body["rooms"][0];
    assert_eq!(first["unread_count"], 2);
    assert_eq!(first["last_message"]["content"], "two");
    assert_eq!(all.body["rooms"][1]["unread_count"], 0);
    assert_eq!(all.body["rooms"][1]["last_message"], Value::Null);
    assert_eq!(all.body["next"], Value::Null);

    // Closing is activity: the closed room comes first, and filters apart.
    app.room_action(&agent, &b, "close").await;
    assert_eq!(
        room_ids(&app.get(ADMIN_ROOMS, Some(&agent)).await),
        vec![b.clone(), a.clone(), c.clone()]
    );
    assert_eq!(
        room_ids(
            &app.get(&format!("{ADMIN_ROOMS}?status=closed"), Some(&agent))
                .await
        ),
        vec![b.clone()]
    );
    assert_eq!(
        room_ids(
            &app.get(&format!("{ADMIN_ROOMS}?status=open"), Some(&agent))
                .await
        ),
        vec![a.clone(), c.clone()]
    );
    assert_eq!(
        app.get(&format!("{ADMIN_ROOMS}?status="), Some(&agent))
            .await
            .body["rooms"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    app.get(&format!("{ADMIN_ROOMS}?status=archived"), Some(&agent))
        .await
        .assert_error(422, "validation_error", Some("status"));
}

#[tokio::test]
async fn the_admin_list_pages_with_an_opaque_cursor() {
    let app = spawn_app().await;
    let agent = app.agent_token().await;
    let mut opened = Vec::new();
    for i in 0..7 {
        opened.push(app.open_room(&format!("Visitor {i}")).await.0);
    }
    opened.reverse();
    let mut seen = Vec::new();
    let mut page = app
        .get(&format!("{ADMIN_ROOMS}?limit=3"), Some(&agent))
        .await;
    loop {
        seen.extend(room_ids(&page));
        let Some(cursor) = page.body["next"].as_str() else {
            break;
        };
        page = app
            .get(
                &format!("{ADMIN_ROOMS}?limit=3&cursor={cursor}"),
                Some(&agent),
            )
            .await;
        assert_eq!(page.status, 200);
    }
    assert_eq!(seen, opened);
    for cursor in ["garbage", "bm90IGEgY3Vyc29y", "MTIzLm5vcGU"] {
        app.get(&format!("{ADMIN_ROOMS}?cursor={cursor}"), Some(&agent))
            .await
            .assert_error(422, "validation_error", Some("cursor"));
    }
    app.get(&format!("{ADMIN_ROOMS}?cursor=a%3Db"), Some(&agent))
        .await
        .assert_error(422, "validation_error", Some("cursor"));
}

#[tokio::test]
async fn mark_as_read_resets_the_count_and_reports_the_newest_message() {
    let app = spawn_app().await;
    let agent = app.agent_token().await;
    let (room, token) = app.open_room("Ada").await;

    let empty = app.room_action(&agent, &room, "mark_as_read").await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.body, json!({ "unread_count": 0, "read_up_to": null }));

    app.customer_says(&room, &token, "one").await;
    app.customer_says(&room, &token, "two").await;
    let reply = app
        .post(
            &format!("{ADMIN_ROOMS}{room}/send_message/"),
            Some(&agent),
            json!({ "content": "on it" }),
        )
        .await;
    assert_eq!(
        app.get(&format!("{ADMIN_ROOMS}{room}/"), Some(&agent))
            .await
            .body["unread_count"],
        2
    );
    let read = app.room_action(&agent, &room, "mark_as_read").await;
    assert_eq!(
        read.body,
        json!({ "unread_count": 0, "read_up_to": reply.id() })
    );
    let after = app
        .get(&format!("{ADMIN_ROOMS}{room}/"), Some(&agent))
        .await;
    assert_eq!(after.body["unread_count"], 0);
    app.room_action(&agent, "01JD0000000000000000000000", "mark_as_read")
        .await
        .assert_error(404, "not_found", None);
}

#[tokio::test]
async fn close_and_reopen_answer_the_room_and_repeat_harmlessly() {
    let app = spawn_app().await;
    let agent = app.agent_token().await;
    let (room, token) = app.open_room("Ada").await;
    let closed = app.room_action(&agent, &room, "close").await;
    assert_eq!(closed.status, 200);
    assert_eq!(closed.body["id"], room.as_str());
    assert_eq!(closed.body["status"], "closed");
    assert!(closed.body.get("unread_count").is_some());
    let again = app.room_action(&agent, &room, "close").await;
    assert_eq!(
        (again.status, &again.body["status"]),
        (200, &json!("closed"))
    );
    assert_eq!(again.body["updated_at"], closed.body["updated_at"]);
    // The customer sees the status too.
    let seen = app
        .get(&format!("/api/public/chat-rooms/{room}/"), Some(&token))
        .await;
    assert_eq!(seen.body["status"], "closed");
    let reopened = app.room_action(&agent, &room, "reopen").await;
    assert_eq!(reopened.body["status"], "open");
    for action in ["close", "reopen"] {
        app.room_action(&agent, "01JD0000000000000000000000", action)
            .await
            .assert_error(404, "not_found", None);
    }
}

#[tokio::test]
async fn agents_read_any_room_and_its_messages() {
    let app = spawn_app().await;
    let agent = app.agent_token().await;
    let (room, token) = app.open_room("Ada").await;
    app.customer_says(&room, &token, "hello").await;
    let seen = app
        .get(&format!("{ADMIN_ROOMS}{room}/"), Some(&agent))
        .await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["customer_name"], "Ada");
    assert_eq!(seen.body["unread_count"], 1);
    let messages = app
        .get(
            &format!("{ADMIN_ROOMS}{room}/get_messages/?limit=10"),
            Some(&agent),
        )
        .await;
    assert_eq!(messages.body["messages"][0]["content"], "hello");
    app.get(
        &format!("{ADMIN_ROOMS}01JD0000000000000000000000/get_messages/"),
        Some(&agent),
    )
    .await
    .assert_error(404, "not_found", None);
}
