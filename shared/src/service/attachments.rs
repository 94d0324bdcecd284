//! Upload slots (API.md "Attachments"): the record of a file about to be uploaded, and the
//! presigned PUT the client uploads it with, straight to the object store.

use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::{
    AgentIdentity, Attachment, AttachmentId, AttachmentRules, RoomId, RoomStatus, SenderType,
    UPLOAD_VALID_FOR, VisitorIdentity,
};
use crate::error::ChatError;
use crate::input::NewUpload;
use crate::ports::{BlobStore, PresignedRequest};
use crate::rate::CounterKey;

use super::ChatService;

/// A new upload: its record, and the one request that may upload it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadSlot {
    pub attachment: Attachment,
    pub upload: PresignedRequest,
}

/// A process with no object store configured: every attachment operation fails, saying so.
pub struct NoBlobStore;

#[async_trait]
impl BlobStore for NoBlobStore {
    async fn presign_upload(
        &self,
        _: &Attachment,
        _: crate::domain::Timestamp,
    ) -> Result<PresignedRequest, ChatError> {
        Err(anyhow::anyhow!("no object store is configured for attachments").into())
    }

    async fn presign_download(
        &self,
        _: &Attachment,
        _: crate::domain::Timestamp,
        _: crate::domain::Timestamp,
    ) -> Result<String, ChatError> {
        Err(anyhow::anyhow!("no object store is configured for attachments").into())
    }
}

impl ChatService {
    /// The service keeping attachments in `blobs`, under `rules`.
    pub fn with_attachments(mut self, blobs: Arc<dyn BlobStore>, rules: AttachmentRules) -> Self {
        self.blobs = blobs;
        self.attachment_rules = Arc::new(rules);
        self
    }

    /// The service keeping attachments in `blobs`, under the rules it has.
    pub fn with_blobs(mut self, blobs: Arc<dyn BlobStore>) -> Self {
        self.blobs = blobs;
        self
    }

    pub fn attachment_rules(&self) -> &AttachmentRules {
        &self.attachment_rules
    }

    /// A customer's upload slot, in their own open room, counted against their upload limit.
    pub async fn visitor_upload(
        &self,
        visitor: &VisitorIdentity,
        room: RoomId,
        input: NewUpload,
    ) -> Result<UploadSlot, ChatError> {
        let found = self.visitor_room(visitor, room).await?;
        if found.status != RoomStatus::Open {
            return Err(ChatError::room_closed());
        }
        let counter = CounterKey::uploads_of(visitor.id);
        self.count(self.limits.uploads_per_visitor, &counter)
            .await?;
        self.upload_slot(room, SenderType::Customer, input).await
    }

    /// An agent's upload slot, in any room (a closed one takes notes, which may carry files).
    pub async fn agent_upload(
        &self,
        _agent: &AgentIdentity,
        room: RoomId,
        input: NewUpload,
    ) -> Result<UploadSlot, ChatError> {
        self.room(room).await?;
        self.upload_slot(room, SenderType::Agent, input).await
    }

    async fn upload_slot(
        &self,
        room: RoomId,
        uploaded_by: SenderType,
        input: NewUpload,
    ) -> Result<UploadSlot, ChatError> {
        let (id, now) = self.stamp();
        let attachment = Attachment {
            id: AttachmentId::from_ulid(id),
            room_id: room,
            filename: input.filename,
            content_type: input.content_type,
            size: input.size,
            uploaded_by,
            created_at: now,
            message_id: None,
        };
        let expires_at = now.plus_seconds(UPLOAD_VALID_FOR.as_secs() as i64);
        // Presigned first: if it fails, no record is left behind.
        let upload = self.blobs.presign_upload(&attachment, expires_at).await?;
        self.store.insert_attachment(&attachment).await?;
        Ok(UploadSlot { attachment, upload })
    }
}
