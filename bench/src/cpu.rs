//! Where a run's CPU time went: the server, DynamoDB Local (when one runs on this machine) and
//! this load generator, from /proc. With two cores shared, this shows which one saturates.

use serde_json::{Value, json};

/// CPU seconds (user + system) a process has used so far.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0) // USER_HZ is 100 on Linux
}

/// The Java processes running DynamoDB Local.
fn dynamodb_local_pids() -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|cmd| String::from_utf8_lossy(&cmd).contains("DynamoDBLocal.jar"))
        })
        .collect()
}

/// CPU seconds used so far by each party.
pub struct Sample {
    server: Option<f64>,
    dynamodb_local: Option<f64>,
    load_generator: Option<f64>,
}

impl Sample {
    pub fn take(server: Option<u32>) -> Self {
        let dynamodb: Vec<f64> = dynamodb_local_pids()
            .into_iter()
            .filter_map(cpu_seconds)
            .collect();
        Self {
            server: server.and_then(cpu_seconds),
            dynamodb_local: (!dynamodb.is_empty()).then(|| dynamodb.iter().sum()),
            load_generator: cpu_seconds(std::process::id()),
        }
    }

    /// What each party used since `before`, as JSON, and a line for people.
    pub fn since(&self, before: &Sample, wall_seconds: f64) -> (Value, String) {
        let used = |now: Option<f64>, then: Option<f64>| Some(now? - then?);
        let server = used(self.server, before.server);
        let dynamodb = used(self.dynamodb_local, before.dynamodb_local);
        let generator = used(self.load_generator, before.load_generator);
        let cores = |seconds: Option<f64>| match seconds {
            Some(s) => format!("{:.2} cores", s / wall_seconds),
            None => "n/a".to_owned(),
        };
        let line = format!(
            "CPU over {wall_seconds:.1} s: server {}, DynamoDB Local {}, load generator {}",
            cores(server),
            cores(dynamodb),
            cores(generator)
        );
        let round = |s: Option<f64>| s.map(|s| (s * 100.0).round() / 100.0);
        let value = json!({
            "server": round(server),
            "dynamodb_local": round(dynamodb),
            "load_generator": round(generator),
        });
        (value, line)
    }
}
