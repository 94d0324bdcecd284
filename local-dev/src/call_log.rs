//! What each function asks of AWS, recorded while local-dev serves it: with `AWS_CALL_LOG`
//! set to a file, every request the SDK clients (DynamoDB, the Management API, S3) start is
//! appended to it as one JSON line naming the function whose handler made it, the operation,
//! the table or index it reads, and, for a batch or a transaction, each item operation and
//! its table; for S3 (attachments), the bucket and key, presigned requests included. DynamoDB Local ignores IAM; `tests/iam` maps these records to the IAM actions
//! and resources AWS authorizes them as, and holds template.yaml's policies to them.
//!
//! The function comes from a task-local set around each handler call, so a call made from a
//! task the handler spawned is recorded without a function, and the check refuses it. Calls
//! no deployed function makes are recorded under one of two names instead: local-dev
//! preparing its table (`LOCAL_DEV_SETUP`), and a test calling the store itself to arrange or
//! verify a case (`THE_TEST_ITSELF`).

use std::future::Future;

use aws_sdk_dynamodb::operation::{
    batch_get_item::BatchGetItemInput, batch_write_item::BatchWriteItemInput,
    delete_item::DeleteItemInput, get_item::GetItemInput, put_item::PutItemInput,
    query::QueryInput, scan::ScanInput, transact_get_items::TransactGetItemsInput,
    transact_write_items::TransactWriteItemsInput, update_item::UpdateItemInput,
};
use aws_sdk_s3::operation::{
    delete_object::DeleteObjectInput, get_object::GetObjectInput, head_object::HeadObjectInput,
    put_object::PutObjectInput,
};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, Input,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::{Value, json};

use crate::json_lines::JsonLines;

tokio::task_local! {
    static FUNCTION: &'static str;
}

/// The name of local-dev's own calls: creating and describing its table.
pub const LOCAL_DEV_SETUP: &str = "(local-dev setup)";

/// The name of the calls a test makes on the store itself, to arrange or verify a case.
pub const THE_TEST_ITSELF: &str = "(the test itself)";

/// Runs a handler's work as the function `name`: the calls it makes are recorded as its.
pub async fn as_function<F: Future>(name: &'static str, work: F) -> F::Output {
    FUNCTION.scope(name, work).await
}

/// The interceptor, shared by every SDK client of the process.
#[derive(Clone, Debug)]
pub struct CallLog(JsonLines);

impl CallLog {
    /// The log `AWS_CALL_LOG` names, if it names one.
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        Ok(JsonLines::from_env("AWS_CALL_LOG")?.map(Self))
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = cfg
            .load::<Metadata>()
            .map_or(("?", "?"), |m| (m.service(), m.name()));
        let mut record = json!({
            "function": FUNCTION.try_with(|name| *name).ok(),
            "service": service,
            "operation": operation,
        });
        if let Some(target) =
            dynamodb_target(context.input()).or_else(|| s3_target(context.input()))
        {
            record
                .as_object_mut()
                .expect("an object")
                .extend(target.as_object().expect("an object").clone());
        }
        self.0.append(&record);
        Ok(())
    }
}

/// The bucket and key of an S3 request, from its input. A presigned request is recorded as
/// the operation it presigns: S3 authorizes it as that operation of the signer's role.
fn s3_target(input: &Input) -> Option<Value> {
    let object = |bucket: Option<&str>, key: Option<&str>| json!({ "bucket": bucket, "key": key });
    if let Some(i) = input.downcast_ref::<PutObjectInput>() {
        return Some(object(i.bucket(), i.key()));
    }
    if let Some(i) = input.downcast_ref::<GetObjectInput>() {
        return Some(object(i.bucket(), i.key()));
    }
    if let Some(i) = input.downcast_ref::<HeadObjectInput>() {
        return Some(object(i.bucket(), i.key()));
    }
    if let Some(i) = input.downcast_ref::<DeleteObjectInput>() {
        return Some(object(i.bucket(), i.key()));
    }
    None
}

/// The table, index and item operations of a DynamoDB request, from its input.
fn dynamodb_target(input: &Input) -> Option<Value> {
    let table = |name: Option<&str>| json!({ "table": name });
    if let Some(i) = input.downcast_ref::<GetItemInput>() {
        return Some(table(i.table_name()));
    }
    if let Some(i) = input.downcast_ref::<PutItemInput>() {
        return Some(table(i.table_name()));
    }
    if let Some(i) = input.downcast_ref::<UpdateItemInput>() {
        return Some(table(i.table_name()));
    }
    if let Some(i) = input.downcast_ref::<DeleteItemInput>() {
        return Some(table(i.table_name()));
    }
    if let Some(i) = input.downcast_ref::<QueryInput>() {
        return Some(json!({ "table": i.table_name(), "index": i.index_name() }));
    }
    if let Some(i) = input.downcast_ref::<ScanInput>() {
        return Some(json!({ "table": i.table_name(), "index": i.index_name() }));
    }
    if let Some(i) = input.downcast_ref::<BatchGetItemInput>() {
        let items: Vec<Value> = i
            .request_items()
            .into_iter()
            .flat_map(|items| items.keys())
            .map(|table| json!({ "operation": "Get", "table": table }))
            .collect();
        return Some(json!({ "items": items }));
    }
    if let Some(i) = input.downcast_ref::<BatchWriteItemInput>() {
        let items: Vec<Value> = i
            .request_items()
            .into_iter()
            .flatten()
            .flat_map(|(table, writes)| {
                writes.iter().map(move |write| {
                    let operation = if write.put_request().is_some() {
                        "Put"
                    } else {
                        "Delete"
                    };
                    json!({ "operation": operation, "table": table })
                })
            })
            .collect();
        return Some(json!({ "items": items }));
    }
    if let Some(i) = input.downcast_ref::<TransactWriteItemsInput>() {
        let items: Vec<Value> = i
            .transact_items()
            .iter()
            .map(|item| {
                let (operation, table) = if let Some(put) = item.put() {
                    ("Put", put.table_name())
                } else if let Some(update) = item.update() {
                    ("Update", update.table_name())
                } else if let Some(delete) = item.delete() {
                    ("Delete", delete.table_name())
                } else if let Some(check) = item.condition_check() {
                    ("ConditionCheck", check.table_name())
                } else {
                    ("?", "?")
                };
                json!({ "operation": operation, "table": table })
            })
            .collect();
        return Some(json!({ "items": items }));
    }
    if let Some(i) = input.downcast_ref::<TransactGetItemsInput>() {
        let items: Vec<Value> = i
            .transact_items()
            .iter()
            .map(|item| json!({ "operation": "Get", "table": item.get().map(|g| g.table_name()) }))
            .collect();
        return Some(json!({ "items": items }));
    }
    None
}
