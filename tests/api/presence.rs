//! Presence: online, away and offline follow an agent's connections and away flag, and every
//! change is pushed to the agents as `presence`.

use std::time::Duration;

use api_tests::{Reply, Socket, TestApp, spawn_app};
use serde_json::{Value, json};
use shared::domain::{AgentIdentity, ConnectionId, DisplayName, Role, Username};
use shared::ports::{Clock, Connection, Party};

use crate::team::{add, member};

const QUIET: Duration = Duration::from_millis(300);

async fn token(app: &TestApp, username: &str) -> String {
    let reply = app.login(username, &format!("{username}-password")).await;
    reply.body["access"].as_str().unwrap().to_owned()
}

/// The next `presence` event, as (display name, availability).
async fn presence(socket: &mut Socket) -> (String, String) {
    let event = socket.next_of_type("presence").await;
    let agent = &event["agent"];
    assert_eq!(
        agent.as_object().unwrap().len(),
        3,
        "id, display_name and availability only: {event}"
    );
    (
        agent["display_name"].as_str().unwrap().to_owned(),
        agent["availability"].as_str().unwrap().to_owned(),
    )
}

async fn set_presence(app: &TestApp, token: Option<&str>, availability: &str) -> Reply {
    let body = json!({ "availability": availability });
    app.post("/api/admin/presence/", token, body).await
}

fn seen(name: &str, availability: &str) -> (String, String) {
    (name.to_owned(), availability.to_owned())
}

async fn availability_listed(app: &TestApp, admin: &str, username: &str) -> Value {
    member(app, admin, username).await["availability"].clone()
}

#[tokio::test]
async fn every_change_of_an_agents_availability_is_pushed_to_the_agents() {
    let app = spawn_app().await;
    let admin = app.agent_token().await;
    let mut watcher = app.connect(&format!("/ws?token={admin}")).await;
    add(&app, &admin, "dana", "Dana", "agent").await;
    let dana = token(&app, "dana").await;

    let mut first_tab = app.connect(&format!("/ws?token={dana}")).await;
    assert_eq!(presence(&mut watcher).await, seen("Dana", "online"));

    first_tab
        .send_json(json!({ "action": "set_availability", "availability": "away" }))
        .await;
    assert_eq!(presence(&mut watcher).await, seen("Dana", "away"));
    assert_eq!(availability_listed(&app, &admin, "dana").await, "away");
    // Away is nobody to answer a visitor.
    let reply = app.get("/api/public/availability/", None).await;
    assert_eq!(reply.body, json!({ "online": true }), "the admin is online");

    // The flag is the agent's: a second tab shares it and changes nothing.
    let second_tab = app.connect(&format!("/ws?token={dana}")).await;
    watcher.assert_silent(QUIET).await;
    assert_eq!(availability_listed(&app, &admin, "dana").await, "away");

    // Setting what it already is pushes nothing.
    let reply = set_presence(&app, Some(&dana), "away").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["availability"], "away");
    watcher.assert_silent(QUIET).await;

    let reply = set_presence(&app, Some(&dana), "online").await;
    assert_eq!(reply.body["availability"], "online");
    assert_eq!(presence(&mut watcher).await, seen("Dana", "online"));

    // Closing one tab of two changes nothing; closing the last makes the agent offline.
    first_tab.close().await;
    watcher.assert_silent(QUIET).await;
    second_tab.close().await;
    assert_eq!(presence(&mut watcher).await, seen("Dana", "offline"));
    assert_eq!(availability_listed(&app, &admin, "dana").await, "offline");
}

/// A local-dev whose admin (its token) watches agents from a socket, and an agent Eli (her id)
/// who has not connected.
async fn admin_watching_eli() -> (TestApp, String, Socket, String) {
    let app = spawn_app().await;
    let admin = app.agent_token().await;
    let watcher = app.connect(&format!("/ws?token={admin}")).await;
    let eli = add(&app, &admin, "eli", "Eli", "agent").await;
    (app, admin, watcher, eli)
}

#[tokio::test]
async fn an_agent_coming_back_from_offline_is_online_and_a_deactivated_one_goes_offline() {
    let (app, admin, mut watcher, eli) = admin_watching_eli().await;
    let eli_token = token(&app, "eli").await;

    // Away with no connection open: the flag is kept, the agent stays offline.
    let reply = set_presence(&app, Some(&eli_token), "away").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["availability"], "offline");
    watcher.assert_silent(QUIET).await;

    // The first connection clears the flag.
    let mut tab = app.connect(&format!("/ws?token={eli_token}")).await;
    assert_eq!(presence(&mut watcher).await, seen("Eli", "online"));
    assert_eq!(availability_listed(&app, &admin, "eli").await, "online");

    app.post(
        &format!("/api/admin/agents/{eli}/deactivate"),
        Some(&admin),
        json!({}),
    )
    .await;
    assert_eq!(presence(&mut watcher).await, seen("Eli", "offline"));
    // Its sockets hear it too, and are closed, as API Gateway's DeleteConnection closes them.
    assert_eq!(presence(&mut tab).await, seen("Eli", "offline"));
    assert_eq!(tab.closed(Duration::from_secs(5)).await.code, 1000);
    app.post(
        &format!("/api/admin/agents/{eli}/activate"),
        Some(&admin),
        json!({}),
    )
    .await;
    // Active again but with nothing open, Eli stays offline until it connects again.
    watcher.assert_silent(QUIET).await;
    assert_eq!(availability_listed(&app, &admin, "eli").await, "offline");
    let eli_token = token(&app, "eli").await;
    let _back = app.connect(&format!("/ws?token={eli_token}")).await;
    assert_eq!(presence(&mut watcher).await, seen("Eli", "online"));
}

