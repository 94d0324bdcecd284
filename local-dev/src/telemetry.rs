//! Readable log lines for a developer's terminal, at the level `RUST_LOG` sets (`info` unless it
//! says otherwise; `shared=debug,info` style directives work too), read as the functions read
//! theirs: the AWS SDK's wire dumps stay off whatever the level.

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub fn init_tracing() {
    let spec = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    tracing_subscriber::registry()
        .with(functions::telemetry::filter(&spec))
        .with(tracing_subscriber::fmt::layer().with_target(false))
        .init();
}
