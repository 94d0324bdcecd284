//! The store conformance suite: written once (in `suite`), run against the memory store and
//! against the DynamoDB store on a real DynamoDB Local, each test on a fresh table.

mod suite;

use std::sync::Arc;

use shared::aws::AwsSettings;
use shared::ports::Store;
use shared::store::{DynamoStore, MemoryStore};

async fn memory_store() -> Arc<dyn Store> {
    Arc::new(MemoryStore::new())
}

/// A DynamoDB store on a table of its own. Without DynamoDB Local this fails, loudly.
async fn dynamodb_store() -> Arc<dyn Store> {
    let endpoint = std::env::var("DYNAMODB_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "DYNAMODB_ENDPOINT is not set: these tests need DynamoDB Local. Run infra/test.sh \
             (it starts one), or start one with infra/dynamodb-local.sh start and point \
             DYNAMODB_ENDPOINT at it."
        )
    });
    let table = format!("conformance-{}", ulid::Ulid::new());
    let store = DynamoStore::connect(&AwsSettings::local(), Some(&endpoint), table.clone());
    shared::store::dynamodb::table::ensure_table(store.client(), &table)
        .await
        .unwrap_or_else(|e| panic!("creating {table} on {endpoint}: {e:#}"));
    Arc::new(store)
}

macro_rules! conformance {
    ($($test:ident),* $(,)?) => {
        mod memory {
            $(#[tokio::test]
            async fn $test() {
                super::suite::$test(super::memory_store().await).await;
            })*
        }
        mod dynamodb {
            $(#[tokio::test]
            async fn $test() {
                super::suite::$test(super::dynamodb_store().await).await;
            })*
        }
    };
}

conformance!(
    rooms_round_trip,
    appending_updates_the_room,
    appending_refuses_in_api_order,
    concurrent_retries_store_one_message,
    messages_page_both_ways,
    notes_are_stored_apart_and_paged_per_reader,
    status_changes_and_reads,
    activity_never_moves_backwards,
    racing_writers_agree,
    admin_lists_page_by_activity,
    visitor_lists_are_scoped,
    assignments_keep_counts_and_file_rooms_by_assignee,
    rooms_arriving_at_once_never_push_an_agent_past_its_cap,
    connections_come_and_go,
    agents_are_inserted_once,
    canned_responses_keep_their_short_codes_unique,
    attachments_are_kept_under_their_room,
    the_team_is_listed_found_by_id_and_deactivated,
    rate_counters_count_up_to_their_max,
    sends_count_their_charges_in_the_same_write,
);
