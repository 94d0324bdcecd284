//! template.yaml and the code agree: every function of the route table is deployed with its
//! binary, its routes and exactly the permissions it declares; nothing else is; the table is
//! infra/table.json's.

use std::collections::{BTreeMap, BTreeSet};

use functions::routes::{ROUTES, WS_ROUTES, all_functions};
use serde_yaml::Value;

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).expect("template.yaml parses")
}

/// The logical id of a function: `auth-login` → `AuthLoginFunction`.
fn logical_id(function: &str) -> String {
    let mut id: String = function
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
                .collect::<String>()
        })
        .collect();
    id.push_str("Function");
    id
}

fn resources(template: &Value) -> BTreeMap<String, Value> {
    template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_owned(), v.clone()))
        .collect()
}

/// The text of a scalar, or of a tagged scalar (`!Sub "..."`, `!Ref X`).
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Tagged(tagged) => format!("{} {}", tagged.tag, text(&tagged.value)),
        other => format!("{other:?}"),
    }
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_sequence()
        .map(|seq| seq.iter().map(text).collect())
        .unwrap_or_default()
}

#[test]
fn every_function_is_deployed_from_its_binary_and_nothing_else_is() {
    let resources = resources(&template());
    let deployed: BTreeMap<String, String> = resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(id, r)| {
            assert_eq!(r["Metadata"]["BuildMethod"], "rust-cargolambda", "{id}");
            (
                r["Metadata"]["BuildProperties"]["Binary"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                id.clone(),
            )
        })
        .collect();
    let functions: BTreeSet<String> = all_functions().map(|(f, _)| f.to_owned()).collect();
    assert_eq!(deployed.keys().cloned().collect::<BTreeSet<_>>(), functions);
    for (binary, id) in &deployed {
        assert_eq!(id, &logical_id(binary));
    }
    let globals = &template()["Globals"]["Function"];
    assert_eq!(globals["Runtime"], "provided.al2023");
    let env = &globals["Environment"]["Variables"];
    for variable in ["TABLE_NAME", "JWT_SECRET", "WEBSOCKET_ENDPOINT"] {
        assert!(
            !env[variable].is_null(),
            "{variable} is set for every function"
        );
    }
    assert_eq!(
        text(&env["JWT_SECRET"]),
        "!Ref JwtSecret",
        "the secret comes from a parameter"
    );
    assert_eq!(template()["Parameters"]["JwtSecret"]["NoEcho"], true);
}

#[test]
fn rest_routes_match_the_route_table_both_ways() {
    let resources = resources(&template());
    let mut in_template = BTreeSet::new();
    for (id, resource) in &resources {
        let Some(events) = resource["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for event in events.values() {
            assert_eq!(event["Type"], "HttpApi", "{id}");
            let method = event["Properties"]["Method"].as_str().unwrap().to_owned();
            let path = event["Properties"]["Path"].as_str().unwrap().to_owned();
            assert!(
                in_template.insert((method, path, id.clone())),
                "{id} repeats a route"
            );
        }
    }
    let mut in_code = BTreeSet::new();
    for route in ROUTES {
        for path in [route.path, route.path.trim_end_matches('/')] {
            in_code.insert((
                route.method.to_string(),
                path.to_owned(),
                logical_id(route.function),
            ));
        }
    }
    assert_eq!(in_template, in_code);
}

