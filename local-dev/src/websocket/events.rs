//! The events API Gateway's WebSocket API sends its integrations.

use std::collections::HashMap;
use std::net::IpAddr;

use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayWebsocketProxyRequest, ApiGatewayWebsocketProxyRequestContext,
};
use lambda_http::aws_lambda_events::query_map::QueryMap;
use shared::domain::Timestamp;

/// The stage local-dev's WebSocket API pretends to be.
pub const STAGE: &str = "local";

/// What every event of one connection shares.
pub struct ConnectionMeta<'a> {
    pub id: &'a str,
    pub connected_at: Timestamp,
    pub domain_name: &'a str,
    pub source_ip: IpAddr,
    pub user_agent: Option<&'a str>,
}

/// The event for `route_key` (`$connect`, `$default`, `$disconnect`) at `now`.
pub fn event(
    meta: &ConnectionMeta<'_>,
    route_key: &str,
    now: Timestamp,
) -> ApiGatewayWebsocketProxyRequest {
    let event_type = match route_key {
        "$connect" => "CONNECT",
        "$disconnect" => "DISCONNECT",
        _ => "MESSAGE",
    };
    let mut context = ApiGatewayWebsocketProxyRequestContext::default();
    context.route_key = Some(route_key.to_owned());
    context.event_type = Some(event_type.to_owned());
    context.connection_id = Some(meta.id.to_owned());
    context.connected_at = meta.connected_at.unix_millis();
    context.request_time_epoch = now.unix_millis();
    context.request_time = Some(now.to_string());
    context.domain_name = Some(meta.domain_name.to_owned());
    context.stage = Some(STAGE.to_owned());
    context.apiid = Some("local".to_owned());
    context.account_id = Some("000000000000".to_owned());
    context.request_id = Some(ulid::Ulid::new().to_string());
    context.extended_request_id = context.request_id.clone();
    context.message_direction = Some("IN".to_owned());
    context.identity.source_ip = Some(meta.source_ip.to_string());
    context.identity.user_agent = meta.user_agent.map(str::to_owned);
    if event_type == "MESSAGE" {
        context.message_id = Some(ulid::Ulid::new().to_string());
    }
    let mut event = ApiGatewayWebsocketProxyRequest::default();
    event.request_context = context;
    event.is_base64_encoded = false;
    event
}

/// `$connect` carries the upgrade request's query string and headers.
pub fn connect_event(
    meta: &ConnectionMeta<'_>,
    query: HashMap<String, Vec<String>>,
    headers: http::HeaderMap,
    now: Timestamp,
) -> ApiGatewayWebsocketProxyRequest {
    let mut event = event(meta, "$connect", now);
    let single: HashMap<String, String> = query
        .iter()
        .filter_map(|(name, values)| Some((name.clone(), values.last()?.clone())))
        .collect();
    event.query_string_parameters = QueryMap::from(single);
    event.multi_value_query_string_parameters = QueryMap::from(query);
    event.headers = headers;
    event
}
