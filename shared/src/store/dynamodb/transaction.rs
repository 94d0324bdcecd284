//! A `TransactWriteItems` whose writes are named by what they are for, so that a cancellation
//! is read from the part that refused, never from a position counted by hand.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    CancellationReason, Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};

use super::items::Item;
use super::{DynamoStore, sdk_error};
use crate::error::ChatError;

/// The writes of one transaction, each with its part `P`.
pub(super) struct NamedTransaction<P> {
    parts: Vec<P>,
    writes: Vec<TransactWriteItem>,
}

/// How a transaction ended when it was not written.
pub(super) struct Cancelled<'t, P> {
    transaction: &'t NamedTransaction<P>,
    /// DynamoDB's reasons, in the writes' order; empty when another transaction on the same
    /// items was still in progress (nothing was refused: try again).
    pub reasons: Vec<CancellationReason>,
}

impl<P: Copy + PartialEq> NamedTransaction<P> {
    pub fn new() -> Self {
        Self {
            parts: Vec::new(),
            writes: Vec::new(),
        }
    }

    pub fn put(&mut self, part: P, put: Put) {
        self.push(part, TransactWriteItem::builder().put(put).build());
    }

    pub fn update(&mut self, part: P, update: Update) {
        self.push(part, TransactWriteItem::builder().update(update).build());
    }

    pub fn delete(&mut self, part: P, delete: Delete) {
        self.push(part, TransactWriteItem::builder().delete(delete).build());
    }

    fn push(&mut self, part: P, write: TransactWriteItem) {
        self.parts.push(part);
        self.writes.push(write);
    }
}

impl<P: Copy + PartialEq> Cancelled<'_, P> {
    /// The reason DynamoDB gave for `part`, if the transaction has that part.
    pub fn reason(&self, part: P) -> Option<&CancellationReason> {
        let index = self.transaction.parts.iter().position(|p| *p == part)?;
        self.reasons.get(index)
    }

    /// Whether `part`'s condition refused the transaction.
    pub fn failed(&self, part: P) -> bool {
        self.reason(part).and_then(|r| r.code()) == Some("ConditionalCheckFailed")
    }

    /// Whether it collided with a concurrent transaction (worth trying again).
    pub fn conflicted(&self) -> bool {
        self.reasons.is_empty()
            || self
                .reasons
                .iter()
                .any(|r| r.code() == Some("TransactionConflict"))
    }
}

impl DynamoStore {
    /// Runs `transaction`: `Ok(None)` when written, `Ok(Some(cancelled))` when DynamoDB
    /// cancelled it, any other failure an internal error naming `what`.
    pub(super) async fn transact<'t, P: Copy + PartialEq>(
        &self,
        transaction: &'t NamedTransaction<P>,
        what: &'static str,
    ) -> Result<Option<Cancelled<'t, P>>, ChatError> {
        let sent = self
            .client
            .transact_write_items()
            .set_transact_items(Some(transaction.writes.clone()))
            .send()
            .await;
        let error = match sent {
            Ok(_) => return Ok(None),
            Err(error) => error,
        };
        let reasons = match error.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                cancelled.cancellation_reasons().to_vec()
            }
            Some(TransactWriteItemsError::TransactionInProgressException(_)) => Vec::new(),
            _ => return Err(sdk_error(what)(error)),
        };
        Ok(Some(Cancelled {
            transaction,
            reasons,
        }))
    }
}

/// A put of a new item: refused if one with its key exists, answering that one.
pub(super) fn put_new(table: &str, item: Item) -> Put {
    Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)")
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .expect("table, item and condition are set")
}
