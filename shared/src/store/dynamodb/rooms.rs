use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, Put, ReturnValue, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem,
};

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;

use super::items::{self, GSI1, Item, ROOM_SK, SK, key, room_pk, string_attr};
use super::room_update::{Activity, RoomUpdate};
use super::{CONFLICT_RETRIES, DynamoStore, conflict_backoff, corrupt, sdk_error};
use crate::domain::{
    Limit, Message, Page, PageCursor, Room, RoomChange, RoomId, RoomStatus, Standing, VisitorId,
};
use crate::error::ChatError;
use crate::ports::{RoomLister, RoomStore, RoomWrite};
use crate::store::cursor::{self, ActivityKey};

fn put(table: &str, item: Item) -> TransactWriteItem {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .expect("table, item and condition are set");
    TransactWriteItem::builder().put(put).build()
}

impl DynamoStore {
    /// The room of an `UpdateItem` answer (`ReturnValues`), or of a failed condition's
    /// `ALL_OLD`.
    fn room_of(item: Option<&Item>) -> Result<Option<Room>, ChatError> {
        item.filter(|item| !item.is_empty())
            .map(items::room_from)
            .transpose()
            .map_err(corrupt)
    }

    /// One page of a status partition of GSI1, newest activity first, below `before`.
    async fn query_status(
        &self,
        status: RoomStatus,
        before: Option<ActivityKey>,
        limit: usize,
    ) -> Result<Vec<Room>, ChatError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .scan_index_forward(false)
            .limit(limit as i32)
            .expression_attribute_values(":p", string_attr(items::status_partition(status)));
        query = match before {
            Some((at, id)) => query
                .key_condition_expression("GSI1PK = :p AND GSI1SK < :before")
                .expression_attribute_values(":before", string_attr(items::activity_sk(at, id))),
            None => query.key_condition_expression("GSI1PK = :p"),
        };
        let answer = query.send().await.map_err(sdk_error("Query GSI1"))?;
        answer
            .items()
            .iter()
            .map(items::room_from)
            .collect::<anyhow::Result<_>>()
            .map_err(corrupt)
    }
}

/// The first `limit` of `rooms` (sorted newest first), and the cursor if more remain.
fn page(mut rooms: Vec<Room>, limit: Limit) -> Page<Room> {
    let more = rooms.len() > limit.get();
    rooms.truncate(limit.get());
    let next = match rooms.last() {
        Some(last) if more => Some(cursor::encode((last.updated_at, last.id))),
        _ => None,
    };
    Page { items: rooms, next }
}

fn newest_first(rooms: &mut [Room]) {
    rooms.sort_unstable_by_key(|room| std::cmp::Reverse((room.updated_at, room.id)));
}

#[async_trait]
impl RoomStore for DynamoStore {
    async fn create_room(
        &self,
        room: &Room,
        first_message: Option<&Message>,
    ) -> Result<(), ChatError> {
        let link = key(
            items::visitor_pk(room.visitor),
            items::visitor_room_sk(room.id),
        );
        let mut writes = vec![
            put(&self.table, items::room_item(room)),
            put(&self.table, link),
        ];
        if let Some(message) = first_message {
            writes.push(put(&self.table, items::message_item(message)));
        }
        self.client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await
            .map_err(sdk_error("TransactWriteItems (create room)"))?;
        Ok(())
    }

