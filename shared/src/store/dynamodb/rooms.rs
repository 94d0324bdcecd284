use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, ReturnValue, ReturnValuesOnConditionCheckFailure,
};

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;

use super::items::{self, GSI1, GSI2, Item, ROOM_SK, SK, key, room_pk, string_attr};
use super::room_update::{self, Activity, RoomUpdate};
use super::transaction::{NamedTransaction, put_new};
use super::{CONFLICT_RETRIES, DynamoStore, conflict_backoff, corrupt, sdk_error};
use crate::domain::{
    AgentId, Limit, Message, Page, PageCursor, Room, RoomChange, RoomId, RoomStatus, Standing,
    Tally, VisitorId,
};
use crate::error::ChatError;
use crate::ports::{RoomFilter, RoomLister, RoomStore, RoomWrite};
use crate::store::cursor::{self, ActivityKey};

/// The writes that create a room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CreatePart {
    Room,
    /// The item filing the room under its visitor.
    VisitorLink,
    /// The customer's first message, when the room was opened with one.
    FirstMessage,
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

    /// One page of the rooms of one status, and of one assignee if the filter names one:
    /// a partition of GSI1 or GSI2, newest activity first, below `before`.
    async fn query_status(
        &self,
        status: RoomStatus,
        assignee: Option<Option<AgentId>>,
        before: Option<ActivityKey>,
        limit: usize,
    ) -> Result<Vec<Room>, ChatError> {
        let (index, partition) = match assignee {
            None => (GSI1, items::status_partition(status)),
            Some(assignee) => (GSI2, items::assignee_partition(status, assignee)),
        };
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .scan_index_forward(false)
            .limit(limit as i32)
            .expression_attribute_names("#pk", format!("{index}PK"))
            .expression_attribute_values(":p", string_attr(partition));
        query = match before {
            Some((at, id)) => query
                .key_condition_expression("#pk = :p AND #sk < :before")
                .expression_attribute_names("#sk", format!("{index}SK"))
                .expression_attribute_values(":before", string_attr(items::activity_sk(at, id))),
            None => query.key_condition_expression("#pk = :p"),
        };
        let answer = query.send().await.map_err(sdk_error(if index == GSI1 {
            "Query GSI1"
        } else {
            "Query GSI2"
        }))?;
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
        let mut transaction = NamedTransaction::new();
        transaction.put(
            CreatePart::Room,
            put_new(&self.table, items::room_item(room)),
        );
        transaction.put(CreatePart::VisitorLink, put_new(&self.table, link));
        if let Some(message) = first_message {
            let message = put_new(&self.table, items::message_item(message));
            transaction.put(CreatePart::FirstMessage, message);
        }
        match self
            .transact(&transaction, "TransactWriteItems (create room)")
            .await?
        {
            None => Ok(()),
            // A new room's ids are fresh ULIDs: nothing else holds them.
            Some(cancelled) => Err(ChatError::Internal(anyhow::anyhow!(
                "create room {} cancelled: {:?}",
                room.id,
                cancelled.reasons
            ))),
        }
    }

    async fn get_room(&self, id: RoomId) -> Result<Option<Room>, ChatError> {
        self.read_item(key(room_pk(id), ROOM_SK), "GetItem room", items::room_from)
            .await
    }

    async fn change_room(&self, id: RoomId, change: &RoomChange) -> Result<RoomWrite, ChatError> {
        let mut activity = Activity::Raise;
        // A raise refused for later activity is written once more keeping it (activity only
        // grows, so once); a conflict with a send's transaction is retried after a pause.
        for attempt in 0..=CONFLICT_RETRIES {
            let update = RoomUpdate::of(id, change, activity);
            let written = if change.tally == Tally::default() {
                self.update_room(id, update).await?
            } else {
                self.update_room_and_tally(id, update, &change.tally)
                    .await?
            };
            let found = match written {
                Written::Changed(room) => return Ok(RoomWrite::Changed(room)),
                Written::Refused(found) => found,
                Written::TakerRefused => return Ok(RoomWrite::TakerRefused),
                Written::Conflict => {
                    conflict_backoff(attempt).await;
                    continue;
                }
            };
            match change.standing(found.as_ref()) {
                Standing::Missing => return Ok(RoomWrite::Missing),
                Standing::OtherStatus(room) => return Ok(RoomWrite::OtherStatus(room.clone())),
                Standing::OtherAssignee(room) => {
                    return Ok(RoomWrite::OtherAssignee(room.clone()));
                }
                Standing::Expected(room) => activity = Activity::for_room(change, room),
            }
        }
        Err(ChatError::Internal(anyhow::anyhow!(
            "room {id} kept changing while being written"
        )))
    }
}

