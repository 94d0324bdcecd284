//! local-dev: one axum server that serves every Lambda function of the route table, as API
//! Gateway would call it, on one port.

mod answer_log;
pub mod call_log;
mod cors;
mod http_api;
mod json_lines;
mod options;
pub mod s3;
mod schedule;
mod store;
mod telemetry;
pub mod websocket;

use std::net::SocketAddr;
use std::sync::Arc;

use answer_log::AnswerLog;
use anyhow::Context;
use call_log::CallLog;
use functions::App;
use functions::http::web::WebFiles;
use functions::s3::{Bucket, S3Blobs};
use shared::aws::AwsSettings;
use shared::domain::{DisplayName, Role, Username};
use shared::notify::ApiGatewayPusher;
use shared::ports::{Pusher, Store};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use cors::AllowedOrigins;
pub use options::{Options, PushMode};
pub use store::{DynamoDbLocal, StoreChoice};
pub use telemetry::init_tracing;

/// The agent every local-dev starts with.
pub const DEFAULT_AGENT: (&str, &str) = ("admin", "admin123");

/// A running local-dev.
pub struct Server {
    pub addr: SocketAddr,
    pub task: JoinHandle<std::io::Result<()>>,
    /// The DynamoDB Local this server started, if it did: stopped with the server.
    pub dynamodb_local: Option<DynamoDbLocal>,
    /// The store it serves from (for a program or a test that embeds local-dev).
    pub store: Arc<dyn Store>,
    /// Which store that is, in words.
    pub store_label: String,
    /// Whether it created the default agent (a fresh store), whose sign-in it can then tell.
    pub created_default_agent: bool,
    /// Its S3-compatible endpoint: stopped with the server.
    pub s3: s3::LocalS3,
}

impl Server {
    /// What a newcomer needs, once: where everything is and how to sign in.
    pub fn banner(&self) -> String {
        let base = format!("http://{}", self.addr);
        let sign_in = if self.created_default_agent {
            let (username, password) = DEFAULT_AGENT;
            format!("  (sign in as {username} / {password})")
        } else {
            String::new()
        };
        format!(
            "local-dev serving on {base}\n\
             \x20 start page     {base}/\n\
             \x20 console        {base}/admin/chat{sign_in}\n\
             \x20 customer chat  {base}/chat\n\
             \x20 API reference  {base}/api/openapi.json\n\
             \x20 WebSocket      ws://{addr}/ws\n\
             \x20 health         {base}/api/health\n\
             \x20 store          {store}\n\
             \x20 S3             {s3} (bucket {bucket}, files in {files})",
            addr = self.addr,
            store = self.store_label,
            s3 = self.s3.endpoint,
            bucket = self.s3.bucket,
            files = self.s3.data_dir.display(),
        )
    }
}

