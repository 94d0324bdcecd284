use std::sync::Arc;

use async_trait::async_trait;
use futures::StreamExt;

use crate::domain::{ConnectionId, SenderType};
use crate::ports::{Clock, Connection, ConnectionStore, Event, Notifier, PushError, Pusher};
use crate::views;

/// What one push came to.
enum Delivery {
    Arrived,
    /// 410: forgotten; its record, if it still had one.
    Gone(Option<Connection>),
    Failed,
}

/// How many pushes of one event are in flight at once.
const PUSH_CONCURRENCY: usize = 32;

/// Delivers each event to the connections API.md sends it to, concurrently with a bound. A push
/// answered Gone forgets that connection (that one only); any other failure is logged. Nothing
/// here fails the operation that produced the event.
pub struct FanoutNotifier {
    connections: Arc<dyn ConnectionStore>,
    pusher: Arc<dyn Pusher>,
    clock: Arc<dyn Clock>,
}

impl FanoutNotifier {
    pub fn new(
        connections: Arc<dyn ConnectionStore>,
        pusher: Arc<dyn Pusher>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            connections,
            pusher,
            clock,
        }
    }

    /// Pushes to one connection, forgetting it if it is gone. Tells whether it arrived.
    pub async fn push_to(&self, connection: &ConnectionId, payload: &[u8]) -> bool {
        matches!(self.deliver(connection, payload).await, Delivery::Arrived)
    }

    /// Pushes to one connection; one found gone is forgotten, and its record answered.
    async fn deliver(&self, connection: &ConnectionId, payload: &[u8]) -> Delivery {
        match self.pusher.push(connection, payload).await {
            Ok(()) => Delivery::Arrived,
            Err(PushError::Gone) => {
                tracing::info!(connection = %connection, "connection is gone; forgetting it");
                match self.connections.remove_connection(connection).await {
                    Ok(record) => Delivery::Gone(record),
                    Err(error) => {
                        error.log_if_internal();
                        Delivery::Gone(None)
                    }
                }
            }
            Err(PushError::Failed(cause)) => {
                tracing::warn!(connection = %connection, error = format!("{cause:#}"), "push failed");
                Delivery::Failed
            }
        }
    }

    /// Pushes to every target; the records of those found gone.
    async fn push_all(&self, targets: Vec<ConnectionId>, payload: &[u8]) -> Vec<Connection> {
        futures::stream::iter(targets)
            .map(|connection| async move { self.deliver(&connection, payload).await })
            .buffer_unordered(PUSH_CONCURRENCY)
            .filter_map(|delivery| async move {
                match delivery {
                    Delivery::Gone(record) => record,
                    Delivery::Arrived | Delivery::Failed => None,
                }
            })
            .collect()
            .await
    }

    /// The connections an event goes to.
    async fn audience(&self, event: &Event) -> Result<Vec<ConnectionId>, crate::ChatError> {
        let now = self.clock.now();
        let connections = &self.connections;
        match event {
            // A note is for agents only.
            Event::Message { message } if message.private => {
                connections.agent_connections(now).await
            }
            Event::Message { message } => {
                let (customers, agents) = futures::try_join!(
                    connections.room_connections(message.room_id, now),
                    connections.agent_connections(now)
                )?;
                Ok([customers, agents].concat())
            }
            Event::RoomCreated { .. } | Event::RoomUpdated { .. } => {
                connections.agent_connections(now).await
            }
            Event::Presence { connecting, .. } => {
                let mut targets = connections.agent_connections(now).await?;
                targets.retain(|target| Some(target) != connecting.as_ref());
                Ok(targets)
            }
            Event::Read { room_id, .. } => connections.room_connections(*room_id, now).await,
            Event::Typing {
                room_id,
                sender_type,
                from,
                ..
            } => {
                let mut targets = match sender_type {
                    SenderType::Customer => connections.agent_connections(now).await?,
                    _ => connections.room_connections(*room_id, now).await?,
                };
                targets.retain(|target| target != from);
                Ok(targets)
            }
        }
    }
}

#[async_trait]
impl Notifier for FanoutNotifier {
    /// Each connection is closed, then forgotten (gone already, too); one that could not be
    /// closed is kept, and logged.
    async fn close(&self, connections: Vec<ConnectionId>) -> Vec<Connection> {
        futures::stream::iter(connections)
            .map(|connection| async move {
                match self.pusher.close(&connection).await {
                    Ok(()) | Err(PushError::Gone) => {
                        match self.connections.remove_connection(&connection).await {
                            Ok(record) => record,
                            Err(error) => {
                                error.log_if_internal();
                                None
                            }
                        }
                    }
                    Err(PushError::Failed(cause)) => {
                        tracing::warn!(connection = %connection, error = format!("{cause:#}"), "close failed");
                        None
                    }
                }
            })
            .buffer_unordered(PUSH_CONCURRENCY)
            .filter_map(|record| async move { record })
            .collect()
            .await
    }

    async fn publish(&self, event: Event) -> Vec<Connection> {
        match self.audience(&event).await {
            Ok(targets) if targets.is_empty() => Vec::new(),
            Ok(targets) => {
                let payload = views::event(&event).to_string();
                self.push_all(targets, payload.as_bytes()).await
            }
            Err(error) => {
                // The data is stored; clients catch up with get_messages?after=.
                error.log_if_internal();
                Vec::new()
            }
        }
    }
}
