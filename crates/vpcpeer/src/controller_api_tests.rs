//! Tests of the console's controller API that need no cloud: what it refuses, and how (the
//! status and a JSON error naming the problem). The plan, the apply and the status against a
//! running server are driven by `tests/e2e/test_console.py`.

use std::sync::Arc;

use axum::body::Bytes;
use serde_json::Value;

use super::*;

/// One of the API's handlers.
type Handler = fn(Arc<Service>, MountedRequest) -> Answer;

fn service() -> Arc<Service> {
    // Nothing listens there: every case below is refused before a cloud is read.
    Arc::new(Service::new("http://127.0.0.1:9".into()))
}

fn req(method: &str, query: &str, body: &str) -> MountedRequest {
    MountedRequest {
        method: method.into(),
        query: query.into(),
        body: Bytes::from(body.to_owned()),
    }
}

fn topology(yaml: &str) -> String {
    json!({ "topology": yaml }).to_string()
}

const PAIR: &str = "name: t\naccounts:\n  a: { cloud: aws, account_id: \"111111111111\" }\nnetworks:\n  x: { account: a, region: us-east-1, cidrs: [10.0.0.0/16] }\n  y: { account: a, region: us-east-1, cidrs: [10.1.0.0/16] }\nlinks:\n  - between: [x, y]\n";

#[test]
fn bodies_that_are_not_a_usable_topology_are_refused_with_the_reason() {
    let with_endpoint = PAIR.replace(
        "account_id: \"111111111111\" }",
        "account_id: \"111111111111\", endpoint: \"http://elsewhere.example\" }",
    );
    let unknown_side = PAIR.replace("between: [x, y]", "between: [x, z]");
    let cases: Vec<(&str, String, u16, &str)> = vec![
        ("not JSON", "name: t".into(), 400, "expected {\"topology\""),
        (
            "unknown field",
            r#"{"topology": "", "x": 1}"#.into(),
            400,
            "expected",
        ),
        ("empty", topology("  "), 400, "the body is empty"),
        (
            "not YAML",
            topology("name: [unclosed"),
            400,
            "not a topology file",
        ),
        (
            "refused",
            topology(&unknown_side),
            400,
            "the topology is refused",
        ),
        (
            "endpoint",
            topology(&with_endpoint),
            400,
            "the topology is refused",
        ),
    ];
    for (what, body, status, needle) in cases {
        for handler in [Service::plan, Service::apply] {
            let (got, v) = handler(service(), req("POST", "", &body));
            assert_eq!(got, status, "{what}: {v}");
            let message = v["error"].as_str().unwrap_or_default();
            assert!(message.contains(needle), "{what}: {v}");
        }
    }
    let (_, v) = Service::plan(service(), req("POST", "", &topology(&with_endpoint)));
    let problems: Vec<&str> = v["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(problems.len(), 1, "{v}");
    assert!(problems[0].starts_with("account a: `endpoint`"), "{v}");
    let (_, v) = Service::plan(service(), req("POST", "", &topology(&unknown_side)));
    assert!(
        !v["problems"].as_array().expect("problems").is_empty(),
        "{v}"
    );
}

#[test]
fn methods_jobs_and_topologies_that_do_not_exist() {
    let cases: Vec<(Handler, &str, &str, u16)> = vec![
        (Service::plan, "GET", "", 405),
        (Service::apply, "DELETE", "", 405),
        (Service::apply, "GET", "", 400),
        (Service::apply, "GET", "job=x", 400),
        (Service::apply, "GET", "job=7", 404),
        (Service::status, "POST", "topology=t", 405),
        (Service::status, "GET", "", 400),
        (Service::status, "GET", "topology=t", 404),
    ];
    for (handler, method, query, status) in cases {
        let (got, v) = handler(service(), req(method, query, ""));
        assert_eq!(got, status, "{method} ?{query}: {v}");
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    }
}

#[test]
fn query_values_are_decoded() {
    assert_eq!(
        query_value("topology=a%2Db&x=1", "topology").as_deref(),
        Some("a-b")
    );
    assert_eq!(query_value("a=1&job=12", "job").as_deref(), Some("12"));
    assert_eq!(query_value("job", "job").as_deref(), Some(""));
    assert_eq!(query_value("job=%zz", "job"), None);
    assert_eq!(query_value("x=1", "job"), None);
}
