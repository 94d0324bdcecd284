//! The Lambda adapters: each handler turns an API Gateway request into one call of the chat
//! service in `shared` and its result into a response. The route table in `routes` is the one
//! list of routes: the per-route binaries, local-dev and the template tests all read it.

pub mod app;
pub mod config;
pub mod http;
pub mod lambda;
pub mod operations;
pub mod routes;
pub mod s3;
pub mod telemetry;
pub mod ws;

pub use app::App;
pub use config::Config;
