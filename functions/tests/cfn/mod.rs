//! template.yaml as CloudFormation receives it: run through the real SAM transform
//! (`infra/sam-transform.py`, aws-sam-translator), then evaluated the way CloudFormation
//! resolves intrinsic functions at deploy time, with the physical ids and ARNs AWS gives each
//! resource type. The checks then compare concrete values (a route's invocation ARN, the ARN a
//! call is authorized against) instead of template text.
//!
//! Each test binary uses part of this module.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::{Map, Value, json};

pub const REGION: &str = "eu-west-1";
pub const ACCOUNT: &str = "123456789012";
pub const PARTITION: &str = "aws";
pub const URL_SUFFIX: &str = "amazonaws.com";
pub const STACK: &str = "chat";

/// The CloudFormation the SAM transform makes of template.yaml, given only `parameters` (as
/// CloudFormation's hosted transform may be): what it cannot resolve stays an intrinsic.
pub fn transformed(parameters: &[(&str, &str)]) -> Value {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let python = format!("{root}/infra/.venv/bin/python");
    let output = Command::new(&python)
        .arg(format!("{root}/infra/sam-transform.py"))
        .args(parameters.iter().map(|(name, value)| format!("{name}={value}")))
        .env("AWS_DEFAULT_REGION", REGION)
        .env("SAM_CLI_TELEMETRY", "0")
        .output()
        .unwrap_or_else(|error| {
            panic!("{python}: {error}; infra/lint-template.sh installs it (infra/test.sh runs it first)")
        });
    assert!(
        output.status.success(),
        "the SAM transform failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the transform prints JSON")
}

/// The transformed template deployed with these parameter values (the others take their
/// defaults), resolved as CloudFormation resolves it.
pub struct Stack {
    pub template: Value,
    parameters: BTreeMap<String, Value>,
}

impl Stack {
    pub fn new(template: Value, values: &[(&str, &str)]) -> Self {
        let mut parameters = BTreeMap::new();
        for (name, declaration) in template["Parameters"].as_object().into_iter().flatten() {
            let given = values.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
            let raw = given
                .or_else(|| declaration["Default"].as_str())
                .unwrap_or_else(|| panic!("parameter {name} has no value and no default"));
            let value = if declaration["Type"] == "CommaDelimitedList" {
                json!(raw.split(',').collect::<Vec<_>>())
            } else {
                json!(raw)
            };
            parameters.insert(name.clone(), value);
        }
        Self {
            template,
            parameters,
        }
    }

    pub fn resources(&self) -> &Map<String, Value> {
        self.template["Resources"]
            .as_object()
            .expect("the template has resources")
    }

    pub fn resource(&self, id: &str) -> &Value {
        self.resources()
            .get(id)
            .unwrap_or_else(|| panic!("no resource {id}"))
    }

