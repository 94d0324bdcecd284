//! Who may connect: refusals carry API.md's status and error body on the upgrade.

use api_tests::{SECRET, spawn_app};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

#[tokio::test]
async fn bad_tokens_wrong_roles_and_other_rooms_are_refused() {
    let app = spawn_app().await;
    let agent = app.agent_token().await;
    let login = app.login("admin", "admin123").await;
    let refresh = login.body["refresh"].as_str().unwrap().to_owned();
    let (room, customer) = app.open_room("Ada").await;
    let (other_room, _) = app.open_room("Bob").await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let expired = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &json!({ "sub": "01JD0000000000000000000000", "typ": "customer", "name": "Ada", "iat": now - 100, "exp": now - 10 }),
        &EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    let ghost = "01JD0000000000000000000000";

    for (path, status, code) in [
        ("/ws".to_owned(), 401, "unauthorized"),
        ("/ws/admin/chat/".to_owned(), 401, "unauthorized"),
        ("/ws?token=garbage".to_owned(), 401, "unauthorized"),
        (format!("/ws?token={refresh}"), 401, "unauthorized"),
        (
            format!("/ws/chat/{room}/?token={expired}"),
            401,
            "unauthorized",
        ),
        (format!("/ws/chat/{room}/"), 401, "unauthorized"),
        (
            format!("/ws/admin/chat/?token={customer}"),
            403,
            "forbidden",
        ),
        (format!("/ws?token={customer}"), 403, "forbidden"),
        (
            format!("/ws/chat/{other_room}/?token={customer}"),
            404,
            "not_found",
        ),
        (
            format!("/ws?room_id={other_room}&token={customer}"),
            404,
            "not_found",
        ),
        (
            format!("/ws/chat/{ghost}/?token={customer}"),
            404,
            "not_found",
        ),
        (
            format!("/ws/chat/not-a-room/?token={customer}"),
            404,
            "not_found",
        ),
    ] {
        let refused = app
            .try_connect(&path)
            .await
            .err()
            .unwrap_or_else(|| panic!("{path} was accepted"));
        assert_eq!(refused.status, status, "{path}: {:?}", refused.body);
        assert_eq!(refused.body["error"]["code"], code, "{path}");
    }

    for path in [
        format!("/ws/admin/chat/?token={agent}"),
        format!("/ws/admin/chat?token={agent}"),
        format!("/ws?token={agent}"),
        format!("/ws/?token={agent}"),
        format!("/ws/chat/{room}/?token={customer}"),
        format!("/ws/chat/{room}?token={customer}"),
        format!("/ws?room_id={room}&token={customer}"),
    ] {
        let socket = app
            .try_connect(&path)
            .await
            .unwrap_or_else(|r| panic!("{path}: {r:?}"));
        assert!(!socket.connection_id.is_empty());
    }
}

#[tokio::test]
async fn a_plain_get_on_a_websocket_path_is_told_to_upgrade() {
    let app = spawn_app().await;
    let reply = app.get("/ws", None).await;
    assert_eq!(reply.status, 426);
    assert_eq!(reply.body["error"]["code"], "bad_request");
}
