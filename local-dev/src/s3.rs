//! local-dev's S3: a real implementation of the S3 protocol (`s3s`) over a folder (`s3s-fs`),
//! on a port of its own as S3 is an endpoint of its own. It checks every request's SigV4
//! signature, and every presigned URL's signature and expiry, against local-dev's credentials
//! (`AwsSettings::local`), so a request the real `aws-sdk-s3` client signs or presigns here is
//! refused or accepted as S3 would: a wrong key, a changed signed header (the size or type of
//! an upload) or an expired URL is a 403.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use s3s::auth::SimpleAuth;
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s_fs::FileSystem;
use shared::aws::AwsSettings;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The bucket local-dev's functions keep attachments in (the template's bucket, deployed).
pub const BUCKET: &str = "chat-local-attachments";

/// A running S3 endpoint: stopped with its task, its folder removed if it was a temporary one.
pub struct LocalS3 {
    pub endpoint: String,
    pub bucket: String,
    pub data_dir: PathBuf,
    temporary: bool,
    task: JoinHandle<std::io::Result<()>>,
}

impl LocalS3 {
    /// Serves S3 on `addr` (port 0 picks one) over `data_dir`, or over a new temporary folder;
    /// its one bucket is created if missing.
    pub async fn start(addr: SocketAddr, data_dir: Option<&Path>) -> anyhow::Result<Self> {
        let (data_dir, temporary) = match data_dir {
            Some(dir) => (dir.to_path_buf(), false),
            None => (temporary_dir(), true),
        };
        std::fs::create_dir_all(data_dir.join(BUCKET))
            .with_context(|| format!("creating the bucket folder in {}", data_dir.display()))?;
        let files = FileSystem::new(&data_dir)
            .map_err(|error| anyhow::anyhow!("{}: {error:?}", data_dir.display()))?;
        let mut service = S3ServiceBuilder::new(files);
        // The credentials every local SDK client signs with.
        let credentials = AwsSettings::local().credentials();
        service.set_auth(SimpleAuth::from_single(
            credentials.access_key_id(),
            credentials.secret_access_key(),
        ));
        let service = service.build();
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding the S3 endpoint to {addr}"))?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let router = axum::Router::new().fallback(serve).with_state(service);
        let task = tokio::spawn(async move { axum::serve(listener, router).await });
        Ok(Self {
            endpoint,
            bucket: BUCKET.to_owned(),
            data_dir,
            temporary,
            task,
        })
    }
}

impl Drop for LocalS3 {
    fn drop(&mut self) {
        self.task.abort();
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
    }
}

/// A folder of its own under the system's temporary one.
fn temporary_dir() -> PathBuf {
    std::env::temp_dir().join(format!(
        "local-dev-s3-{}-{}",
        std::process::id(),
        ulid::Ulid::new()
    ))
}

/// One request, as s3s answers it; s3s's own failure (not an S3 error, which it answers
/// itself) is a 500.
async fn serve(State(service): State<S3Service>, request: Request) -> Response {
    let request = request.map(s3s::Body::http_body_unsync);
    match service.call(request).await {
        Ok(response) => response.map(Body::new),
        Err(error) => {
            tracing::error!(?error, "the S3 endpoint failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "S3 endpoint failure").into_response()
        }
    }
}
