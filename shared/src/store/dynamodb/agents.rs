use async_trait::async_trait;

use super::items::{self, key};
use super::{DynamoStore, conditional, corrupt, sdk_error};
use crate::domain::{Agent, Username};
use crate::error::ChatError;
use crate::ports::AgentStore;

#[async_trait]
impl AgentStore for DynamoStore {
    async fn find_agent(&self, username: &Username) -> Result<Option<Agent>, ChatError> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(items::agent_pk(username), "AGENT")))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error("GetItem agent"))?;
        answer
            .item()
            .filter(|item| !item.is_empty())
            .map(items::agent_from)
            .transpose()
            .map_err(corrupt)
    }

    async fn insert_agent_if_absent(&self, agent: &Agent) -> Result<bool, ChatError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(items::agent_item(agent)))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        conditional(put, "PutItem agent")
    }
}
