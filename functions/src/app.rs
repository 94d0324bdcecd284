//! What every handler shares, built once per process.

use std::sync::Arc;

use shared::ChatService;
use shared::auth::TokenKeys;
use shared::clock::SystemClock;
use shared::notify::NoopNotifier;
use shared::ports::{Notifier, Store};
use shared::store::MemoryStore;

use crate::Config;

/// Cheap to clone: every part is shared.
#[derive(Clone)]
pub struct App {
    pub chat: ChatService,
}

impl App {
    /// The service over the given store and notifier, with the system clock.
    pub fn new(config: &Config, store: Arc<dyn Store>, notifier: Arc<dyn Notifier>) -> Self {
        let keys = TokenKeys::new(&config.jwt_secret);
        let chat = ChatService::new(store, notifier, Arc::new(SystemClock::new()), keys);
        Self { chat }
    }

    /// The app of a deployed function.
    pub fn from_config(config: &Config) -> Self {
        tracing::warn!(
            "no persistent store is configured: this process keeps its chat in memory only"
        );
        Self::new(config, Arc::new(MemoryStore::new()), Arc::new(NoopNotifier))
    }
}
