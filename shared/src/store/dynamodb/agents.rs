use async_trait::async_trait;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::items::{self, GSI1, Item, key, string_attr};
use super::{DynamoStore, conditional, corrupt, sdk_error};
use crate::domain::{Agent, AgentFlag, AgentId, Username};
use crate::error::ChatError;
use crate::ports::AgentStore;

#[async_trait]
impl AgentStore for DynamoStore {
    async fn find_agent(&self, username: &Username) -> Result<Option<Agent>, ChatError> {
        self.read_item(
            key(items::agent_pk(username), "AGENT"),
            "GetItem agent",
            items::agent_from,
        )
        .await
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

    async fn list_agents(&self) -> Result<Vec<Agent>, ChatError> {
        self.query_team(None).await
    }

    async fn find_agent_by_id(&self, id: AgentId) -> Result<Option<Agent>, ChatError> {
        Ok(self.query_team(Some(id)).await?.into_iter().next())
    }

    async fn set_password(
        &self,
        agent: &Agent,
        password_hash: String,
    ) -> Result<Option<Agent>, ChatError> {
        let update = self
            .update_agent(agent)
            .update_expression(format!(
                "SET password_hash = :hash ADD {} :one",
                items::PASSWORD_GENERATION
            ))
            .expression_attribute_values(":hash", string_attr(password_hash))
            .expression_attribute_values(":one", items::number_attr(1));
        Self::updated_agent(update.send().await, "UpdateItem agent password")
    }

    async fn set_agent_flag(
        &self,
        agent: &Agent,
        flag: AgentFlag,
        value: bool,
    ) -> Result<Option<Agent>, ChatError> {
        let update = self
            .update_agent(agent)
            .update_expression("SET #flag = :value")
            .expression_attribute_names("#flag", items::flag_attribute(flag))
            .expression_attribute_values(":value", AttributeValue::Bool(value));
        Self::updated_agent(update.send().await, "UpdateItem agent flag")
    }
}

impl DynamoStore {
    /// An update of `agent`'s record, only while that record is still this agent's, answering
    /// the record after.
    fn update_agent(
        &self,
        agent: &Agent,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(items::agent_pk(&agent.username), "AGENT")))
            .condition_expression("attribute_exists(PK) AND id = :id")
            .expression_attribute_values(":id", string_attr(agent.id.to_string()))
            .return_values(ReturnValue::AllNew)
    }

    /// The record after an `update_agent`, or `None` when its condition failed.
    fn updated_agent(
        answer: Result<
            aws_sdk_dynamodb::operation::update_item::UpdateItemOutput,
            aws_sdk_dynamodb::error::SdkError<
                aws_sdk_dynamodb::operation::update_item::UpdateItemError,
                aws_smithy_runtime_api::client::orchestrator::HttpResponse,
            >,
        >,
        operation: &'static str,
    ) -> Result<Option<Agent>, ChatError> {
        match answer {
            Ok(answer) => answer
                .attributes()
                .map(items::agent_from)
                .transpose()
                .map_err(corrupt),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(None)
            }
            Err(error) => Err(sdk_error(operation)(error)),
        }
    }

    /// The team's partition of GSI1: every agent, or the one with `id`. An index read is
    /// eventually consistent: an agent created a moment ago may not be listed yet.
    async fn query_team(&self, id: Option<AgentId>) -> Result<Vec<Agent>, ChatError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .expression_attribute_values(":team", string_attr(items::TEAM_PARTITION));
        query = match id {
            Some(id) => query
                .key_condition_expression("GSI1PK = :team AND GSI1SK = :id")
                .expression_attribute_values(":id", string_attr(id.to_string())),
            None => query.key_condition_expression("GSI1PK = :team"),
        };
        let found = query
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<Item>, _>>()
            .await
            .map_err(sdk_error("Query GSI1 team"))?;
        found
            .iter()
            .map(items::agent_from)
            .collect::<anyhow::Result<_>>()
            .map_err(corrupt)
    }
}
