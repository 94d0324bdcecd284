//! What every AWS SDK client of the process shares: the region and the credentials, read once
//! from the environment Lambda sets (`AWS_REGION`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), and one HTTPS client. Reading them directly,
//! instead of through `aws-config`'s provider chain, keeps the binaries small and the cold
//! start short.
//!
//! The HTTPS client trusts only the roots AWS's endpoints chain to (Amazon Trust Services:
//! Amazon Root CA 1-4 and the Starfield Services G2 root that cross-signs them). Loading the
//! system's 140-odd roots cost about 4.5 ms of every cold start, three times a hello-world
//! function's whole init; these five cost almost nothing. The functions talk to nothing else.

use aws_credential_types::Credentials;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_runtime_api::shared::IntoShared;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::region::Region;

const AMAZON_ROOTS: &[u8] = include_bytes!("amazon-trust-services-roots.pem");

#[derive(Clone, Debug)]
pub struct AwsSettings {
    region: Region,
    credentials: Credentials,
    http: SharedHttpClient,
}

fn https_client() -> SharedHttpClient {
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AMAZON_ROOTS);
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("the Amazon roots are valid PEM");
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .tls_context(context)
        .build_https();
    NoThrowawayConnector(https).into_shared()
}

/// The smithy HTTPS client, minus the connector it builds and throws away whenever an SDK
/// client is constructed. That throwaway build exists to load the system's roots at init
/// rather than at the first request (they are cached process-wide); with our own roots nothing
/// is cached, so it only parsed the PEM roots once per SDK client for nothing: almost a fifth
/// of the instructions a pushing function ran before its first poll. The connector requests
/// use is built, once per timeout setting, at the first request either way
/// (`shared/tests/https.rs` holds that path).
#[derive(Debug)]
struct NoThrowawayConnector(SharedHttpClient);

impl HttpClient for NoThrowawayConnector {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn validate_base_client_config(
        &self,
        _: &RuntimeComponentsBuilder,
        _: &ConfigBag,
    ) -> Result<(), BoxError> {
        Ok(())
    }

    fn validate_final_config(
        &self,
        components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.validate_final_config(components, cfg)
    }

    fn connector_metadata(
        &self,
    ) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.0.connector_metadata()
    }
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
            http: https_client(),
        })
    }

    /// For servers on this machine (local-dev's Management API, DynamoDB Local), which check
    /// no signature: a fixed region and dummy keys.
    pub fn local() -> Self {
        Self {
            region: Region::from_static("us-east-1"),
            credentials: Credentials::new("local", "local", None, None, "local"),
            http: https_client(),
        }
    }

    pub fn region(&self) -> Region {
        self.region.clone()
    }

    pub fn credentials(&self) -> Credentials {
        self.credentials.clone()
    }

    /// The one HTTPS client every SDK client of the process uses.
    pub fn http_client(&self) -> SharedHttpClient {
        self.http.clone()
    }
}
