//! The chat itself. Everything a customer-support live chat does lives here, behind ports
//! (store traits, a clock and a notifier) so that the Lambda functions and local-dev are only
//! thin adapters. Nothing in this crate knows about Lambda, axum or HTTP frameworks.

pub mod auth;
pub mod aws;
pub mod clock;
pub mod domain;
pub mod error;
pub mod input;
pub mod notify;
pub mod ports;
pub mod rate;
pub mod service;
pub mod store;
pub mod views;

pub use error::ChatError;
pub use service::ChatService;
