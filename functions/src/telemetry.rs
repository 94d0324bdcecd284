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

/// Crates that write whole requests and responses (message bodies, tokens, signed headers)
/// at TRACE: the AWS SDK and its HTTP stack. They never log above DEBUG, whatever was asked.
const WIRE_LOGGERS: &[&str] = &[
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http_client",
    "aws_smithy_types",
    "aws_sigv4",
    "aws_runtime",
    "aws_sdk_dynamodb",
    "aws_sdk_apigatewaymanagement",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
];

/// `TRACE`..`FATAL` as Lambda writes levels (case-insensitive), or directives such as
/// `shared=debug`; targets no directive names log at INFO unless the spec sets a level for all.
/// local-dev reads `RUST_LOG` with it too.
pub fn filter(spec: &str) -> Targets {
    let level = match spec.trim().to_ascii_lowercase().as_str() {
        "fatal" => Some(LevelFilter::ERROR),
        other => LevelFilter::from_str(other).ok(),
    };
    let targets = match level {
        Some(level) => Targets::new().with_default(level),
        None => {
            let targets = Targets::from_str(spec).unwrap_or_default();
            match targets.default_level() {
                Some(_) => targets,
                None => targets.with_default(LevelFilter::INFO),
            }
        }
    };
    let cap = targets
        .default_level()
        .unwrap_or(LevelFilter::INFO)
        .min(LevelFilter::DEBUG);
    WIRE_LOGGERS
        .iter()
        .fold(targets, |targets, wire| targets.with_target(*wire, cap))
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
        // The SDK's wire dumps stay off, even when asked for by name.
        assert!(!filter("trace").would_enable("aws_smithy_runtime::client", &Level::TRACE));
        assert!(filter("trace").would_enable("aws_smithy_runtime::client", &Level::DEBUG));
        assert!(
            !filter("aws_smithy_runtime=trace").would_enable("aws_smithy_runtime", &Level::TRACE)
        );
        assert!(!filter("warn").would_enable("hyper", &Level::INFO));
    }
}
