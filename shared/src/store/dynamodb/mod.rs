//! The single-table DynamoDB store (aws-sdk-dynamodb). Every port method is a constant number
//! of calls whatever the size of the table: sending a message is one `TransactWriteItems`; no
//! request path Scans.

mod agents;
mod attachments;
mod canned;
mod connections;
mod health;
mod items;
mod messages;
mod rate;
mod room_update;
mod rooms;
pub mod table;
mod transaction;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::aws::AwsSettings;
use crate::error::ChatError;

#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// A client for `endpoint` (DynamoDB Local, say) or, without one, the region's DynamoDB.
    pub fn client_config(
        aws: &AwsSettings,
        endpoint: Option<&str>,
    ) -> aws_sdk_dynamodb::config::Builder {
        let mut config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(aws.region())
            .credentials_provider(aws.credentials())
            .http_client(aws.http_client());
        if let Some(endpoint) = endpoint {
            config = config.endpoint_url(endpoint);
        }
        config
    }

    /// The store of a process: its client built once, here.
    pub fn connect(aws: &AwsSettings, endpoint: Option<&str>, table: impl Into<String>) -> Self {
        let client = Client::from_conf(Self::client_config(aws, endpoint).build());
        Self::new(client, table)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

/// An SDK failure, as an internal error with its whole context (logged, never shown).
fn sdk_error<E, R>(what: &'static str) -> impl FnOnce(SdkError<E, R>) -> ChatError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |error| ChatError::Internal(anyhow::anyhow!("{what}: {}", DisplayErrorContext(&error)))
}

/// Whether a conditional write was made: its condition failing is `Ok(false)`, any other
/// error an internal one.
fn conditional<T, E, R>(
    sent: Result<T, SdkError<E, R>>,
    what: &'static str,
) -> Result<bool, ChatError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match sent {
        Ok(_) => Ok(true),
        Err(error)
            if error.as_service_error().and_then(|e| e.code())
                == Some("ConditionalCheckFailedException") =>
        {
            Ok(false)
        }
        Err(error) => Err(sdk_error(what)(error)),
    }
}

/// Writes racing on one item conflict (a transaction with a transaction, or with a plain
/// write): the loser is retried this many times, after `conflict_backoff`.
const CONFLICT_RETRIES: u32 = 6;

async fn conflict_backoff(attempt: u32) {
    tokio::time::sleep(std::time::Duration::from_millis(5 << attempt)).await;
}

/// An item that does not map back to its record.
impl DynamoStore {
    /// One item by its key, read strongly consistent, as `parse` maps it (`what` names the
    /// read in an error); `None` when there is none.
    async fn read_item<T>(
        &self,
        key: items::Item,
        what: &'static str,
        parse: fn(&items::Item) -> anyhow::Result<T>,
    ) -> Result<Option<T>, ChatError> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error(what))?;
        answer
            .item()
            .filter(|item| !item.is_empty())
            .map(parse)
            .transpose()
            .map_err(corrupt)
    }
}

fn corrupt(error: anyhow::Error) -> ChatError {
    ChatError::Internal(error.context("reading a DynamoDB item"))
}
