//! Upload slots: a customer (in their own open room) or an agent asks for one, and uploads the
//! file straight to local-dev's S3 endpoint with the presigned PUT it gets, which takes exactly
//! the declared size and type; the functions' S3 adapter presigns reads of it (served inline
//! for pictures, as a download otherwise, until they expire); bad input is 422 naming the
//! field.

use std::time::{SystemTime, UNIX_EPOCH};

use api_tests::{Reply, TestApp, spawn_app};
use functions::s3::{Bucket, S3Blobs};
use serde_json::{Value, json};
use shared::aws::AwsSettings;
use shared::domain::{
    Attachment, AttachmentFilename, AttachmentRules, AttachmentSize, AttachmentType, SenderType,
    Timestamp,
};
use shared::ports::BlobStore;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n eight bytes and then some";

fn png_slot() -> Value {
    json!({ "filename": "screen shot.png", "content_type": "image/png", "size": PNG.len() })
}

async fn slot(app: &TestApp, side: &str, room: &str, token: &str, body: Value) -> Reply {
    let path = format!("/api/{side}/chat-rooms/{room}/attachments/");
    app.post(&path, Some(token), body).await
}

/// PUTs `body` to the slot's presigned URL with its signed headers (the length is the body's).
async fn upload(slot: &Reply, body: &'static [u8]) -> u16 {
    let upload = &slot.body["upload"];
    let mut request = reqwest::Client::new().put(upload["url"].as_str().unwrap());
    for (name, value) in upload["headers"].as_object().unwrap() {
        if name != "content-length" {
            request = request.header(name, value.as_str().unwrap());
        }
    }
    request.body(body).send().await.unwrap().status().as_u16()
}

/// The bytes stored under the key the slot's URL names, read from the endpoint's folder.
fn stored(app: &TestApp, slot: &Reply) -> Option<Vec<u8>> {
    let url = slot.body["upload"]["url"].as_str().unwrap();
    let path = url.split('?').next().unwrap();
    let key = path
        .split_once(&format!("/{}/", app.s3().bucket))
        .unwrap()
        .1;
    std::fs::read(app.s3().data_dir.join(&app.s3().bucket).join(key)).ok()
}

/// The attachment a slot answered, as the store keeps it.
fn attachment_of(room: &str, slot: &Reply) -> Attachment {
    let given = &slot.body["attachment"];
    let rules = AttachmentRules::default();
    Attachment {
        id: given["id"].as_str().unwrap().parse().unwrap(),
        room_id: room.parse().unwrap(),
        filename: AttachmentFilename::parse(given["filename"].as_str().unwrap()).unwrap(),
        content_type: AttachmentType::parse(given["content_type"].as_str().unwrap(), &rules)
            .unwrap(),
        size: AttachmentSize::parse(given["size"].as_i64().unwrap(), &rules).unwrap(),
        uploaded_by: SenderType::Customer,
        created_at: Timestamp::from_unix_millis(0),
        message_id: None,
    }
}

/// A GET of the slot's object presigned by the functions' S3 adapter, signed `minutes_ago`
/// for ten minutes.
async fn download_url(app: &TestApp, room: &str, slot: &Reply, minutes_ago: i64) -> String {
    let bucket = Bucket {
        name: app.s3().bucket.clone(),
        endpoint: Some(app.s3().endpoint.clone()),
    };
    let blobs = S3Blobs::new(&AwsSettings::local(), &bucket);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let signed_at = Timestamp::from_unix_millis(now.as_millis() as i64 - minutes_ago * 60_000);
    let until = signed_at.plus_seconds(600);
    let attachment = attachment_of(room, slot);
    blobs
        .presign_download(&attachment, signed_at, until)
        .await
        .unwrap()
}

async fn download(app: &TestApp, room: &str, slot: &Reply, minutes_ago: i64) -> reqwest::Response {
    let url = download_url(app, room, slot, minutes_ago).await;
    reqwest::get(url).await.unwrap()
}

