use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    CancellationReason, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};

use super::items::{
    self, AFTER_EVERY_ID, Item, MESSAGE_PREFIX, ROOM_SK, key, message_sk, number_attr, room_pk,
    string_attr,
};
use super::{DynamoStore, corrupt, sdk_error};
use crate::domain::{
    Limit, Message, MessagePage, MessageWindow, RoomId, RoomStatus, SenderType, VisitorId,
};
use crate::error::ChatError;
use crate::ports::{Appended, Charge, MessageStore};

/// What one write of the send transaction is for: the refusal of a cancelled transaction is
/// read from the reason of a named part, never from a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SendPart {
    /// The room's update, conditioned on the room existing, being open and being the visitor's.
    Room,
    Message,
    /// The `client_msg_id`'s guard, conditioned on no earlier send with it.
    RetryGuard,
    /// The charge of `charges[i]`, conditioned on its counter being below its max.
    Charge(usize),
}

/// The writes of one send, each with its part.
struct SendTransaction {
    parts: Vec<SendPart>,
    writes: Vec<TransactWriteItem>,
}

impl SendTransaction {
    fn push(&mut self, part: SendPart, write: TransactWriteItem) {
        self.parts.push(part);
        self.writes.push(write);
    }

    /// The cancellation reason DynamoDB gave for `part` (reasons come in the writes' order).
    fn reason<'r>(
        &self,
        reasons: &'r [CancellationReason],
        part: SendPart,
    ) -> Option<&'r CancellationReason> {
        let index = self.parts.iter().position(|p| *p == part)?;
        reasons.get(index)
    }

    fn failed(&self, reasons: &[CancellationReason], part: SendPart) -> bool {
        self.reason(reasons, part).and_then(|r| r.code()) == Some("ConditionalCheckFailed")
    }
}

/// Two sends racing on one room conflict; the loser is retried this many times.
const CONFLICT_RETRIES: u32 = 6;

impl DynamoStore {
    /// The one transaction of a send: the room's update (conditioned on the room existing,
    /// being open, and being the visitor's), the message, its retry guard, and its rate-limit
    /// charges (each conditioned on its counter being below its max).
    fn send_transaction(
        &self,
        message: &Message,
        owner: Option<VisitorId>,
        charges: &[Charge],
    ) -> SendTransaction {
        // System messages (the notice of a close) go to closed rooms too.
        let mut condition = if message.sender_type == SenderType::System {
            "attribute_exists(PK) AND #status IN (:open, :closed)".to_owned()
        } else {
            "attribute_exists(PK) AND #status = :open".to_owned()
        };
        let mut room = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(room_pk(message.room_id), ROOM_SK)))
            .update_expression(
                "SET last_message = :message, updated_at = :at, GSI1SK = :activity \
                 ADD unread_count :unread",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":open", string_attr(RoomStatus::Open.as_str()))
            .expression_attribute_values(
                ":message",
                aws_sdk_dynamodb::types::AttributeValue::M(items::message_attributes(message)),
            )
            .expression_attribute_values(":at", number_attr(message.created_at.unix_millis()))
            .expression_attribute_values(
                ":activity",
                string_attr(items::activity_sk(message.created_at, message.room_id)),
            )
            .expression_attribute_values(
                ":unread",
                number_attr(i64::from(message.sender_type == SenderType::Customer)),
            )
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if message.sender_type == SenderType::System {
            room = room
                .expression_attribute_values(":closed", string_attr(RoomStatus::Closed.as_str()));
        }
        if let Some(owner) = owner {
            condition.push_str(" AND visitor = :visitor");
            room = room.expression_attribute_values(":visitor", string_attr(owner.to_string()));
        }
        let room = room
            .condition_expression(condition)
            .build()
            .expect("table, key and expressions are set");
        let mut transaction = SendTransaction {
            parts: Vec::new(),
            writes: Vec::new(),
        };
        let room = TransactWriteItem::builder().update(room).build();
        transaction.push(SendPart::Room, room);
        let stored = put(&self.table, items::message_item(message));
        transaction.push(SendPart::Message, stored);
        if let Some(client_msg_id) = &message.client_msg_id {
            let guard = put(&self.table, items::guard_item(message, client_msg_id));
            transaction.push(SendPart::RetryGuard, guard);
        }
        for (index, charge) in charges.iter().enumerate() {
            let update = super::rate::charge_update(&self.table, charge);
            let charged = TransactWriteItem::builder().update(update).build();
            transaction.push(SendPart::Charge(index), charged);
        }
        transaction
    }

    /// Why the send transaction was cancelled, in API.md's order: no room (or another
    /// visitor's) is 404, an earlier send with this `client_msg_id` answers it, a closed room
    /// is 409, a charge at its max is 429. `None` for a conflict with a concurrent
    /// transaction: retry.
    async fn cancelled_send(
        &self,
        message: &Message,
        owner: Option<VisitorId>,
        charges: &[Charge],
        transaction: &SendTransaction,
        reasons: &[CancellationReason],
    ) -> Result<Option<Appended>, ChatError> {
        let failed = |part| transaction.failed(reasons, part);
        let full_charge = (0..charges.len())
            .find(|i| failed(SendPart::Charge(*i)))
            .map(|i| &charges[i]);
        if reasons
            .iter()
            .any(|r| r.code() == Some("TransactionConflict"))
            && !failed(SendPart::Room)
            && !failed(SendPart::RetryGuard)
            && full_charge.is_none()
        {
            return Ok(None);
        }
        let guard = transaction.reason(reasons, SendPart::RetryGuard);
        if failed(SendPart::Room) {
            let room = transaction
                .reason(reasons, SendPart::Room)
                .and_then(|reason| reason.item())
                .filter(|item| !item.is_empty())
                .map(items::room_from)
                .transpose()
                .map_err(corrupt)?;
            let room = match room {
                Some(room) if owner.is_none_or(|owner| owner == room.visitor) => room,
                _ => return Err(ChatError::room_not_found()),
            };
            if let Some(earlier) = self.earlier_send(message, guard).await? {
                return Ok(Some(Appended::Duplicate(earlier)));
            }
            if room.status == RoomStatus::Closed {
                return Err(ChatError::Conflict("chat room is closed"));
            }
        } else if let Some(earlier) = self.earlier_send(message, guard).await? {
            return Ok(Some(Appended::Duplicate(earlier)));
        } else if let Some(charge) = full_charge {
            return Err(ChatError::RateLimited {
                retry_after_secs: charge.retry_after_secs,
            });
        }
        Err(ChatError::Internal(anyhow::anyhow!(
            "send transaction cancelled: {reasons:?}"
        )))
    }

    /// The message an earlier send with the same `client_msg_id` stored, if any: from the
    /// cancelled guard's old item, or read when the guard's reason carries none. DynamoDB
    /// documents a reason without a code as "no error for that item", but not that every
    /// condition is evaluated once one fails, so an absent guard (a new message to a closed
    /// room) is read to be sure: the sending functions hold `GetItem` for it.
    async fn earlier_send(
        &self,
        message: &Message,
        guard: Option<&CancellationReason>,
    ) -> Result<Option<Message>, ChatError> {
        let Some(client_msg_id) = &message.client_msg_id else {
            return Ok(None);
        };
        let guard: Option<Item> = match guard.and_then(|r| r.item()) {
            Some(item) if !item.is_empty() => Some(item.clone()),
            _ => self
                .client
                .get_item()
                .table_name(&self.table)
                .set_key(Some(key(
                    room_pk(message.room_id),
                    items::guard_sk(client_msg_id),
                )))
                .consistent_read(true)
                .send()
                .await
                .map_err(sdk_error("GetItem retry guard"))?
                .item
                .filter(|item| !item.is_empty()),
        };
        guard
            .and_then(|guard| items::nested_message(&guard, "message").transpose())
            .transpose()
            .map_err(corrupt)
    }
}

