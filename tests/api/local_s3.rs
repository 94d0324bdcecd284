//! local-dev's S3-compatible endpoint, driven by the real `aws-sdk-s3` client: requests it
//! signs are served, presigned URLs work for exactly what they were signed for, and a wrong
//! secret, a changed signed header (the size or type of an upload) or an expired URL is
//! refused with S3's 403, storing nothing.

use std::time::{Duration, SystemTime};

use api_tests::{TestApp, spawn_app};
use aws_sdk_s3::Client;
use aws_sdk_s3::config::{BehaviorVersion, Credentials};
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream;
use shared::aws::AwsSettings;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n a tiny picture";

/// An SDK client for the endpoint, signing with `secret` (local-dev's is "local").
fn client(app: &TestApp, secret: &str) -> Client {
    let aws = AwsSettings::local();
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws.region())
        .http_client(aws.http_client())
        .credentials_provider(Credentials::new("local", secret, None, None, "test"))
        .endpoint_url(&app.s3().endpoint)
        .force_path_style(true)
        .build();
    Client::from_conf(config)
}

async fn stored(app: &TestApp, key: &str) -> Option<Vec<u8>> {
    let got = client(app, "local")
        .get_object()
        .bucket(&app.s3().bucket)
        .key(key)
        .send()
        .await
        .ok()?;
    Some(got.body.collect().await.unwrap().into_bytes().to_vec())
}

/// A presigned PUT of `size` bytes of `content_type` to `key`, valid from `start` for `valid`.
async fn presigned_put(
    app: &TestApp,
    key: &str,
    (size, content_type): (i64, &str),
    (start, valid): (SystemTime, Duration),
) -> PresignedRequest {
    let presigning = PresigningConfig::builder()
        .start_time(start)
        .expires_in(valid)
        .build()
        .unwrap();
    client(app, "local")
        .put_object()
        .bucket(&app.s3().bucket)
        .key(key)
        .content_length(size)
        .content_type(content_type)
        .presigned(presigning)
        .await
        .unwrap()
}

/// Sends `body` to a presigned request with its headers, `content_type` in place of the one
/// it was signed with.
async fn upload(request: &PresignedRequest, content_type: &str, body: &'static [u8]) -> u16 {
    let mut sent = reqwest::Client::new().put(request.uri());
    for (name, value) in request.headers() {
        if name != "content-type" && name != "content-length" {
            sent = sent.header(name, value);
        }
    }
    let reply = sent
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    reply.status().as_u16()
}

#[tokio::test]
async fn requests_signed_with_local_devs_credentials_put_head_and_get_objects() {
    let app = spawn_app().await;
    let s3 = client(&app, "local");
    s3.put_object()
        .bucket(&app.s3().bucket)
        .key("rooms/r1/a1")
        .content_type("image/png")
        .body(ByteStream::from_static(PNG))
        .send()
        .await
        .unwrap();
    let head = s3
        .head_object()
        .bucket(&app.s3().bucket)
        .key("rooms/r1/a1")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(PNG.len() as i64));
    assert_eq!(head.content_type(), Some("image/png"));
    assert_eq!(stored(&app, "rooms/r1/a1").await.as_deref(), Some(PNG));
    // It lives in the data folder, under the bucket.
    assert!(app.s3().data_dir.join(&app.s3().bucket).is_dir());

    let missing = s3
        .head_object()
        .bucket(&app.s3().bucket)
        .key("rooms/r1/none")
        .send()
        .await
        .unwrap_err();
    assert!(missing.into_service_error().is_not_found());
}

#[tokio::test]
async fn a_request_signed_with_another_secret_is_refused_and_stores_nothing() {
    let app = spawn_app().await;
    let refused = client(&app, "not-the-secret")
        .put_object()
        .bucket(&app.s3().bucket)
        .key("forged")
        .body(ByteStream::from_static(PNG))
        .send()
        .await
        .unwrap_err();
    let status = refused.raw_response().map(|r| r.status().as_u16());
    assert_eq!(status, Some(403), "{refused:?}");
    assert_eq!(stored(&app, "forged").await, None);
}

#[tokio::test]
async fn a_presigned_put_takes_exactly_the_signed_size_and_type_until_it_expires() {
    let app = spawn_app().await;
    let now = (SystemTime::now(), Duration::from_secs(300));
    let request = presigned_put(&app, "up/1", (PNG.len() as i64, "image/png"), now).await;
    // The size and the type are signed: other bytes, or another type, are refused.
    assert_eq!(
        upload(&request, "image/png", b"other bytes, longer").await,
        403
    );
    assert_eq!(upload(&request, "text/plain", PNG).await, 403);
    assert_eq!(
        stored(&app, "up/1").await,
        None,
        "nothing stored when refused"
    );
    assert_eq!(upload(&request, "image/png", PNG).await, 200);
    assert_eq!(stored(&app, "up/1").await.as_deref(), Some(PNG));

    // Signed eleven minutes ago for five: expired.
    let ago = SystemTime::now() - Duration::from_secs(660);
    let late = presigned_put(
        &app,
        "up/2",
        (PNG.len() as i64, "image/png"),
        (ago, Duration::from_secs(300)),
    )
    .await;
    assert_eq!(upload(&late, "image/png", PNG).await, 403);
    assert_eq!(stored(&app, "up/2").await, None);

    // A presigned GET reads the object it names, and no other.
    let presigning = PresigningConfig::expires_in(Duration::from_secs(600)).unwrap();
    let get = client(&app, "local")
        .get_object()
        .bucket(&app.s3().bucket)
        .key("up/1")
        .presigned(presigning)
        .await
        .unwrap();
    let read = reqwest::get(get.uri()).await.unwrap();
    assert_eq!(read.status().as_u16(), 200);
    assert_eq!(read.bytes().await.unwrap().as_ref(), PNG);
    client(&app, "local")
        .put_object()
        .bucket(&app.s3().bucket)
        .key("up/3")
        .body(ByteStream::from_static(b"another room's"))
        .send()
        .await
        .unwrap();
    let other = get.uri().replace("/up/1?", "/up/3?");
    assert_eq!(reqwest::get(&other).await.unwrap().status().as_u16(), 403);
}
