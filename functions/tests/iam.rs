//! Each function's role grants exactly what its code asks of AWS. DynamoDB Local ignores IAM,
//! so the truth is recorded: while the black-box tests run local-dev on DynamoDB Local with
//! `AWS_CALL_LOG` set (infra/test.sh), every SDK call is logged with the function that made
//! it (local-dev/src/call_log.rs). Here each record becomes the IAM action and resource AWS
//! authorizes it as, and the deployed roles (the SAM transform's output, resolved) must allow
//! every one of them and nothing that none of them needs.
//!
//! Run by infra/test.sh after that pass: `AWS_CALL_LOG=<file> cargo test --test iam`.

mod cfn;

use std::collections::{BTreeMap, BTreeSet};

use cfn::{Stack, connection_arn, glob, strings, transformed};
use functions::routes::all_functions;
use serde_json::Value;

/// One authorization AWS makes: an action on a concrete resource.
type Request = (String, String);

/// What a deployed function's calls need, from the log. `table` is the deployed table's ARN,
/// `endpoint` the function's `WEBSOCKET_ENDPOINT`, and `bucket` its attachments bucket's ARN.
fn authorizations(
    record: &Value,
    table: &str,
    endpoint: Option<&str>,
    bucket: Option<&str>,
) -> Vec<Request> {
    let operation = record["operation"].as_str().expect("an operation");
    let service = record["service"]
        .as_str()
        .unwrap_or("")
        .to_ascii_lowercase();
    let dynamodb = |action: &str| ("dynamodb:".to_owned() + action, table.to_owned());
    if service.contains("dynamodb") {
        // One table in the stack: whatever name local-dev gave it, it is the stack's.
        return match operation {
            // IAM authorizes a transaction item by item (there is no TransactWriteItems action).
            "TransactWriteItems" | "TransactGetItems" => record["items"]
                .as_array()
                .expect("a transaction's items")
                .iter()
                .map(|item| {
                    let action = match item["operation"].as_str().expect("an item operation") {
                        "Put" => "PutItem",
                        "Update" => "UpdateItem",
                        "Delete" => "DeleteItem",
                        "ConditionCheck" => "ConditionCheckItem",
                        "Get" => "GetItem",
                        other => panic!("a transaction item {other}"),
                    };
                    dynamodb(action)
                })
                .collect(),
            // A Query or Scan of an index is authorized on the index's ARN.
            "Query" | "Scan" => match record["index"].as_str() {
                Some(index) => vec![(
                    format!("dynamodb:{operation}"),
                    format!("{table}/index/{index}"),
                )],
                None => vec![dynamodb(operation)],
            },
            other => vec![dynamodb(other)],
        };
    }
    if service.contains("apigatewaymanagement") {
        let method = match operation {
            "PostToConnection" => "POST",
            "GetConnection" => "GET",
            "DeleteConnection" => "DELETE",
            other => panic!("Management API operation {other}"),
        };
        let endpoint = endpoint.expect("a function that pushes has WEBSOCKET_ENDPOINT");
        return vec![(
            "execute-api:ManageConnections".to_owned(),
            connection_arn(endpoint, method, "L0SM9cOFvHcCIhw="),
        )];
    }
    if service == "s3" {
        // The one bucket of the stack, whatever local-dev called it; a presigned request is
        // authorized as its operation, with the signer's role. HeadObject is s3:GetObject.
        let action = match operation {
            "PutObject" | "GetObject" | "DeleteObject" => operation,
            "HeadObject" => "GetObject",
            other => panic!("S3 operation {other}"),
        };
        let key = record["key"].as_str().expect("an object key");
        let bucket = bucket.expect("a function that calls S3 has ATTACHMENTS_BUCKET");
        return vec![(format!("s3:{action}"), format!("{bucket}/{key}"))];
    }
    panic!("a call to {service} {operation} is not mapped to IAM: {record}");
}

/// The names local-dev records for calls no deployed function makes (as
/// `local-dev/src/call_log.rs` writes them): preparing its table, and a test calling the
/// store itself (to plant a stale connection, to see what is left). They are counted and
/// printed, not checked.
const NOT_A_FUNCTION: &[&str] = &["(local-dev setup)", "(the test itself)"];