#[tokio::test]
async fn bad_availabilities_are_refused_and_customers_cannot_set_one() {
    let app = spawn_app().await;
    let admin = app.agent_token().await;
    for body in [
        json!({ "availability": "offline" }),
        json!({ "availability": "busy" }),
        json!({}),
    ] {
        app.post("/api/admin/presence/", Some(&admin), body)
            .await
            .assert_error(422, "validation_error", Some("availability"));
    }
    for body in [json!({ "availability": true }), json!(["away"])] {
        app.post("/api/admin/presence/", Some(&admin), body)
            .await
            .assert_error(400, "bad_request", None);
    }
    set_presence(&app, None, "away")
        .await
        .assert_error(401, "unauthorized", None);
    let (room, customer) = app.open_room("Ada").await;
    set_presence(&app, Some(&customer), "away")
        .await
        .assert_error(403, "forbidden", None);

    let mut agent_socket = app.connect(&format!("/ws?token={admin}")).await;
    agent_socket
        .send_json(json!({ "action": "set_availability", "availability": "gone" }))
        .await;
    let event = agent_socket.next_of_type("error").await;
    assert_eq!(event["error"]["code"], "validation_error");
    assert_eq!(event["error"]["field"], "availability");

    let mut customer_socket = app
        .connect(&format!("/ws?room_id={room}&token={customer}"))
        .await;
    customer_socket
        .send_json(json!({ "action": "set_availability", "availability": "away" }))
        .await;
    let event = customer_socket.next_of_type("error").await;
    assert_eq!(event["error"]["code"], "forbidden");
    // Nothing changed: the admin is still online.
    assert_eq!(availability_listed(&app, &admin, "admin").await, "online");
    agent_socket.assert_silent(QUIET).await;
}

/// A socket of Eli's (her id) that died without a `$disconnect`, planted in the store: its
/// record says it is open until `lives` seconds from now.
async fn plant_dead_socket(app: &TestApp, eli: &str, id: &str, lives: i64) -> Connection {
    let now = shared::clock::SystemClock::new().now();
    let dead = Connection {
        id: ConnectionId::parse(id).unwrap(),
        party: Party::Agent(AgentIdentity {
            id: eli.parse().unwrap(),
            username: Username::parse("eli").unwrap(),
            display_name: DisplayName::parse("Eli").unwrap(),
            role: Role::Agent,
        }),
        connected_at: now,
        expires_at: now.plus_seconds(lives),
    };
    api_tests::the_test_itself(app.store().add_connection(&dead))
        .await
        .unwrap();
    dead
}

#[tokio::test]
async fn an_agent_whose_last_socket_died_unseen_goes_offline_when_a_push_finds_it_gone() {
    let (app, admin, mut watcher, eli) = admin_watching_eli().await;
    plant_dead_socket(&app, &eli, "ZGVhZC1lbGk=", 3600).await;
    assert_eq!(availability_listed(&app, &admin, "eli").await, "online");
    // The next push to the agents meets the dead socket (410): Eli is offline, and told so.
    app.open_room("Ada").await;
    assert_eq!(presence(&mut watcher).await, seen("Eli", "offline"));
    assert_eq!(availability_listed(&app, &admin, "eli").await, "offline");
}

#[tokio::test]
async fn an_agent_whose_last_socket_died_unseen_goes_offline_when_its_record_expires() {
    // The sweep runs every minute in the cloud; this local-dev runs it four times a second.
    let app = api_tests::spawn_app_with(|options| {
        options.schedule_every = Some(Duration::from_millis(250));
    })
    .await;
    let admin = app.agent_token().await;
    let mut watcher = app.connect(&format!("/ws?token={admin}")).await;
    let eli = add(&app, &admin, "eli", "Eli", "agent").await;
    // Nothing is pushed to the agents meanwhile, so no 410 finds the dead socket out.
    let dead = plant_dead_socket(&app, &eli, "ZGVhZC1lbGk=", 2).await;
    assert_eq!(availability_listed(&app, &admin, "eli").await, "online");

    assert_eq!(presence(&mut watcher).await, seen("Eli", "offline"));
    assert_eq!(availability_listed(&app, &admin, "eli").await, "offline");
    // Its record is gone, not only expired (TTL deletion would take days); the admin, whose
    // socket is live, is still online.
    let left = api_tests::the_test_itself(app.store().remove_connection(&dead.id)).await;
    assert_eq!(left.unwrap(), None, "the expired record was removed");
    assert_eq!(availability_listed(&app, &admin, "admin").await, "online");
    watcher.assert_silent(QUIET).await;
}
