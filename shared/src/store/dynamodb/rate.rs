use async_trait::async_trait;
use aws_sdk_dynamodb::types::Update;

use super::items::{self, key, number_attr};
use super::{DynamoStore, conditional, corrupt, sdk_error};
use crate::domain::Timestamp;
use crate::error::ChatError;
use crate::ports::{Charge, RateCounters};

const COUNTER_SK: &str = "COUNTER";
const COUNT_ONE: &str = "SET #count = if_not_exists(#count, :zero) + :one, expires_at = :expires";
const BELOW_MAX: &str = "attribute_not_exists(#count) OR #count < :max";

/// A charge as one write of a send's transaction.
pub(super) fn charge_update(table: &str, charge: &Charge) -> Update {
    Update::builder()
        .table_name(table)
        .set_key(Some(key(items::rate_pk(&charge.key), COUNTER_SK)))
        .update_expression(COUNT_ONE)
        .condition_expression(BELOW_MAX)
        .expression_attribute_names("#count", "count")
        .expression_attribute_values(":zero", number_attr(0))
        .expression_attribute_values(":one", number_attr(1))
        .expression_attribute_values(":max", number_attr(i64::from(charge.max)))
        .expression_attribute_values(
            ":expires",
            number_attr(items::ttl_seconds(charge.expires_at)),
        )
        .build()
        .expect("table, key and expressions are set")
}

/// One item per counter (its key names its window, so a counter is never counted on after its
/// window); DynamoDB's TTL removes it some time after `expires_at`, and reads ignore it from
/// then on.
#[async_trait]
impl RateCounters for DynamoStore {
    async fn count_up_to(
        &self,
        key_text: &str,
        max: u32,
        _now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<bool, ChatError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(items::rate_pk(key_text), COUNTER_SK)))
            .update_expression(COUNT_ONE)
            .condition_expression(BELOW_MAX)
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":zero", number_attr(0))
            .expression_attribute_values(":one", number_attr(1))
            .expression_attribute_values(":max", number_attr(i64::from(max)))
            .expression_attribute_values(":expires", number_attr(items::ttl_seconds(expires_at)))
            .send()
            .await;
        conditional(update, "UpdateItem rate counter")
    }

    async fn counted(&self, key_text: &str, now: Timestamp) -> Result<u32, ChatError> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(items::rate_pk(key_text), COUNTER_SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error("GetItem rate counter"))?;
        let Some(item) = answer.item().filter(|item| !item.is_empty()) else {
            return Ok(0);
        };
        let (count, expires) = items::rate_counter_from(item).map_err(corrupt)?;
        Ok(if expires > now.unix_seconds() {
            count
        } else {
            0
        })
    }
}
