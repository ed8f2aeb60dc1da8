//! Tests of the console's routes: `GET /` without `Action` is the page while every EC2 request
//! keeps its answer, the embedded assets, the browser checks (the console's own same-origin
//! requests pass, another site's are refused), and the admin token (assets free, API guarded).

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;

use crate::testing::{between, send, state, state_with_admin_token};
use crate::AppState;

const HOST: &str = "127.0.0.1:4650";
const CRED: &str =
    "AWS4-HMAC-SHA256 Credential=111111111111/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=x";

async fn get(st: &Arc<AppState>, uri: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut b = Request::get(uri).header("host", HOST);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let (status, h, bytes) = send(st, b.body(Body::empty()).expect("request")).await;
    let ct = h
        .get("content-type")
        .map(|v| v.to_str().expect("ascii").to_owned())
        .unwrap_or_default();
    (status, ct, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn get_slash_without_action_is_the_console_and_ec2_requests_are_unchanged() {
    let st = state();
    for uri in ["/", "/?", "/?view=map"] {
        let (status, ct, body) = get(&st, uri, &[("sec-fetch-site", "none")]).await;
        assert_eq!(
            (status, ct.as_str()),
            (200, "text/html; charset=utf-8"),
            "{uri}"
        );
        assert!(body.contains("<title>vpcpeer console</title>"), "{body}");
        assert!(body.contains("/_vpcpeer/console/vendor/cytoscape.min.js"));
        assert!(
            !body.contains("http://") && !body.contains("https://"),
            "no remote asset"
        );
    }
    let req = Request::get("/")
        .header("host", HOST)
        .body(Body::empty())
        .expect("request");
    let (_, headers, _) = send(&st, req).await;
    let csp = headers["content-security-policy"].to_str().expect("csp");
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-frame-options"], "DENY");
    // An EC2 GET names its action: XML as before.
    let (status, ct, body) = get(
        &st,
        "/?Action=DescribeVpcs&Version=2016-11-15",
        &[("authorization", CRED)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(ct.starts_with("text/xml"), "{ct}");
    assert!(body.contains("<DescribeVpcsResponse"), "{body}");
    // Spelled with percent-encoding, it is still an EC2 request.
    let (_, ct, body) = get(&st, "/?Act%69on=DescribeVpcs&Version=2016-11-15", &[]).await;
    assert!(
        ct.starts_with("text/xml") && body.contains("DescribeVpcsResponse"),
        "{body}"
    );
    // A signed GET or a presigned one without Action is still the EC2 face's MissingAction.
    for (uri, headers) in [
        ("/?Version=2016-11-15", vec![("authorization", CRED)]),
        (
            "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&Version=2016-11-15",
            vec![],
        ),
    ] {
        let (status, _, body) = get(&st, uri, &headers).await;
        assert_eq!(status, 400, "{uri}: {body}");
        assert_eq!(
            between(&body, "<Code>", "</Code>"),
            "MissingAction",
            "{uri}"
        );
    }
    // A POST without Action too.
    let req = Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("Version=2016-11-15"))
        .expect("request");
    let (status, _, body) = send(&st, req).await;
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("MissingAction"));
}

#[tokio::test]
async fn assets_are_embedded() {
    let st = state();
    for (path, ct, needle) in [
        ("console.js", "text/javascript", "/_vpcpeer/topology"),
        (
            "live.js",
            "text/javascript",
            "new EventSource('/_vpcpeer/events')",
        ),
        (
            "controller.js",
            "text/javascript",
            "/_vpcpeer/controller/plan",
        ),
        ("console.css", "text/css", "#map"),
        (
            "vendor/cytoscape.min.js",
            "text/javascript",
            "Cytoscape Consortium",
        ),
        (
            "vendor/cytoscape.LICENSE",
            "text/plain",
            "Permission is hereby granted",
        ),
    ] {
        let (status, got, body) = get(&st, &format!("/_vpcpeer/console/{path}"), &[]).await;
        assert_eq!(status, 200, "{path}");
        assert!(got.starts_with(ct), "{path}: {got}");
        assert!(body.contains(needle), "{path}");
    }
    let (status, ct, body) = get(&st, "/_vpcpeer/console/../lib.rs", &[]).await;
    assert_eq!(status, 404, "{body}");
    assert!(ct.starts_with("application/json"), "{ct}");
    let (status, _, _) = get(&st, "/_vpcpeer/console/nothing.js", &[]).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_consoles_own_requests_pass_the_browser_checks_and_other_sites_do_not() {
    let st = state();
    let own = [
        ("sec-fetch-site", "same-origin"),
        ("origin", "http://127.0.0.1:4650"),
    ];
    let (status, _, body) = get(&st, "/_vpcpeer/topology", &own).await;
    assert_eq!(status, 200, "{body}");
    let req = Request::post("/_vpcpeer/clock")
        .header("host", HOST)
        .header("sec-fetch-site", "same-origin")
        .header("origin", "http://127.0.0.1:4650")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"advance_seconds": 1}"#))
        .expect("request");
    let (status, _, _) = send(&st, req).await;
    assert_eq!(status, 200);
    for headers in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("origin", "http://evil.example")],
    ] {
        for uri in ["/", "/_vpcpeer/topology", "/_vpcpeer/console/console.js"] {
            let (status, _, _) = get(&st, uri, &headers).await;
            assert_eq!(status, 403, "{uri} {headers:?}");
        }
    }
    let req = Request::get("/")
        .header("host", "evil.example:4650")
        .body(Body::empty())
        .expect("request");
    let (status, _, _) = send(&st, req).await;
    assert_eq!(status, 403, "DNS rebinding");
}

#[tokio::test]
async fn with_an_admin_token_the_assets_are_free_and_the_api_is_not() {
    let token = "console-token-0123456789";
    let st = state_with_admin_token(token);
    for uri in ["/", "/_vpcpeer/console/console.js"] {
        let (status, _, _) = get(&st, uri, &[]).await;
        assert_eq!(status, 200, "{uri}");
    }
    let (status, _, _) = get(&st, "/_vpcpeer/topology", &[]).await;
    assert_eq!(status, 401);
    let bearer = format!("Bearer {token}");
    let (status, _, _) = get(&st, "/_vpcpeer/topology", &[("authorization", &bearer)]).await;
    assert_eq!(status, 200);
}
