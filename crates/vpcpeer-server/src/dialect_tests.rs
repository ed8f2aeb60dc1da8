//! In-process tests of the answers given outside the faces' handlers (item 10 of issue 8: every
//! error in the dialect of the path's face) and of the browser checks ([`crate::guard`]), through
//! [`crate::app`].

use std::sync::Arc;

use axum::http::header;
use axum::routing::any;
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;

use crate::dialect::Face;
use crate::guard::AllowedHosts;
use crate::testing::{between, ok, ok_field, request, send, state, JSON};
use crate::AppState;

const A: &str = "111111111111";
const CRED: &str = "111111111111%2F20260101%2Fus-east-1%2Fec2%2Faws4_request";

/// Checks that `body` is an error document of `face` with `status`; returns its code (EC2, ARM)
/// or reason (GCP) or message (admin).
fn assert_dialect(face: Face, status: u16, got_status: u16, body: &[u8], what: &str) -> String {
    let text = String::from_utf8_lossy(body);
    assert_eq!(got_status, status, "{what}: {text}");
    match face {
        Face::Aws => {
            assert!(text.starts_with("<?xml"), "{what}: {text}");
            assert!(
                text.contains("<Response><Errors><Error><Code>"),
                "{what}: {text}"
            );
            between(&text, "<Code>", "</Code>").to_owned()
        }
        Face::Gcp => {
            let v: Value = serde_json::from_slice(body).expect("GCP JSON");
            assert_eq!(v["error"]["code"], status, "{what}: {v}");
            assert!(v["error"]["message"].is_string(), "{what}: {v}");
            v["error"]["errors"][0]["reason"]
                .as_str()
                .expect("reason")
                .to_owned()
        }
        Face::Azure => {
            let v: Value = serde_json::from_slice(body).expect("ARM JSON");
            assert!(v["error"]["message"].is_string(), "{what}: {v}");
            v["error"]["code"].as_str().expect("code").to_owned()
        }
        Face::Admin => {
            let v: Value = serde_json::from_slice(body).expect("admin JSON");
            v["error"].as_str().expect("error").to_owned()
        }
        Face::Aviatrix => {
            let v: Value = serde_json::from_slice(body).expect("Aviatrix JSON");
            assert_eq!(v["return"], false, "{what}: {v}");
            v["reason"].as_str().expect("reason").to_owned()
        }
    }
}

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

