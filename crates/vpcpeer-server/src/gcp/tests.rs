//! In-process tests of the GCP routes (no socket): links follow the Host header, the
//! Authorization header is ignored, and every refusal is a GCP error document.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use serde_json::{json, Value};

use crate::testing::{send_json, state};
use crate::AppState;

async fn send(st: &Arc<AppState>, method: &str, uri: &str, body: &str) -> (u16, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "localhost:8443")
        .header("authorization", "Bearer whatever")
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .expect("request");
    send_json(st, req).await
}

#[tokio::test]
async fn insert_commits_and_links_use_the_request_host() {
    let st = state();
    let (status, op) = send(
        &st,
        "POST",
        "/compute/v1/projects/proj-a/global/networks?%24alt=json%3Benum-encoding%3Dint",
        &json!({"name": "net-a", "autoCreateSubnetworks": false}).to_string(),
    )
    .await;
    assert_eq!(status, 200, "{op}");
    assert_eq!(op["status"], "DONE");
    assert_eq!(
        op["targetLink"],
        "http://localhost:8443/compute/v1/projects/proj-a/global/networks/net-a"
    );
    assert_eq!(st.emulator.with_world(|w| w.gcp_networks.len()), 1);
    let (status, net) = send(
        &st,
        "GET",
        "/compute/v1/projects/proj-a/global/networks/net-a",
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(net["name"], "net-a");
    // Another project sees nothing.
    let (_, list) = send(
        &st,
        "GET",
        "/compute/v1/projects/proj-b/global/networks",
        "",
    )
    .await;
    assert!(list.get("items").is_none(), "{list}");
}

#[tokio::test]
async fn refusals_are_gcp_error_documents_and_leave_nothing() {
    let st = state();
    let cases = [
        (
            "GET",
            "/compute/v1/projects/p/global/nothing",
            "",
            404,
            "notFound",
        ),
        (
            "POST",
            "/compute/v1/projects/p/global/networks",
            "{oops",
            400,
            "invalid",
        ),
        (
            "POST",
            "/compute/v1/projects/p/global/networks",
            "[1]",
            400,
            "invalid",
        ),
        (
            "POST",
            "/compute/v1/projects/p/global/networks",
            r#"{"name":"n","autoCreateSubnetworks":"yes"}"#,
            400,
            "invalid",
        ),
        (
            "DELETE",
            "/compute/v1/projects/p/global/networks/none",
            "",
            404,
            "notFound",
        ),
        (
            "POST",
            "/compute/v1/projects/p/global/networks/none/addPeering",
            r#"{"name":"x","peerNetwork":"y"}"#,
            404,
            "notFound",
        ),
    ];
    for (method, uri, body, status, reason) in cases {
        let (got, v) = send(&st, method, uri, body).await;
        assert_eq!(got, status, "{method} {uri}: {v}");
        assert_eq!(v["error"]["code"], status);
        assert_eq!(v["error"]["errors"][0]["reason"], reason, "{v}");
    }
    assert!(st.emulator.with_world(|w| w.is_empty()));
}
