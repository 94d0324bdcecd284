//! One Lambda function of the route table (REST or WebSocket), named by this binary's name.

// One thread: Lambda hands a function one event at a time (README, "Lambda binaries").
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    functions::lambda::run(env!("CARGO_BIN_NAME")).await
}
