//! Functions behind no API: invoked by an operator with `aws lambda invoke`, or by a
//! schedule.

use serde_json::{Value, json};
use shared::domain::{DisplayName, Role, Username};
use shared::input::JsonObject;

use crate::App;

/// The shortest password `create-agent` accepts: there is no default password in the cloud.
const MIN_PASSWORD_CHARS: usize = 12;

/// Creates an agent unless one with that username exists:
/// `{"username", "password", "display_name"?, "role"?: "admin"|"agent"}` →
/// `{"created": bool, "username"}`. The password is hashed, never logged or returned.
pub async fn create_agent(app: App, payload: Value) -> Result<Value, String> {
    let Value::Object(map) = payload else {
        return Err("the payload must be a JSON object".to_owned());
    };
    let body = JsonObject::from_map(map);
    let field = |name: &'static str| body.required_str(name).map_err(|e| e.to_string());
    let username = Username::parse(field("username")?).map_err(|e| e.to_string())?;
    let password = field("password")?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password must be at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    let display_name = body
        .optional_str("display_name")
        .map_err(|e| e.to_string())?
        .unwrap_or(username.as_str());
    let display_name = DisplayName::parse(display_name).map_err(|e| e.to_string())?;
    let role = match body.optional_str("role").map_err(|e| e.to_string())? {
        None | Some("admin") => Role::Admin,
        Some("agent") => Role::Agent,
        Some(other) => return Err(format!("role must be admin or agent, not {other}")),
    };
    let created = app
        .chat
        .ensure_agent(username.clone(), password.to_owned(), display_name, role)
        .await
        .map_err(|e| {
            e.log_if_internal();
            e.to_string()
        })?;
    tracing::info!(username = %username, created, "create-agent");
    Ok(json!({ "created": created, "username": username }))
}

/// Ends the agent connections whose record expired without a `$disconnect`, and pushes the
/// agents left with none as offline. Invoked every minute by an EventBridge schedule, whose
/// event (a "Scheduled Event") says nothing it needs: the time is the clock's. Answers
/// `{"ended": n}`; a store that fails is an error, so the invocation shows as failed.
pub async fn sweep_connections(app: App, _scheduled: Value) -> Result<Value, String> {
    let ended = app.chat.end_expired_connections().await.map_err(|e| {
        e.log_if_internal();
        e.to_string()
    })?;
    if ended > 0 {
        tracing::info!(ended, "ended expired connections");
    }
    Ok(json!({ "ended": ended }))
}
