use async_trait::async_trait;
use aws_sdk_dynamodb::types::CancellationReason;

use super::items::{
    self, AFTER_EVERY_ID, Item, MESSAGE_PREFIX, NOTE_PREFIX, key, room_pk, string_attr,
};
use super::room_update::{Activity, RoomUpdate};
use super::transaction::{Cancelled, NamedTransaction, put_new};
use super::{CONFLICT_RETRIES, DynamoStore, conflict_backoff, corrupt, sdk_error};
use crate::domain::{
    Limit, Message, MessageId, MessagePage, MessageWindow, Reader, RoomChange, RoomId, Standing,
};
use crate::error::ChatError;
use crate::ports::{Appended, Charge, MessageStore};

/// What one write of the send transaction is for: the refusal of a cancelled transaction is
/// read from the reason of a named part, never from a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SendPart {
    /// The room's change, conditioned on its expectations (and on its activity, see
    /// `room_update::Activity`).
    Room,
    Message,
    /// The `client_msg_id`'s guard, conditioned on no earlier send with it.
    RetryGuard,
    /// The charge of `charges[i]`, conditioned on its counter being below its max.
    Charge(usize),
}

/// The writes of one send, each with its part.
type SendTransaction = NamedTransaction<SendPart>;

/// What a cancelled send leads to, when it is not refused.
enum AfterCancel {
    Answer(Appended),
    /// Send again: after a conflict with a concurrent transaction, or keeping the later
    /// activity the room showed.
    Retry(Activity),
}

impl DynamoStore {
    /// The one transaction of a send: the room's change (under its expectations), the message,
    /// its retry guard, and its rate-limit charges (each conditioned on its counter being below
    /// its max).
    fn send_transaction(
        &self,
        message: &Message,
        change: &RoomChange,
        charges: &[Charge],
        activity: Activity,
    ) -> SendTransaction {
        let mut transaction = SendTransaction::new();
        let room = RoomUpdate::of(message.room_id, change, activity)
            .into_transact_update(&self.table, message.room_id);
        transaction.update(SendPart::Room, room);
        transaction.put(
            SendPart::Message,
            put_new(&self.table, items::message_item(message)),
        );
        if let Some(client_msg_id) = &message.client_msg_id {
            let guard = put_new(&self.table, items::guard_item(message, client_msg_id));
            transaction.put(SendPart::RetryGuard, guard);
        }
        for (index, charge) in charges.iter().enumerate() {
            let update = super::rate::charge_update(&self.table, charge);
            transaction.update(SendPart::Charge(index), update);
        }
        transaction
    }

    /// Why the send transaction was cancelled, in API.md's order: a room `Missing` for the
    /// change is 404, an earlier send with this `client_msg_id` answers it, a room in another
    /// status is 409, a charge at its max is 429.
    async fn cancelled_send(
        &self,
        message: &Message,
        change: &RoomChange,
        charges: &[Charge],
        cancelled: &Cancelled<'_, SendPart>,
        activity: Activity,
    ) -> Result<AfterCancel, ChatError> {
        let failed = |part| cancelled.failed(part);
        let full_charge = (0..charges.len())
            .find(|i| failed(SendPart::Charge(*i)))
            .map(|i| &charges[i]);
        if cancelled.conflicted()
            && !failed(SendPart::Room)
            && !failed(SendPart::RetryGuard)
            && full_charge.is_none()
        {
            return Ok(AfterCancel::Retry(activity));
        }
        let guard = cancelled.reason(SendPart::RetryGuard);
        if failed(SendPart::Room) {
            let found = cancelled
                .reason(SendPart::Room)
                .and_then(|reason| reason.item())
                .filter(|item| !item.is_empty())
                .map(items::room_from)
                .transpose()
                .map_err(corrupt)?;
            let standing = change.standing(found.as_ref());
            if standing == Standing::Missing {
                return Err(ChatError::room_not_found());
            }
            if let Some(earlier) = self.earlier_send(message, guard).await? {
                return Ok(AfterCancel::Answer(Appended::Duplicate(earlier)));
            }
            match standing {
                Standing::Expected(room) => {
                    return Ok(AfterCancel::Retry(Activity::for_room(change, room)));
                }
                _ => return Err(ChatError::room_closed()),
            }
        }
        if let Some(earlier) = self.earlier_send(message, guard).await? {
            return Ok(AfterCancel::Answer(Appended::Duplicate(earlier)));
        }
        if let Some(charge) = full_charge {
            return Err(ChatError::RateLimited {
                retry_after_secs: charge.retry_after_secs,
            });
        }
        Err(ChatError::Internal(anyhow::anyhow!(
            "send transaction cancelled: {:?}",
            cancelled.reasons
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

#[async_trait]
impl MessageStore for DynamoStore {
    async fn append(
        &self,
        message: &Message,
        change: &RoomChange,
        charges: &[Charge],
    ) -> Result<Appended, ChatError> {
        let mut activity = Activity::Raise;
        for attempt in 0..=CONFLICT_RETRIES {
            let transaction = self.send_transaction(message, change, charges, activity);
            let sent = self
                .transact(&transaction, "TransactWriteItems (send)")
                .await?;
            let Some(cancelled) = sent else {
                return Ok(Appended::Stored);
            };
            match self
                .cancelled_send(message, change, charges, &cancelled, activity)
                .await?
            {
                AfterCancel::Answer(outcome) => return Ok(outcome),
                AfterCancel::Retry(next) if next != activity => activity = next,
                AfterCancel::Retry(_) => conflict_backoff(attempt).await,
            }
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
        reader: Reader,
    ) -> Result<MessagePage<Message>, ChatError> {
        let forward = matches!(window, MessageWindow::After(_));
        // A customer's page is one Query of the messages; an agent's merges it with one of the
        // notes, in id order. Each brings one more than the page, to tell if more remain.
        let mut found = match reader {
            Reader::Customer => {
                self.message_range(room, MESSAGE_PREFIX, window, limit)
                    .await?
            }
            Reader::Agent => {
                let (messages, notes) = futures::try_join!(
                    self.message_range(room, MESSAGE_PREFIX, window, limit),
                    self.message_range(room, NOTE_PREFIX, window, limit),
                )?;
                let mut merged = [messages, notes].concat();
                merged.sort_by_key(|m| m.id);
                if !forward {
                    merged.reverse();
                }
                merged
            }
        };
        let more = found.len() > limit.get();
        found.truncate(limit.get());
        if !forward {
            found.reverse();
        }
        let next = match (more, forward) {
            (false, _) => None,
            (true, true) => found.last().map(|m| m.id),
            (true, false) => found.first().map(|m| m.id),
        };
        Ok(MessagePage {
            messages: found,
            next,
        })
    }
}

impl DynamoStore {
    /// Up to `limit` + 1 items of one range of a room (`MSG#` or `NOTE#`) in the window,
    /// nearest the window's bound first (oldest first after an id, newest first otherwise).
    async fn message_range(
        &self,
        room: RoomId,
        prefix: &str,
        window: MessageWindow,
        limit: Limit,
    ) -> Result<Vec<Message>, ChatError> {
        let sk = |id: MessageId| format!("{prefix}{id}");
        let end = format!("{prefix}{AFTER_EVERY_ID}");
        let (low, high, forward, skip) = match window {
            MessageWindow::Newest => (prefix.to_owned(), end, false, None),
            MessageWindow::Before(id) => (prefix.to_owned(), sk(id), false, Some(id)),
            MessageWindow::After(id) => (sk(id), end, true, Some(id)),
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
        messages.truncate(limit.get() + 1);
        Ok(messages)
    }
}