/// A call recorded without any name was made outside every handler's scope (a task a handler
/// spawned, or a store call a test did not mark): the check cannot tell whose role it needs.
fn unattributed(record: &Value) -> bool {
    record["function"].is_null()
}

fn recorded_calls() -> Vec<Value> {
    let path = std::env::var("AWS_CALL_LOG").expect(
        "AWS_CALL_LOG names the calls recorded by the DynamoDB pass; infra/test.sh runs this test",
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let records: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect();
    assert!(
        records.iter().any(|r| !r["function"].is_null()),
        "{path} holds no function's call: was it recorded on DynamoDB Local?"
    );
    records
}

#[test]
fn each_role_grants_exactly_what_its_functions_calls_need() {
    let stack = Stack::new(transformed(&[]), &[]);
    let table = stack.attribute("ChatTable", "Arn");
    let table = table.as_str().unwrap();

    let mut needed: BTreeMap<String, BTreeSet<Request>> = all_functions()
        .map(|(name, _)| (name.to_owned(), BTreeSet::new()))
        .collect();
    let mut outside = BTreeMap::<String, usize>::new();
    let records = recorded_calls();
    let unattributed: Vec<&Value> = records.iter().filter(|r| unattributed(r)).collect();
    assert!(
        unattributed.is_empty(),
        "{} calls were made outside any function's scope, e.g. {}",
        unattributed.len(),
        unattributed[0]
    );
    for record in &records {
        let name = record["function"].as_str().expect("a function name");
        if NOT_A_FUNCTION.contains(&name) {
            let key = format!("{name} {}", record["operation"].as_str().unwrap_or("?"));
            *outside.entry(key).or_default() += 1;
            continue;
        }
        let environment = stack.environment(stack.function_id(name));
        let bucket = environment
            .get("ATTACHMENTS_BUCKET")
            .map(|name| format!("arn:aws:s3:::{name}"));
        let requests = authorizations(
            record,
            table,
            environment.get("WEBSOCKET_ENDPOINT").map(String::as_str),
            bucket.as_deref(),
        );
        needed
            .get_mut(name)
            .unwrap_or_else(|| panic!("{name} is no function of the route table"))
            .extend(requests);
    }

    println!("calls of no function (not checked): {outside:?}");
    let mut failures = Vec::new();
    for (name, needs) in &mut needed {
        let id = stack.function_id(name);
        // Config::load reads the secret once at start when it is given its ARN.
        if let Some(secret) = stack.environment(id).get("JWT_SECRET_ARN") {
            needs.insert(("secretsmanager:GetSecretValue".to_owned(), secret.clone()));
        }
        let grants: Vec<(String, String)> = stack
            .role_statements(id)
            .iter()
            .flat_map(|statement| {
                assert_eq!(statement["Effect"], "Allow", "{name}: {statement}");
                assert!(
                    statement.get("NotAction").is_none() && statement.get("NotResource").is_none()
                );
                let resources = strings(&statement["Resource"]);
                strings(&statement["Action"])
                    .into_iter()
                    .flat_map(move |a| resources.clone().into_iter().map(move |r| (a.clone(), r)))
            })
            .collect();
        let allows = |(action, resource): &(String, String), request: &Request| {
            glob(action, &request.0) && glob(resource, &request.1)
        };
        for request in needs.iter() {
            if !grants.iter().any(|grant| allows(grant, request)) {
                failures.push(format!("{name} is denied {} on {}", request.0, request.1));
            }
        }
        for grant in &grants {
            if !needs.iter().any(|request| allows(grant, request)) {
                failures.push(format!(
                    "{name} is granted {} on {}, which no call of it needs",
                    grant.0, grant.1
                ));
            }
        }
        let managed = stack.managed_policies(id);
        assert!(
            managed
                .iter()
                .all(|arn| arn.ends_with(":policy/service-role/AWSLambdaBasicExecutionRole")),
            "{name}'s managed policies grant more than its logs: {managed:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