/// Builds the app, seeds the default agent and starts serving on `options.addr` (port 0 picks
/// a free port; `Server::addr` tells which).
pub async fn start(options: Options) -> anyhow::Result<Server> {
    let listener = TcpListener::bind(options.addr)
        .await
        .with_context(|| format!("binding {}", options.addr))?;
    let addr = listener.local_addr()?;
    let s3 = s3::LocalS3::start(options.s3_addr, options.data_dir.as_deref()).await?;
    let answers = AnswerLog::from_env()?;
    let registry = Arc::new(websocket::Registry::default());
    let calls = CallLog::from_env()?;
    let pusher: Arc<dyn Pusher> = match options.push {
        PushMode::InProcess => Arc::new(websocket::InProcessPusher(registry.clone())),
        // The real SDK client, through this server's own @connections API.
        PushMode::ManagementApi => {
            let mut config =
                ApiGatewayPusher::client_config(&format!("http://{addr}"), &AwsSettings::local());
            if let Some(calls) = &calls {
                config = config.interceptor(calls.clone());
            }
            Arc::new(ApiGatewayPusher::with_config(config.build()))
        }
    };
    let pusher: Arc<dyn Pusher> = match answers.clone() {
        Some(answers) => Arc::new(answer_log::RecordingPusher {
            inner: pusher,
            answers,
        }),
        None => pusher,
    };
    let opened = store::open(&options.store, calls.as_ref()).await?;
    let store = opened.store;
    let store_label = store::label(&options.store, opened.dynamodb_local.as_ref());
    // Pages come from the checkout at each request: editing one needs no rebuild.
    let mut config = options.config.clone();
    config.web_files = WebFiles::checkout();
    config.store_label = store_label.clone();
    // The functions keep attachments in this server's S3 endpoint, through the real SDK.
    let bucket = Bucket {
        name: s3.bucket.clone(),
        endpoint: Some(s3.endpoint.clone()),
    };
    let mut s3_config = S3Blobs::client_config(&AwsSettings::local(), &bucket);
    if let Some(calls) = &calls {
        s3_config = s3_config.interceptor(calls.clone());
    }
    let blobs = Arc::new(S3Blobs::with_config(s3_config.build(), &bucket));
    let app = App::new(&config, store.clone(), pusher).with_blobs(blobs);
    let created_default_agent = seed_default_agent(&app).await?;
    let schedules = schedule::start(&app, options.schedule_every);
    let router = cors::layer(
        http_api::router(app.clone(), answers),
        options.cors_origins.clone(),
    )
    .merge(websocket::router(app, registry, options.ws_limits));
    let task = tokio::spawn(async move {
        // The scheduled functions run while the server does.
        let _schedules = schedules;
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
    });
    Ok(Server {
        addr,
        task,
        dynamodb_local: opened.dynamodb_local,
        store,
        store_label,
        created_default_agent,
        s3,
    })
}

/// Creates the default agent on a store that has none by its name; tells whether it did.
async fn seed_default_agent(app: &App) -> anyhow::Result<bool> {
    let (username, password) = DEFAULT_AGENT;
    // The same service call as the create-agent function's (which wants a longer password),
    // so its store calls are create-agent's.
    let created = call_log::as_function(
        "create-agent",
        app.chat.ensure_agent(
            Username::parse(username)?,
            password.to_owned(),
            DisplayName::parse("Admin")?,
            Role::Admin,
        ),
    )
    .await?;
    if created {
        tracing::info!(username, "created the default agent");
    }
    Ok(created)
}

/// Ctrl-C or SIGTERM: stop serving, and stop what was started (DynamoDB Local).
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_start_up_lines_say_where_everything_is_and_how_to_sign_in() {
        let server = start(Options::local(SocketAddr::from(([127, 0, 0, 1], 0))))
            .await
            .unwrap();
        let banner = server.banner();
        let base = format!("http://{}", server.addr);
        let lines: Vec<&str> = banner.lines().collect();
        // The first line alone is what scripts (the bench, the browser tests) read.
        assert_eq!(lines[0], format!("local-dev serving on {base}"));
        for expected in [
            format!("start page     {base}/"),
            format!("console        {base}/admin/chat  (sign in as admin / admin123)"),
            format!("customer chat  {base}/chat"),
            format!("API reference  {base}/api/openapi.json"),
            format!("WebSocket      ws://{}/ws", server.addr),
            format!("health         {base}/api/health"),
            "store          memory (embedded, nothing to install; gone when local-dev stops)"
                .to_owned(),
            format!(
                "S3             {} (bucket chat-local-attachments, files in {})",
                server.s3.endpoint,
                server.s3.data_dir.display()
            ),
        ] {
            assert!(
                lines.iter().any(|line| line.trim() == expected),
                "{expected:?} in\n{banner}"
            );
        }

        // On a store that has the agent already, no password is claimed.
        let again = Server {
            created_default_agent: false,
            ..server
        };
        assert!(!again.banner().contains("admin123"), "{}", again.banner());
    }
}
