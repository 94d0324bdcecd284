//! Upload slots through the service: who may ask where, what is stored, and that a refusal
//! stores and presigns nothing. The object store is a recording one here; the black-box tests
//! (tests/api/attachments.rs) presign with the real SDK and upload to local-dev's S3.

use std::sync::Mutex;

use async_trait::async_trait;

use super::*;
use crate::domain::{Attachment, Timestamp as At, UPLOAD_VALID_FOR};
use crate::input::NewUpload;
use crate::ports::{AttachmentStore, BlobStore, Clock, PresignedRequest};
use crate::rate::Rate;
use crate::service::NoBlobStore;

/// Presigns by recording what it was asked for.
#[derive(Default)]
struct RecordingBlobs(Mutex<Vec<(Attachment, At)>>);

#[async_trait]
impl BlobStore for RecordingBlobs {
    async fn presign_upload(
        &self,
        attachment: &Attachment,
        expires_at: At,
    ) -> Result<PresignedRequest, ChatError> {
        self.0
            .lock()
            .unwrap()
            .push((attachment.clone(), expires_at));
        Ok(PresignedRequest {
            method: "PUT",
            url: format!("https://bucket.example/{}?signed", attachment.object_key()),
            headers: vec![(
                "content-type".into(),
                attachment.content_type.as_str().into(),
            )],
            expires_at,
        })
    }

    async fn presign_download(&self, _: &Attachment, _: At, _: At) -> Result<String, ChatError> {
        unreachable!("no upload slot reads an object")
    }
}

fn upload() -> NewUpload {
    let body = json(r#"{"filename":"shot.png","content_type":"image/png","size":1200}"#);
    NewUpload::parse(&body, &crate::domain::AttachmentRules::default()).unwrap()
}

struct Uploads {
    f: Fixture,
    store: Arc<MemoryStore>,
    blobs: Arc<RecordingBlobs>,
}

fn uploads(limits: RateLimits) -> Uploads {
    let f = fixture_with(limits.clone());
    let store = Arc::new(MemoryStore::new());
    let blobs = Arc::new(RecordingBlobs::default());
    let chat = ChatService::new(
        store.clone(),
        f.events.clone(),
        f.clock.clone(),
        TokenKeys::new(b"a test secret of at least 32 bytes!"),
    )
    .with_rate_limits(limits)
    .with_attachments(blobs.clone(), Default::default());
    Uploads {
        f: Fixture { chat, ..f },
        store,
        blobs,
    }
}

#[tokio::test]
async fn a_slot_stores_an_unsent_record_and_presigns_its_put_for_five_minutes() {
    let u = uploads(RateLimits::OFF);
    let (ada, room) = u.f.open_room("Ada").await;
    let slot = u.f.chat.visitor_upload(&ada, room, upload()).await.unwrap();
    let attachment = &slot.attachment;
    assert_eq!(attachment.room_id, room);
    assert_eq!(attachment.uploaded_by, SenderType::Customer);
    assert_eq!(attachment.message_id, None);
    assert_eq!(attachment.size.bytes(), 1200);
    assert_eq!(attachment.created_at, u.f.clock.now());
    let until = attachment
        .created_at
        .plus_seconds(UPLOAD_VALID_FOR.as_secs() as i64);
    assert_eq!(slot.upload.expires_at, until);
    assert_eq!(
        u.store.get_attachment(room, attachment.id).await.unwrap(),
        Some(attachment.clone())
    );
    assert_eq!(
        *u.blobs.0.lock().unwrap(),
        vec![(attachment.clone(), until)]
    );
    // A day later, never sent, it is due for deletion.
    assert_eq!(
        attachment.unsent_until(),
        attachment.created_at.plus_seconds(86_400)
    );

    let agent = u.f.seeded_agent().await;
    let agents = u.f.chat.agent_upload(&agent, room, upload()).await.unwrap();
    assert_eq!(agents.attachment.uploaded_by, SenderType::Agent);
    assert_ne!(agents.attachment.id, attachment.id);
}

#[tokio::test]
async fn refused_slots_store_and_presign_nothing() {
    let u = uploads(RateLimits {
        uploads_per_visitor: Rate::per_hour(1),
        ..RateLimits::OFF
    });
    let (ada, room) = u.f.open_room("Ada").await;
    let (bob, bobs_room) = u.f.open_room("Bob").await;
    let agent = u.f.seeded_agent().await;
    // Another visitor's room is no room.
    assert!(matches!(
        u.f.chat.visitor_upload(&bob, room, upload()).await,
        Err(ChatError::NotFound(_))
    ));
    u.f.chat.visitor_upload(&ada, room, upload()).await.unwrap();
    assert!(matches!(
        u.f.chat.visitor_upload(&ada, room, upload()).await,
        Err(ChatError::RateLimited { .. })
    ));
    // A closed room takes no customer upload; an agent's, yes (notes).
    u.f.chat
        .set_status(&agent, bobs_room, RoomStatus::Closed)
        .await
        .unwrap();
    assert!(matches!(
        u.f.chat.visitor_upload(&bob, bobs_room, upload()).await,
        Err(ChatError::Conflict(_))
    ));
    u.f.chat
        .agent_upload(&agent, bobs_room, upload())
        .await
        .unwrap();
    let nowhere = RoomId::from_ulid(u.f.clock.next_id());
    assert!(matches!(
        u.f.chat.agent_upload(&agent, nowhere, upload()).await,
        Err(ChatError::NotFound(_))
    ));
    // Two were made: Ada's first and the agent's.
    assert_eq!(u.blobs.0.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn without_an_object_store_a_slot_fails_saying_so() {
    let f = fixture();
    let (ada, room) = f.open_room("Ada").await;
    let chat = f.chat.clone().with_blobs(Arc::new(NoBlobStore));
    let failed = chat.visitor_upload(&ada, room, upload()).await.unwrap_err();
    assert!(matches!(failed, ChatError::Internal(_)), "{failed:?}");
}