/// What one attempt at a room's change did.
enum Written {
    Changed(Room),
    /// The room's condition failed: the room as it was, if there is one.
    Refused(Option<Room>),
    TakerRefused,
    /// Cancelled by a concurrent transaction on one of the items.
    Conflict,
}

/// The writes of a change that counts open rooms, each with its part: the refusal of a
/// cancelled transaction is read from the reason of a named part, never from a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TallyPart {
    Room,
    Released,
    Taken,
}

impl DynamoStore {
    /// A change of the room alone: one conditional `UpdateItem`.
    async fn update_room(&self, id: RoomId, update: RoomUpdate) -> Result<Written, ChatError> {
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
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match answer {
            Ok(answer) => {
                let room = Self::room_of(answer.attributes())?;
                let room = room.ok_or_else(|| corrupt(anyhow::anyhow!("no room in ALL_NEW")))?;
                Ok(Written::Changed(room))
            }
            Err(error) => match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    Ok(Written::Refused(Self::room_of(failed.item())?))
                }
                Some(UpdateItemError::TransactionConflictException(_)) => Ok(Written::Conflict),
                _ => Err(sdk_error("UpdateItem room")(error)),
            },
        }
    }

    /// A change of the room with the agents' counts of open rooms: one `TransactWriteItems`,
    /// then the room read back (a transaction returns no values).
    async fn update_room_and_tally(
        &self,
        id: RoomId,
        update: RoomUpdate,
        tally: &Tally,
    ) -> Result<Written, ChatError> {
        let mut transaction = NamedTransaction::new();
        let room = update.into_transact_update(&self.table, id);
        transaction.update(TallyPart::Room, room);
        if let Some(agent) = &tally.released {
            let update = room_update::released(&self.table, agent);
            transaction.update(TallyPart::Released, update);
        }
        if let Some(taken) = &tally.taken {
            transaction.update(TallyPart::Taken, room_update::taken(&self.table, taken));
        }
        let sent = self
            .transact(&transaction, "TransactWriteItems (room and open rooms)")
            .await?;
        let Some(cancelled) = sent else {
            let room = self.get_room(id).await?;
            let room = room.ok_or_else(|| corrupt(anyhow::anyhow!("room {id} vanished")))?;
            return Ok(Written::Changed(room));
        };
        if cancelled.failed(TallyPart::Room) {
            let found = cancelled.reason(TallyPart::Room).and_then(|r| r.item());
            return Ok(Written::Refused(Self::room_of(found)?));
        }
        if cancelled.failed(TallyPart::Taken) {
            return Ok(Written::TakerRefused);
        }
        if cancelled.conflicted() {
            return Ok(Written::Conflict);
        }
        Err(ChatError::Internal(anyhow::anyhow!(
            "room change cancelled: {:?} (released agent gone?)",
            cancelled.reasons
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
        filter: RoomFilter,
        limit: Limit,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<Room>, ChatError> {
        let before = cursor.map(cursor::decode).transpose()?;
        // One more than asked, to know whether a next page exists.
        let wanted = limit.get() + 1;
        let assignee = filter.assignee;
        let mut rooms = match filter.status {
            Some(status) => self.query_status(status, assignee, before, wanted).await?,
            None => {
                let (open, closed) = futures::try_join!(
                    self.query_status(RoomStatus::Open, assignee, before, wanted),
                    self.query_status(RoomStatus::Closed, assignee, before, wanted)
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
