//! Events reach the right connections, and only them.

use std::time::Duration;

use api_tests::{TestApp, contents, spawn_app};
use serde_json::{Value, json};

const QUIET: Duration = Duration::from_millis(300);

/// The two ways in: the original system's paths, and the cloud's single URL.
#[derive(Clone, Copy, Debug)]
enum Paths {
    Seed,
    Cloud,
}

impl Paths {
    fn agent(self, token: &str) -> String {
        match self {
            Self::Seed => format!("/ws/admin/chat/?token={token}"),
            Self::Cloud => format!("/ws?token={token}"),
        }
    }

    fn customer(self, room: &str, token: &str) -> String {
        match self {
            Self::Seed => format!("/ws/chat/{room}/?token={token}"),
            Self::Cloud => format!("/ws?room_id={room}&token={token}"),
        }
    }
}

async fn customer_and_agent_see_each_others_messages_live(paths: Paths) {
    let app = spawn_app().await;
    let agent_token = app.agent_token().await;
    let (room, customer_token) = app.open_room("Ada").await;
    let mut agent = app.connect(&paths.agent(&agent_token)).await;
    let mut customer = app.connect(&paths.customer(&room, &customer_token)).await;
    let mut second_tab = app.connect(&paths.customer(&room, &customer_token)).await;
    let (other_room, other_token) = app.open_room("Bob").await;
    let mut stranger = app
        .connect(&paths.customer(&other_room, &other_token))
        .await;
    agent.next_of_type("room_created").await; // Bob's room

    // A REST send from the customer reaches every connection of the room and the agent.
    let sent = app
        .customer_says(&room, &customer_token, "Hello over REST")
        .await;
    for socket in [&mut agent, &mut customer, &mut second_tab] {
        let event = socket.next_event().await;
        assert_eq!(event["type"], "message", "{event}");
        assert_eq!(event["room_id"], room.as_str());
        assert_eq!(event["message"], sent.body);
    }

    // A WebSocket send from the agent, the agent's own connection included.
    agent
        .send_json(json!({ "action": "send_message", "room_id": room, "content": "Hi from WS", "client_msg_id": "a-1" }))
        .await;
    for socket in [&mut agent, &mut customer, &mut second_tab] {
        let event = socket.next_event().await;
        assert_eq!(event["type"], "message");
        assert_eq!(event["message"]["content"], "Hi from WS");
        assert_eq!(event["message"]["sender_type"], "agent");
        assert_eq!(event["message"]["client_msg_id"], "a-1");
    }

    // A WebSocket send from the customer, with the room left out.
    customer
        .send_json(json!({ "action": "send_message", "content": "and over WS" }))
        .await;
    for socket in [&mut agent, &mut customer, &mut second_tab] {
        assert_eq!(
            socket.next_event().await["message"]["content"],
            "and over WS"
        );
    }

    // An agent's REST reply too.
    app.post(
        &format!("/api/admin/chat-rooms/{room}/send_message/"),
        Some(&agent_token),
        json!({ "content": "REST reply" }),
    )
    .await;
    for socket in [&mut agent, &mut customer, &mut second_tab] {
        assert_eq!(
            socket.next_event().await["message"]["content"],
            "REST reply"
        );
    }
    stranger.assert_silent(QUIET).await;

    // Everything pushed was stored, in order.
    let page = app
        .get(
            &format!("/api/public/chat-rooms/{room}/get_messages/"),
            Some(&customer_token),
        )
        .await;
    assert_eq!(
        contents(&page.body),
        vec!["Hello over REST", "Hi from WS", "and over WS", "REST reply"]
    );
}

#[tokio::test]
async fn messages_flow_live_on_the_seed_paths() {
    customer_and_agent_see_each_others_messages_live(Paths::Seed).await;
}

#[tokio::test]
async fn messages_flow_live_on_the_cloud_url() {
    customer_and_agent_see_each_others_messages_live(Paths::Cloud).await;
}

