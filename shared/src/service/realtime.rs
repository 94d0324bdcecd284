//! WebSocket connections: who may connect, and what their frames do.

use serde_json::Value;

use crate::domain::Caller;
use crate::domain::{ConnectionId, RoomId, SenderType};
use crate::error::ChatError;
use crate::input::{Action, Frame};
use crate::ports::{Connection, Event, Party};
use crate::rate::CounterKey;
use crate::views;

use super::{ChatService, Sent};

/// How long a connection record lives: API Gateway closes every connection after 2 hours, and
/// a margin covers clock skew. Records of connections whose `$disconnect` never came die then.
pub const CONNECTION_TTL_SECONDS: i64 = 2 * 3600 + 10 * 60;

impl ChatService {
    /// Accepts a connection: an active agent's access token, or a customer token with one of
    /// that visitor's rooms. A bad token is 401 (a refresh token too), a deactivated agent's
    /// 403; a customer token without a
    /// room asks for an agent's connection, 403; a room it cannot open is 404.
    pub async fn connect(
        &self,
        connection: ConnectionId,
        token: Option<&str>,
        room: Option<&str>,
    ) -> Result<Party, ChatError> {
        let party = match self.caller(token.filter(|t| !t.is_empty()))? {
            Caller::Agent(agent) => {
                // A deactivated agent's access token lives on for up to 15 minutes; a live
                // connection would outlast it by hours.
                let stored = self
                    .store
                    .find_agent(&agent.username)
                    .await?
                    .filter(|found| found.id == agent.id && found.active)
                    .ok_or(ChatError::Forbidden("this agent is deactivated"))?;
                let party = Party::Agent(agent);
                self.add_agent_connection(stored, &self.connection_record(connection, &party))
                    .await?;
                return Ok(party);
            }
            Caller::Visitor(visitor) => {
                let room = room
                    .filter(|raw| !raw.is_empty())
                    .ok_or(ChatError::Forbidden(
                        "only agents connect without a room_id",
                    ))?
                    .parse::<RoomId>()
                    .map_err(|_| ChatError::room_not_found())?;
                self.visitor_room(&visitor, room).await?;
                Party::Customer { visitor, room }
            }
        };
        self.store
            .add_connection(&self.connection_record(connection, &party))
            .await?;
        Ok(party)
    }

    fn connection_record(&self, id: ConnectionId, party: &Party) -> Connection {
        let now = self.clock.now();
        Connection {
            id,
            party: party.clone(),
            connected_at: now,
            expires_at: now.plus_seconds(CONNECTION_TTL_SECONDS),
        }
    }

    /// Handles one frame of a connection. Returns what goes back to that connection alone: a
    /// `pong`, an `error` event for a bad frame (the connection stays open), or the `message`
    /// event of a retried send. Everything else goes out through the notifier.
    pub async fn handle_frame(&self, connection: &ConnectionId, frame: &[u8]) -> Option<Value> {
        match self.dispatch(connection, frame).await {
            Ok(reply) => reply,
            Err(error) => {
                error.log_if_internal();
                Some(views::error_event(&error))
            }
        }
    }

    async fn dispatch(
        &self,
        connection: &ConnectionId,
        frame: &[u8],
    ) -> Result<Option<Value>, ChatError> {
        let action = match Frame::parse(frame)? {
            Frame::Ping => return Ok(Some(views::pong(connection))),
            Frame::Act(action) => action,
        };
        // A send counts its frame in its own write; other frames are counted first.
        let subject = CounterKey::frames_of(connection);
        let frame_charge = self.charge(self.limits.messages_per_connection, &subject);
        if !matches!(action, Action::SendMessage { .. }) {
            self.count(self.limits.messages_per_connection, &subject)
                .await?;
        }
        let party = self
            .store
            .get_connection(connection, self.clock.now())
            .await?
            .ok_or(ChatError::Unauthorized("this connection is not open"))?
            .party;
        match (action, party) {
            (Action::SendMessage { room_id, message }, Party::Customer { visitor, room }) => {
                let room = own_room(room_id, room)?;
                let sent = self
                    .visitor_sends(&visitor, room, message, frame_charge)
                    .await?;
                Ok(replay(sent))
            }
            (Action::SendMessage { room_id, message }, Party::Agent(agent)) => {
                let room = required(room_id)?;
                let sent = self
                    .agent_sends(&agent, room, message, frame_charge)
                    .await?;
                Ok(replay(sent))
            }
            (Action::Typing { room_id, is_typing }, party) => {
                let (room_id, sender_type) = match party {
                    Party::Customer { room, .. } => {
                        (own_room(room_id, room)?, SenderType::Customer)
                    }
                    Party::Agent(_) => (required(room_id)?, SenderType::Agent),
                };
                let from = connection.clone();
                self.publish(Event::Typing {
                    room_id,
                    sender_type,
                    is_typing,
                    from,
                })
                .await;
                Ok(None)
            }
            (Action::MarkAsRead { room_id }, Party::Agent(_)) => {
                self.mark_read(required(room_id)?).await?;
                Ok(None)
            }
            (Action::MarkAsRead { .. }, Party::Customer { .. }) => {
                Err(ChatError::Forbidden("only agents mark rooms as read"))
            }
            (Action::SetAvailability(input), Party::Agent(agent)) => {
                self.set_availability(&agent, input).await?;
                Ok(None)
            }
            (Action::SetAvailability(_), Party::Customer { .. }) => {
                Err(ChatError::Forbidden("only agents set their availability"))
            }
        }
    }
}

/// A customer's frame acts on the connection's room; naming another is naming no room.
fn own_room(named: Option<RoomId>, connected: RoomId) -> Result<RoomId, ChatError> {
    match named {
        Some(named) if named != connected => Err(ChatError::room_not_found()),
        _ => Ok(connected),
    }
}

fn required(room_id: Option<RoomId>) -> Result<RoomId, ChatError> {
    room_id.ok_or_else(|| ChatError::validation("room_id", "room_id is required"))
}

/// A retried send is answered to the retrying connection alone; a new one was pushed to all.
fn replay(sent: Sent) -> Option<Value> {
    sent.replayed.then(|| {
        views::event(&Event::Message {
            message: sent.message,
        })
    })
}
