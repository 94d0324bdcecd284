//! The functions EventBridge invokes on a schedule in the cloud (`Operation::schedule`),
//! invoked here on the same period, or a shorter one (`--schedule-every`), with the event
//! EventBridge sends: the same handlers, as the same function for the call log.

use std::time::Duration;

use functions::App;
use functions::routes::{OPERATIONS, Operation};
use serde_json::{Value, json};
use shared::ports::Clock;
use tokio::task::JoinHandle;

/// The running schedules; they stop when this is dropped (with the server).
pub struct Schedules(Vec<JoinHandle<()>>);

impl Drop for Schedules {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Starts every scheduled operation, each on its schedule's period unless `every` is given.
pub fn start(app: &App, every: Option<Duration>) -> Schedules {
    let tasks = OPERATIONS
        .iter()
        .filter_map(|operation| {
            let period = every.unwrap_or(operation.schedule?.period());
            Some(tokio::spawn(run(app.clone(), operation, period)))
        })
        .collect();
    Schedules(tasks)
}

async fn run(app: App, operation: &'static Operation, period: Duration) {
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is at once: a restarted local-dev ends what expired while it was down.
    loop {
        ticks.tick().await;
        let invocation = (operation.handler)(app.clone(), scheduled_event(operation.function));
        match crate::call_log::as_function(operation.function, invocation).await {
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(function = operation.function, error, "scheduled run failed")
            }
        }
    }
}

/// The event EventBridge sends a rule's target on schedule ("Scheduled Event").
fn scheduled_event(function: &str) -> Value {
    let time = shared::clock::SystemClock::new().now();
    json!({
        "version": "0",
        "id": ulid::Ulid::new().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": time.to_string(),
        "region": "local",
        "resources": [format!("arn:aws:events:local:000000000000:rule/local-dev-{function}")],
        "detail": {}
    })
}
