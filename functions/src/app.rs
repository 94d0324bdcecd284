//! What every handler shares, built once per process.

use std::sync::Arc;

use shared::ChatService;
use shared::auth::TokenKeys;
use shared::aws::AwsSettings;
use shared::clock::SystemClock;
use shared::notify::{ApiGatewayPusher, FanoutNotifier};
use shared::ports::{BlobStore, Clock, PushError, Pusher, Store};
use shared::service::NoBlobStore;
use shared::store::DynamoStore;

use crate::Config;
use crate::config::Deployed;
use crate::http::web::WebFiles;
use crate::s3::S3Blobs;

/// Cheap to clone: every part is shared.
#[derive(Clone)]
pub struct App {
    pub chat: ChatService,
    /// Pushes to connections: the service's notifier, and the handlers' replies.
    pub fanout: Arc<FanoutNotifier>,
    /// The pages the `web` function serves.
    pub web: Arc<WebFiles>,
    /// The start page's word on the store.
    pub store_label: Arc<str>,
}

impl App {
    /// The service over the given store, pushing through `pusher`, with the system clock,
    /// keeping attachments in `config.attachments` (through `aws`'s credentials).
    pub fn new(config: &Config, store: Arc<dyn Store>, pusher: Arc<dyn Pusher>) -> Self {
        Self::with_aws(&AwsSettings::local(), config, store, pusher)
    }

    /// As `new`, signing object-store requests with `aws`'s credentials.
    pub fn with_aws(
        aws: &AwsSettings,
        config: &Config,
        store: Arc<dyn Store>,
        pusher: Arc<dyn Pusher>,
    ) -> Self {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
        let fanout = Arc::new(FanoutNotifier::new(store.clone(), pusher, clock.clone()));
        let keys = TokenKeys::new(&config.jwt_secret);
        let blobs: Arc<dyn BlobStore> = match &config.attachments {
            Some(bucket) => Arc::new(S3Blobs::new(aws, bucket)),
            None => Arc::new(NoBlobStore),
        };
        let chat = ChatService::new(store, fanout.clone(), clock, keys)
            .with_rate_limits(config.rate_limits.clone())
            .with_routing(config.routing)
            .with_attachments(blobs, config.attachment_rules.clone());
        let web = Arc::new(config.web_files.clone());
        let store_label = Arc::from(config.store_label.as_str());
        Self {
            chat,
            fanout,
            web,
            store_label,
        }
    }

    /// The app keeping attachments in `blobs` instead.
    pub fn with_blobs(mut self, blobs: Arc<dyn BlobStore>) -> Self {
        self.chat = self.chat.with_blobs(blobs);
        self
    }

    /// The app of a deployed function: the DynamoDB table `TABLE_NAME` and, for a function that
    /// `pushes`, API Gateway's Management API at `WEBSOCKET_ENDPOINT`. SDK clients are built
    /// here, once, and only those the function uses: building one is most of a function's init
    /// (it parses its SDK's endpoint rules).
    pub fn deployed(aws: &AwsSettings, deployed: &Deployed, pushes: bool) -> Self {
        let config = &deployed.config;
        let store = Arc::new(DynamoStore::connect(
            aws,
            config.dynamodb_endpoint.as_deref(),
            deployed.table_name.clone(),
        ));
        let pusher = pusher_for(aws, config, pushes);
        Self::with_aws(aws, config, store, pusher)
    }
}

/// What a deployed function pushes through: API Gateway's Management API at
/// `WEBSOCKET_ENDPOINT` for a function that pushes, else nothing.
pub fn pusher_for(aws: &AwsSettings, config: &Config, pushes: bool) -> Arc<dyn Pusher> {
    match &config.websocket_endpoint {
        Some(endpoint) if pushes => Arc::new(ApiGatewayPusher::new(endpoint, aws)),
        Some(_) => Arc::new(NoConnections),
        None => {
            if pushes {
                tracing::warn!("WEBSOCKET_ENDPOINT is not set: events are not pushed");
            }
            Arc::new(NoConnections)
        }
    }
}

/// For a function that does not push, or a deployment without a WebSocket API: nothing is
/// delivered. It fails each push rather than answering Gone, which would make the fan-out
/// forget every connection it was asked to reach.
pub struct NoConnections;

#[async_trait::async_trait]
impl Pusher for NoConnections {
    async fn push(&self, _: &shared::domain::ConnectionId, _: &[u8]) -> Result<(), PushError> {
        Err(PushError::Failed(anyhow::anyhow!(
            "this function has no WebSocket API to push to (WEBSOCKET_ENDPOINT)"
        )))
    }

    async fn close(&self, _: &shared::domain::ConnectionId) -> Result<(), PushError> {
        Err(PushError::Failed(anyhow::anyhow!(
            "this function has no WebSocket API to close connections of (WEBSOCKET_ENDPOINT)"
        )))
    }
}
