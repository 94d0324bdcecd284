//! local-dev's settings: flags first, then environment variables, then zero-config defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use functions::Config;
use shared::domain::Routing;
use shared::rate::RateLimits;

use crate::cors::AllowedOrigins;
use crate::store::StoreChoice;
use crate::websocket::Limits;

/// Signs tokens when `JWT_SECRET` is not set. Public, so never for a deployment.
const DEV_JWT_SECRET: &str = "local-dev-only-secret-never-use-in-a-deployment";

pub struct Options {
    pub addr: SocketAddr,
    pub config: Config,
    pub push: PushMode,
    pub ws_limits: Limits,
    pub store: StoreChoice,
    /// Sites whose pages may call the REST API from a browser (none but this server's own).
    pub cors_origins: AllowedOrigins,
    /// How often the scheduled functions run (sweep-connections); `None`: as in the cloud.
    pub schedule_every: Option<std::time::Duration>,
    /// Where the S3 endpoint listens.
    pub s3_addr: SocketAddr,
    /// The folder it keeps objects in; `None`: a temporary one, removed at exit.
    pub data_dir: Option<PathBuf>,
}

/// How the functions push to WebSocket connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushMode {
    /// Straight into this process's sockets (the default: fastest).
    InProcess,
    /// Through the AWS SDK's apigatewaymanagement client and this server's `@connections`
    /// API, exactly as deployed functions push.
    ManagementApi,
}

