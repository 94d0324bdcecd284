//! What every AWS SDK client of the process shares: the region and the credentials, read once
//! from the environment Lambda sets (`AWS_REGION`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`). Reading them directly, instead of through
//! `aws-config`'s provider chain, keeps the binaries small and the cold start short.

use aws_credential_types::Credentials;
use aws_types::region::Region;

#[derive(Clone, Debug)]
pub struct AwsSettings {
    region: Region,
    credentials: Credentials,
}

impl AwsSettings {
    /// From the environment; a missing key fails with its name.
    pub fn from_env() -> anyhow::Result<Self> {
        let var =
            |name: &str| std::env::var(name).map_err(|_| anyhow::anyhow!("{name} is not set"));
        let region = var("AWS_REGION").or_else(|_| var("AWS_DEFAULT_REGION"))?;
        let credentials = Credentials::new(
            var("AWS_ACCESS_KEY_ID")?,
            var("AWS_SECRET_ACCESS_KEY")?,
            std::env::var("AWS_SESSION_TOKEN").ok(),
            None,
            "environment",
        );
        Ok(Self {
            region: Region::new(region),
            credentials,
        })
    }

    /// For servers on this machine (local-dev's Management API, DynamoDB Local), which check
    /// no signature: a fixed region and dummy keys.
    pub fn local() -> Self {
        Self {
            region: Region::from_static("us-east-1"),
            credentials: Credentials::new("local", "local", None, None, "local"),
        }
    }

    pub fn region(&self) -> Region {
        self.region.clone()
    }

    pub fn credentials(&self) -> Credentials {
        self.credentials.clone()
    }
}
