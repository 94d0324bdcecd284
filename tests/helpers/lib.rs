//! Typed helpers for the black-box tests: a local-dev on a free port, and clients for it.

mod socket;

pub use socket::{Refused, Socket};

use std::net::SocketAddr;

use functions::Config;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};

/// The secret the test servers sign with, so tests can forge tokens that are valid but wrong.
pub const SECRET: &[u8] = b"the black-box tests' secret, 32+ bytes";

pub struct TestApp {
    pub base: String,
    pub addr: SocketAddr,
    client: reqwest::Client,
    /// The server; keeps a DynamoDB Local it started alive as long as the test.
    server: local_dev::Server,
}

/// An answer: status, headers and the JSON body (`Value::Null` when there is none).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts API.md's error body with this status, code and (for 422) field.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str, field: Option<&str>) {
        assert_eq!(self.status, status, "status of {:?}", self.body);
        assert_eq!(self.body["error"]["code"], code, "code of {:?}", self.body);
        assert!(
            self.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "message of {:?}",
            self.body
        );
        match field {
            Some(field) => assert_eq!(
                self.body["error"]["field"], field,
                "field of {:?}",
                self.body
            ),
            None => assert!(self.body["error"].get("field").is_none(), "{:?}", self.body),
        }
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("an id").to_owned()
    }
}

/// Starts a local-dev on 127.0.0.1:0 in this test's runtime.
impl TestApp {
    /// The server's S3-compatible endpoint.
    pub fn s3(&self) -> &local_dev::s3::LocalS3 {
        &self.server.s3
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a local-dev on 127.0.0.1:0 with options changed by `adjust`.
///
/// `TEST_STORE=dynamodb` runs it on the DynamoDB store, a fresh table on the DynamoDB Local at
/// `DYNAMODB_ENDPOINT` (infra/test.sh starts one), pushing through the Management API; without
/// the endpoint, that fails loudly.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut local_dev::Options)) -> TestApp {
    let mut options = local_dev::Options::local(SocketAddr::from(([127, 0, 0, 1], 0)));
    options.config = Config::with_secret(SECRET.to_vec()).unwrap();
    // Most tests send faster than people do; the rate-limit tests set their own limits.
    options.config.rate_limits = shared::rate::RateLimits::OFF;
    if std::env::var("TEST_STORE").as_deref() == Ok("dynamodb") {
        let endpoint = std::env::var("DYNAMODB_ENDPOINT").expect(
            "TEST_STORE=dynamodb needs DYNAMODB_ENDPOINT: run infra/test.sh, which starts DynamoDB Local",
        );
        options.store = local_dev::StoreChoice::DynamoDb {
            endpoint: Some(endpoint),
            table: format!("api-{}", ulid_like()),
        };
        // As deployed functions push: through the SDK's Management API client (whose calls
        // local-dev records with the DynamoDB ones when AWS_CALL_LOG is set).
        options.push = local_dev::PushMode::ManagementApi;
    }
    adjust(&mut options);
    let server = local_dev::start(options).await.expect("local-dev starts");
    TestApp {
        base: format!("http://{}", server.addr),
        addr: server.addr,
        client: reqwest::Client::new(),
        server,
    }
}

/// A table name no other test uses.
fn ulid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{nanos}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs a test's own store calls under their own name in local-dev's call log
/// (`AWS_CALL_LOG`): no deployed function makes them.
pub async fn the_test_itself<F: std::future::Future>(work: F) -> F::Output {
    local_dev::call_log::as_function(local_dev::call_log::THE_TEST_ITSELF, work).await
}

impl TestApp {
    /// The store local-dev serves from, to look behind the API. Run its calls inside
    /// [`the_test_itself`], so that the IAM check does not take them for a function's.
    pub fn store(&self) -> &std::sync::Arc<dyn shared::ports::Store> {
        &self.server.store
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!("{status}: not JSON: {}", String::from_utf8_lossy(&bytes))
            })
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.base));
        match token {
            Some(token) => request.header(AUTHORIZATION, format!("Bearer {token}")),
            None => request,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(self.request(reqwest::Method::GET, path, token))
            .await
    }

    /// The id of every message of `room`, oldest first, read through `after=` pages.
    pub async fn all_message_ids(&self, room: &str, token: &str) -> Vec<String> {
        let mut ids = Vec::new();
        let mut after = "00000000000000000000000000".to_owned();
        loop {
            let path =
                format!("/api/public/chat-rooms/{room}/get_messages/?limit=200&after={after}");
            let page = self.get(&path, Some(token)).await;
            assert_eq!(page.status, 200, "{:?}", page.body);
            let batch = message_ids(&page.body);
            let Some(last) = batch.last() else {
                return ids;
            };
            after = last.clone();
            ids.extend(batch);
        }
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.post_raw(path, token, body.to_string()).await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let request = self
            .request(reqwest::Method::POST, path, token)
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        self.send(request).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.post(
            "/api/auth/login/",
            None,
            json!({ "username": username, "password": password }),
        )
        .await
    }

    /// An access token of the default agent.
    pub async fn agent_token(&self) -> String {
        let reply = self.login("admin", "admin123").await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        reply.body["access"].as_str().unwrap().to_owned()
    }

    /// How many rooms the agents' list holds (its first page): to show a refused request
    /// created none.
    pub async fn rooms_listed(&self, agent: &str) -> usize {
        let rooms = self.get("/api/admin/chat-rooms", Some(agent)).await;
        assert_eq!(rooms.status, 200, "{:?}", rooms.body);
        rooms.body["rooms"].as_array().expect("a rooms array").len()
    }

    /// Opens a room for a new visitor: (room id, customer token).
    pub async fn open_room(&self, name: &str) -> (String, String) {
        let reply = self
            .post(
                "/api/public/chat-rooms/",
                None,
                json!({ "customer_name": name }),
            )
            .await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        (
            reply.body["room"]["id"].as_str().unwrap().to_owned(),
            reply.body["customer_token"].as_str().unwrap().to_owned(),
        )
    }

    /// An agent's room action: `close`, `reopen` or `mark_as_read`.
    pub async fn room_action(&self, agent: &str, room: &str, action: &str) -> Reply {
        let path = format!("/api/admin/chat-rooms/{room}/{action}/");
        self.post(&path, Some(agent), json!({})).await
    }

    pub async fn customer_says(&self, room: &str, token: &str, content: &str) -> Reply {
        self.post(
            &format!("/api/public/chat-rooms/{room}/send_message/"),
            Some(token),
            json!({ "content": content }),
        )
        .await
    }
}