    /// The logical ids and definitions of the resources of one type.
    pub fn of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.resources()
            .iter()
            .filter(move |(_, resource)| resource["Type"] == kind)
            .map(|(id, resource)| (id.as_str(), resource))
    }

    /// A resource's properties, every intrinsic resolved.
    pub fn properties(&self, id: &str) -> Value {
        self.resolve(&self.resource(id)["Properties"])
            .unwrap_or_else(|| json!({}))
    }

    /// What `Ref` gives for a resource: the physical id AWS assigns its type.
    pub fn reference(&self, id: &str) -> Value {
        if let Some(value) = self.parameters.get(id) {
            return value.clone();
        }
        let kind = self.resource(id)["Type"].as_str().expect("a type");
        json!(match kind {
            "AWS::SecretsManager::Secret" => format!(
                "arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:{STACK}-{id}-AbCdEf"
            ),
            // API ids are ten lower-case letters and digits.
            "AWS::ApiGatewayV2::Api" => format!("{:0<10.10}", id.to_ascii_lowercase()),
            // Bucket names are lower-case.
            "AWS::S3::Bucket" => format!("{STACK}-{id}-1a2b3c4d5e6f").to_ascii_lowercase(),
            _ => format!("{STACK}-{id}-1A2B3C4D5E6F"),
        })
    }

    /// What `Fn::GetAtt` gives.
    pub fn attribute(&self, id: &str, attribute: &str) -> Value {
        let kind = self.resource(id)["Type"].as_str().expect("a type");
        let name = self.reference(id);
        let name = name.as_str().expect("a name");
        json!(match (kind, attribute) {
            ("AWS::DynamoDB::Table", "Arn") => {
                format!("arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}")
            }
            ("AWS::Lambda::Function", "Arn") => {
                format!("arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{name}")
            }
            ("AWS::IAM::Role", "Arn") => format!("arn:{PARTITION}:iam::{ACCOUNT}:role/{name}"),
            ("AWS::S3::Bucket", "Arn") => format!("arn:{PARTITION}:s3:::{name}"),
            ("AWS::Events::Rule", "Arn") => {
                format!("arn:{PARTITION}:events:{REGION}:{ACCOUNT}:rule/{name}")
            }
            _ => panic!("Fn::GetAtt {id}.{attribute} is not modelled"),
        })
    }

    fn pseudo(&self, name: &str) -> Option<Value> {
        Some(json!(match name {
            "AWS::Region" => REGION,
            "AWS::AccountId" => ACCOUNT,
            "AWS::Partition" => PARTITION,
            "AWS::URLSuffix" => URL_SUFFIX,
            "AWS::StackName" => STACK,
            _ => return None,
        }))
    }

    fn reference_or_pseudo(&self, name: &str) -> Value {
        self.pseudo(name).unwrap_or_else(|| self.reference(name))
    }

    pub fn condition(&self, name: &str) -> bool {
        let definition = &self.template["Conditions"][name];
        assert!(!definition.is_null(), "no condition {name}");
        self.truth(definition)
    }

    fn truth(&self, value: &Value) -> bool {
        let (function, arguments) = intrinsic(value).expect("a condition function");
        let arguments = arguments.as_array();
        let argument = |i: usize| &arguments.expect("a list of arguments")[i];
        match function {
            "Fn::Equals" => self.resolve(argument(0)) == self.resolve(argument(1)),
            "Fn::Not" => !self.truth(argument(0)),
            "Fn::And" => arguments.into_iter().flatten().all(|a| self.truth(a)),
            "Fn::Or" => arguments.into_iter().flatten().any(|a| self.truth(a)),
            "Condition" => self.condition(value["Condition"].as_str().expect("a name")),
            other => panic!("{other} is not a condition function"),
        }
    }

    /// A value with every intrinsic resolved; `None` for `AWS::NoValue`, which removes the
    /// property or list item holding it.
    pub fn resolve(&self, value: &Value) -> Option<Value> {
        if let Some((function, argument)) = intrinsic(value) {
            return self.call(function, argument);
        }
        Some(match value {
            Value::Array(items) => {
                Value::Array(items.iter().filter_map(|v| self.resolve(v)).collect())
            }
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), self.resolve(v)?)))
                    .collect(),
            ),
            scalar => scalar.clone(),
        })
    }

    fn call(&self, function: &str, argument: &Value) -> Option<Value> {
        let list = |n: usize| -> &Vec<Value> {
            let items = argument
                .as_array()
                .unwrap_or_else(|| panic!("{function} takes a list"));
            assert_eq!(items.len(), n, "{function} takes {n} arguments");
            items
        };
        Some(match function {
            "Ref" if argument == "AWS::NoValue" => return None,
            "Ref" => self.reference_or_pseudo(argument.as_str().expect("Ref names")),
            "Fn::GetAtt" => {
                let (id, attribute) = match argument {
                    Value::String(dotted) => dotted.split_once('.').expect("Id.Attribute"),
                    _ => {
                        let items = list(2);
                        (items[0].as_str().unwrap(), items[1].as_str().unwrap())
                    }
                };
                self.attribute(id, attribute)
            }
            "Fn::Sub" => {
                let (text, variables) = match argument {
                    Value::String(text) => (text.as_str(), Map::new()),
                    _ => {
                        let items = list(2);
                        let variables = self.resolve(&items[1]).expect("variables");
                        (
                            items[0].as_str().expect("a string"),
                            variables.as_object().expect("a map").clone(),
                        )
                    }
                };
                json!(self.substitute(text, &variables))
            }
            "Fn::Join" => {
                let items = list(2);
                let parts = self.resolve(&items[1]).expect("a list");
                let parts: Vec<&str> = parts
                    .as_array()
                    .expect("a list")
                    .iter()
                    .map(|p| p.as_str().expect("strings"))
                    .collect();
                json!(parts.join(items[0].as_str().expect("a separator")))
            }
            "Fn::Split" => {
                let items = list(2);
                let text = self.resolve(&items[1]).expect("a string");
                let parts = text.as_str().expect("a string");
                json!(
                    parts
                        .split(items[0].as_str().expect("a separator"))
                        .collect::<Vec<_>>()
                )
            }
            "Fn::If" => {
                let items = list(3);
                let branch = if self.condition(items[0].as_str().expect("a condition")) {
                    &items[1]
                } else {
                    &items[2]
                };
                return self.resolve(branch);
            }
            other => panic!("{other} is not modelled"),
        })
    }

    fn substitute(&self, text: &str, variables: &Map<String, Value>) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}').expect("a closing brace") + start;
            let name = &rest[start + 2..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str(&format!("${{{literal}}}"));
            } else {
                let value = match (variables.get(name), name.split_once('.')) {
                    (Some(value), _) => value.clone(),
                    (None, Some((id, attribute))) => self.attribute(id, attribute),
                    (None, None) => self.reference_or_pseudo(name),
                };
                out.push_str(
                    value
                        .as_str()
                        .unwrap_or_else(|| panic!("${{{name}}} is not a string")),
                );
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The logical id of the Lambda function built from `binary` (its Metadata).
    pub fn function_id(&self, binary: &str) -> &str {
        self.of_type("AWS::Lambda::Function")
            .find(|(_, f)| f["Metadata"]["BuildProperties"]["Binary"] == binary)
            .map(|(id, _)| id)
            .unwrap_or_else(|| panic!("no function is built from the binary {binary}"))
    }

    /// The ARN API Gateway invokes a function's integration at.
    pub fn invocation_uri(&self, function_id: &str) -> String {
        let arn = self.attribute(function_id, "Arn");
        format!(
            "arn:{PARTITION}:apigateway:{REGION}:lambda:path/2015-03-31/functions/{}/invocations",
            arn.as_str().unwrap()
        )
    }

    /// Whether API Gateway may invoke the function for a request whose execute-api ARN is
    /// `request_arn`: some `AWS::Lambda::Permission` for it matches, as Lambda matches them.
    pub fn may_invoke(&self, function_id: &str, request_arn: &str) -> bool {
        let function = self.reference(function_id);
        self.of_type("AWS::Lambda::Permission").any(|(id, _)| {
            let permission = self.properties(id);
            permission["FunctionName"] == function
                && permission["Action"] == "lambda:InvokeFunction"
                && permission["Principal"] == "apigateway.amazonaws.com"
                && glob(permission["SourceArn"].as_str().unwrap_or(""), request_arn)
        })
    }

    /// The environment variables of a function, resolved.
    pub fn environment(&self, function_id: &str) -> BTreeMap<String, String> {
        let properties = self.properties(function_id);
        properties["Environment"]["Variables"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, value)| {
                let text = value
                    .as_str()
                    .unwrap_or_else(|| panic!("{function_id}'s {name} is not a string: {value}"));
                (name.clone(), text.to_owned())
            })
            .collect()
    }

    /// A function's role (the `AWS::IAM::Role` whose ARN it is given), resolved.
    fn role(&self, function_id: &str) -> Value {
        let arn = self.properties(function_id)["Role"].clone();
        let (role_id, _) = self
            .of_type("AWS::IAM::Role")
            .find(|(id, _)| self.attribute(id, "Arn") == arn)
            .unwrap_or_else(|| panic!("{function_id}'s role is not in the template"));
        self.properties(role_id)
    }

    /// The statements of the inline policies of a function's role, resolved.
    pub fn role_statements(&self, function_id: &str) -> Vec<Value> {
        self.role(function_id)["Policies"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|policy| {
                policy["PolicyDocument"]["Statement"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .collect()
    }

    pub fn managed_policies(&self, function_id: &str) -> Vec<String> {
        strings(&self.role(function_id)["ManagedPolicyArns"])
    }
}

/// The one intrinsic function a value is, if it is one (a map of one `Ref`, `Fn::*` or
/// `Condition` key).
fn intrinsic(value: &Value) -> Option<(&str, &Value)> {
    let fields = value.as_object()?;
    if fields.len() != 1 {
        return None;
    }
    let (key, argument) = fields.iter().next()?;
    (key == "Ref" || key == "Condition" || key.starts_with("Fn::"))
        .then_some((key.as_str(), argument))
}

/// A string or a list of strings, as IAM's `Action` and `Resource` are written.
pub fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .map(|v| v.as_str().expect("strings").to_owned())
            .collect(),
        Value::Null => Vec::new(),
        other => panic!("not a string or list of strings: {other}"),
    }
}

