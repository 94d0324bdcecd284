//! The CloudFormation that `sam deploy` makes of template.yaml (the real SAM transform, run by
//! infra/sam-transform.py), held to the route table: every route reaches its function with
//! API Gateway allowed to invoke it, no route ends in `/`, CORS comes out whole whether or
//! not parameter values are given, every environment value resolves to what the code reads,
//! the WebSocket API deploys its routes, the scheduled functions are scheduled, and the table
//! is the one local-dev creates. What each
//! function may do is held to its recorded calls in tests/iam.rs.

mod cfn;

use std::collections::BTreeSet;

use cfn::{ACCOUNT, PARTITION, REGION, Stack, URL_SUFFIX, transformed};
use functions::routes::{
    OPERATIONS, UNROUTED, WEB_FUNCTION, WS_ROUTES, all_functions, http_routes,
};
use serde_json::{Value, json};

const ORIGINS: &str = "https://shop.example,https://help.example:8443";

/// The stack as deployed without parameter values and with them, each through its own
/// transform: the translator sees the values only in the second.
fn stacks() -> Vec<(&'static str, Stack)> {
    let with = [("AllowedOrigins", ORIGINS)];
    vec![
        ("no parameter values", Stack::new(transformed(&[]), &[])),
        (
            "AllowedOrigins given",
            Stack::new(transformed(&with), &with),
        ),
    ]
}

/// The logical id of the one API of a protocol. An API imported from an OpenAPI `Body` (as
/// SAM makes the HTTP API) names no protocol: importing makes it an HTTP API.
fn api<'a>(stack: &'a Stack, protocol: &str) -> &'a str {
    let protocol_of = |id: &str| {
        let properties = stack.properties(id);
        match properties["ProtocolType"].as_str() {
            Some(protocol) => protocol.to_owned(),
            None if properties.get("Body").is_some() => "HTTP".to_owned(),
            None => panic!("{id} has neither ProtocolType nor Body"),
        }
    };
    let apis: Vec<&str> = stack
        .of_type("AWS::ApiGatewayV2::Api")
        .filter(|(id, _)| protocol_of(id) == protocol)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(apis.len(), 1, "one {protocol} API: {apis:?}");
    apis[0]
}

/// A request path as a client sends it: each `{id}` a room id, `{proxy+}` a file under web/.
fn concrete(path: &str) -> String {
    path.replace("{id}", "01JZ5C3V4W6X8Y0Z2A4B6C8D0E")
        .replace("{proxy+}", "lib/api.js")
}

#[test]
fn the_http_api_routes_each_route_of_the_table_once_to_its_function() {
    for (case, stack) in stacks() {
        let http = api(&stack, "HTTP");
        let body = &stack.properties(http)["Body"];
        let mut declared = BTreeSet::new();
        for (path, operations) in body["paths"].as_object().expect("paths") {
            if path == "$default" {
                continue; // the route no path matched: checked below
            }
            assert!(
                path == "/" || !path.ends_with('/'),
                "{case}: {path} ends in /"
            );
            for (method, operation) in operations.as_object().expect("operations") {
                declared.insert((method.to_ascii_uppercase(), path.clone()));
                assert!(
                    operation.get("x-amazon-apigateway-integration").is_some(),
                    "{case}: {method} {path} has no integration"
                );
            }
        }
        let in_code: BTreeSet<(String, String)> = http_routes()
            .map(|r| (r.method.to_string(), r.path.to_owned()))
            .collect();
        assert_eq!(declared, in_code, "{case}: the routes");

        let api_id = stack.reference(http);
        for route in http_routes() {
            let function = stack.function_id(route.function);
            let method = route.method.as_str().to_ascii_lowercase();
            let integration =
                &body["paths"][route.path][&method]["x-amazon-apigateway-integration"];
            assert_eq!(integration["type"], "aws_proxy", "{case}: {}", route.path);
            // lambda.rs dispatches on the 2.0 payload's routeKey, "METHOD path".
            assert_eq!(integration["payloadFormatVersion"], "2.0");
            assert_eq!(
                integration["uri"],
                json!(stack.invocation_uri(function)),
                "{case}: {} {} goes to {function}",
                route.method,
                route.path
            );
            let request = format!(
                "arn:{PARTITION}:execute-api:{REGION}:{ACCOUNT}:{}/$default/{}{}",
                api_id.as_str().unwrap(),
                route.method,
                concrete(route.path)
            );
            assert!(
                stack.may_invoke(function, &request),
                "{case}: API Gateway may not invoke {function} for {request}"
            );
        }

        // What no route matches (API.md's slash form of a route among it) goes to the
        // `$default` route, which the route table gives to UNROUTED's function.
        let unrouted = &body["paths"]["$default"]["x-amazon-apigateway-any-method"];
        assert_eq!(unrouted["isDefaultRoute"], true, "{case}: {unrouted}");
        let integration = &unrouted["x-amazon-apigateway-integration"];
        let function = stack.function_id(UNROUTED.function);
        assert_eq!(integration["payloadFormatVersion"], "2.0");
        assert_eq!(
            integration["uri"],
            json!(stack.invocation_uri(function)),
            "{case}"
        );
        for (method, path) in [("POST", "/api/auth/login/"), ("DELETE", "/anything/at/all")] {
            let request = format!(
                "arn:{PARTITION}:execute-api:{REGION}:{ACCOUNT}:{}/$default/{method}{path}",
                api_id.as_str().unwrap()
            );
            assert!(
                stack.may_invoke(function, &request),
                "{case}: API Gateway may not invoke {function} for {request}"
            );
        }
    }
}

