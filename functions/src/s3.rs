//! The object store of attachments: S3 through `aws-sdk-s3` (local-dev points it at its own
//! S3-compatible endpoint). Presigning is computed here, with no call to S3; the client is
//! built at its first use, so a function that never touches an attachment never pays for it
//! (building an SDK client is most of a function's init).

use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::presigning::PresigningConfig;
use shared::ChatError;
use shared::aws::AwsSettings;
use shared::domain::{Attachment, Timestamp};
use shared::ports::{BlobStore, PresignedRequest};

/// Where attachments are kept: `ATTACHMENTS_BUCKET`, and an endpoint other than the region's
/// S3 (`S3_ENDPOINT`: local-dev's), addressed path-style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    pub endpoint: Option<String>,
}

pub struct S3Blobs {
    config: aws_sdk_s3::Config,
    bucket: String,
    client: OnceLock<Client>,
}

impl S3Blobs {
    pub fn new(aws: &AwsSettings, bucket: &Bucket) -> Self {
        Self::with_config(Self::client_config(aws, bucket).build(), bucket)
    }

    /// The SDK client's configuration for `bucket`, to add to (local-dev records its calls).
    pub fn client_config(aws: &AwsSettings, bucket: &Bucket) -> aws_sdk_s3::config::Builder {
        let mut config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws.region())
            .credentials_provider(aws.credentials())
            .http_client(aws.http_client());
        if let Some(endpoint) = &bucket.endpoint {
            config = config.endpoint_url(endpoint).force_path_style(true);
        }
        config
    }

    pub fn with_config(config: aws_sdk_s3::Config, bucket: &Bucket) -> Self {
        Self {
            config,
            bucket: bucket.name.clone(),
            client: OnceLock::new(),
        }
    }

    fn client(&self) -> &Client {
        self.client
            .get_or_init(|| Client::from_conf(self.config.clone()))
    }
}

/// The signing time and validity of a request made at `from`, valid until `until`.
fn presigning(from: Timestamp, until: Timestamp) -> Result<PresigningConfig, ChatError> {
    let start = UNIX_EPOCH + Duration::from_millis(from.unix_millis().max(0) as u64);
    let valid = Duration::from_millis((until.unix_millis() - from.unix_millis()).max(1) as u64);
    PresigningConfig::builder()
        .start_time(start)
        .expires_in(valid)
        .build()
        .map_err(|error| anyhow::anyhow!("presigning config: {error}").into())
}

#[async_trait]
impl BlobStore for S3Blobs {
    async fn presign_upload(
        &self,
        attachment: &Attachment,
        expires_at: Timestamp,
    ) -> Result<PresignedRequest, ChatError> {
        let presigned = self
            .client()
            .put_object()
            .bucket(&self.bucket)
            .key(attachment.object_key())
            .content_length(attachment.size.bytes() as i64)
            .content_type(attachment.content_type.as_str())
            .content_disposition(attachment.content_disposition())
            .presigned(presigning(attachment.created_at, expires_at)?)
            .await
            .map_err(|error| anyhow::anyhow!("presigning PutObject: {error}"))?;
        Ok(PresignedRequest {
            method: "PUT",
            url: presigned.uri().to_owned(),
            headers: presigned
                .headers()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
            expires_at,
        })
    }

    async fn presign_download(
        &self,
        attachment: &Attachment,
        signed_at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<String, ChatError> {
        let presigned = self
            .client()
            .get_object()
            .bucket(&self.bucket)
            .key(attachment.object_key())
            .presigned(presigning(signed_at, expires_at)?)
            .await
            .map_err(|error| anyhow::anyhow!("presigning GetObject: {error}"))?;
        Ok(presigned.uri().to_owned())
    }
}