const USAGE: &str = "\
usage: local-dev [--addr HOST:PORT] [--port PORT] [--store memory|dynamodb]
                 [--dynamodb-endpoint URL] [--table NAME] [--push in-process|management-api]
                 [--ws-idle-timeout SECONDS] [--ws-max-lifetime SECONDS]
                 [--auto-assign off|least_busy] [--max-open-rooms N]
                 [--schedule-every SECONDS] [--s3-addr HOST:PORT] [--data-dir PATH]

  --addr HOST:PORT           where to listen (env LOCAL_DEV_ADDR; default 127.0.0.1:8001)
  --port PORT                listen on 127.0.0.1:PORT
  --store STORE              memory (default: nothing to set up, gone at exit) or dynamodb
                             (env LOCAL_DEV_STORE)
  --dynamodb-endpoint URL    the DynamoDB to use with --store dynamodb (env DYNAMODB_ENDPOINT);
                             without one, local-dev starts a DynamoDB Local and stops it at exit
  --table NAME               the table, created when missing (env TABLE_NAME; default chat-local)
  --push MODE                how functions push to sockets: in-process (default), or
                             management-api (the AWS SDK through this server's @connections)
  --ws-idle-timeout SECONDS  close a WebSocket silent this long (default 600, as API Gateway)
  --ws-max-lifetime SECONDS  close any WebSocket this old (default 7200, as API Gateway)
  --allow-origin ORIGIN      a site (https://shop.example) whose pages may call the REST API
                             from a browser; repeatable (env CORS_ALLOWED_ORIGINS, comma-
                             separated). Pages served here need none.
  --rate-limits on|off       API.md's rate limits (env RATE_LIMITS; default on, each limit
                             from its RATE_LIMIT_* variable as in Lambda); off for benchmarks
  --auto-assign MODE         off (default: rooms wait for an agent to take them) or least_busy
                             (to the online agent with the fewest open rooms) (env AUTO_ASSIGN)
  --max-open-rooms N         auto-assignment gives no agent more open rooms than N; 0 (the
                             default) for no cap (env MAX_OPEN_ROOMS_PER_AGENT)
  --schedule-every SECONDS   run the functions the cloud runs on a schedule (sweep-connections:
                             agents whose socket died unseen go offline) this often (default:
                             their schedule in template.yaml, every 60)
  --s3-addr HOST:PORT        where the S3-compatible endpoint listens (env LOCAL_DEV_S3_ADDR;
                             default: the next port after the API's, 8002; 0 with --port 0)
  --data-dir PATH            the folder it keeps uploads in (env LOCAL_DEV_DATA_DIR; default: a
                             temporary one, printed at start and removed at exit)

environment:
  JWT_SECRET        token signing secret, at least 32 bytes (default: a public dev secret)
  RUST_LOG          log filter (default: info)";

impl Options {
    /// Defaults for a given address: the development secret.
    pub fn local(addr: SocketAddr) -> Self {
        Self {
            addr,
            config: Config::with_secret(DEV_JWT_SECRET.as_bytes().to_vec())
                .expect("the development secret is long enough"),
            push: PushMode::InProcess,
            ws_limits: Limits::default(),
            store: StoreChoice::Memory,
            cors_origins: AllowedOrigins::default(),
            schedule_every: None,
            s3_addr: next_port(addr),
            data_dir: None,
        }
    }

    /// Reads the command line (without the program name) and the environment.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> anyhow::Result<Self> {
        let mut addr: SocketAddr = match std::env::var("LOCAL_DEV_ADDR") {
            Ok(raw) => raw.parse().context("LOCAL_DEV_ADDR must be HOST:PORT")?,
            Err(_) => SocketAddr::from(([127, 0, 0, 1], 8001)),
        };
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut store = env("LOCAL_DEV_STORE").unwrap_or_else(|| "memory".to_owned());
        let mut endpoint = env("DYNAMODB_ENDPOINT");
        let mut table = env("TABLE_NAME").unwrap_or_else(|| "chat-local".to_owned());
        let mut push = PushMode::InProcess;
        let mut ws_limits = Limits::default();
        let mut origins: Vec<String> = env("CORS_ALLOWED_ORIGINS")
            .map(|list| list.split(',').map(str::to_owned).collect())
            .unwrap_or_default();
        let mut rate_limits = env("RATE_LIMITS").unwrap_or_else(|| "on".to_owned());
        let mut auto_assign = env("AUTO_ASSIGN");
        let mut max_open_rooms = env("MAX_OPEN_ROOMS_PER_AGENT");
        let mut schedule_every = None;
        let mut s3_addr = env("LOCAL_DEV_S3_ADDR")
            .map(|raw| raw.parse().context("LOCAL_DEV_S3_ADDR must be HOST:PORT"))
            .transpose()?;
        let mut data_dir = env("LOCAL_DEV_DATA_DIR").map(PathBuf::from);
        let seconds = |raw: String, name: &str| -> anyhow::Result<std::time::Duration> {
            let n: u64 = raw
                .parse()
                .with_context(|| format!("{name} takes whole seconds"))?;
            Ok(std::time::Duration::from_secs(n))
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value =
                |name: &str| args.next().with_context(|| format!("{name} needs a value"));
            match arg.as_str() {
                "--addr" => {
                    addr = value("--addr")?
                        .parse()
                        .context("--addr must be HOST:PORT")?
                }
                "--port" => addr.set_port(
                    value("--port")?
                        .parse()
                        .context("--port must be a number")?,
                ),
                "--store" => store = value("--store")?,
                "--dynamodb-endpoint" => endpoint = Some(value("--dynamodb-endpoint")?),
                "--table" => table = value("--table")?,
                "--push" => {
                    push = match value("--push")?.as_str() {
                        "in-process" => PushMode::InProcess,
                        "management-api" => PushMode::ManagementApi,
                        other => bail!("--push takes in-process or management-api, not {other}"),
                    }
                }
                "--ws-idle-timeout" => {
                    ws_limits.idle_timeout =
                        seconds(value("--ws-idle-timeout")?, "--ws-idle-timeout")?
                }
                "--ws-max-lifetime" => {
                    ws_limits.max_lifetime =
                        seconds(value("--ws-max-lifetime")?, "--ws-max-lifetime")?
                }
                "--rate-limits" => rate_limits = value("--rate-limits")?,
                "--auto-assign" => auto_assign = Some(value("--auto-assign")?),
                "--max-open-rooms" => max_open_rooms = Some(value("--max-open-rooms")?),
                "--allow-origin" => origins.push(value("--allow-origin")?),
                "--schedule-every" => {
                    let period = seconds(value("--schedule-every")?, "--schedule-every")?;
                    if period.is_zero() {
                        bail!("--schedule-every takes at least 1 second");
                    }
                    schedule_every = Some(period);
                }
                "--s3-addr" => {
                    s3_addr = Some(
                        value("--s3-addr")?
                            .parse()
                            .context("--s3-addr must be HOST:PORT")?,
                    )
                }
                "--data-dir" => data_dir = Some(PathBuf::from(value("--data-dir")?)),
                "-h" | "--help" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                other => bail!("unknown argument {other}\n\n{USAGE}"),
            }
        }
        let mut options = Self::local(addr);
        options.push = push;
        options.store = match store.as_str() {
            "memory" => StoreChoice::Memory,
            "dynamodb" => StoreChoice::DynamoDb { endpoint, table },
            other => bail!("--store takes memory or dynamodb, not {other}"),
        };
        options.ws_limits = ws_limits;
        options.schedule_every = schedule_every;
        options.s3_addr = s3_addr.unwrap_or_else(|| next_port(addr));
        options.data_dir = data_dir;
        options.cors_origins = AllowedOrigins::parse(origins.iter().map(String::as_str))?;
        match std::env::var("JWT_SECRET") {
            Ok(secret) => options.config = Config::with_secret(secret.into_bytes())?,
            Err(_) => tracing::warn!(
                "JWT_SECRET is not set: signing tokens with local-dev's public development \
                 secret. Never expose this server."
            ),
        }
        options.config.rate_limits = match rate_limits.as_str() {
            "on" => RateLimits::from_env().map_err(anyhow::Error::msg)?,
            "off" => RateLimits::OFF,
            other => bail!("--rate-limits takes on or off, not {other}"),
        };
        options.config.routing = Routing::parse(auto_assign.as_deref(), max_open_rooms.as_deref())
            .map_err(anyhow::Error::msg)?;
        Ok(options)
    }
}

/// The S3 endpoint's default address: the port after the API's (any free one when the API's
/// is picked freely, port 0).
fn next_port(api: SocketAddr) -> SocketAddr {
    let port = match api.port() {
        0 => 0,
        port => port.saturating_add(1),
    };
    SocketAddr::new(api.ip(), port)
}