#[tokio::test]
async fn bodies_over_the_limit_are_413_in_dialect() {
    let st = state();
    let two_mb = 2 * 1024 * 1024;
    let cases: [(&str, &str, usize, Face, &str); 6] = [
        ("POST", "/", two_mb + 1, Face::Aws, "RequestEntityTooLarge"),
        (
            "POST",
            "/compute/v1/projects/p/global/networks",
            two_mb + 1,
            Face::Gcp,
            "badRequest",
        ),
        (
            "PUT",
            "/subscriptions/s/resourcegroups/rg?api-version=2021-04-01",
            16 * 1024 * 1024 + 1,
            Face::Azure,
            "RequestEntityTooLarge",
        ),
        ("POST", "/_vpcpeer/reach", two_mb + 1, Face::Admin, ""),
        ("POST", "/v2/api", two_mb + 1, Face::Aviatrix, ""),
        (
            "POST",
            "/nowhere",
            two_mb + 1,
            Face::Aws,
            "RequestEntityTooLarge",
        ),
    ];
    for (method, uri, size, face, code) in cases {
        // With a Content-Length (refused before reading) and without (refused while reading).
        for declared in [true, false] {
            let mut headers = vec![JSON];
            let len = size.to_string();
            if declared {
                headers.push(("content-length", &len));
            }
            let req = request(method, uri, &headers, vec![b'a'; size]);
            let (status, h, body) = send(&st, req).await;
            let got = assert_dialect(face, 413, status, &body, uri);
            if !matches!(face, Face::Admin | Face::Aviatrix) {
                assert_eq!(got, code, "{uri}");
            }
            assert_eq!(h[header::CONNECTION], "close", "{uri}");
        }
    }
    // At the limit is fine.
    let mut body = b"Action=DescribeVpcs&Version=2016-11-15&Pad=".to_vec();
    body.resize(two_mb, b'a');
    let (status, _, _) = send(&st, request("POST", "/", &[FORM], body)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn invalid_utf8_in_a_gcp_path_is_a_gcp_error() {
    let st = state();
    for uri in [
        "/compute/v1/projects/%FF/global/networks",
        "/compute/v1/projects/p/global/networks/%C3%28",
    ] {
        let (status, _, body) = send(&st, request("GET", uri, &[], vec![])).await;
        assert_dialect(Face::Gcp, 400, status, &body, uri);
    }
}

#[tokio::test]
async fn roots_and_unknown_paths_answer_404_in_dialect() {
    let st = state();
    let cases = [
        ("/compute/v1/", Face::Gcp, "notFound"),
        ("/compute/v1", Face::Gcp, "notFound"),
        ("/compute", Face::Gcp, "notFound"),
        ("/compute/beta/projects/p", Face::Gcp, "notFound"),
        ("/subscriptions/", Face::Azure, "InvalidResourceType"),
        (
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Foo/bars/b?api-version=2024-05-01",
            Face::Azure,
            "InvalidResourceType",
        ),
        ("/_vpcpeer/nope", Face::Admin, "no such endpoint"),
        ("/_vpcpeer", Face::Admin, "no such endpoint"),
        // Nothing mounted at /v2/api in this server: still the Aviatrix API's dialect.
        ("/v2/api", Face::Aviatrix, "no such endpoint"),
        ("/v1/api", Face::Aviatrix, "no such endpoint"),
        ("/v2/api/x", Face::Aws, "InvalidAction"),
        ("/x/y/z", Face::Aws, "InvalidAction"),
    ];
    for (uri, face, code) in cases {
        for method in ["GET", "POST"] {
            let (status, _, body) = send(&st, request(method, uri, &[JSON], vec![])).await;
            assert_eq!(assert_dialect(face, 404, status, &body, uri), code, "{uri}");
        }
    }
}

#[tokio::test]
async fn long_targets_are_414_in_dialect() {
    let st = state();
    let pad = "a".repeat(crate::layers::MAX_TARGET);
    let cases = [
        (
            format!("/?Action=DescribeVpcs&X={pad}"),
            Face::Aws,
            "RequestURITooLong",
        ),
        (
            format!("/compute/v1/projects/p/global/networks?x={pad}"),
            Face::Gcp,
            "badRequest",
        ),
        (
            format!("/subscriptions/s?api-version={pad}"),
            Face::Azure,
            "RequestUriTooLong",
        ),
        (format!("/_vpcpeer/health?{pad}"), Face::Admin, ""),
    ];
    for (uri, face, code) in cases {
        let (status, _, body) = send(&st, request("GET", &uri, &[], vec![])).await;
        let got = assert_dialect(face, 414, status, &body, &uri[..40]);
        if face != Face::Admin {
            assert_eq!(got, code);
        }
    }
}

#[tokio::test]
async fn methods_not_served_answer_in_dialect() {
    let st = state();
    let (status, h, body) = send(&st, request("PUT", "/", &[FORM], vec![])).await;
    assert_eq!(
        assert_dialect(Face::Aws, 405, status, &body, "PUT /"),
        "UnsupportedOperation"
    );
    assert!(h.contains_key(header::ALLOW));
    let (status, _, body) = send(&st, request("PATCH", "/_vpcpeer/health", &[JSON], vec![])).await;
    assert_dialect(Face::Admin, 405, status, &body, "PATCH health");
    let (status, _, body) = send(&st, request("GET", "/_vpcpeer/reset", &[], vec![])).await;
    assert_dialect(Face::Admin, 405, status, &body, "GET reset");
    // The GCP and Azure faces take every method and answer in their own words.
    for (face, path) in [
        (Face::Gcp, "/compute/v1/projects/p/global/networks"),
        (
            Face::Azure,
            "/subscriptions/s/resourcegroups/rg?api-version=2021-04-01",
        ),
    ] {
        let (status, _, body) = send(&st, request("FROB", path, &[], vec![])).await;
        assert_dialect(face, status, status, &body, &format!("FROB {path}"));
        assert!((400..500).contains(&status), "{path}: {status}");
    }
}

async fn boom() -> &'static str {
    panic!("a handler bug")
}

#[tokio::test]
async fn a_panic_is_a_500_in_the_dialect_of_the_path() {
    let st = state();
    let routes: Router<Arc<AppState>> = Router::new()
        .route("/", any(boom))
        .route("/compute/v1/{*p}", any(boom))
        .route("/subscriptions/{*p}", any(boom))
        .route("/_vpcpeer/boom", any(boom))
        .route("/v2/api", any(boom))
        .route("/fine", any(|| async { "fine" }));
    let router = crate::with_layers(routes, st.clone());
    let cases = [
        ("/", Face::Aws, "InternalError"),
        ("/compute/v1/projects/p", Face::Gcp, "backendError"),
        ("/subscriptions/s", Face::Azure, "InternalServerError"),
        ("/_vpcpeer/boom", Face::Admin, "internal error"),
        ("/v2/api", Face::Aviatrix, "internal error"),
    ];
    for (uri, face, code) in cases {
        let resp = router
            .clone()
            .oneshot(request("POST", uri, &[JSON], vec![]))
            .await
            .expect("answer");
        let status = resp.status().as_u16();
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        assert_eq!(assert_dialect(face, 500, status, &body, uri), code);
    }
    let resp = router
        .oneshot(request("GET", "/fine", &[], vec![]))
        .await
        .expect("answer");
    assert_eq!(resp.status(), 200);
}

// --- browsers and DNS rebinding --------------------------------------------------------------

fn vpc_count(st: &Arc<AppState>) -> usize {
    st.emulator.with_world(|w| w.aws.vpcs().len())
}

#[tokio::test]
async fn cross_site_posts_to_admin_endpoints_are_refused_and_change_nothing() {
    let st = state();
    ok(&st, A, "Action=CreateVpc&CidrBlock=10.0.0.0/16").await;
    let before = st.emulator.now();
    for ct in [
        None,
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
    ] {
        for (path, body) in [
            ("/_vpcpeer/reset", "{}"),
            ("/_vpcpeer/clock", r#"{"advance_seconds": 604800}"#),
        ] {
            let mut h = vec![("host", "127.0.0.1:4650")];
            if let Some(ct) = ct {
                h.push(("content-type", ct));
            }
            let req = request("POST", path, &h, body.as_bytes().to_vec());
            let (status, _, bytes) = send(&st, req).await;
            assert_dialect(Face::Admin, 415, status, &bytes, path);
        }
    }
    assert_eq!(vpc_count(&st), 1, "reset refused: the VPC is still there");
    assert_eq!(st.emulator.now(), before, "clock refused: not moved");
    // The same requests as JSON (what the SDK-less tools send) work.
    let req = request(
        "POST",
        "/_vpcpeer/clock",
        &[JSON],
        br#"{"advance_seconds": 60}"#.to_vec(),
    );
    assert_eq!(send(&st, req).await.0, 200);
    let req = request("POST", "/_vpcpeer/reset", &[JSON], vec![]);
    assert_eq!(send(&st, req).await.0, 200);
    assert_eq!(vpc_count(&st), 0);
}

/// Creates a VPC of account A; the EC2 query that deletes it (credential in the query, as a
/// page could send it).
async fn a_vpc_to_delete(st: &Arc<AppState>) -> String {
    let vpc = ok_field(st, A, "Action=CreateVpc&CidrBlock=10.0.0.0/16", "vpcId").await;
    format!("Action=DeleteVpc&Version=2016-11-15&VpcId={vpc}&X-Amz-Credential={CRED}")
}

#[tokio::test]
async fn an_img_tag_cannot_delete_a_vpc() {
    let st = state();
    let uri = format!("/?{}", a_vpc_to_delete(&st).await);
    for site in ["cross-site", "same-site"] {
        let req = request(
            "GET",
            &uri,
            &[("host", "127.0.0.1:4650"), ("sec-fetch-site", site)],
            vec![],
        );
        let (status, _, body) = send(&st, req).await;
        assert_eq!(
            assert_dialect(Face::Aws, 403, status, &body, site),
            "UnauthorizedOperation"
        );
    }
    assert_eq!(vpc_count(&st), 1);
    // Typed into the address bar (Sec-Fetch-Site: none) it is the user's own request.
    let req = request(
        "GET",
        &uri,
        &[("host", "127.0.0.1:4650"), ("sec-fetch-site", "none")],
        vec![],
    );
    let (status, _, body) = send(&st, req).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(vpc_count(&st), 0);
}

#[tokio::test]
async fn foreign_hosts_and_origins_are_refused_on_every_face() {
    let st = state();
    let delete = a_vpc_to_delete(&st).await;
    let attacks: [&[(&str, &str)]; 4] = [
        &[("host", "evil.example")],
        &[("host", "evil.example:4650")],
        &[
            ("host", "127.0.0.1:4650"),
            ("origin", "http://evil.example"),
        ],
        &[("host", "127.0.0.1:4650"), ("origin", "null")],
    ];
    for headers in attacks {
        let mut h = headers.to_vec();
        h.push(FORM);
        let (status, _, body) =
            send(&st, request("POST", "/", &h, delete.clone().into_bytes())).await;
        assert_eq!(
            assert_dialect(Face::Aws, 403, status, &body, "ec2"),
            "UnauthorizedOperation"
        );
        let mut h = headers.to_vec();
        h.push(JSON);
        let (status, _, body) = send(
            &st,
            request(
                "POST",
                "/compute/v1/projects/p/global/networks",
                &h,
                b"{\"name\":\"n\"}".to_vec(),
            ),
        )
        .await;
        assert_eq!(
            assert_dialect(Face::Gcp, 403, status, &body, "gcp"),
            "forbidden"
        );
        let (status, _, body) = send(
            &st,
            request(
                "PUT",
                "/subscriptions/s/resourcegroups/rg?api-version=2021-04-01",
                &h,
                br#"{"location":"eastus"}"#.to_vec(),
            ),
        )
        .await;
        assert_eq!(
            assert_dialect(Face::Azure, 403, status, &body, "azure"),
            "AuthorizationFailed"
        );
        let (status, _, body) = send(&st, request("POST", "/_vpcpeer/reset", &h, vec![])).await;
        assert_dialect(Face::Admin, 403, status, &body, "admin");
        let (status, _, body) = send(&st, request("GET", "/nowhere", &h, vec![])).await;
        assert_dialect(Face::Aws, 403, status, &body, "fallback");
    }
    assert_eq!(vpc_count(&st), 1);
    assert!(st.emulator.with_world(|w| w.gcp.networks().is_empty()));
    // Same-origin requests, and names allowed with --allow-host, pass.
    let h = [
        ("host", "127.0.0.1:4650"),
        ("origin", "http://127.0.0.1:4650"),
        ("sec-fetch-site", "same-origin"),
        JSON,
    ];
    let (status, _, _) = send(&st, request("GET", "/_vpcpeer/health", &h, vec![])).await;
    assert_eq!(status, 200);
    let named = [("host", "vpcpeer.internal:4650"), FORM];
    let (status, _, _) = send(
        &st,
        request("POST", "/", &named, delete.clone().into_bytes()),
    )
    .await;
    assert_eq!(status, 403);
    let allowed =
        crate::app(st.clone()).layer(axum::Extension(AllowedHosts::new(["vpcpeer.internal"])));
    let resp = allowed
        .oneshot(request("POST", "/", &named, delete.into_bytes()))
        .await
        .expect("answer");
    assert_eq!(resp.status(), 200);
    assert_eq!(vpc_count(&st), 0);
}