#[tokio::test]
async fn a_slot_is_a_presigned_put_of_exactly_the_declared_file_for_customers_and_agents() {
    let app = spawn_app().await;
    let (room, customer) = app.open_room("Ada").await;
    let given = slot(&app, "public", &room, &customer, png_slot()).await;
    assert_eq!(given.status, 201, "{:?}", given.body);
    let attachment = &given.body["attachment"];
    let mut fields: Vec<&String> = attachment.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        ["content_type", "filename", "id", "size"],
        "no url yet"
    );
    assert_eq!(attachment["filename"], "screen shot.png");
    assert_eq!(attachment["size"], PNG.len());
    assert_eq!(given.body["upload"]["method"], "PUT");
    api_tests::assert_timestamp(&given.body["upload"]["expires_at"]);
    let url = given.body["upload"]["url"].as_str().unwrap();
    assert!(url.starts_with(&app.s3().endpoint), "{url}");
    // The key names the room and the attachment, never the file name.
    let id = attachment["id"].as_str().unwrap();
    assert!(url.contains(&format!("/rooms/{room}/{id}?")), "{url}");
    assert!(!url.contains("screen"), "{url}");

    // S3 itself holds the upload to what was declared: other bytes, another type, refused.
    assert_eq!(upload(&given, b"not the declared bytes").await, 403);
    let mut wrong_type = reqwest::Client::new().put(url);
    wrong_type = wrong_type.header("content-type", "text/plain");
    let refused = wrong_type.body(PNG).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(stored(&app, &given), None, "nothing stored when refused");
    assert_eq!(upload(&given, PNG).await, 200);
    assert_eq!(stored(&app, &given).as_deref(), Some(PNG));
    // Read back through a presigned GET: a picture opens in the page, under its name.
    let read = download(&app, &room, &given, 0).await;
    assert_eq!(read.status().as_u16(), 200);
    assert_eq!(read.headers()["content-type"], "image/png");
    assert_eq!(
        read.headers()["content-disposition"],
        "inline; filename=\"screen shot.png\"; filename*=UTF-8''screen%20shot.png"
    );
    assert_eq!(read.bytes().await.unwrap().as_ref(), PNG);
    // Signed eleven minutes ago for ten: refused.
    assert_eq!(
        download(&app, &room, &given, 11).await.status().as_u16(),
        403
    );

    // An agent's slot, in the same room: its own object.
    let agent = app.agent_token().await;
    let pdf = json!({ "filename": "invoice.pdf", "content_type": "application/pdf", "size": 3 });
    let agents = slot(&app, "admin", &room, &agent, pdf).await;
    assert_eq!(agents.status, 201, "{:?}", agents.body);
    assert_ne!(
        agents.body["attachment"]["id"],
        given.body["attachment"]["id"]
    );
    assert_eq!(upload(&agents, b"PDF").await, 200);
    assert_eq!(stored(&app, &agents).as_deref(), Some(&b"PDF"[..]));
    let read = download(&app, &room, &agents, 0).await;
    assert_eq!(
        read.headers()["content-disposition"],
        "attachment; filename=\"invoice.pdf\"; filename*=UTF-8''invoice.pdf"
    );
    // A URL is good for its own object only.
    let url = download_url(&app, &room, &agents, 0).await;
    let other = url.replace(
        agents.body["attachment"]["id"].as_str().unwrap(),
        given.body["attachment"]["id"].as_str().unwrap(),
    );
    assert_eq!(reqwest::get(&other).await.unwrap().status().as_u16(), 403);
}

#[tokio::test]
async fn slots_are_refused_clearly_for_bad_files_and_the_wrong_rooms() {
    let app = spawn_app().await;
    let (room, customer) = app.open_room("Ada").await;
    let with = |field: &str, value: Value| {
        let mut body = png_slot();
        body[field] = value;
        body
    };
    for (body, field) in [
        (with("size", json!(0)), "size"),
        (with("size", json!(10 * 1024 * 1024 + 1)), "size"),
        (with("size", json!(-5)), "size"),
        (with("size", json!(1.5)), "size"),
        (with("size", Value::Null), "size"),
        (with("content_type", json!("image/svg+xml")), "content_type"),
        (with("content_type", json!("IMAGE/PNG")), "content_type"),
        (
            with("content_type", json!("image/png; q=1")),
            "content_type",
        ),
        (with("filename", json!("")), "filename"),
        (with("filename", json!("../../etc/passwd")), "filename"),
        (with("filename", json!("a\\b.png")), "filename"),
        (with("filename", json!("tab\there.png")), "filename"),
        (with("filename", json!("x".repeat(256))), "filename"),
    ] {
        slot(&app, "public", &room, &customer, body.clone())
            .await
            .assert_error(422, "validation_error", Some(field));
    }
    slot(&app, "public", &room, &customer, with("size", json!("5")))
        .await
        .assert_error(400, "bad_request", None);
    let agent = app.agent_token().await;
    slot(
        &app,
        "admin",
        &room,
        &agent,
        with("filename", json!(["a.png"])),
    )
    .await
    .assert_error(400, "bad_request", None);
    slot(&app, "admin", &room, &agent, with("size", json!(0)))
        .await
        .assert_error(422, "validation_error", Some("size"));
    // Largest allowed, and a 255-character name: taken.
    let mut edge = with("filename", json!("é".repeat(255)));
    edge["size"] = json!(10 * 1024 * 1024);
    assert_eq!(
        slot(&app, "public", &room, &customer, edge).await.status,
        201
    );

    // Another visitor's room is no room; a closed one takes no customer upload, but an
    // agent's (notes are taken in closed rooms).
    let (other_room, _) = app.open_room("Bob").await;
    slot(&app, "public", &other_room, &customer, png_slot())
        .await
        .assert_error(404, "not_found", None);
    let closed = app
        .post(
            &format!("/api/admin/chat-rooms/{room}/close/"),
            Some(&agent),
            json!({}),
        )
        .await;
    assert_eq!(closed.status, 200);
    slot(&app, "public", &room, &customer, png_slot())
        .await
        .assert_error(409, "conflict", None);
    assert_eq!(
        slot(&app, "admin", &room, &agent, png_slot()).await.status,
        201
    );
    slot(&app, "admin", &room, &customer, png_slot())
        .await
        .assert_error(403, "forbidden", None);
    app.post(
        &format!("/api/public/chat-rooms/{other_room}/attachments/"),
        None,
        png_slot(),
    )
    .await
    .assert_error(401, "unauthorized", None);
}