#[tokio::test]
async fn typing_reaches_only_the_other_side() {
    let app = spawn_app().await;
    let agent_token = app.agent_token().await;
    let (room, customer_token) = app.open_room("Ada").await;
    let mut agent = app.connect(&Paths::Seed.agent(&agent_token)).await;
    let mut other_agent = app.connect(&Paths::Cloud.agent(&agent_token)).await;
    let mut customer = app
        .connect(&Paths::Seed.customer(&room, &customer_token))
        .await;

    customer
        .send_json(json!({ "action": "typing", "room_id": room, "is_typing": true }))
        .await;
    for socket in [&mut agent, &mut other_agent] {
        assert_eq!(
            socket.next_event().await,
            json!({ "type": "typing", "room_id": room, "sender_type": "customer", "is_typing": true })
        );
    }
    customer.assert_silent(QUIET).await;

    agent
        .send_json(json!({ "action": "typing", "room_id": room, "is_typing": false }))
        .await;
    assert_eq!(
        customer.next_event().await,
        json!({ "type": "typing", "room_id": room, "sender_type": "agent", "is_typing": false })
    );
    agent.assert_silent(QUIET).await;
    other_agent.assert_silent(QUIET).await;
}

#[tokio::test]
async fn read_receipts_reach_the_customer_and_room_changes_reach_agents() {
    let app = spawn_app().await;
    let agent_token = app.agent_token().await;
    let mut agent = app.connect(&Paths::Cloud.agent(&agent_token)).await;

    // room_created carries the first message; no separate message event.
    let created = app
        .post(
            "/api/public/chat-rooms/",
            None,
            json!({ "customer_name": "Ada", "message": "first" }),
        )
        .await;
    let room = created.body["room"]["id"].as_str().unwrap().to_owned();
    let customer_token = created.body["customer_token"].as_str().unwrap().to_owned();
    let event = agent.next_event().await;
    assert_eq!(event["type"], "room_created");
    assert_eq!(event["room"]["id"], room.as_str());
    assert_eq!(event["room"]["unread_count"], 1);
    assert_eq!(event["room"]["last_message"]["content"], "first");
    agent.assert_silent(QUIET).await;

    let mut customer = app
        .connect(&Paths::Cloud.customer(&room, &customer_token))
        .await;
    let last = app
        .customer_says(&room, &customer_token, "second")
        .await
        .id();
    agent.next_of_type("message").await;
    customer.next_of_type("message").await;

    // mark_as_read over REST: read to the customer, room_updated to agents.
    app.room_action(&agent_token, &room, "mark_as_read").await;
    assert_eq!(
        customer.next_event().await,
        json!({ "type": "read", "room_id": room, "read_up_to": last })
    );
    let updated = agent.next_event().await;
    assert_eq!(updated["type"], "room_updated");
    assert_eq!(updated["room"]["unread_count"], 0);

    // mark_as_read over WebSocket, the same.
    agent
        .send_json(json!({ "action": "mark_as_read", "room_id": room }))
        .await;
    assert_eq!(customer.next_event().await["type"], "read");
    assert_eq!(agent.next_event().await["type"], "room_updated");

    // close and reopen: the notice (a system message) to everyone in the room, and
    // room_updated to agents only.
    for (action, status) in [("close", "closed"), ("reopen", "open")] {
        app.room_action(&agent_token, &room, action).await;
        let notice = customer.next_event().await;
        assert_eq!(notice["type"], "message");
        assert_eq!(notice["message"]["sender_type"], "system");
        assert_eq!(agent.next_event().await, notice);
        let event = agent.next_event().await;
        assert_eq!(
            (event["type"].as_str(), event["room"]["status"].as_str()),
            (Some("room_updated"), Some(status))
        );
        assert_eq!(event["room"]["last_message"], notice["message"]);
        if action == "close" {
            // A closed room refuses sends over WebSocket too, with or without a client_msg_id,
            // and answers the sender alone.
            for party in [&mut customer, &mut agent] {
                let late = json!({
                    "action": "send_message", "room_id": room,
                    "content": "late", "client_msg_id": "late-1",
                });
                party.send_json(late).await;
                let refused = party.next_event().await;
                assert_eq!(refused["error"]["code"], "conflict", "{refused}");
            }
        }
    }
    customer.assert_silent(QUIET).await;
}