    async fn get_room(&self, id: RoomId) -> Result<Option<Room>, ChatError> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(room_pk(id), ROOM_SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error("GetItem room"))?;
        Self::room_of(answer.item())
    }

    async fn change_room(&self, id: RoomId, change: &RoomChange) -> Result<RoomWrite, ChatError> {
        let mut activity = Activity::Raise;
        // A raise refused for later activity is written once more keeping it (activity only
        // grows, so once); a conflict with a send's transaction is retried after a pause.
        for attempt in 0..=CONFLICT_RETRIES {
            let update = RoomUpdate::of(id, change, activity);
            let answer = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(room_pk(id), ROOM_SK)))
                .condition_expression(update.condition)
                .update_expression(update.update)
                .set_expression_attribute_names(update.names)
                .set_expression_attribute_values(Some(update.values))
                .return_values(ReturnValue::AllNew)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .send()
                .await;
            let found = match answer {
                Ok(answer) => {
                    let room = Self::room_of(answer.attributes())?;
                    let room =
                        room.ok_or_else(|| corrupt(anyhow::anyhow!("no room in ALL_NEW")))?;
                    return Ok(RoomWrite::Changed(room));
                }
                Err(error) => match error.as_service_error() {
                    Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                        Self::room_of(failed.item())?
                    }
                    Some(UpdateItemError::TransactionConflictException(_)) => {
                        conflict_backoff(attempt).await;
                        continue;
                    }
                    _ => return Err(sdk_error("UpdateItem room")(error)),
                },
            };
            match change.standing(found.as_ref()) {
                Standing::Missing => return Ok(RoomWrite::Missing),
                Standing::OtherStatus(room) => return Ok(RoomWrite::OtherStatus(room.clone())),
                Standing::Expected(room) => activity = Activity::for_room(change, room),
            }
        }
        Err(ChatError::Internal(anyhow::anyhow!(
            "room {id} kept changing while being written"
        )))
    }
}

#[async_trait]
impl RoomLister for DynamoStore {
    /// A visitor has few rooms: their links are one Query, the rooms one BatchGetItem per 100,
    /// sorted here by activity (no index orders a visitor's rooms by it).
    async fn list_visitor_rooms(
        &self,
        visitor: VisitorId,
        limit: Limit,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<Room>, ChatError> {
        let before = cursor.map(cursor::decode).transpose()?;
        let links = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :rooms)")
            .expression_attribute_values(":pk", string_attr(items::visitor_pk(visitor)))
            .expression_attribute_values(":rooms", string_attr("ROOM#"))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<Item>, _>>()
            .await
            .map_err(sdk_error("Query visitor rooms"))?;
        let keys: Vec<Item> = links
            .iter()
            .filter_map(|link| match link.get(SK) {
                Some(AttributeValue::S(sk)) => Some(key(sk.clone(), ROOM_SK)),
                _ => None,
            })
            .collect();
        let mut rooms = self.batch_get_rooms(keys).await?;
        newest_first(&mut rooms);
        rooms.retain(|room| before.is_none_or(|before| (room.updated_at, room.id) < before));
        Ok(page(rooms, limit))
    }

    async fn list_rooms(
        &self,
        status: Option<RoomStatus>,
        limit: Limit,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<Room>, ChatError> {
        let before = cursor.map(cursor::decode).transpose()?;
        // One more than asked, to know whether a next page exists.
        let wanted = limit.get() + 1;
        let mut rooms = match status {
            Some(status) => self.query_status(status, before, wanted).await?,
            None => {
                let (open, closed) = futures::try_join!(
                    self.query_status(RoomStatus::Open, before, wanted),
                    self.query_status(RoomStatus::Closed, before, wanted)
                )?;
                [open, closed].concat()
            }
        };
        newest_first(&mut rooms);
        Ok(page(rooms, limit))
    }
}

impl DynamoStore {
    async fn batch_get_rooms(&self, keys: Vec<Item>) -> Result<Vec<Room>, ChatError> {
        let mut rooms = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.to_vec()))
                    .consistent_read(true)
                    .build()
                    .expect("keys are set"),
            );
            while let Some(request) = pending.take() {
                let answer = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(sdk_error("BatchGetItem rooms"))?;
                for item in answer
                    .responses()
                    .and_then(|r| r.get(&self.table))
                    .into_iter()
                    .flatten()
                {
                    rooms.push(items::room_from(item).map_err(corrupt)?);
                }
                pending = answer
                    .unprocessed_keys()
                    .and_then(|unprocessed| unprocessed.get(&self.table))
                    .filter(|left| !left.keys().is_empty())
                    .cloned();
            }
        }
        Ok(rooms)
    }
}
