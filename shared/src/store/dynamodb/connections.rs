use async_trait::async_trait;
use aws_sdk_dynamodb::types::{PutRequest, ReturnValue, WriteRequest};

use super::items::{
    self, AGENTS_PK, CONNECTION_PREFIX, Item, key, number_attr, room_pk, string_attr,
};
use super::{DynamoStore, corrupt, sdk_error};
use crate::domain::{AgentId, ConnectionId, RoomId, Timestamp};
use crate::error::ChatError;
use crate::ports::{Connection, ConnectionStore};

/// Which of a partition's connection entries a read wants, by their `expires_at`.
#[derive(Clone, Copy)]
enum Lifetime {
    /// Not expired: every read but one skips the expired ones, as TTL deletion lags.
    Live,
    /// Expired but not yet deleted by TTL: what the sweep of dead sockets ends.
    Expired,
}

impl Lifetime {
    fn filter(self) -> &'static str {
        match self {
            Lifetime::Live => "expires_at > :now",
            Lifetime::Expired => "expires_at <= :now",
        }
    }
}

impl DynamoStore {
    /// The connection entries of one partition (a room's, or the agents') of that lifetime,
    /// with the attributes of `projection` (whose `#names` are in `names`).
    async fn entries(
        &self,
        pk: String,
        (lifetime, now): (Lifetime, Timestamp),
        projection: &str,
        names: &[(&str, &str)],
    ) -> Result<Vec<Item>, ChatError> {
        let names = (!names.is_empty()).then(|| {
            names
                .iter()
                .map(|(name, attribute)| ((*name).to_owned(), (*attribute).to_owned()))
                .collect()
        });
        self.client
            .query()
            .set_expression_attribute_names(names)
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :conn)")
            .filter_expression(lifetime.filter())
            .projection_expression(projection)
            .expression_attribute_values(":pk", string_attr(pk))
            .expression_attribute_values(":conn", string_attr(CONNECTION_PREFIX))
            .expression_attribute_values(":now", number_attr(now.unix_seconds()))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<Item>, _>>()
            .await
            .map_err(sdk_error("Query connections"))
    }

    async fn connection_ids(
        &self,
        pk: String,
        lifetime: (Lifetime, Timestamp),
    ) -> Result<Vec<ConnectionId>, ChatError> {
        self.entries(pk, lifetime, "SK", &[])
            .await?
            .iter()
            .map(items::connection_id_of)
            .collect::<anyhow::Result<_>>()
            .map_err(corrupt)
    }
}

fn put_request(item: Item) -> WriteRequest {
    let put = PutRequest::builder()
        .set_item(Some(item))
        .build()
        .expect("the item is set");
    WriteRequest::builder().put_request(put).build()
}

#[async_trait]
impl ConnectionStore for DynamoStore {
    async fn add_connection(&self, connection: &Connection) -> Result<(), ChatError> {
        let writes = vec![
            put_request(items::connection_item(connection)),
            put_request(items::connection_entry(connection)),
        ];
        let mut pending = Some(writes);
        while let Some(writes) = pending.take() {
            let answer = self
                .client
                .batch_write_item()
                .request_items(&self.table, writes)
                .send()
                .await
                .map_err(sdk_error("BatchWriteItem connection"))?;
            pending = answer
                .unprocessed_items()
                .and_then(|left| left.get(&self.table))
                .filter(|left| !left.is_empty())
                .cloned();
        }
        Ok(())
    }

    async fn get_connection(
        &self,
        id: &ConnectionId,
        now: Timestamp,
    ) -> Result<Option<Connection>, ChatError> {
        let connection = self
            .read_item(
                key(items::connection_pk(id), "CONN"),
                "GetItem connection",
                items::connection_from,
            )
            .await?;
        Ok(connection.filter(|c| c.expires_at.unix_seconds() > now.unix_seconds()))
    }

    async fn remove_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, ChatError> {
        let removed = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(items::connection_pk(id), "CONN")))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk_error("DeleteItem connection"))?;
        let Some(old) = removed.attributes().filter(|item| !item.is_empty()) else {
            return Ok(None);
        };
        let connection = items::connection_from(old).map_err(corrupt)?;
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(items::connection_entry_key(id, &connection.party)))
            .send()
            .await
            .map_err(sdk_error("DeleteItem connection entry"))?;
        Ok(Some(connection))
    }

    async fn room_connections(
        &self,
        room: RoomId,
        now: Timestamp,
    ) -> Result<Vec<ConnectionId>, ChatError> {
        self.connection_ids(room_pk(room), (Lifetime::Live, now))
            .await
    }

    async fn agent_connections(&self, now: Timestamp) -> Result<Vec<ConnectionId>, ChatError> {
        self.connection_ids(AGENTS_PK.to_owned(), (Lifetime::Live, now))
            .await
    }

    async fn expired_agent_connections(
        &self,
        now: Timestamp,
    ) -> Result<Vec<ConnectionId>, ChatError> {
        self.connection_ids(AGENTS_PK.to_owned(), (Lifetime::Expired, now))
            .await
    }

    /// Entries written before they carried their agent are skipped: they expire within the
    /// connections' 2 hours.
    async fn agent_connections_by_agent(
        &self,
        now: Timestamp,
    ) -> Result<Vec<(AgentId, ConnectionId)>, ChatError> {
        let entries = self
            .entries(
                AGENTS_PK.to_owned(),
                (Lifetime::Live, now),
                "SK, #agent",
                &[("#agent", "agent")],
            )
            .await?;
        entries
            .iter()
            .filter_map(|entry| {
                let agent = items::agent_of_entry(entry)?;
                Some(agent.and_then(|agent| Ok((agent, items::connection_id_of(entry)?))))
            })
            .collect::<anyhow::Result<_>>()
            .map_err(corrupt)
    }
}
