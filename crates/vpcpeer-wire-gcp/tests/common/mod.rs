//! Helpers shared by the Compute face's integration tests: one way to run a request in-process,
//! as the server does.

#![allow(dead_code)]

use serde_json::Value;
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_wire_gcp::{handle, parse};

/// The base URL the replies' self links start with.
pub const BASE: &str = "http://127.0.0.1:4650/compute/v1/";

/// `method` of `path` with `query` and the raw `body`, parsed and handled as the server does
/// (committed on success, rolled back on error): the HTTP status and the document.
pub fn call_raw(
    env: &mut TestEnv,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
) -> (u16, Value) {
    let c = match parse(method, path, query, body) {
        Ok(c) => c,
        Err(e) => return (e.status, e.body()),
    };
    match env.transact(&c.scope(), |tx| handle(tx, &c, BASE)) {
        Ok(v) => (200, v),
        Err(e) => (e.status, e.body()),
    }
}
