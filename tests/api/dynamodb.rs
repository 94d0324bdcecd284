//! local-dev on the DynamoDB store with no endpoint given: it starts DynamoDB Local itself.

use api_tests::spawn_app_with;

#[tokio::test]
async fn local_dev_starts_its_own_dynamodb_local_and_serves_the_api_from_it() {
    let app = spawn_app_with(|options| {
        options.store = local_dev::StoreChoice::DynamoDb {
            endpoint: None,
            table: "chat-local".to_owned(),
        };
    })
    .await;
    let agent = app.agent_token().await;
    let (room, token) = app.open_room("Ada").await;
    assert_eq!(
        app.customer_says(&room, &token, "stored in DynamoDB")
            .await
            .status,
        201
    );
    let rooms = app.get("/api/admin/chat-rooms/", Some(&agent)).await;
    assert_eq!(
        rooms.body["rooms"][0]["last_message"]["content"],
        "stored in DynamoDB"
    );
    let closed = app.room_action(&agent, &room, "close").await;
    assert_eq!(closed.body["status"], "closed");
}
