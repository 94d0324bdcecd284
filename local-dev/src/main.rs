#[tokio::main]
async fn main() -> anyhow::Result<()> {
    local_dev::init_tracing();
    let options = local_dev::Options::from_args(std::env::args().skip(1))?;
    let server = local_dev::start(options).await?;
    // On stdout, as lines of their own: the first one is what scripts wait for.
    println!("{}", server.banner());
    server.task.await??;
    Ok(())
}
