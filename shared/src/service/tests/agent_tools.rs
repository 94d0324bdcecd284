//! Private notes and canned responses, through the service over the memory store.

use super::*;
use crate::domain::Reader;
use crate::input::NewCannedResponse;

fn note(content: &str) -> NewMessage {
    let body = serde_json::json!({ "content": content, "private": true });
    NewMessage::parse(&json(&body.to_string())).unwrap()
}

fn canned(code: &str, content: &str) -> NewCannedResponse {
    let body = serde_json::json!({ "short_code": code, "content": content });
    NewCannedResponse::parse(&json(&body.to_string())).unwrap()
}

async fn codes(f: &Fixture, q: Option<&str>) -> Vec<String> {
    let found = f.chat.canned_responses(q).await.unwrap();
    found.iter().map(|r| r.short_code.to_string()).collect()
}

#[tokio::test]
async fn a_note_is_no_activity_not_unread_kept_from_the_customer_and_taken_in_a_closed_room() {
    let f = fixture();
    let agent = f.seeded_agent().await;
    let (ada, room) = f.open_room("Ada").await;
    let public = f
        .chat
        .send_as_visitor(&ada, room, say("hello", None))
        .await
        .unwrap()
        .message;
    let before = f.chat.room(room).await.unwrap();
    f.clock.advance(Duration::from_secs(5));
    f.events.take();
    let noted = f
        .chat
        .send_as_agent(&agent, room, note("VIP customer"))
        .await
        .unwrap()
        .message;
    assert!(noted.private);
    let events = f.events.take();
    assert!(matches!(&events[..], [Event::Message { message }] if message.private));

    let after = f.chat.room(room).await.unwrap();
    assert_eq!(after.updated_at, before.updated_at, "a note is no activity");
    assert_eq!(
        after.unread_count, 1,
        "only the customer's message is unread"
    );
    assert_eq!(after.last_message_for(Reader::Agent), Some(&noted));
    assert_eq!(after.last_message_for(Reader::Customer), Some(&public));
    let customers = f
        .chat
        .visitor_messages(&ada, room, MessageWindow::Newest, Limit::DEFAULT)
        .await
        .unwrap();
    assert_eq!(customers.messages, vec![public.clone()]);
    let agents = f
        .chat
        .messages(room, MessageWindow::Newest, Limit::DEFAULT)
        .await
        .unwrap();
    assert_eq!(agents.messages, vec![public.clone(), noted]);
    // mark_as_read points at the newest message the customer may see.
    assert_eq!(f.chat.mark_read(room).await.unwrap(), Some(public.id));

    f.chat
        .set_status(&agent, room, RoomStatus::Closed)
        .await
        .unwrap();
    assert!(matches!(
        f.chat
            .send_as_agent(&agent, room, say("a reply", None))
            .await,
        Err(ChatError::Conflict(_))
    ));
    assert!(
        f.chat
            .send_as_agent(&agent, room, note("closed after a call"))
            .await
            .is_ok()
    );
    let refused = f.chat.send_as_visitor(&ada, room, note("me too")).await;
    assert!(matches!(
        refused,
        Err(ChatError::Validation {
            field: "private",
            ..
        })
    ));
}

#[tokio::test]
async fn canned_responses_are_searched_best_first_and_written_under_unique_codes() {
    let f = fixture();
    for (code, content) in [
        ("shipping", "Parcels leave in two days; a REFUND takes five"),
        ("late-refund", "Late refunds take a week"),
        ("refund", "Your refund is on its way"),
        ("hello", "Hello!"),
    ] {
        f.chat.add_canned(canned(code, content)).await.unwrap();
    }
    assert_eq!(
        codes(&f, None).await,
        ["hello", "late-refund", "refund", "shipping"]
    );
    // Codes starting with q, then codes containing it, then contents containing it.
    assert_eq!(
        codes(&f, Some("Refund")).await,
        ["refund", "late-refund", "shipping"]
    );
    assert!(matches!(
        f.chat.add_canned(canned("hello", "again")).await,
        Err(ChatError::Conflict(_))
    ));

    // A replacement in the same millisecond still moves updated_at on, and frees the old code.
    let hello = f.chat.canned_responses(Some("hello")).await.unwrap()[0].clone();
    let replaced = f
        .chat
        .replace_canned(hello.id, canned("hi", "Hi!"))
        .await
        .unwrap();
    assert_eq!(replaced.created_at, hello.created_at);
    assert!(replaced.updated_at > hello.updated_at);
    f.chat
        .add_canned(canned("hello", "free again"))
        .await
        .unwrap();
    assert!(matches!(
        f.chat
            .replace_canned(hello.id, canned("refund", "taken"))
            .await,
        Err(ChatError::Conflict(_))
    ));

    f.chat.remove_canned(hello.id).await.unwrap();
    assert!(matches!(
        f.chat.remove_canned(hello.id).await,
        Err(ChatError::NotFound(_))
    ));
    assert!(matches!(
        f.chat.replace_canned(hello.id, canned("x", "y")).await,
        Err(ChatError::NotFound(_))
    ));
    assert_eq!(
        codes(&f, None).await,
        ["hello", "late-refund", "refund", "shipping"]
    );
}
