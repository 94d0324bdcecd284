//! Assignment: by hand, the admin list by assignee, and what closing, reopening and
//! deactivating do to a room's assignee and its agent's `open_rooms`.

use api_tests::{TestApp, contents, spawn_app};
use serde_json::{Value, json};

use crate::team::{add, member};

async fn assign(app: &TestApp, token: &str, room: &str, agent: Value) -> Value {
    let path = format!("/api/admin/chat-rooms/{room}/assign/");
    let reply = app
        .post(&path, Some(token), json!({ "agent_id": agent }))
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

/// The ids of the admin list under `query`.
async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let reply = app
        .get(&format!("/api/admin/chat-rooms/?{query}"), Some(token))
        .await;
    assert_eq!(reply.status, 200, "{query}: {:?}", reply.body);
    reply.body["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|room| room["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn open_rooms(app: &TestApp, token: &str, username: &str) -> u64 {
    member(app, token, username).await["open_rooms"]
        .as_u64()
        .unwrap()
}

async fn conversation(app: &TestApp, token: &str, room: &str) -> Vec<String> {
    let path = format!("/api/admin/chat-rooms/{room}/get_messages/");
    contents(&app.get(&path, Some(token)).await.body)
}

/// A local-dev with its admin (signed in: the token) and an agent Dana (her id).
async fn admin_and_dana() -> (TestApp, String, String) {
    let app = spawn_app().await;
    let admin = app.agent_token().await;
    let dana = add(&app, &admin, "dana", "Dana", "agent").await;
    (app, admin, dana)
}

#[tokio::test]
async fn assigning_tells_the_room_counts_the_agent_and_files_the_room_under_it() {
    let (app, admin, dana) = admin_and_dana().await;
    let (room, _) = app.open_room("Ada").await;
    let (other, _) = app.open_room("Bea").await;
    assert_eq!(
        app.get(&format!("/api/admin/chat-rooms/{room}"), Some(&admin))
            .await
            .body["assignee"],
        Value::Null
    );

    let assigned = assign(&app, &admin, &room, json!(dana)).await;
    assert_eq!(
        assigned["assignee"],
        json!({ "id": dana, "display_name": "Dana" })
    );
    assert_eq!(assigned["last_message"]["sender_type"], "system");
    assert_eq!(
        conversation(&app, &admin, &room).await,
        vec!["Dana joined the conversation"]
    );
    assert_eq!(open_rooms(&app, &admin, "dana").await, 1);
    assert_eq!(
        listed(&app, &admin, &format!("assignee={dana}")).await,
        vec![room.clone()]
    );
    assert_eq!(
        listed(&app, &admin, "assignee=none").await,
        vec![other.clone()]
    );
    assert!(listed(&app, &admin, "assignee=me").await.is_empty());
    let dana_token = app.login("dana", "dana-password").await.body["access"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        listed(&app, &dana_token, "assignee=me&status=open").await,
        vec![room.clone()]
    );
    assert!(
        listed(&app, &dana_token, "assignee=me&status=closed")
            .await
            .is_empty()
    );

    // The same assignee again changes, stores and sends nothing.
    let again = assign(&app, &admin, &room, json!(dana)).await;
    assert_eq!(again, assigned);
    assert_eq!(conversation(&app, &admin, &room).await.len(), 1);

    // A transfer: one slot freed, another taken, and told.
    let me = member(&app, &admin, "admin").await["id"].clone();
    let transferred = assign(&app, &dana_token, &room, me.clone()).await;
    assert_eq!(transferred["assignee"]["id"], me);
    assert_eq!(
        conversation(&app, &admin, &room).await,
        vec![
            "Dana joined the conversation",
            "Admin joined the conversation"
        ]
    );
    assert_eq!(open_rooms(&app, &admin, "dana").await, 0);
    assert_eq!(
        listed(&app, &admin, "assignee=me").await,
        vec![room.clone()]
    );

    // Unassigning stores no message; unassigning a room without an assignee changes nothing.
    let unassigned = assign(&app, &admin, &room, Value::Null).await;
    assert_eq!(unassigned["assignee"], Value::Null);
    assert_eq!(conversation(&app, &admin, &room).await.len(), 2);
    assert_eq!(
        listed(&app, &admin, "assignee=none").await,
        vec![room.clone(), other.clone()]
    );
    assert_eq!(assign(&app, &admin, &room, Value::Null).await, unassigned);
    // Customers never see who has their room.
    let public = app
        .get(&format!("/api/public/chat-rooms/{room}"), None)
        .await;
    assert!(public.body.get("assignee").is_none(), "{:?}", public.body);
}

#[tokio::test]
async fn closing_frees_the_slot_and_reopening_takes_it_back() {
    let (app, admin, dana) = admin_and_dana().await;
    let (room, _) = app.open_room("Ada").await;
    assign(&app, &admin, &room, json!(dana)).await;
    let closed = app.room_action(&admin, &room, "close").await;
    assert_eq!(closed.status, 200);
    assert_eq!(
        closed.body["assignee"]["id"],
        json!(dana),
        "kept for the record"
    );
    assert_eq!(open_rooms(&app, &admin, "dana").await, 0);
    let under_dana = format!("assignee={dana}&status=closed");
    assert_eq!(listed(&app, &admin, &under_dana).await, vec![room.clone()]);
    let reopened = app.room_action(&admin, &room, "reopen").await;
    assert_eq!(reopened.body["assignee"]["id"], json!(dana));
    assert_eq!(open_rooms(&app, &admin, "dana").await, 1);
    // Any assign call on a closed room is 409.
    app.room_action(&admin, &room, "close").await;
    let path = format!("/api/admin/chat-rooms/{room}/assign");
    app.post(&path, Some(&admin), json!({ "agent_id": null }))
        .await
        .assert_error(409, "conflict", None);
}

#[tokio::test]
async fn deactivating_an_agent_unassigns_its_open_rooms_silently() {
    let (app, admin, dana) = admin_and_dana().await;
    let (open, _) = app.open_room("Ada").await;
    let (closed, _) = app.open_room("Bea").await;
    for room in [&open, &closed] {
        assign(&app, &admin, room, json!(dana)).await;
    }
    app.room_action(&admin, &closed, "close").await;
    let before = conversation(&app, &admin, &open).await;
    let reply = app
        .post(
            &format!("/api/admin/agents/{dana}/deactivate"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["open_rooms"], 0);
    let room = app
        .get(&format!("/api/admin/chat-rooms/{open}"), Some(&admin))
        .await;
    assert_eq!(room.body["assignee"], Value::Null);
    assert_eq!(
        conversation(&app, &admin, &open).await,
        before,
        "no system message"
    );
    let kept = app
        .get(&format!("/api/admin/chat-rooms/{closed}"), Some(&admin))
        .await;
    assert_eq!(kept.body["assignee"]["id"], json!(dana));
    // Reopened, a room whose assignee was deactivated is unassigned.
    let reopened = app.room_action(&admin, &closed, "reopen").await;
    assert_eq!(reopened.body["assignee"], Value::Null);
    assert_eq!(open_rooms(&app, &admin, "dana").await, 0);
}

#[tokio::test]
async fn bad_assignments_are_refused_and_change_nothing() {
    let (app, admin, dana) = admin_and_dana().await;
    let (room, _) = app.open_room("Ada").await;
    let path = format!("/api/admin/chat-rooms/{room}/assign");
    let before = app
        .get(&format!("/api/admin/chat-rooms/{room}"), Some(&admin))
        .await;
    app.post(
        &format!("/api/admin/agents/{dana}/deactivate"),
        Some(&admin),
        json!({}),
    )
    .await;
    let unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    for (body, status, code, field) in [
        (json!({}), 422, "validation_error", Some("agent_id")),
        (
            json!({ "agent_id": "bob" }),
            422,
            "validation_error",
            Some("agent_id"),
        ),
        (
            json!({ "agent_id": unknown }),
            422,
            "validation_error",
            Some("agent_id"),
        ),
        (
            json!({ "agent_id": dana }),
            422,
            "validation_error",
            Some("agent_id"),
        ),
        (json!({ "agent_id": 5 }), 400, "bad_request", None),
        (json!([]), 400, "bad_request", None),
    ] {
        app.post(&path, Some(&admin), body.clone())
            .await
            .assert_error(status, code, field);
    }
    let missing = format!("/api/admin/chat-rooms/{unknown}/assign");
    app.post(&missing, Some(&admin), json!({ "agent_id": null }))
        .await
        .assert_error(404, "not_found", None);
    let after = app
        .get(&format!("/api/admin/chat-rooms/{room}"), Some(&admin))
        .await;
    assert_eq!(after.body, before.body);
    assert!(conversation(&app, &admin, &room).await.is_empty());
    // The list: an unknown agent has no rooms; what is no agent id at all is refused.
    assert!(
        listed(&app, &admin, &format!("assignee={unknown}"))
            .await
            .is_empty()
    );
    app.get("/api/admin/chat-rooms/?assignee=bob", Some(&admin))
        .await
        .assert_error(422, "validation_error", Some("assignee"));
}
