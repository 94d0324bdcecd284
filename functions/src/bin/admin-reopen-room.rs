//! One Lambda function of the route table (REST or WebSocket), named by this binary's name.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    functions::lambda::run(env!("CARGO_BIN_NAME")).await
}