#[tokio::test]
async fn a_retried_websocket_send_is_answered_to_the_retrying_connection_alone() {
    let app = spawn_app().await;
    let agent_token = app.agent_token().await;
    let (room, customer_token) = app.open_room("Ada").await;
    let mut agent = app.connect(&Paths::Cloud.agent(&agent_token)).await;
    let mut customer = app
        .connect(&Paths::Cloud.customer(&room, &customer_token))
        .await;
    let frame = json!({ "action": "send_message", "content": "once", "client_msg_id": "c-9" });
    customer.send_json(frame.clone()).await;
    let first = customer.next_event().await;
    assert_eq!(agent.next_event().await, first);
    customer.send_json(frame).await;
    assert_eq!(customer.next_event().await, first);
    agent.assert_silent(QUIET).await;
}

#[tokio::test]
async fn a_reconnecting_client_catches_up_with_get_messages_after() {
    let app = spawn_app().await;
    let (room, token) = app.open_room("Ada").await;
    let agent_token = app.agent_token().await;
    let mut customer = app.connect(&Paths::Seed.customer(&room, &token)).await;
    let agent_says = |content: &'static str| {
        let (app, room, agent_token) = (&app, room.clone(), agent_token.clone());
        async move {
            app.post(
                &format!("/api/admin/chat-rooms/{room}/send_message/"),
                Some(&agent_token),
                json!({ "content": content }),
            )
            .await
        }
    };
    agent_says("before").await;
    let seen = customer.next_event().await["message"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    customer.close().await;

    for content in ["while away 1", "while away 2", "while away 3"] {
        agent_says(content).await;
    }
    let mut customer = app.connect(&Paths::Seed.customer(&room, &token)).await;
    agent_says("after").await;
    let live = customer.next_event().await;
    let missed = app
        .get(
            &format!("/api/public/chat-rooms/{room}/get_messages/?after={seen}"),
            Some(&token),
        )
        .await;
    assert_eq!(
        contents(&missed.body),
        vec!["while away 1", "while away 2", "while away 3", "after"]
    );
    assert_eq!(missed.body["messages"][3], live["message"]);
}

/// For the modules beside this one: a fresh app, an agent socket, a room and its customer socket.
pub async fn agent_and_customer(
    app: &TestApp,
) -> (api_tests::Socket, api_tests::Socket, String, String) {
    let agent_token = app.agent_token().await;
    let (room, customer_token) = app.open_room("Ada").await;
    let agent = app.connect(&Paths::Cloud.agent(&agent_token)).await;
    let customer = app
        .connect(&Paths::Seed.customer(&room, &customer_token))
        .await;
    (agent, customer, room, customer_token)
}

#[tokio::test]
async fn an_assignment_is_told_to_the_room_and_every_change_of_assignee_to_agents() {
    let app = spawn_app().await;
    let (mut agent, mut customer, room, _) = agent_and_customer(&app).await;
    let admin = app.agent_token().await;
    let me = app.get("/api/admin/agents", Some(&admin)).await.body["agents"][0]["id"].clone();
    let path = format!("/api/admin/chat-rooms/{room}/assign");

    app.post(&path, Some(&admin), json!({ "agent_id": me }))
        .await;
    // The notice to everyone in the room, then room_updated with the assignee to agents.
    let notice = customer.next_of_type("message").await;
    assert_eq!(
        notice["message"]["content"],
        "Admin joined the conversation"
    );
    assert_eq!(agent.next_of_type("message").await, notice);
    let updated = agent.next_event().await;
    assert_eq!(updated["type"], "room_updated");
    assert_eq!(updated["room"]["assignee"]["id"], me);
    assert_eq!(updated["room"]["last_message"], notice["message"]);

    // Unassigning: room_updated alone, and nothing to the customer.
    app.post(&path, Some(&admin), json!({ "agent_id": null }))
        .await;
    let updated = agent.next_event().await;
    assert_eq!(
        (updated["type"].as_str(), &updated["room"]["assignee"]),
        (Some("room_updated"), &Value::Null)
    );
    // The same again: nothing sent at all.
    app.post(&path, Some(&admin), json!({ "agent_id": null }))
        .await;
    agent.assert_silent(QUIET).await;
    customer.assert_silent(QUIET).await;
}
