//! Private notes: stored beside the messages, seen and received by agents only, in every
//! path a customer token can read or receive (REST pages both ways, the room, the room list,
//! the room's socket), on both stores.

use std::time::Duration;

use api_tests::{Socket, TestApp, spawn_app};
use serde_json::{Value, json};

const QUIET: Duration = Duration::from_millis(300);

async fn agent_sends(app: &TestApp, agent: &str, room: &str, body: Value) -> api_tests::Reply {
    let path = format!("/api/admin/chat-rooms/{room}/send_message/");
    app.post(&path, Some(agent), body).await
}

async fn note(app: &TestApp, agent: &str, room: &str, content: &str) -> String {
    let reply = agent_sends(
        app,
        agent,
        room,
        json!({"content": content, "private": true}),
    )
    .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    assert_eq!(reply.body["private"], true);
    assert_eq!(reply.body["attachments"], json!([]));
    reply.id()
}

/// Every page of a room's messages as `token` reads them, `limit` at a time, following
/// `next` from the newest page back (or, with `after`, forward from it); the ids in order.
async fn all_pages(
    app: &TestApp,
    base: &str,
    token: &str,
    limit: usize,
    after: Option<&str>,
) -> (Vec<String>, Vec<Value>) {
    let mut query = match after {
        Some(after) => format!("after={after}"),
        None => String::new(),
    };
    let mut pages = Vec::new();
    let mut bodies = Vec::new();
    loop {
        let page = app
            .get(
                &format!("{base}/get_messages/?limit={limit}&{query}"),
                Some(token),
            )
            .await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        let ids = api_tests::message_ids(&page.body);
        assert!(ids.len() <= limit);
        pages.push(ids);
        bodies.push(page.body.clone());
        match page.body["next"].as_str() {
            Some(next) => {
                assert_eq!(
                    pages.last().unwrap().len(),
                    limit,
                    "a full page before next"
                );
                query = match after {
                    Some(_) => format!("after={next}"),
                    None => format!("before={next}"),
                };
            }
            None => break,
        }
    }
    if after.is_none() {
        pages.reverse();
    }
    (pages.concat(), bodies)
}

#[tokio::test]
async fn a_note_reaches_agents_only_and_moves_nothing_a_customer_sees() {
    let app = spawn_app().await;
    let agent = app.agent_token().await;
    let (room, customer) = app.open_room("Ada").await;
    let mut agent_socket = app.connect(&format!("/ws?token={agent}")).await;
    let mut customer_socket = app
        .connect(&format!("/ws?room_id={room}&token={customer}"))
        .await;
    let asked = app
        .customer_says(&room, &customer, "Where is my parcel?")
        .await;
    agent_socket.next_of_type("message").await;
    customer_socket.next_of_type("message").await;
    let before = app
        .get(&format!("/api/admin/chat-rooms/{room}/"), Some(&agent))
        .await;

    let noted = note(&app, &agent, &room, "She ordered twice, check both").await;
    let pushed = agent_socket.next_of_type("message").await;
    assert_eq!(pushed["message"]["id"], noted.as_str());
    assert_eq!(pushed["message"]["private"], true);
    customer_socket.assert_silent(QUIET).await;

    // Agents see it as the last message; the room's activity, place and unread count stay.
    let admin_room = app
        .get(&format!("/api/admin/chat-rooms/{room}/"), Some(&agent))
        .await;
    assert_eq!(admin_room.body["last_message"]["id"], noted.as_str());
    assert_eq!(admin_room.body["updated_at"], before.body["updated_at"]);
    assert_eq!(admin_room.body["unread_count"], 1);
    let admin_page = app
        .get(
            &format!("/api/admin/chat-rooms/{room}/get_messages/"),
            Some(&agent),
        )
        .await;
    assert_eq!(
        api_tests::message_ids(&admin_page.body),
        vec![asked.id(), noted.clone()]
    );
    // The customer's room and page show the question as the last message, `private: false`.
    let public_room = app
        .get(&format!("/api/public/chat-rooms/{room}/"), Some(&customer))
        .await;
    assert_eq!(public_room.body["last_message"]["id"], asked.body["id"]);
    assert_eq!(public_room.body["last_message"]["private"], false);
    let public_page = app
        .get(
            &format!("/api/public/chat-rooms/{room}/get_messages/"),
            Some(&customer),
        )
        .await;
    assert_eq!(api_tests::message_ids(&public_page.body), vec![asked.id()]);

    // Reading is up to the newest message the customer may see, for both sides.
    let read = app.room_action(&agent, &room, "mark_as_read").await;
    assert_eq!(read.body["read_up_to"], asked.body["id"]);
    let told = customer_socket.next_of_type("read").await;
    assert_eq!(told["read_up_to"], asked.body["id"]);

    // A closed room takes notes (and no reply).
    assert_eq!(app.room_action(&agent, &room, "close").await.status, 200);
    customer_socket.next_of_type("message").await; // the notice of the close
    note(&app, &agent, &room, "Refund issued after the chat").await;
    customer_socket.assert_silent(QUIET).await;
    let reply = agent_sends(&app, &agent, &room, json!({"content": "bye"})).await;
    reply.assert_error(409, "conflict", None);
}

