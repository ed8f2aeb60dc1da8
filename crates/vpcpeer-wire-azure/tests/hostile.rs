//! Hostile input at the ARM face: malformed `api-version`s, paths and bodies are answered with
//! an ARM error document, never a panic (issue 8, item 2).

use proptest::prelude::*;
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_model::Scope;
use vpcpeer_wire_azure::{error_reply, handle, prepare, Reply, Request};

const SUB: &str = "00000000-0000-0000-0000-000000000001";
const BASE: &str = "https://127.0.0.1:4651";

fn vnet_path() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v")
}

fn call(env: &mut TestEnv, method: &str, path: &str, query: &str, body: &[u8]) -> Reply {
    let req = Request {
        method,
        path,
        query,
        body,
        base_url: BASE,
    };
    match prepare(&req) {
        Err(e) => error_reply(&e),
        Ok(p) => {
            let scope = Scope::new(p.route.subscription(), "");
            env.transact(&scope, |tx| handle(tx, &req, &p))
                .unwrap_or_else(|e| error_reply(&e))
        }
    }
}

fn code(r: &Reply) -> &str {
    r.body
        .as_ref()
        .and_then(|b| b["error"]["code"].as_str())
        .unwrap_or("")
}

/// The reproduction: a multi-byte character across the tenth byte of `api-version`.
#[test]
fn api_version_with_a_multibyte_character_is_refused_not_a_panic() {
    let mut env = TestEnv::new();
    for q in [
        "api-version=aaaaaaaaa%C3%A9",
        "api-version=2024-05-0%C3%A9",
        "api-version=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9",
        "api-version=2024-05-01%C3%A9",
        "api-version=2024-05-01-previe%C3%A9",
        "api-version=%E2%82%AC",
        "api-version=2024%E2%82%AC05-01",
    ] {
        let r = call(&mut env, "GET", &vnet_path(), q, b"");
        assert_eq!(r.status, 400, "{q}");
        assert_eq!(code(&r), "InvalidApiVersionParameter", "{q}");
    }
}

#[test]
fn date_shaped_versions_are_still_accepted() {
    let mut env = TestEnv::new();
    for q in [
        "api-version=2024-05-01",
        "api-version=2023-09-01-preview",
        "api-version=2023-09-01-PREVIEW",
    ] {
        let r = call(&mut env, "GET", &vnet_path(), q, b"");
        // The resource group does not exist: the request got past `prepare`.
        assert_eq!(code(&r), "ResourceGroupNotFound", "{q}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any api-version, path tail and body: an answer (ARM error or success), never a panic, and
    /// an error always carries a code.
    #[test]
    fn any_request_is_answered(
        version in "\\PC{0,14}",
        tail in "(/[a-zA-Z%0-9é€.]{0,12}){0,8}",
        method in prop::sample::select(vec!["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"]),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut env = TestEnv::new();
        let query = format!("api-version={version}");
        for path in [format!("/subscriptions/{SUB}{tail}"), format!("{}{tail}", vnet_path())] {
            let r = call(&mut env, method, &path, &query, &body);
            if r.status >= 400 {
                prop_assert!(!code(&r).is_empty());
            }
            prop_assert!(r.status < 500, "{} {path}?{query}: {:?}", method, r);
        }
    }
}
