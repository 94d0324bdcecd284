#[tokio::main]
async fn main() -> anyhow::Result<()> {
    local_dev::init_tracing();
    let options = local_dev::Options::from_args(std::env::args().skip(1))?;
    let server = local_dev::start(options).await?;
    tracing::info!("local-dev serving on http://{}", server.addr);
    server.task.await??;
    Ok(())
}