fn put(table: &str, item: Item) -> TransactWriteItem {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)")
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .expect("table, item and condition are set");
    TransactWriteItem::builder().put(put).build()
}

#[async_trait]
impl MessageStore for DynamoStore {
    async fn append_charged(
        &self,
        message: &Message,
        owner: Option<VisitorId>,
        charges: &[Charge],
    ) -> Result<Appended, ChatError> {
        let transaction = self.send_transaction(message, owner, charges);
        for attempt in 0..=CONFLICT_RETRIES {
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(transaction.writes.clone()))
                .send()
                .await;
            let error = match sent {
                Ok(_) => return Ok(Appended::Stored),
                Err(error) => error,
            };
            let reasons = match error.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    cancelled.cancellation_reasons().to_vec()
                }
                Some(TransactWriteItemsError::TransactionInProgressException(_)) => Vec::new(),
                _ => return Err(sdk_error("TransactWriteItems (send)")(error)),
            };
            let refused = self.cancelled_send(message, owner, charges, &transaction, &reasons);
            if let Some(outcome) = refused.await? {
                return Ok(outcome);
            }
            tokio::time::sleep(Duration::from_millis(5 << attempt)).await;
        }
        Err(ChatError::Internal(anyhow::anyhow!(
            "send to room {} kept conflicting",
            message.room_id
        )))
    }

    async fn list_messages(
        &self,
        room: RoomId,
        window: MessageWindow,
        limit: Limit,
    ) -> Result<MessagePage<Message>, ChatError> {
        let (low, high, forward, skip) = match window {
            MessageWindow::Newest => (
                MESSAGE_PREFIX.to_owned(),
                format!("{MESSAGE_PREFIX}{AFTER_EVERY_ID}"),
                false,
                None,
            ),
            MessageWindow::Before(id) => {
                (MESSAGE_PREFIX.to_owned(), message_sk(id), false, Some(id))
            }
            MessageWindow::After(id) => (
                message_sk(id),
                format!("{MESSAGE_PREFIX}{AFTER_EVERY_ID}"),
                true,
                Some(id),
            ),
        };
        // The bound itself may be a message (BETWEEN is inclusive); one more tells if more remain.
        let answer = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :low AND :high")
            .expression_attribute_values(":pk", string_attr(room_pk(room)))
            .expression_attribute_values(":low", string_attr(low))
            .expression_attribute_values(":high", string_attr(high))
            .scan_index_forward(forward)
            .consistent_read(true)
            .limit(limit.get() as i32 + 2)
            .send()
            .await
            .map_err(sdk_error("Query messages"))?;
        let mut messages = answer
            .items()
            .iter()
            .map(items::message_from)
            .filter(|m| !matches!((m, skip), (Ok(m), Some(skip)) if m.id == skip))
            .collect::<anyhow::Result<Vec<Message>>>()
            .map_err(corrupt)?;
        let more = messages.len() > limit.get();
        messages.truncate(limit.get());
        if !forward {
            messages.reverse();
        }
        let next = match (more, forward) {
            (false, _) => None,
            (true, true) => messages.last().map(|m| m.id),
            (true, false) => messages.first().map(|m| m.id),
        };
        Ok(MessagePage { messages, next })
    }
}
