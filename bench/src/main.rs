//! chat-bench: benchmarks that print figures (never timed assertions).
//!
//!   chat-bench init BINARY [RUNS]   init time of a Lambda function binary: from process start
//!                                   to its first poll of a local stub of the Lambda Runtime API
//!   chat-bench size DIR BINARY...   the size of each binary in DIR

mod init;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("init") => {
            let binary = args
                .get(1)
                .ok_or_else(|| anyhow::anyhow!("init needs a binary"))?;
            let runs = args.get(2).map_or(Ok(30), |n| n.parse())?;
            init::report(binary, runs)
        }
        Some("size") => {
            let dir = args
                .get(1)
                .ok_or_else(|| anyhow::anyhow!("size needs a directory"))?;
            for binary in &args[2..] {
                let bytes = std::fs::metadata(format!("{dir}/{binary}"))?.len();
                println!("{{\"bench\":\"size\",\"binary\":\"{binary}\",\"bytes\":{bytes}}}");
                eprintln!("{binary:<24} {:>6.2} MB", bytes as f64 / 1_000_000.0);
            }
            Ok(())
        }
        _ => {
            eprintln!("usage: chat-bench init BINARY [RUNS] | size DIR BINARY...");
            std::process::exit(2);
        }
    }
}
