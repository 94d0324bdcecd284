//! Auto-assignment (`least_busy`, with a cap): new rooms go to the least busy online agent,
//! wait when nobody can take them, and are taken oldest first when an agent comes online or
//! frees a slot.

use std::time::Duration;

use api_tests::{Socket, TestApp, spawn_app_with};
use serde_json::{Value, json};
use shared::domain::{AutoAssign, Routing};

use crate::team::{add, member};

async fn routed_app(cap: u32) -> TestApp {
    spawn_app_with(|options| {
        options.config.routing = Routing {
            auto_assign: AutoAssign::LeastBusy,
            cap: Some(cap),
        };
    })
    .await
}

async fn token(app: &TestApp, username: &str) -> String {
    let reply = app.login(username, &format!("{username}-password")).await;
    reply.body["access"].as_str().unwrap().to_owned()
}

/// Signs the agent in and opens its console's socket: it is online.
async fn online(app: &TestApp, username: &str) -> Socket {
    let access = token(app, username).await;
    app.connect(&format!("/ws?token={access}")).await
}

/// The display name of the room's assignee, if any.
async fn assignee(app: &TestApp, admin: &str, room: &str) -> Value {
    let reply = app
        .get(&format!("/api/admin/chat-rooms/{room}"), Some(admin))
        .await;
    reply.body["assignee"]["display_name"].clone()
}

