//! One Lambda function of the route table: the route whose function name is this binary's name.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::lambda::serve_http(env!("CARGO_BIN_NAME")).await
}
