//! Init time: a function binary is started with `AWS_LAMBDA_RUNTIME_API` pointing at a stub
//! listening here; the time from spawning it to its first `GET .../invocation/next` is its
//! init (what Lambda bills as the init phase, minus the runtime's own start).
//!
//! With `--secrets-manager` the function reads its signing secret as deployed: `JWT_SECRET_ARN`
//! names it, and a loopback stand-in answers the one `GetSecretValue` (awsJson 1.1), so init
//! includes building the Secrets Manager client, signing the request and a round trip on
//! loopback (in a region, add Secrets Manager's own latency).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

const SECRET: &str = "a benchmark secret, at least 32 bytes long";
const SECRET_ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-AbCdEf";

/// Where the function under test gets its signing secret at start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretSource {
    Environment,
    SecretsManager,
}

/// A Secrets Manager stand-in on loopback that answers `GetSecretValue`, counting the calls.
struct SecretsStandIn {
    endpoint: String,
    calls: Arc<AtomicUsize>,
}

impl SecretsStandIn {
    fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if answer_get_secret_value(stream).is_ok() {
                    counted.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        Ok(Self { endpoint, calls })
    }
}

/// Reads one request and, if it is `GetSecretValue`, answers the secret; then closes.
fn answer_get_secret_value(stream: TcpStream) -> anyhow::Result<()> {
    let mut reader = BufReader::new(&stream);
    let (mut target, mut length) = (String::new(), 0usize);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            match name.to_ascii_lowercase().as_str() {
                "x-amz-target" => target = value.trim().to_owned(),
                "content-length" => length = value.trim().parse()?,
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    if target != "secretsmanager.GetSecretValue" {
        bail!("asked {target}");
    }
    let answer = serde_json::json!({
        "ARN": SECRET_ARN, "Name": "bench", "SecretString": SECRET, "VersionId": "v1",
    })
    .to_string();
    write!(
        &stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    )?;
    Ok(())
}

fn one_run(binary: &str, secrets: Option<&SecretsStandIn>) -> anyhow::Result<Duration> {
    let stub = TcpListener::bind("127.0.0.1:0")?;
    let api = stub.local_addr()?.to_string();
    let mut command = Command::new(binary);
    match secrets {
        Some(standin) => command
            .env("JWT_SECRET_ARN", SECRET_ARN)
            .env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &standin.endpoint),
        None => command.env("JWT_SECRET", SECRET),
    };
    let started = Instant::now();
    let mut child = command
        .env("AWS_LAMBDA_RUNTIME_API", &api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        // What a deployed chat function reads at start (dummy: no table is called).
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

pub fn report(binary: &str, runs: usize, source: SecretSource) -> anyhow::Result<()> {
    let secrets = match source {
        SecretSource::SecretsManager => Some(SecretsStandIn::start()?),
        SecretSource::Environment => None,
    };
    one_run(binary, secrets.as_ref())?; // warm the page cache
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| one_run(binary, secrets.as_ref()))
        .collect::<Result<_, _>>()?;
    if let Some(standin) = &secrets {
        let calls = standin.calls.load(Ordering::SeqCst);
        if calls != runs + 1 {
            bail!(
                "{binary} read its secret {calls} times in {} starts",
                runs + 1
            );
        }
    }
    let source = match source {
        SecretSource::SecretsManager => "secrets_manager",
        SecretSource::Environment => "environment",
    };
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    println!(
        "{{\"bench\":\"init\",\"binary\":\"{binary}\",\"secret\":\"{source}\",\"runs\":{runs},\"min_ms\":{:.2},\"p50_ms\":{:.2},\"p90_ms\":{:.2}}}",
        at(0.0),
        at(0.5),
        at(0.9)
    );
    eprintln!(
        "{binary} (secret from {source}): init p50 {:.2} ms (min {:.2}, p90 {:.2}) over {runs} runs",
        at(0.5),
        at(0.0),
        at(0.9)
    );
    Ok(())
}
