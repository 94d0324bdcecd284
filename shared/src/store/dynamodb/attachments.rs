//! Attachments' records: one item each under its room; an unsent one carries the table's TTL
//! attribute, so DynamoDB deletes the record of an upload never sent.

use async_trait::async_trait;

use super::items;
use super::{DynamoStore, sdk_error};
use crate::domain::{Attachment, AttachmentId, RoomId};
use crate::error::ChatError;
use crate::ports::AttachmentStore;

#[async_trait]
impl AttachmentStore for DynamoStore {
    async fn insert_attachment(&self, attachment: &Attachment) -> Result<(), ChatError> {
        // Its id is a fresh ULID: the condition only guards against overwriting a record.
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(items::attachment_item(attachment)))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(sdk_error("PutItem attachment"))?;
        Ok(())
    }

    async fn get_attachment(
        &self,
        room: RoomId,
        id: AttachmentId,
    ) -> Result<Option<Attachment>, ChatError> {
        self.read_item(
            items::attachment_key(room, id),
            "GetItem attachment",
            items::attachment_from,
        )
        .await
    }
}
