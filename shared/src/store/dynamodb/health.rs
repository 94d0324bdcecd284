use async_trait::async_trait;

use super::items::key;
use super::{DynamoStore, sdk_error};
use crate::error::ChatError;
use crate::ports::StoreHealth;

/// The key no record has: reading it costs half a read unit (eventually consistent, nothing
/// found) and proves the table answers to this function's credentials.
const PROBE: &str = "HEALTH";

#[async_trait]
impl StoreHealth for DynamoStore {
    async fn answers(&self) -> Result<(), ChatError> {
        self.client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(PROBE.to_owned(), PROBE)))
            .projection_expression("PK")
            .send()
            .await
            .map_err(sdk_error("GetItem health probe"))?;
        Ok(())
    }
}
