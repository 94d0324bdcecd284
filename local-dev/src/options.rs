//! local-dev's settings: flags first, then environment variables, then zero-config defaults.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use functions::Config;

/// Signs tokens when `JWT_SECRET` is not set. Public, so never for a deployment.
const DEV_JWT_SECRET: &str = "local-dev-only-secret-never-use-in-a-deployment";

pub struct Options {
    pub addr: SocketAddr,
    pub config: Config,
}

const USAGE: &str = "\
usage: local-dev [--addr HOST:PORT] [--port PORT]

  --addr HOST:PORT  where to listen (env LOCAL_DEV_ADDR; default 127.0.0.1:8001)
  --port PORT       listen on 127.0.0.1:PORT

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
        }
    }

    /// Reads the command line (without the program name) and the environment.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> anyhow::Result<Self> {
        let mut addr: SocketAddr = match std::env::var("LOCAL_DEV_ADDR") {
            Ok(raw) => raw.parse().context("LOCAL_DEV_ADDR must be HOST:PORT")?,
            Err(_) => SocketAddr::from(([127, 0, 0, 1], 8001)),
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
                "-h" | "--help" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                other => bail!("unknown argument {other}\n\n{USAGE}"),
            }
        }
        let mut options = Self::local(addr);
        match std::env::var("JWT_SECRET") {
            Ok(secret) => options.config = Config::with_secret(secret.into_bytes())?,
            Err(_) => tracing::warn!(
                "JWT_SECRET is not set: signing tokens with local-dev's public development \
                 secret. Never expose this server."
            ),
        }
        Ok(options)
    }
}
