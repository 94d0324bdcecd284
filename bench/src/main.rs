//! chat-bench: benchmarks that print figures, one JSON line per run on stdout and a readable
//! summary on stderr. They assert nothing; tests assert behaviour.
//!
//! Load (against a local-dev it starts, or --url; loopback only):
//!   chat-bench latency    [--rooms 50] [--rate 500] [--seconds 10]
//!   chat-bench throughput [--senders 50] [--seconds 10] [--mode rest|ws]
//!   chat-bench idle       [--sockets 2000] [--hold 10]
//!     common: [--store memory|dynamodb] | [--url http://127.0.0.1:8001 [--pid PID]]
//!
//! Functions:
//!   chat-bench init BINARY [RUNS] [--secrets-manager]
//!                                   init time of a Lambda function binary: process start to
//!                                   its first poll of a local stub of the Lambda Runtime API
//!                                   (its secret from JWT_SECRET, or read as deployed)
//!   chat-bench size DIR BINARY...   the size of each binary in DIR

mod cpu;
mod idle;
mod init;
mod latency;
mod server;
mod sockets;
mod stats;
mod throughput;

use std::collections::HashMap;

use anyhow::{Context, bail};

fn options(args: &[String]) -> anyhow::Result<HashMap<String, String>> {
    let mut options = HashMap::new();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let name = flag
            .strip_prefix("--")
            .with_context(|| format!("unexpected {flag}"))?;
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        options.insert(name.to_owned(), value.clone());
    }
    Ok(options)
}

fn number(options: &HashMap<String, String>, name: &str, default: u64) -> anyhow::Result<u64> {
    options.get(name).map_or(Ok(default), |v| {
        v.parse().with_context(|| format!("--{name}"))
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str).unwrap_or_default();
    match command {
        "init" => {
            let binary = args.get(1).context("init needs a binary")?;
            let runs = args.get(2).map_or(Ok(30), |n| n.parse())?;
            let source = if args.iter().any(|a| a == "--secrets-manager") {
                init::SecretSource::SecretsManager
            } else {
                init::SecretSource::Environment
            };
            return init::report(binary, runs, source);
        }
        "size" => {
            let dir = args.get(1).context("size needs a directory")?;
            for binary in &args[2..] {
                let bytes = std::fs::metadata(format!("{dir}/{binary}"))?.len();
                println!("{{\"bench\":\"size\",\"binary\":\"{binary}\",\"bytes\":{bytes}}}");
                eprintln!("{binary:<24} {:>6.2} MB", bytes as f64 / 1_000_000.0);
            }
            return Ok(());
        }
        "latency" | "throughput" | "idle" => {}
        _ => {
            eprintln!(
                "usage: chat-bench latency|throughput|idle [options] | init BINARY [RUNS] [--secrets-manager] | size DIR BINARY..."
            );
            std::process::exit(2);
        }
    }
    let options = options(&args[1..])?;
    let target = match options.get("url") {
        Some(url) => {
            let pid = options.get("pid").map(|p| p.parse()).transpose()?;
            server::Target::at(url, pid)
        }
        None => {
            server::Target::start(options.get("store").map_or("memory", String::as_str)).await?
        }
    };
    let cpu_before = cpu::Sample::take(target.pid);
    let started = std::time::Instant::now();
    let mut result = match command {
        "latency" => {
            let rooms = number(&options, "rooms", 50)? as usize;
            latency::run(
                &target,
                rooms,
                number(&options, "rate", 500)?,
                number(&options, "seconds", 10)?,
            )
            .await?
        }
        "throughput" => {
            let mode = match options.get("mode").map_or("rest", String::as_str) {
                "rest" => throughput::Mode::Rest,
                "ws" => throughput::Mode::WebSocket,
                other => bail!("--mode takes rest or ws, not {other}"),
            };
            let senders = number(&options, "senders", 50)? as usize;
            throughput::run(&target, senders, number(&options, "seconds", 10)?, mode).await?
        }
        _ => {
            idle::run(
                &target,
                number(&options, "sockets", 2000)? as usize,
                number(&options, "hold", 10)?,
            )
            .await?
        }
    };
    if command != "idle" {
        let cpu_after = cpu::Sample::take(target.pid);
        let (cpu, line) = cpu_after.since(&cpu_before, started.elapsed().as_secs_f64());
        eprintln!("{line}");
        result["cpu_seconds"] = cpu;
    }
    println!("{result}");
    Ok(())
}
