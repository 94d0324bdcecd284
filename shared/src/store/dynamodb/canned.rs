//! Canned responses: each in the `CANNED` partition, and each short code an item of its own
//! naming its holder, written in the same transaction, so two responses never share a code.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, Put, ReturnValuesOnConditionCheckFailure};

use super::items::{self, CANNED_PK, CANNED_PREFIX, string_attr};
use super::transaction::{NamedTransaction, put_new};
use super::{CONFLICT_RETRIES, DynamoStore, conflict_backoff, corrupt, sdk_error};
use crate::domain::{CannedResponse, CannedResponseId};
use crate::error::ChatError;
use crate::ports::{CannedStore, CannedWrite};

/// What one write of a canned response's transaction is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CannedPart {
    /// The response itself, conditioned on being as read (or absent, when new).
    Response,
    /// The short code it takes, conditioned on nobody holding it.
    NewCode,
    /// The short code it gives up.
    OldCode,
}

type CannedTransaction = NamedTransaction<CannedPart>;

impl DynamoStore {
    /// The response's item, conditioned on it being absent (`None`) or as `read`.
    fn put_response(&self, response: &CannedResponse, read: Option<&CannedResponse>) -> Put {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(items::canned_item(response)))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::None);
        let put = match read {
            None => put.condition_expression("attribute_not_exists(PK)"),
            Some(read) => put
                .condition_expression("updated_at = :read AND short_code = :code")
                .expression_attribute_values(
                    ":read",
                    items::number_attr(read.updated_at.unix_millis()),
                )
                .expression_attribute_values(":code", string_attr(read.short_code.as_str())),
        };
        put.build().expect("table and item are set")
    }

    fn take_code(&self, response: &CannedResponse) -> Put {
        put_new(&self.table, items::code_item(response))
    }

    fn give_up_code(&self, response: &CannedResponse) -> Delete {
        Delete::builder()
            .table_name(&self.table)
            .set_key(Some(items::code_key(&response.short_code)))
            .condition_expression("id = :id")
            .expression_attribute_values(":id", string_attr(response.id.to_string()))
            .build()
            .expect("table and key are set")
    }

    /// Runs the transaction: a refused code is `CodeTaken`, a refused response `Changed`; a
    /// collision with a concurrent write (another admin saving the same code) is tried again.
    async fn write_canned(&self, transaction: CannedTransaction) -> Result<CannedWrite, ChatError> {
        for attempt in 0..=CONFLICT_RETRIES {
            let sent = self
                .transact(&transaction, "TransactWriteItems (canned response)")
                .await?;
            let Some(cancelled) = sent else {
                return Ok(CannedWrite::Written);
            };
            if cancelled.failed(CannedPart::Response) || cancelled.failed(CannedPart::OldCode) {
                return Ok(CannedWrite::Changed);
            }
            if cancelled.failed(CannedPart::NewCode) {
                return Ok(CannedWrite::CodeTaken);
            }
            if !cancelled.conflicted() {
                return Err(ChatError::Internal(anyhow::anyhow!(
                    "canned response transaction cancelled: {:?}",
                    cancelled.reasons
                )));
            }
            conflict_backoff(attempt).await;
        }
        Err(ChatError::Internal(anyhow::anyhow!(
            "canned response transaction kept conflicting"
        )))
    }
}

#[async_trait]
impl CannedStore for DynamoStore {
    async fn insert_canned(&self, response: &CannedResponse) -> Result<CannedWrite, ChatError> {
        let mut transaction = CannedTransaction::new();
        transaction.put(CannedPart::Response, self.put_response(response, None));
        transaction.put(CannedPart::NewCode, self.take_code(response));
        self.write_canned(transaction).await
    }

    async fn list_canned(&self) -> Result<Vec<CannedResponse>, ChatError> {
        let items = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :canned)")
            .expression_attribute_values(":pk", string_attr(CANNED_PK))
            .expression_attribute_values(":canned", string_attr(CANNED_PREFIX))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(sdk_error("Query canned responses"))?;
        items
            .iter()
            .map(items::canned_from)
            .collect::<anyhow::Result<_>>()
            .map_err(corrupt)
    }

    async fn get_canned(&self, id: CannedResponseId) -> Result<Option<CannedResponse>, ChatError> {
        self.read_item(
            items::canned_key(id),
            "GetItem canned response",
            items::canned_from,
        )
        .await
    }

    async fn replace_canned(
        &self,
        old: &CannedResponse,
        new: &CannedResponse,
    ) -> Result<CannedWrite, ChatError> {
        let mut transaction = CannedTransaction::new();
        transaction.put(CannedPart::Response, self.put_response(new, Some(old)));
        if new.short_code != old.short_code {
            transaction.put(CannedPart::NewCode, self.take_code(new));
            transaction.delete(CannedPart::OldCode, self.give_up_code(old));
        }
        self.write_canned(transaction).await
    }

    async fn delete_canned(&self, response: &CannedResponse) -> Result<CannedWrite, ChatError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(items::canned_key(response.id)))
            .condition_expression("updated_at = :read")
            .expression_attribute_values(
                ":read",
                items::number_attr(response.updated_at.unix_millis()),
            )
            .build()
            .expect("table and key are set");
        let mut transaction = CannedTransaction::new();
        transaction.delete(CannedPart::Response, delete);
        transaction.delete(CannedPart::OldCode, self.give_up_code(response));
        self.write_canned(transaction).await
    }
}
