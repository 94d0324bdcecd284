//! A `RoomChange` as one conditional update of the room item: its expectations become the
//! condition, its fields the update, and nothing is decided here.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure, Update};

use super::items::{self, ROOM_SK, key, number_attr, room_pk, string_attr};
use crate::domain::{Assignee, Room, RoomChange, RoomId, Taken, Unread};

/// How the update treats the change's instant of activity. Update expressions have no `max`,
/// so a raise is conditioned on the stored activity being no later, and a room that already
/// shows later activity is written again keeping it. Activity only grows, so a change is
/// written at most twice for this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Activity {
    Raise,
    Keep,
}

impl Activity {
    /// The treatment `change` needs on `room` as it was found.
    pub(super) fn for_room(change: &RoomChange, room: &Room) -> Self {
        if change.raises_activity(room) {
            Self::Raise
        } else {
            Self::Keep
        }
    }
}

/// The expressions of one room update, with only the names and values they use (DynamoDB
/// refuses unused ones).
pub(super) struct RoomUpdate {
    pub condition: String,
    pub update: String,
    pub names: Option<HashMap<String, String>>,
    pub values: HashMap<String, AttributeValue>,
}

impl RoomUpdate {
    pub(super) fn of(id: RoomId, change: &RoomChange, activity: Activity) -> Self {
        let mut condition = vec!["attribute_exists(PK)"];
        let mut set = Vec::new();
        let mut add = Vec::new();
        let mut remove = Vec::new();
        let mut values = HashMap::new();
        let mut value = |name: &str, v: AttributeValue| {
            values.insert(name.to_owned(), v);
        };
        if let Some(owner) = change.expect.owner {
            condition.push("visitor = :visitor");
            value(":visitor", string_attr(owner.to_string()));
        }
        if let Some(status) = change.expect.status {
            condition.push("#status = :expected");
            value(":expected", string_attr(status.as_str()));
        }
        match change.expect.assignee {
            None => {}
            Some(None) => condition.push("attribute_not_exists(assignee)"),
            Some(Some(agent)) => {
                condition.push("assignee.id = :expected_assignee");
                value(":expected_assignee", string_attr(agent.to_string()));
            }
        }
        if let Some(status) = change.status {
            set.push("#status = :status, GSI1PK = :partition");
            value(":status", string_attr(status.as_str()));
            value(":partition", string_attr(items::status_partition(status)));
        }
        match &change.assignee {
            None => {}
            Some(None) => remove.push("assignee"),
            Some(Some(assignee)) => {
                set.push("assignee = :assignee");
                value(":assignee", items::assignee_attribute(assignee));
            }
        }
        if let Some(filed) = change.filed_under() {
            set.push("GSI2PK = :filed");
            value(
                ":filed",
                string_attr(items::assignee_partition(filed.0, filed.1)),
            );
        } else {
            assert!(
                change.status.is_none() && change.assignee.is_none(),
                "a change of status or assignee pins both"
            );
        }
        if let Some(at) = change.activity {
            value(":at", number_attr(at.unix_millis()));
            match activity {
                Activity::Raise => {
                    condition.push("updated_at <= :at");
                    set.push("updated_at = :at, GSI1SK = :activity, GSI2SK = :activity");
                    value(":activity", string_attr(items::activity_sk(at, id)));
                }
                Activity::Keep => condition.push("updated_at > :at"),
            }
        }
        if let Some(message) = &change.last_message {
            set.push("last_message = :message");
            let message = AttributeValue::M(items::message_attributes(message));
            value(":message", message);
        }
        match &change.last_note {
            None => {}
            Some(None) => remove.push("last_note"),
            Some(Some(note)) => {
                set.push("last_note = :note");
                value(":note", AttributeValue::M(items::message_attributes(note)));
            }
        }
        match change.unread {
            Unread::Keep | Unread::Add(0) => {}
            Unread::Add(count) => {
                add.push("unread_count :unread");
                value(":unread", number_attr(i64::from(count)));
            }
            Unread::Reset => {
                set.push("unread_count = :zero");
                value(":zero", number_attr(0));
            }
        }
        let mut update = String::new();
        if !set.is_empty() {
            update = format!("SET {}", set.join(", "));
        }
        if !add.is_empty() {
            update = format!("{update} ADD {}", add.join(", "));
        }
        if !remove.is_empty() {
            update = format!("{update} REMOVE {}", remove.join(", "));
        }
        let uses_status = change.expect.status.is_some() || change.status.is_some();
        let names =
            uses_status.then(|| HashMap::from([("#status".to_owned(), "status".to_owned())]));
        Self {
            condition: condition.join(" AND "),
            update: update.trim_start().to_owned(),
            names,
            values,
        }
    }

    /// As one write of a transaction, returning the room as it was if the condition fails.
    pub(super) fn into_transact_update(self, table: &str, id: RoomId) -> Update {
        Update::builder()
            .table_name(table)
            .set_key(Some(key(room_pk(id), ROOM_SK)))
            .condition_expression(self.condition)
            .update_expression(self.update)
            .set_expression_attribute_names(self.names)
            .set_expression_attribute_values(Some(self.values))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .expect("table, key and expressions are set")
    }
}

/// The write to the agent one of whose open rooms stops counting.
pub(super) fn released(table: &str, agent: &Assignee) -> Update {
    Update::builder()
        .table_name(table)
        .set_key(Some(key(items::agent_pk(&agent.username), "AGENT")))
        .condition_expression("id = :id")
        .update_expression(format!("ADD {} :minus_one", items::OPEN_ROOMS))
        .expression_attribute_values(":id", string_attr(agent.id.to_string()))
        .expression_attribute_values(":minus_one", number_attr(-1))
        .build()
        .expect("table, key and expressions are set")
}

/// The write to the agent taking one more open room, conditioned as `Taken::allowed` decides:
/// active (agents stored before deactivation existed have no flag, and are) and below the cap.
pub(super) fn taken(table: &str, taken: &Taken) -> Update {
    let agent = &taken.agent;
    let mut condition = "id = :id AND (attribute_not_exists(active) OR active = :true)".to_owned();
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(key(items::agent_pk(&agent.username), "AGENT")))
        .expression_attribute_values(":id", string_attr(agent.id.to_string()))
        .expression_attribute_values(":true", AttributeValue::Bool(true))
        .expression_attribute_values(":one", number_attr(1));
    if let Some(cap) = taken.cap {
        condition.push_str(&format!(
            " AND (attribute_not_exists({0}) OR {0} < :cap)",
            items::OPEN_ROOMS
        ));
        update = update.expression_attribute_values(":cap", number_attr(i64::from(cap)));
    }
    let mut expression = format!("ADD {} :one", items::OPEN_ROOMS);
    if let Some(at) = taken.assigned_at {
        expression.push_str(&format!(" SET {} = :at", items::LAST_ASSIGNED_AT));
        update = update.expression_attribute_values(":at", number_attr(at.unix_millis()));
    }
    update
        .condition_expression(condition)
        .update_expression(expression)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .expect("table, key and expressions are set")
}
