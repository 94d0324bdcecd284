//! Creating the table when it is missing (local-dev and tests), from `infra/table.json`: the
//! same keys, index and TTL that template.yaml declares.

use std::time::Duration;

use anyhow::{Context, anyhow};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};
use serde::Deserialize;

/// The table definition every environment shares.
pub const DEFINITION: &str = include_str!("../../../../infra/table.json");

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Definition {
    pub attribute_definitions: Vec<Attribute>,
    pub key_schema: Vec<Key>,
    pub global_secondary_indexes: Vec<Index>,
    pub billing_mode: String,
    pub time_to_live_specification: Ttl,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attribute {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Key {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Index {
    pub index_name: String,
    pub key_schema: Vec<Key>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ttl {
    pub attribute_name: String,
    pub enabled: bool,
}

pub fn definition() -> anyhow::Result<Definition> {
    serde_json::from_str(DEFINITION).context("infra/table.json")
}

fn key_schema(keys: &[Key]) -> anyhow::Result<Vec<KeySchemaElement>> {
    keys.iter()
        .map(|key| {
            KeySchemaElement::builder()
                .attribute_name(&key.attribute_name)
                .key_type(KeyType::from(key.key_type.as_str()))
                .build()
                .context("key schema")
        })
        .collect()
}

/// Creates `table` unless it exists, waits until it is active, and turns on TTL.
pub async fn ensure_table(client: &Client, table: &str) -> anyhow::Result<()> {
    let exists = client.describe_table().table_name(table).send().await;
    match exists {
        Ok(_) => return Ok(()),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) => {}
        Err(error) => {
            return Err(anyhow!(
                "DescribeTable {table}: {}",
                DisplayErrorContext(&error)
            ));
        }
    }
    let definition = definition()?;
    let mut create = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::from(definition.billing_mode.as_str()))
        .set_key_schema(Some(key_schema(&definition.key_schema)?));
    for attribute in &definition.attribute_definitions {
        create = create.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(&attribute.attribute_name)
                .attribute_type(ScalarAttributeType::from(attribute.attribute_type.as_str()))
                .build()?,
        );
    }
    for index in &definition.global_secondary_indexes {
        create = create.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.index_name)
                .set_key_schema(Some(key_schema(&index.key_schema)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()?,
        );
    }
    match create.send().await {
        Ok(_) => {}
        // Another process created it meanwhile.
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) => {}
        Err(error) => {
            return Err(anyhow!(
                "CreateTable {table}: {}",
                DisplayErrorContext(&error)
            ));
        }
    }
    for _ in 0..100 {
        let described = client.describe_table().table_name(table).send().await;
        let status = described
            .ok()
            .and_then(|d| d.table().and_then(|t| t.table_status().cloned()));
        if status == Some(TableStatus::Active) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ttl = &definition.time_to_live_specification;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(&ttl.attribute_name)
                .enabled(ttl.enabled)
                .build()?,
        )
        .send()
        .await
        .map_err(|e| anyhow!("UpdateTimeToLive {table}: {}", DisplayErrorContext(&e)))?;
    Ok(())
}
