//! Log lines as Lambda's advanced logging controls ask for them: JSON objects when the function's
//! log format is JSON (`AWS_LAMBDA_LOG_FORMAT`), at the level `AWS_LAMBDA_LOG_LEVEL` (else
//! `RUST_LOG`, else INFO) sets.
//!
//! This replaces `lambda_runtime::tracing::init_default_subscriber`, which does the same through
//! `EnvFilter`: its regex engine was a quarter of a megabyte of every function binary and part
//! of every cold start. A `Targets` filter reads the same `info` or `shared=debug,info` forms.

use std::str::FromStr;

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub fn init() {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL").or_else(|_| std::env::var("RUST_LOG"));
    let filter = filter(level.as_deref().unwrap_or("info"));
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let lines = tracing_subscriber::fmt::layer()
        .with_target(false)
        .without_time()
        .with_ansi(false);
    let registry = tracing_subscriber::registry().with(filter);
    // Fails only when a subscriber is already installed (a test's): that one stays.
    let _ = if json {
        registry.with(lines.json()).try_init()
    } else {
        registry.with(lines).try_init()
    };
}

/// `TRACE`..`FATAL` as Lambda writes levels (case-insensitive), or directives such as
/// `shared=debug`; targets no directive names log at INFO unless the spec sets a level for all.
fn filter(spec: &str) -> Targets {
    let level = match spec.to_ascii_lowercase().as_str() {
        "fatal" => Some(LevelFilter::ERROR),
        other => LevelFilter::from_str(other).ok(),
    };
    if let Some(level) = level {
        return Targets::new().with_default(level);
    }
    let targets = Targets::from_str(spec).unwrap_or_default();
    match targets.default_level() {
        Some(_) => targets,
        None => targets.with_default(LevelFilter::INFO),
    }
}

#[cfg(test)]
mod tests {
    use super::filter;
    use tracing::Level;

    #[test]
    fn reads_lambda_levels_and_directives() {
        assert!(filter("DEBUG").would_enable("shared", &Level::DEBUG));
        assert!(!filter("WARN").would_enable("shared", &Level::INFO));
        assert!(filter("FATAL").would_enable("shared", &Level::ERROR));
        assert!(!filter("FATAL").would_enable("shared", &Level::WARN));
        let directives = filter("shared=debug,info");
        assert!(directives.would_enable("shared::store", &Level::DEBUG));
        assert!(!directives.would_enable("functions", &Level::DEBUG));
        let one_target = filter("shared=trace");
        assert!(one_target.would_enable("shared", &Level::TRACE));
        assert!(one_target.would_enable("functions", &Level::INFO));
        assert!(!one_target.would_enable("functions", &Level::DEBUG));
    }
}