/// Every timestamp of API.md: RFC 3339 UTC with exactly three fractional digits and `Z`.
#[track_caller]
pub fn assert_timestamp(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a timestamp: {value}"));
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 24
        && text.ends_with('Z')
        && bytes[10] == b'T'
        && bytes[19] == b'.'
        && bytes[..19].iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            13 | 16 => *b == b':',
            10 => true,
            _ => b.is_ascii_digit(),
        })
        && bytes[20..23].iter().all(u8::is_ascii_digit);
    assert!(shape_ok, "not an API.md timestamp: {text}");
}

/// A ULID: 26 Crockford base-32 characters.
#[track_caller]
pub fn assert_ulid(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not an id: {value}"));
    assert_eq!(text.len(), 26, "{text}");
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !b"ILOU".contains(&b))),
        "{text}"
    );
}

/// The contents of a `{messages: [...]}` page, in order.
pub fn contents(page: &Value) -> Vec<String> {
    message_fields(page, "content")
}

/// The ids of a `{messages: [...]}` page, in order.
pub fn message_ids(page: &Value) -> Vec<String> {
    message_fields(page, "id")
}

fn message_fields(page: &Value, field: &str) -> Vec<String> {
    page["messages"]
        .as_array()
        .expect("a messages page")
        .iter()
        .map(|m| m[field].as_str().expect(field).to_owned())
        .collect()
}
