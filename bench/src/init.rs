//! Init time: a function binary is started with `AWS_LAMBDA_RUNTIME_API` pointing at a stub
//! listening here; the time from spawning it to its first `GET .../invocation/next` is its
//! init (what Lambda bills as the init phase, minus the runtime's own start).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

fn one_run(binary: &str) -> anyhow::Result<Duration> {
    let stub = TcpListener::bind("127.0.0.1:0")?;
    let api = stub.local_addr()?.to_string();
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", &api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        // What a deployed chat function reads at start (dummy, nothing is called).
        .env("JWT_SECRET", "a benchmark secret, at least 32 bytes long")
        .env("TABLE_NAME", "bench")
        .env(
            "WEBSOCKET_ENDPOINT",
            "https://example.execute-api.us-east-1.amazonaws.com/prod",
        )
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("AWS_LAMBDA_LOG_LEVEL", "ERROR")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {binary}"))?;
    let (stream, _) = stub.accept()?;
    let elapsed = started.elapsed();
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line)?;
    let _ = child.kill();
    let _ = child.wait();
    if !line.starts_with("GET /2018-06-01/runtime/invocation/next") {
        bail!("{binary} asked {line:?} first");
    }
    Ok(elapsed)
}

pub fn report(binary: &str, runs: usize) -> anyhow::Result<()> {
    one_run(binary)?; // warm the page cache
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| one_run(binary))
        .collect::<Result<_, _>>()?;
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    println!(
        "{{\"bench\":\"init\",\"binary\":\"{binary}\",\"runs\":{runs},\"min_ms\":{:.2},\"p50_ms\":{:.2},\"p90_ms\":{:.2}}}",
        at(0.0),
        at(0.5),
        at(0.9)
    );
    eprintln!(
        "{binary}: init p50 {:.2} ms (min {:.2}, p90 {:.2}) over {runs} runs",
        at(0.5),
        at(0.0),
        at(0.9)
    );
    Ok(())
}