#[tokio::test]
async fn a_customer_cannot_send_a_note_and_an_agents_socket_can() {
    let app = spawn_app().await;
    let agent = app.agent_token().await;
    let (room, customer) = app.open_room("Ada").await;
    let reply = app
        .post(
            &format!("/api/public/chat-rooms/{room}/send_message/"),
            Some(&customer),
            json!({"content": "psst", "private": true}),
        )
        .await;
    reply.assert_error(422, "validation_error", Some("private"));
    let reply = app
        .post(
            &format!("/api/public/chat-rooms/{room}/send_message/"),
            Some(&customer),
            json!({"content": "psst", "private": "yes"}),
        )
        .await;
    reply.assert_error(400, "bad_request", None);
    let mut customer_socket = app
        .connect(&format!("/ws?room_id={room}&token={customer}"))
        .await;
    customer_socket
        .send_json(json!({"action": "send_message", "content": "psst", "private": true}))
        .await;
    let refused = customer_socket.next_of_type("error").await;
    assert_eq!(refused["error"]["field"], "private", "{refused}");
    let stored = app
        .get(
            &format!("/api/admin/chat-rooms/{room}/get_messages/"),
            Some(&agent),
        )
        .await;
    assert_eq!(stored.body["messages"], json!([]), "nothing stored");

    // An agent's socket sends a note: agents hear it, the customer does not.
    let mut agent_socket = app.connect(&format!("/ws?token={agent}")).await;
    agent_socket
        .send_json(json!({
            "action": "send_message", "room_id": room, "content": "VIP", "private": true
        }))
        .await;
    let pushed = agent_socket.next_of_type("message").await;
    assert_eq!(pushed["message"]["private"], true, "{pushed}");
    customer_socket.assert_silent(QUIET).await;
}

/// A small deterministic generator (xorshift), so a failing interleaving can be replayed.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[tokio::test]
async fn in_random_interleavings_no_note_reaches_anything_a_customer_token_reads_or_receives() {
    let app = spawn_app().await;
    let agent = app.agent_token().await;
    for seed in [7_u64, 1_234, 99_991] {
        let mut draws = Draws(seed);
        let (room, customer) = app.open_room("Ada").await;
        let mut customer_socket: Socket = app
            .connect(&format!("/ws?room_id={room}&token={customer}"))
            .await;
        let (mut public, mut notes) = (Vec::new(), Vec::new());
        for i in 0..(8 + draws.next() % 10) {
            match draws.next() % 3 {
                0 => notes.push(note(&app, &agent, &room, &format!("note-{seed}-{i}")).await),
                1 => public.push(
                    app.customer_says(&room, &customer, &format!("c{i}"))
                        .await
                        .id(),
                ),
                _ => {
                    let body = json!({"content": format!("a{i}")});
                    public.push(agent_sends(&app, &agent, &room, body).await.id());
                }
            }
        }
        let limit = 1 + (draws.next() % 4) as usize;
        let base = format!("/api/public/chat-rooms/{room}");
        let (newest, back) = all_pages(&app, &base, &customer, limit, None).await;
        assert_eq!(newest, public, "seed {seed}, limit {limit}");
        let (forward, ahead) = all_pages(&app, &base, &customer, limit, Some(&public[0])).await;
        assert_eq!(forward, public[1..], "seed {seed}, limit {limit}");
        // Agents page through everything, notes included, in id order.
        let admin_base = format!("/api/admin/chat-rooms/{room}");
        let (everything, _) = all_pages(&app, &admin_base, &agent, limit, None).await;
        let mut all = [public.clone(), notes.clone()].concat();
        all.sort();
        assert_eq!(everything, all, "seed {seed}");

        // Nothing a customer token reads or receives holds a note's id or words.
        let mut seen: Vec<Value> = [back, ahead].concat();
        seen.push(app.get(&format!("{base}/"), Some(&customer)).await.body);
        seen.push(
            app.get("/api/public/chat-rooms/", Some(&customer))
                .await
                .body,
        );
        seen.extend(customer_socket.drain(QUIET).await);
        let text = serde_json::to_string(&seen).unwrap();
        for id in &notes {
            assert!(
                !text.contains(id.as_str()),
                "seed {seed}: note {id} reached the customer"
            );
        }
        assert!(
            !text.contains("note-"),
            "seed {seed}: a note's words reached the customer"
        );
        assert!(!text.contains("\"private\":true"), "seed {seed}");
    }
}
