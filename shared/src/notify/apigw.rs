use async_trait::async_trait;
use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::error::{DisplayErrorContext, SdkError};
use aws_sdk_apigatewaymanagement::primitives::Blob;

use crate::aws::AwsSettings;
use crate::domain::ConnectionId;
use crate::ports::{PushError, Pusher};

/// Pushes through API Gateway's Management API (`PostToConnection`, and `DeleteConnection` to
/// close) with the AWS SDK. Built
/// once per process from `WEBSOCKET_ENDPOINT` (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`,
/// or local-dev's `http://127.0.0.1:8001`).
#[derive(Clone, Debug)]
pub struct ApiGatewayPusher {
    client: Client,
}

impl ApiGatewayPusher {
    pub fn new(endpoint: &str, aws: &AwsSettings) -> Self {
        Self::with_config(Self::client_config(endpoint, aws).build())
    }

    /// The client's settings, for a caller that adds to them (an interceptor, say).
    pub fn client_config(
        endpoint: &str,
        aws: &AwsSettings,
    ) -> aws_sdk_apigatewaymanagement::config::Builder {
        aws_sdk_apigatewaymanagement::Config::builder()
            .behavior_version(aws_sdk_apigatewaymanagement::config::BehaviorVersion::latest())
            .region(aws.region())
            .credentials_provider(aws.credentials())
            .http_client(aws.http_client())
            .endpoint_url(endpoint)
    }

    pub fn with_config(config: aws_sdk_apigatewaymanagement::Config) -> Self {
        Self {
            client: Client::from_conf(config),
        }
    }
}

/// A Management API answer as a push's outcome: Gone (410) apart from every other failure.
fn outcome<T, E, R>(
    answer: Result<T, SdkError<E, R>>,
    is_gone: impl Fn(&E) -> bool,
    operation: &str,
) -> Result<(), PushError>
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match answer {
        Ok(_) => Ok(()),
        Err(error) if error.as_service_error().is_some_and(&is_gone) => Err(PushError::Gone),
        Err(error) => Err(PushError::Failed(anyhow::anyhow!(
            "{operation}: {}",
            DisplayErrorContext(&error)
        ))),
    }
}

#[async_trait]
impl Pusher for ApiGatewayPusher {
    async fn push(&self, connection: &ConnectionId, payload: &[u8]) -> Result<(), PushError> {
        let sent = self
            .client
            .post_to_connection()
            .connection_id(connection.as_str())
            .data(Blob::new(payload))
            .send()
            .await;
        outcome(sent, |e| e.is_gone_exception(), "PostToConnection")
    }

    async fn close(&self, connection: &ConnectionId) -> Result<(), PushError> {
        let closed = self
            .client
            .delete_connection()
            .connection_id(connection.as_str())
            .send()
            .await;
        outcome(closed, |e| e.is_gone_exception(), "DeleteConnection")
    }
}
