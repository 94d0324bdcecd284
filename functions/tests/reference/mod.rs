//! docs/openapi.json as the tests read it: the operations by route, `$ref`s followed, and a
//! JSON Schema check of the keywords the document uses (a keyword the check does not read
//! fails the check rather than passing unread).
//!
//! Each test binary uses part of this module.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::Value;

/// The document as the `web` function serves it.
pub fn document() -> Value {
    serde_json::from_str(functions::http::web::OPENAPI).expect("docs/openapi.json is JSON")
}

/// The route table's path as OpenAPI writes it: API Gateway's greedy `{proxy+}` is `{proxy}`.
pub fn openapi_path(table_path: &str) -> String {
    table_path.replace("+}", "}")
}

/// The names of a path's `{parameters}`.
pub fn path_parameters(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| name.trim_end_matches('+').to_owned())
        .collect()
}

/// What a `$ref` points at, and what that points at, until something that is not a `$ref`.
pub fn resolve<'d>(doc: &'d Value, mut value: &'d Value) -> &'d Value {
    while let Some(target) = value.get("$ref").and_then(Value::as_str) {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local $refs: {target}"));
        value = doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{target} names nothing"));
    }
    value
}

/// The operation of `method` (`GET`) on the table's `path`; for the `$default` route (what
/// no route matched), the document's `x-default-route`, whatever the method.
pub fn operation<'d>(doc: &'d Value, method: &str, path: &str) -> Option<&'d Value> {
    if path == "$default" {
        return doc.get("x-default-route");
    }
    doc["paths"]
        .get(openapi_path(path))?
        .get(method.to_ascii_lowercase())
}

/// An operation's documented answer for `status`, `$ref` followed.
pub fn response<'d>(doc: &'d Value, operation: &'d Value, status: u16) -> Option<&'d Value> {
    operation["responses"]
        .get(status.to_string())
        .map(|response| resolve(doc, response))
}

/// Keywords that only describe: they constrain nothing.
const ANNOTATIONS: &[&str] = &["description", "title", "format", "default", "examples"];

/// Checks `value` against `schema`; `at` is where in the checked value this is, for messages.
pub fn check(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    let fail = |why: String| Err(format!("{at}: {why} (value {value})"));
    for (keyword, rule) in schema.as_object().expect("a schema is an object") {
        match keyword.as_str() {
            "type" => {
                let types: Vec<&str> = match rule {
                    Value::String(one) => vec![one.as_str()],
                    Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                    other => panic!("type {other}"),
                };
                if !types.iter().any(|t| is_type(t, value)) {
                    return fail(format!("not of type {rule}"));
                }
            }
            "enum" => {
                if !rule
                    .as_array()
                    .expect("an enum is an array")
                    .contains(value)
                {
                    return fail(format!("not one of {rule}"));
                }
            }
            "const" => {
                if rule != value {
                    return fail(format!("not {rule}"));
                }
            }
            "properties" => {
                let Some(object) = value.as_object() else {
                    continue;
                };
                for (name, property) in rule.as_object().expect("properties are an object") {
                    if let Some(field) = object.get(name) {
                        check(doc, property, field, &format!("{at}.{name}"))?;
                    }
                }
            }
            "required" => {
                let Some(object) = value.as_object() else {
                    continue;
                };
                for name in rule.as_array().expect("required is an array") {
                    let name = name.as_str().expect("a required name");
                    if !object.contains_key(name) {
                        return fail(format!("{name} is missing"));
                    }
                }
            }
            "additionalProperties" => {
                assert_eq!(
                    rule,
                    &Value::Bool(false),
                    "only additionalProperties: false"
                );
                let Some(object) = value.as_object() else {
                    continue;
                };
                let known = schema["properties"].as_object();
                for name in object.keys() {
                    if !known.is_some_and(|known| known.contains_key(name)) {
                        return fail(format!("{name} is not documented"));
                    }
                }
            }
            "items" => {
                for (index, item) in value.as_array().into_iter().flatten().enumerate() {
                    check(doc, rule, item, &format!("{at}[{index}]"))?;
                }
            }
            "oneOf" => {
                let branches = rule.as_array().expect("oneOf is an array");
                let matched = branches
                    .iter()
                    .filter(|branch| check(doc, branch, value, at).is_ok())
                    .count();
                if matched != 1 {
                    let why: Vec<String> = branches
                        .iter()
                        .filter_map(|branch| check(doc, branch, value, at).err())
                        .collect();
                    return fail(format!("matches {matched} of oneOf, not 1: {why:?}"));
                }
            }
            "minLength" | "maxLength" | "minimum" | "maximum" => {
                // Lengths count code points, as JSON Schema and the code's rules do.
                let measured = if keyword.ends_with("Length") {
                    value.as_str().map(|text| text.chars().count() as f64)
                } else {
                    value.as_f64()
                };
                let Some(measured) = measured else { continue };
                let bound = rule.as_f64().expect("a bound is a number");
                let within = if keyword.starts_with("min") {
                    measured >= bound
                } else {
                    measured <= bound
                };
                if !within {
                    return fail(format!("{keyword} {bound}"));
                }
            }
            "pattern" => {
                let Some(text) = value.as_str() else { continue };
                if !matches(rule.as_str().expect("a pattern"), text) {
                    return fail(format!("does not match {rule}"));
                }
            }
            keyword if ANNOTATIONS.contains(&keyword) => {}
            other => panic!("{at}: the check does not read the keyword {other}"),
        }
    }
    Ok(())
}

/// Whether `text` matches `pattern`; each pattern is compiled once (the log holds thousands of
/// ids to check).
fn matches(pattern: &str, text: &str) -> bool {
    thread_local! {
        static COMPILED: RefCell<HashMap<String, regex_lite::Regex>> = RefCell::default();
    }
    COMPILED.with_borrow_mut(|compiled| {
        compiled
            .entry(pattern.to_owned())
            .or_insert_with(|| regex_lite::Regex::new(pattern).expect("the pattern compiles"))
            .is_match(text)
    })
}

fn is_type(name: &str, value: &Value) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        other => panic!("no JSON type {other}"),
    }
}

/// The branches of a `oneOf` schema, each `$ref` followed.
pub fn branches<'d>(doc: &'d Value, schema: &'d Value) -> Vec<&'d Value> {
    resolve(doc, schema)["oneOf"]
        .as_array()
        .expect("a oneOf")
        .iter()
        .map(|branch| resolve(doc, branch))
        .collect()
}
