//! Token attacks: every forged, stale or misused token is refused.

use std::time::{SystemTime, UNIX_EPOCH};

use api_tests::{SECRET, TestApp, spawn_app};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The claims of an admin's access token, as the server would write them.
fn admin_claims() -> Value {
    json!({
        "sub": "01JD0000000000000000000000", "typ": "access", "username": "admin",
        "role": "admin", "name": "Admin", "iat": now(), "exp": now() + 600,
    })
}

fn sign(alg: Algorithm, secret: &[u8], claims: &Value) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
}

/// Every token here must be refused with 401 on an admin route and a customer route.
async fn assert_refused(app: &TestApp, room: &str, token: &str) {
    app.get("/api/admin/chat-rooms/", Some(token))
        .await
        .assert_error(401, "unauthorized", None);
    app.get(&format!("/api/public/chat-rooms/{room}/"), Some(token))
        .await
        .assert_error(401, "unauthorized", None);
}

#[tokio::test]
async fn a_well_formed_token_from_the_right_secret_is_accepted() {
    let app = spawn_app().await;
    let token = sign(Algorithm::HS256, SECRET, &admin_claims());
    assert_eq!(
        app.get("/api/admin/chat-rooms/", Some(&token)).await.status,
        200
    );
}

#[tokio::test]
async fn forged_signatures_and_other_algorithms_are_refused() {
    let app = spawn_app().await;
    let (room, _) = app.open_room("Ada").await;
    let claims = admin_claims();
    let other_secret = sign(
        Algorithm::HS256,
        b"some other secret, also 32 bytes long",
        &claims,
    );
    let hs512 = sign(Algorithm::HS512, SECRET, &claims);
    let hs384 = sign(Algorithm::HS384, SECRET, &claims);
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let valid = sign(Algorithm::HS256, SECRET, &claims);
    let (head, _) = valid.rsplit_once('.').unwrap();
    let tampered_claims = format!(
        "{}.{}.{}",
        head.split('.').next().unwrap(),
        URL_SAFE_NO_PAD.encode(json!({"sub": "01JD0000000000000000000000", "typ": "access", "username": "root", "role": "admin", "name": "R", "iat": now(), "exp": now() + 600}).to_string()),
        valid.rsplit('.').next().unwrap()
    );
    for token in [
        other_secret,
        hs512,
        hs384,
        unsigned,
        tampered_claims,
        "garbage".into(),
        String::new(),
    ] {
        assert_refused(&app, &room, &token).await;
    }
}

#[tokio::test]
async fn expired_future_and_incomplete_tokens_are_refused() {
    let app = spawn_app().await;
    let (room, _) = app.open_room("Ada").await;
    let mut expired = admin_claims();
    expired["iat"] = json!(now() - 1000);
    expired["exp"] = json!(now() - 10);
    let mut future = admin_claims();
    future["iat"] = json!(now() + 3600);
    future["exp"] = json!(now() + 7200);
    let mut no_exp = admin_claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    let mut no_iat = admin_claims();
    no_iat.as_object_mut().unwrap().remove("iat");
    let mut no_typ = admin_claims();
    no_typ.as_object_mut().unwrap().remove("typ");
    let mut odd_typ = admin_claims();
    odd_typ["typ"] = json!("admin");
    for claims in [expired, future, no_exp, no_iat, no_typ, odd_typ] {
        assert_refused(&app, &room, &sign(Algorithm::HS256, SECRET, &claims)).await;
    }
}

#[tokio::test]
async fn refresh_tokens_are_not_access_tokens() {
    let app = spawn_app().await;
    let mut refresh = admin_claims();
    refresh["typ"] = json!("refresh");
    let (room, _) = app.open_room("Ada").await;
    assert_refused(&app, &room, &sign(Algorithm::HS256, SECRET, &refresh)).await;
}

#[tokio::test]
async fn roles_are_kept_apart() {
    let app = spawn_app().await;
    let (room, customer) = app.open_room("Ada").await;
    let agent = app.agent_token().await;
    let before = app
        .get(&format!("/api/admin/chat-rooms/{room}"), Some(&agent))
        .await;
    // A customer's token on every admin route, an agent's on every customer route (opening a
    // room included: agents cannot open rooms).
    let mut refused = 0;
    for route in functions::routes::ROUTES {
        // Whether anyone is online is for anyone, with or without a token.
        let for_anyone = route.function == "public-availability";
        let wrong = if route.path.starts_with("/api/admin/") {
            &customer
        } else if route.path.starts_with("/api/public/") && !for_anyone {
            &agent
        } else {
            continue;
        };
        let method = reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let path = route.path.replace("{id}", &room);
        let body = json!({ "content": "x", "customer_name": "Eve" });
        let reply = app
            .send(app.request(method, &path, Some(wrong)).json(&body))
            .await;
        reply.assert_error(403, "forbidden", None);
        refused += 1;
    }
    assert_eq!(refused, 24);
    let after = app
        .get(&format!("/api/admin/chat-rooms/{room}"), Some(&agent))
        .await;
    assert_eq!(after.body, before.body);
}

#[tokio::test]
async fn missing_or_malformed_authorization_is_401() {
    let app = spawn_app().await;
    let (room, customer) = app.open_room("Ada").await;
    app.get("/api/admin/chat-rooms/", None)
        .await
        .assert_error(401, "unauthorized", None);
    app.get(&format!("/api/public/chat-rooms/{room}/"), None)
        .await
        .assert_error(401, "unauthorized", None);
    let basic = app
        .request(
            reqwest::Method::GET,
            &format!("/api/public/chat-rooms/{room}/"),
            None,
        )
        .header("authorization", format!("Basic {customer}"));
    app.send(basic)
        .await
        .assert_error(401, "unauthorized", None);
}