#[test]
fn websocket_routes_reach_their_functions() {
    let template = template();
    let resources = resources(&template);
    let api = &resources["WebSocketApi"]["Properties"];
    assert_eq!(api["ProtocolType"], "WEBSOCKET");
    assert_eq!(api["RouteSelectionExpression"], "$request.body.action");
    let routes: Vec<&Value> = resources
        .values()
        .filter(|r| r["Type"] == "AWS::ApiGatewayV2::Route")
        .collect();
    assert_eq!(routes.len(), WS_ROUTES.len());
    for ws in WS_ROUTES {
        let route = routes
            .iter()
            .find(|r| r["Properties"]["RouteKey"] == ws.route_key)
            .unwrap_or_else(|| panic!("no route {}", ws.route_key));
        let target = text(&route["Properties"]["Target"]);
        let integration_id = target
            .trim_start_matches("!Sub integrations/${")
            .trim_end_matches('}');
        let integration = &resources[integration_id]["Properties"];
        assert_eq!(integration["IntegrationType"], "AWS_PROXY");
        let uri = text(&integration["IntegrationUri"]);
        assert!(
            uri.contains(&format!("${{{}.Arn}}", logical_id(ws.function))),
            "{uri}"
        );
        let permitted = resources.values().any(|r| {
            r["Type"] == "AWS::Lambda::Permission"
                && text(&r["Properties"]["FunctionName"])
                    == format!("!Ref {}", logical_id(ws.function))
                && r["Properties"]["Principal"] == "apigateway.amazonaws.com"
        });
        assert!(permitted, "API Gateway may not invoke {}", ws.function);
    }
    let deployment = &resources["WebSocketDeployment"];
    assert_eq!(strings(&deployment["DependsOn"]).len(), WS_ROUTES.len());
    assert!(
        resources
            .values()
            .any(|r| r["Type"] == "AWS::ApiGatewayV2::Stage")
    );
}

#[test]
fn each_function_may_do_exactly_what_its_code_does() {
    let resources = resources(&template());
    for (function, access) in all_functions() {
        let properties = &resources[&logical_id(function)]["Properties"];
        let statements: Vec<&Value> = properties["Policies"]
            .as_sequence()
            .unwrap()
            .iter()
            .flat_map(|policy| policy["Statement"].as_sequence().unwrap())
            .collect();
        let actions = |prefix: &str| -> BTreeSet<String> {
            statements
                .iter()
                .flat_map(|s| strings(&s["Action"]))
                .filter(|a| a.starts_with(prefix))
                .collect()
        };
        let declared: BTreeSet<String> = access.dynamodb.iter().map(|a| a.to_string()).collect();
        assert_eq!(
            actions("dynamodb:"),
            declared,
            "{function}'s table permissions"
        );
        let pushes =
            actions("execute-api:") == BTreeSet::from(["execute-api:ManageConnections".to_owned()]);
        assert_eq!(pushes, access.pushes, "{function}'s ManageConnections");
        for statement in &statements {
            assert_eq!(statement["Effect"], "Allow");
            assert!(
                !strings(&statement["Resource"]).iter().any(|r| r == "*"),
                "{function}: no wildcard resources"
            );
        }
    }
}

#[test]
fn the_table_is_the_one_local_dev_and_the_tests_create() {
    let resources = resources(&template());
    let table = &resources["ChatTable"]["Properties"];
    let local: serde_json::Value =
        serde_json::from_str(shared::store::dynamodb::table::DEFINITION).unwrap();
    let as_yaml: Value = serde_yaml::to_value(&local).unwrap();
    for key in [
        "AttributeDefinitions",
        "KeySchema",
        "GlobalSecondaryIndexes",
        "BillingMode",
        "TimeToLiveSpecification",
    ] {
        assert_eq!(table[key], as_yaml[key], "{key}");
    }
    assert_eq!(
        table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
}

#[test]
fn cors_allows_only_the_configured_origins() {
    let template = template();
    let cors = &resources(&template)["HttpApi"]["Properties"]["CorsConfiguration"];
    assert_eq!(text(&cors["AllowOrigins"]), "!Ref AllowedOrigins");
    let parameter = &template["Parameters"]["AllowedOrigins"];
    assert!(
        parameter.get("Default").is_none(),
        "origins must be chosen, not defaulted"
    );
    // Scheme, host and port only: no `*`, no path (the pattern itself has no `*` to let one in).
    let pattern = text(&parameter["AllowedPattern"]);
    assert!(
        pattern.starts_with("^https?://") && pattern.ends_with('$'),
        "{pattern}"
    );
    assert!(!pattern.contains('*'), "{pattern}");
    assert_eq!(
        strings(&cors["AllowMethods"]),
        BTreeSet::from(["GET".to_owned(), "POST".to_owned()])
    );
    assert!(cors.get("AllowCredentials").is_none());
}