#[test]
fn the_attachments_bucket_is_private_encrypted_and_takes_browser_requests_from_the_sites_only() {
    for (case, stack) in stacks() {
        let api_origin = format!(
            "https://{}.execute-api.{REGION}.{URL_SUFFIX}",
            stack.reference(api(&stack, "HTTP")).as_str().unwrap()
        );
        for (origins, sites) in [
            (None, vec![]),
            (Some(ORIGINS), ORIGINS.split(',').collect()),
        ] {
            let values: Vec<(&str, &str)> =
                origins.map(|o| ("AllowedOrigins", o)).into_iter().collect();
            let deployed = Stack::new(stack.template.clone(), &values);
            let bucket = deployed.properties("AttachmentsBucket");
            let block = &bucket["PublicAccessBlockConfiguration"];
            for setting in [
                "BlockPublicAcls",
                "BlockPublicPolicy",
                "IgnorePublicAcls",
                "RestrictPublicBuckets",
            ] {
                assert_eq!(block[setting], true, "{case}: {setting}");
            }
            assert_eq!(
                bucket["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
                "BucketOwnerEnforced"
            );
            let encryption = &bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
            assert_eq!(
                encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
                "AES256"
            );
            // The pages this stack serves, and the configured sites, upload and read through
            // presigned URLs: PUT and GET, with the headers the upload signs.
            let rules = bucket["CorsConfiguration"]["CorsRules"].as_array().unwrap();
            assert_eq!(rules.len(), 1, "{case}");
            let mut expected = vec![api_origin.as_str()];
            expected.extend(sites);
            assert_eq!(
                rules[0]["AllowedOrigins"],
                json!(expected),
                "{case}, {origins:?}"
            );
            assert_eq!(rules[0]["AllowedMethods"], json!(["GET", "PUT"]));
            assert_eq!(
                rules[0]["AllowedHeaders"],
                json!(["content-disposition", "content-type"])
            );
            let lifecycle = &bucket["LifecycleConfiguration"]["Rules"];
            assert_eq!(
                lifecycle[0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"],
                1
            );
        }
    }
}

#[test]
fn cors_comes_out_whole_with_or_without_parameter_values() {
    for (case, stack) in stacks() {
        let raw =
            &stack.resource(api(&stack, "HTTP"))["Properties"]["Body"]["x-amazon-apigateway-cors"];
        assert!(
            raw.get("allowMethods").is_some() && raw.get("Ref").is_none(),
            "{case}: the transform lost the CORS object: {raw}"
        );
        for (origins, expected) in [
            (None, None),
            (
                Some(ORIGINS),
                Some(json!(ORIGINS.split(',').collect::<Vec<_>>())),
            ),
        ] {
            let values: Vec<(&str, &str)> =
                origins.map(|o| ("AllowedOrigins", o)).into_iter().collect();
            let deployed = Stack::new(stack.template.clone(), &values);
            let cors =
                &deployed.properties(api(&deployed, "HTTP"))["Body"]["x-amazon-apigateway-cors"];
            // What the route table's REST routes use, and nothing else.
            assert_eq!(
                cors["allowMethods"],
                json!(functions::routes::http_methods()),
                "{case}"
            );
            assert_eq!(
                cors["allowHeaders"],
                json!(["authorization", "content-type"]),
                "{case}"
            );
            assert_eq!(cors["maxAge"], 600, "{case}");
            assert!(
                cors.get("allowCredentials").is_none(),
                "tokens are no cookies"
            );
            // With no origins given, no other site may call the API from a browser (the
            // pages this stack serves share its origin and need no CORS).
            assert_eq!(
                cors.get("allowOrigins").cloned(),
                expected,
                "{case}, {origins:?}"
            );
        }
    }
    let pattern = &transformed(&[])["Parameters"]["AllowedOrigins"]["AllowedPattern"];
    assert!(
        !pattern.as_str().unwrap().contains('*'),
        "no wildcard origin"
    );
}

#[test]
fn every_function_is_deployed_from_its_binary_with_the_environment_its_code_reads() {
    let stack = &stacks()[0].1;
    let built: BTreeSet<String> = stack
        .of_type("AWS::Lambda::Function")
        .map(|(_, f)| {
            f["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let in_code: BTreeSet<String> = all_functions().map(|(name, _)| name.to_owned()).collect();
    assert_eq!(built, in_code);

    let table = stack.reference("ChatTable");
    let secret = stack.reference("JwtSecret");
    let websocket = websocket_endpoint(stack);
    for (name, pushes) in all_functions() {
        let id = stack.function_id(name);
        let properties = stack.properties(id);
        assert_eq!(properties["Runtime"], "provided.al2023", "{name}");
        assert_eq!(properties["Handler"], "bootstrap", "{name}");
        let architectures = &properties["Architectures"];
        assert!(
            architectures == &json!(["arm64"]) || architectures == &json!(["x86_64"]),
            "{name}: {architectures}"
        );
        // Config::load reads these; the web function (Config::for_pages) only the endpoint.
        let mut expected = std::collections::BTreeMap::new();
        if name != WEB_FUNCTION {
            expected.insert("TABLE_NAME".to_owned(), table.as_str().unwrap().to_owned());
            expected.insert(
                "JWT_SECRET_ARN".to_owned(),
                secret.as_str().unwrap().to_owned(),
            );
        }
        if pushes || name == WEB_FUNCTION {
            expected.insert("WEBSOCKET_ENDPOINT".to_owned(), websocket.clone());
        }
        // A function granted S3 actions reads its bucket's name (Config::load), and only such
        // a function (tests/iam holds the grants to the S3 calls each function makes).
        let environment = stack.environment(id);
        let touches_s3 = stack.role_statements(id).iter().any(|statement| {
            cfn::strings(&statement["Action"])
                .iter()
                .any(|action| action.starts_with("s3:"))
        });
        if touches_s3 {
            let bucket = stack.reference("AttachmentsBucket");
            expected.insert(
                "ATTACHMENTS_BUCKET".to_owned(),
                bucket.as_str().unwrap().to_owned(),
            );
        }
        // The functions that change rooms or presence may route a room (auto-assignment).
        if pushes {
            for setting in ["AUTO_ASSIGN", "MAX_OPEN_ROOMS_PER_AGENT"] {
                let value = environment.get(setting).cloned().unwrap_or_default();
                expected.insert(setting.to_owned(), value);
            }
            let routing = shared::domain::Routing::parse(
                Some(&environment["AUTO_ASSIGN"]),
                Some(&environment["MAX_OPEN_ROOMS_PER_AGENT"]),
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            // API.md: least_busy in the template.
            assert_eq!(
                routing.auto_assign,
                shared::domain::AutoAssign::LeastBusy,
                "{name}"
            );
        }
        assert_eq!(environment, expected, "{name}'s environment");
    }
    let secret = stack.properties("JwtSecret");
    let generated = &secret["GenerateSecretString"];
    assert!(
        generated["PasswordLength"].as_u64().unwrap() >= functions::config::MIN_SECRET_BYTES as u64,
        "the generated secret is long enough for Config::with_secret"
    );
}

/// The Management API endpoint of the one WebSocket API's one stage, as the SDK is given it.
fn websocket_endpoint(stack: &Stack) -> String {
    let ws = api(stack, "WEBSOCKET");
    let api_id = stack.reference(ws);
    let stages: Vec<Value> = stack
        .of_type("AWS::ApiGatewayV2::Stage")
        .map(|(id, _)| stack.properties(id))
        .filter(|stage| stage["ApiId"] == api_id)
        .collect();
    assert_eq!(stages.len(), 1, "one WebSocket stage");
    format!(
        "https://{}.execute-api.{REGION}.{URL_SUFFIX}/{}",
        api_id.as_str().unwrap(),
        stages[0]["StageName"].as_str().unwrap()
    )
}

#[test]
fn the_websocket_api_routes_its_three_keys_and_deploys_every_change() {
    let stack = &stacks()[0].1;
    let ws = api(stack, "WEBSOCKET");
    let api_id = stack.reference(ws);
    let properties = stack.properties(ws);
    assert_eq!(
        properties["RouteSelectionExpression"],
        "$request.body.action"
    );
    let routes: Vec<Value> = stack
        .of_type("AWS::ApiGatewayV2::Route")
        .map(|(id, _)| stack.properties(id))
        .filter(|route| route["ApiId"] == api_id)
        .collect();
    let keys: BTreeSet<&str> = routes
        .iter()
        .map(|r| r["RouteKey"].as_str().unwrap())
        .collect();
    let in_code: BTreeSet<&str> = WS_ROUTES.iter().map(|r| r.route_key).collect();
    assert_eq!(keys, in_code);
    let stage = websocket_endpoint(stack)
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    for ws_route in WS_ROUTES {
        let function = stack.function_id(ws_route.function);
        let route = routes
            .iter()
            .find(|r| r["RouteKey"] == ws_route.route_key)
            .unwrap();
        let target = route["Target"].as_str().unwrap();
        let integration_id = stack
            .of_type("AWS::ApiGatewayV2::Integration")
            .find(|(id, _)| {
                target == format!("integrations/{}", stack.reference(id).as_str().unwrap())
            })
            .map(|(id, _)| id)
            .unwrap_or_else(|| panic!("{} targets no integration: {target}", ws_route.route_key));
        let integration = stack.properties(integration_id);
        assert_eq!(integration["IntegrationType"], "AWS_PROXY");
        assert_eq!(
            integration["IntegrationUri"],
            json!(stack.invocation_uri(function))
        );
        let request = format!(
            "arn:{PARTITION}:execute-api:{REGION}:{ACCOUNT}:{}/{stage}/{}",
            api_id.as_str().unwrap(),
            ws_route.route_key
        );
        assert!(
            stack.may_invoke(function, &request),
            "{request} may not invoke {function}"
        );
    }
    // A Deployment resource is made once and never again: later route changes would not go
    // live. The stage deploys every change itself.
    assert_eq!(stack.of_type("AWS::ApiGatewayV2::Deployment").count(), 0);
    let (stage_id, _) = stack
        .of_type("AWS::ApiGatewayV2::Stage")
        .find(|(id, _)| stack.properties(id)["ApiId"] == api_id)
        .unwrap();
    assert_eq!(stack.properties(stage_id)["AutoDeploy"], true);
}

#[test]
fn each_scheduled_function_is_invoked_by_its_schedule_and_no_other_function_is() {
    let stack = &stacks()[0].1;
    for operation in OPERATIONS {
        let function = stack.function_id(operation.function);
        let arn = stack.attribute(function, "Arn");
        let rules: Vec<(&str, Value)> = stack
            .of_type("AWS::Events::Rule")
            .map(|(id, _)| (id, stack.properties(id)))
            .filter(|(_, rule)| {
                rule["Targets"]
                    .as_array()
                    .is_some_and(|targets| targets.iter().any(|target| target["Arn"] == arn))
            })
            .collect();
        let Some(schedule) = operation.schedule else {
            assert!(rules.is_empty(), "{} is on no schedule", operation.function);
            continue;
        };
        assert_eq!(rules.len(), 1, "one rule invokes {}", operation.function);
        let (rule_id, rule) = &rules[0];
        assert_eq!(
            rule["ScheduleExpression"],
            schedule.expression(),
            "{}",
            operation.function
        );
        assert_ne!(rule["State"], "DISABLED", "{}", operation.function);
        // EventBridge may invoke it for that rule, as Lambda matches permissions.
        let rule_arn = stack.attribute(rule_id, "Arn");
        let function_name = stack.reference(function);
        let allowed = stack.of_type("AWS::Lambda::Permission").any(|(id, _)| {
            let permission = stack.properties(id);
            permission["FunctionName"] == function_name
                && permission["Action"] == "lambda:InvokeFunction"
                && permission["Principal"] == "events.amazonaws.com"
                && permission["SourceArn"] == rule_arn
        });
        assert!(allowed, "EventBridge may invoke {}", operation.function);
    }
}

#[test]
fn the_table_is_the_one_local_dev_and_the_tests_create() {
    let stack = &stacks()[0].1;
    let table = stack.properties("ChatTable");
    let local: Value = serde_json::from_str(shared::store::dynamodb::table::DEFINITION).unwrap();
    for key in [
        "AttributeDefinitions",
        "KeySchema",
        "GlobalSecondaryIndexes",
        "BillingMode",
        "TimeToLiveSpecification",
    ] {
        assert_eq!(table[key], local[key], "{key}");
    }
    assert_eq!(
        table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(stack.resource("ChatTable")["DeletionPolicy"], "Retain");
}