async fn open_rooms(app: &TestApp, admin: &str, username: &str) -> u64 {
    member(app, admin, username).await["open_rooms"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn rooms_go_to_the_least_busy_online_agent_up_to_the_cap_and_wait_otherwise() {
    let app = routed_app(2).await;
    let admin = app.agent_token().await;
    add(&app, &admin, "dana", "Dana", "agent").await;
    add(&app, &admin, "erin", "Erin", "agent").await;

    // Nobody online: the room waits.
    let (first, _) = app.open_room("Ada").await;
    assert_eq!(assignee(&app, &admin, &first).await, Value::Null);
    // Dana comes online and takes it, told in the room.
    let mut dana = online(&app, "dana").await;
    assert_eq!(assignee(&app, &admin, &first).await, "Dana");
    let path = format!("/api/admin/chat-rooms/{first}/get_messages");
    let told = app.get(&path, Some(&admin)).await;
    assert_eq!(
        told.body["messages"][0]["content"],
        "Dana joined the conversation"
    );
    let _erin = online(&app, "erin").await;

    // Erin has fewer; then a tie goes to whoever was assigned longest ago (Dana).
    let (second, _) = app.open_room("Bea").await;
    assert_eq!(assignee(&app, &admin, &second).await, "Erin");
    let (third, _) = app.open_room("Cid").await;
    assert_eq!(assignee(&app, &admin, &third).await, "Dana");
    let (fourth, _) = app.open_room("Dee").await;
    assert_eq!(assignee(&app, &admin, &fourth).await, "Erin");
    // Both at the cap: the next waits.
    let (fifth, _) = app.open_room("Eve").await;
    assert_eq!(assignee(&app, &admin, &fifth).await, Value::Null);
    assert_eq!(open_rooms(&app, &admin, "dana").await, 2);

    // Closing frees Dana's slot: she takes the waiting room, and hears of it.
    app.room_action(&admin, &first, "close").await;
    assert_eq!(assignee(&app, &admin, &fifth).await, "Dana");
    let updated = loop {
        let event = dana.next_of_type("room_updated").await;
        if event["room"]["id"] == fifth.as_str() {
            break event;
        }
    };
    assert_eq!(updated["room"]["assignee"]["display_name"], "Dana");

    // Away stops new assignments; back online, the agent takes what waits.
    dana.send_json(json!({ "action": "set_availability", "availability": "away" }))
        .await;
    dana.next_of_type("presence").await;
    app.room_action(&admin, &third, "close").await;
    let (sixth, _) = app.open_room("Fay").await;
    assert_eq!(assignee(&app, &admin, &sixth).await, Value::Null);
    let back = app
        .post(
            "/api/admin/presence",
            Some(&token(&app, "dana").await),
            json!({ "availability": "online" }),
        )
        .await;
    assert_eq!(back.body["open_rooms"], 2, "the room it took counts");
    assert_eq!(assignee(&app, &admin, &sixth).await, "Dana");
    assert_eq!(open_rooms(&app, &admin, "dana").await, 2);

    // A transfer frees a slot too: Erin gives a room to the admin and takes what waits.
    let (seventh, _) = app.open_room("Gil").await;
    assert_eq!(assignee(&app, &admin, &seventh).await, Value::Null);
    let me = member(&app, &admin, "admin").await["id"].clone();
    let transfer = format!("/api/admin/chat-rooms/{second}/assign");
    let moved = app
        .post(&transfer, Some(&admin), json!({ "agent_id": me }))
        .await;
    assert_eq!(moved.body["assignee"]["display_name"], "Admin");
    assert_eq!(assignee(&app, &admin, &seventh).await, "Erin");

    // Back online over the socket, the same as over REST.
    dana.send_json(json!({ "action": "set_availability", "availability": "away" }))
        .await;
    dana.next_of_type("presence").await;
    app.room_action(&admin, &fifth, "close").await;
    let (eighth, _) = app.open_room("Hal").await;
    assert_eq!(assignee(&app, &admin, &eighth).await, Value::Null);
    dana.send_json(json!({ "action": "set_availability", "availability": "online" }))
        .await;
    dana.next_of_type("presence").await;
    loop {
        let event = dana.next_of_type("room_updated").await;
        if event["room"]["id"] == eighth.as_str() {
            assert_eq!(event["room"]["assignee"]["display_name"], "Dana");
            break;
        }
    }
}

#[tokio::test]
async fn rooms_arriving_at_once_never_push_the_agent_past_its_cap() {
    let app = routed_app(1).await;
    let admin = app.agent_token().await;
    add(&app, &admin, "dana", "Dana", "agent").await;
    let _dana = online(&app, "dana").await;
    let creates = (0..6).map(|n| app.open_room(if n % 2 == 0 { "Ada" } else { "Bea" }));
    let rooms = futures_util::future::join_all(creates).await;
    let mut assigned = 0;
    for (room, _) in &rooms {
        if assignee(&app, &admin, room).await == "Dana" {
            assigned += 1;
        }
    }
    assert_eq!(assigned, 1);
    assert_eq!(open_rooms(&app, &admin, "dana").await, 1);
}

#[tokio::test]
async fn a_deactivated_agents_rooms_go_to_whoever_can_take_them() {
    let app = routed_app(5).await;
    let admin = app.agent_token().await;
    let dana = add(&app, &admin, "dana", "Dana", "agent").await;
    add(&app, &admin, "erin", "Erin", "agent").await;
    let dana_socket = online(&app, "dana").await;
    let (room, _) = app.open_room("Ada").await;
    assert_eq!(assignee(&app, &admin, &room).await, "Dana");
    let (closed, _) = app.open_room("Bea").await;
    app.room_action(&admin, &closed, "close").await;
    let _erin = online(&app, "erin").await;
    let deactivate = format!("/api/admin/agents/{dana}/deactivate");
    assert_eq!(
        app.post(&deactivate, Some(&admin), json!({})).await.status,
        200
    );
    assert_eq!(assignee(&app, &admin, &room).await, "Erin");
    assert_eq!(open_rooms(&app, &admin, "dana").await, 0);
    assert_eq!(open_rooms(&app, &admin, "erin").await, 1);
    // Reopened, a room whose assignee was deactivated is handled like a new one.
    assert_eq!(assignee(&app, &admin, &closed).await, "Dana");
    let reopened = app.room_action(&admin, &closed, "reopen").await;
    assert_eq!(reopened.body["assignee"]["display_name"], "Erin");
    assert_eq!(open_rooms(&app, &admin, "erin").await, 2);
    drop(dana_socket);
    tokio::time::sleep(Duration::from_millis(50)).await;
}
