//! Helpers shared by the ARM face's integration tests: one way to run a request in-process, as
//! the server does.

#![allow(dead_code)]

use vpcpeer_model::testkit::TestEnv;
use vpcpeer_model::Scope;
use vpcpeer_wire_azure::{error_reply, handle, prepare, Reply, Request};

/// The subscription the tests work in.
pub const SUB: &str = "00000000-0000-0000-0000-000000000001";
/// The base URL the face is told it is served at.
pub const BASE: &str = "https://127.0.0.1:4651";
/// A current `api-version` query.
pub const API: &str = "api-version=2024-05-01";

/// Runs one request as the server does: prepared at the edge, then handled in a transaction on
/// its subscription; any refusal, at either step, as the ARM error document it is answered with.
pub fn call(env: &mut TestEnv, method: &str, path: &str, query: &str, body: &[u8]) -> Reply {
    let req = Request {
        method,
        path,
        query,
        body,
        base_url: BASE,
    };
    let answer = prepare(&req).and_then(|p| {
        let scope = Scope::new(p.route.subscription(), "");
        env.transact(&scope, |tx| handle(tx, &req, &p))
    });
    answer.unwrap_or_else(|e| error_reply(&e))
}

/// Creates the resource group `rg` of [`SUB`] in eastus.
pub fn put_group(env: &mut TestEnv) {
    let r = call(
        env,
        "PUT",
        &format!("/subscriptions/{SUB}/resourcegroups/rg"),
        API,
        br#"{"location":"eastus"}"#,
    );
    assert_eq!(r.status, 201, "{r:?}");
}
