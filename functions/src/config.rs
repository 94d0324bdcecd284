//! The process's configuration, read once at start from the environment.

use anyhow::{Context, bail};
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use shared::aws::AwsSettings;
use shared::domain::{AttachmentRules, Routing};
use shared::rate::RateLimits;

use crate::http::web::WebFiles;
use crate::s3::Bucket;

/// The shortest `JWT_SECRET` accepted: HS256 wants a key at least as long as its hash.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Clone)]
pub struct Config {
    /// Signs and verifies every token (`JWT_SECRET`).
    pub jwt_secret: Vec<u8>,
    /// Where API Gateway's Management API is (`WEBSOCKET_ENDPOINT`), for pushes.
    pub websocket_endpoint: Option<String>,
    /// A DynamoDB other than the region's, such as DynamoDB Local (`DYNAMODB_ENDPOINT`).
    pub dynamodb_endpoint: Option<String>,
    /// API.md's rate limits: the defaults, each replaced by its `RATE_LIMIT_*` variable.
    pub rate_limits: RateLimits,
    /// Auto-assignment (`AUTO_ASSIGN`, `MAX_OPEN_ROOMS_PER_AGENT`): off unless set.
    pub routing: Routing,
    /// Where the `web` function reads the pages from.
    pub web_files: WebFiles,
    /// What the start page (`GET /`) says the store is: a deployed stack's is its table;
    /// local-dev says which it runs.
    pub store_label: String,
    /// Where attachments are kept (`ATTACHMENTS_BUCKET`, `S3_ENDPOINT`); none: attachments
    /// fail, saying so.
    pub attachments: Option<Bucket>,
    /// What may be uploaded (`MAX_ATTACHMENT_BYTES`, `ATTACHMENT_TYPES`).
    pub attachment_rules: AttachmentRules,
}

/// What a deployed function starts with: the configuration, and the table it cannot run
/// without (`TABLE_NAME`).
#[derive(Clone, Debug)]
pub struct Deployed {
    pub config: Config,
    pub table_name: String,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("websocket_endpoint", &self.websocket_endpoint)
            .field("dynamodb_endpoint", &self.dynamodb_endpoint)
            .field("rate_limits", &self.rate_limits)
            .field("routing", &self.routing)
            .field("web_files", &self.web_files)
            .field("store_label", &self.store_label)
            .field("attachments", &self.attachments)
            .field("attachment_rules", &self.attachment_rules)
            .finish_non_exhaustive()
    }
}

fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

impl Config {
    /// Reads the environment of a deployed function. A missing or weak variable fails the start
    /// with its name. The signing secret is read once, here: from Secrets Manager when
    /// `JWT_SECRET_ARN` names it (as the template sets it), else from `JWT_SECRET` (a local run);
    /// it is never a plain environment value in the cloud, where the function configuration
    /// can be read by anyone with `lambda:GetFunctionConfiguration`.
    pub async fn load(aws: &AwsSettings) -> anyhow::Result<Deployed> {
        let secret = match optional("JWT_SECRET_ARN") {
            Some(arn) => read_secret(aws, &arn)
                .await
                .with_context(|| format!("reading the JWT secret {arn} from Secrets Manager"))?,
            None => std::env::var("JWT_SECRET")
                .context("neither JWT_SECRET_ARN nor JWT_SECRET is set")?
                .into_bytes(),
        };
        let table_name = optional("TABLE_NAME").context("TABLE_NAME is not set")?;
        let mut config = Self::with_secret(secret)?;
        config.websocket_endpoint = optional("WEBSOCKET_ENDPOINT");
        config.dynamodb_endpoint = optional("DYNAMODB_ENDPOINT");
        config.rate_limits = RateLimits::from_env().map_err(anyhow::Error::msg)?;
        config.routing = Routing::parse(
            optional("AUTO_ASSIGN").as_deref(),
            optional("MAX_OPEN_ROOMS_PER_AGENT").as_deref(),
        )
        .map_err(anyhow::Error::msg)?;
        config.web_files = WebFiles::embedded(config.websocket_endpoint.as_deref());
        config.attachments = optional("ATTACHMENTS_BUCKET").map(|name| Bucket {
            name,
            endpoint: optional("S3_ENDPOINT"),
        });
        config.attachment_rules = AttachmentRules::from_env().map_err(anyhow::Error::msg)?;
        Ok(Deployed { config, table_name })
    }

    /// The web function's: it serves files, signs nothing and touches no table, so it reads
    /// no secret (its key is random and never used) and needs only `WEBSOCKET_ENDPOINT`.
    pub fn for_pages() -> Self {
        let unused_key = format!("{}{}", ulid::Ulid::new(), ulid::Ulid::new());
        let mut config = Self::with_secret(unused_key.into_bytes()).expect("52 bytes");
        config.websocket_endpoint = optional("WEBSOCKET_ENDPOINT");
        config.web_files = WebFiles::embedded(config.websocket_endpoint.as_deref());
        config
    }

    pub fn with_secret(jwt_secret: Vec<u8>) -> anyhow::Result<Self> {
        if jwt_secret.len() < MIN_SECRET_BYTES {
            bail!("JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes");
        }
        Ok(Self {
            jwt_secret,
            websocket_endpoint: None,
            dynamodb_endpoint: None,
            rate_limits: RateLimits::default(),
            routing: Routing::OFF,
            web_files: WebFiles::embedded(None),
            store_label: "DynamoDB (this stack's table)".to_owned(),
            attachments: None,
            attachment_rules: AttachmentRules::default(),
        })
    }
}

/// One GetSecretValue with a client built for it and dropped after: the secret is read once
/// per process. `AWS_ENDPOINT_URL_SECRETS_MANAGER` points it elsewhere (a local stand-in).
async fn read_secret(aws: &AwsSettings, arn: &str) -> anyhow::Result<Vec<u8>> {
    let mut config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
        .region(aws.region())
        .credentials_provider(aws.credentials())
        .http_client(aws.http_client());
    if let Some(endpoint) = optional("AWS_ENDPOINT_URL_SECRETS_MANAGER") {
        config = config.endpoint_url(endpoint);
    }
    let client = aws_sdk_secretsmanager::Client::from_conf(config.build());
    let answer = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|error| anyhow::anyhow!("{}", DisplayErrorContext(&error)))?;
    match (answer.secret_string(), answer.secret_binary()) {
        (Some(text), _) => Ok(text.as_bytes().to_vec()),
        (None, Some(binary)) => Ok(binary.as_ref().to_vec()),
        (None, None) => bail!("the secret has no value"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Config, MIN_SECRET_BYTES};

    #[test]
    fn a_deployed_function_refuses_a_short_secret() {
        let short = Config::with_secret(vec![b'x'; MIN_SECRET_BYTES - 1]).unwrap_err();
        assert!(short.to_string().contains("at least 32 bytes"), "{short}");
        assert!(Config::with_secret(Vec::new()).is_err());
        assert!(Config::with_secret(vec![b'x'; MIN_SECRET_BYTES]).is_ok());
        // The secret never shows in the configuration's Debug form (nor so in logs).
        let config = Config::with_secret(b"a secret that is long enough to sign tokens".to_vec());
        assert!(!format!("{:?}", config.unwrap()).contains("long enough"));
    }
}
