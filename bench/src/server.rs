//! The server under test: a local-dev this tool starts (memory or DynamoDB store), or a URL.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct Target {
    pub base: String,
    pub ws: String,
    /// The server's pid, for its memory (when this tool started it, or --pid was given).
    pub pid: Option<u32>,
    _child: Option<Child>,
    pub client: reqwest::Client,
}

impl Target {
    /// Starts `target/release/local-dev` (or `LOCAL_DEV_BIN`) on a free port with `store`,
    /// rate limits off, and waits for its address.
    pub async fn start(store: &str) -> anyhow::Result<Self> {
        let binary = std::env::var("LOCAL_DEV_BIN").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/local-dev").to_owned()
        });
        let mut child = Command::new(&binary)
            .args(["--port", "0", "--store", store, "--rate-limits", "off"])
            .env("RUST_LOG", "warn,local_dev=info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| {
                format!("starting {binary} (build it: cargo build --release -p local-dev)")
            })?;
        let stdout = child.stdout.take().context("local-dev's stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let base = tokio::time::timeout(Duration::from_secs(180), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(at) = line.find("serving on http://") {
                    return Ok(line[at + "serving on ".len()..].trim().to_owned());
                }
            }
            bail!("local-dev exited before it served")
        })
        .await
        .context("local-dev did not start within 3 minutes")??;
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let pid = child.id();
        let target = Self::new(base, pid, Some(child));
        target.wait_healthy().await?;
        Ok(target)
    }

    /// Listening is not serving: waits until the health route says the store answers.
    async fn wait_healthy(&self) -> anyhow::Result<()> {
        let url = format!("{}/api/health", self.base);
        for _ in 0..300 {
            match self.client.get(&url).send().await {
                Ok(answer) if answer.status().is_success() => return Ok(()),
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        bail!("{url} never answered 200")
    }

    pub fn at(url: &str, pid: Option<u32>) -> Self {
        Self::new(url.trim_end_matches('/').to_owned(), pid, None)
    }

    fn new(base: String, pid: Option<u32>, child: Option<Child>) -> Self {
        let ws = format!("{}/ws", base.replacen("http", "ws", 1));
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .build()
            .expect("an HTTP client");
        Self {
            base,
            ws,
            pid,
            _child: child,
            client,
        }
    }

    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> anyhow::Result<(u16, Value)> {
        let mut request = self.client.post(format!("{}{path}", self.base)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    pub async fn agent_token(&self) -> anyhow::Result<String> {
        let (status, body) = self
            .post(
                "/api/auth/login/",
                None,
                &json!({"username": "admin", "password": "admin123"}),
            )
            .await?;
        if status != 200 {
            bail!("login answered {status}: {body}");
        }
        Ok(body["access"].as_str().unwrap_or_default().to_owned())
    }

    /// A room of a new visitor: (room id, customer token).
    pub async fn open_room(&self, name: &str) -> anyhow::Result<(String, String)> {
        let (status, body) = self
            .post(
                "/api/public/chat-rooms/",
                None,
                &json!({"customer_name": name}),
            )
            .await?;
        if status != 201 {
            bail!("creating a room answered {status}: {body}");
        }
        Ok((
            body["room"]["id"].as_str().unwrap_or_default().to_owned(),
            body["customer_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        ))
    }

    /// The server's resident memory, in bytes.
    pub fn rss(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    }
}