/// IAM's and Lambda's ARN matching: `*` is any run of characters (`/` included), `?` any one.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The ARN of a Management API call on one connection, as IAM authorizes it
/// (`execute-api:ManageConnections` on `api-id/stage/METHOD/@connections/id`), from the
/// `WEBSOCKET_ENDPOINT` the function is given (`https://api-id.execute-api.region.suffix/stage`).
pub fn connection_arn(endpoint: &str, method: &str, connection: &str) -> String {
    let rest = endpoint
        .strip_prefix("https://")
        .unwrap_or_else(|| panic!("{endpoint} is not https"));
    let (host, stage) = rest.split_once('/').expect("host/stage");
    let (api, region) = host
        .strip_suffix(&format!(".{URL_SUFFIX}"))
        .and_then(|h| h.split_once(".execute-api."))
        .unwrap_or_else(|| panic!("{host} is not an execute-api host"));
    format!(
        "arn:{PARTITION}:execute-api:{region}:{ACCOUNT}:{api}/{stage}/{method}/@connections/{connection}"
    )
}

#[test]
fn glob_matches_as_iam_does() {
    assert!(glob("a/*/c", "a/b/x/c"));
    assert!(glob("a/*", "a/"));
    assert!(glob("a?c", "abc"));
    assert!(!glob("a/*/c", "a/b/d"));
    assert!(!glob("abc", "abcd"));
    assert!(glob("*", ""));
}
