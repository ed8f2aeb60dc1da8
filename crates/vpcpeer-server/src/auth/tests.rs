//! In-process tests of optional authentication: SigV4 for EC2 and STS against the wall clock,
//! bearer tokens for GCP and Azure, the admin token, and the credentials file's validation.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use vpcpeer_model::Timestamp;
use vpcpeer_wire_aws::sigv4::{self, Signer};

use super::{Auth, Credentials, CredentialsError};
use crate::testing::{between, emulator, send, send_json};
use crate::AppState;

const CREDS: &str = r#"{
  "aws": [
    {"access_key_id": "AKIAALICE", "secret_access_key": "alice/secret", "account": "111111111111"},
    {"access_key_id": "AKIABOB", "secret_access_key": "bob/secret", "account": "222222222222"}
  ],
  "gcp": [{"token": "gcp-token-a", "projects": ["proj-a"]}],
  "azure": [{"token": "az-token-1", "subscriptions": ["11111111-1111-1111-1111-111111111111"], "name": "ci"}],
  "admin_token": "admin-token-0123456789"
}"#;
const ADMIN: &str = "admin-token-0123456789";
/// The wall clock of these tests: 2026-01-02T03:04:05Z (the emulator's clock reads 2023).
const WALL: i64 = 1_767_323_045_000;
const WALL_AMZ: &str = "20260102T030405Z";
const SUB1: &str = "11111111-1111-1111-1111-111111111111";
const SUB2: &str = "22222222-2222-2222-2222-222222222222";

fn secured() -> (Arc<AppState>, Arc<AtomicI64>) {
    let wall = Arc::new(AtomicI64::new(WALL));
    let w = wall.clone();
    let creds = Credentials::from_json(CREDS).expect("credentials");
    let auth = Auth::new(Some(creds), Some(ADMIN), move || {
        Timestamp(w.load(Ordering::SeqCst))
    });
    (AppState::with_auth(emulator(), 1, auth), wall)
}

struct Sig<'a> {
    akid: &'a str,
    secret: &'a str,
    service: &'a str,
    amz_date: &'a str,
}

const ALICE: Sig<'static> = Sig {
    akid: "AKIAALICE",
    secret: "alice/secret",
    service: "ec2",
    amz_date: WALL_AMZ,
};

/// A POST of `body` signed in the header form by `s`.
fn signed(body: &str, s: &Sig<'_>) -> Request<Body> {
    let ct = "application/x-www-form-urlencoded; charset=utf-8";
    let hv: Vec<(String, Vec<u8>)> = [
        ("content-type", ct),
        ("host", "localhost"),
        ("x-amz-date", s.amz_date),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec()))
    .collect();
    let req = sigv4::Request {
        method: "POST",
        path: "/",
        query: "",
        headers: &hv,
        body: body.as_bytes(),
    };
    let authz = sigv4::authorization_header(
        &req,
        &["content-type", "host", "x-amz-date"],
        &Signer {
            access_key_id: s.akid,
            secret: s.secret,
            region: "eu-west-1",
            service: s.service,
            amz_date: s.amz_date,
        },
    );
    Request::post("/")
        .header("host", "localhost")
        .header("content-type", ct)
        .header("x-amz-date", s.amz_date)
        .header("authorization", authz)
        .body(Body::from(body.to_owned()))
        .expect("request")
}

async fn text(st: &Arc<AppState>, req: Request<Body>) -> (u16, String) {
    let (status, _, bytes) = send(st, req).await;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn code(xml: &str) -> &str {
    between(xml, "<Code>", "</Code>")
}

/// Sends `req`, checks that it is refused with `status` and EC2/STS error `want`; the body.
async fn refused(st: &Arc<AppState>, req: Request<Body>, status: u16, want: &str) -> String {
    let (got, out) = text(st, req).await;
    assert_eq!((got, code(&out)), (status, want), "{out}");
    out
}

#[tokio::test]
async fn a_signed_request_runs_as_the_keys_account_and_region() {
    let (st, _) = secured();
    let (status, body) = text(
        &st,
        signed(
            "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16",
            &ALICE,
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(between(&body, "<ownerId>", "</ownerId>"), "111111111111");
    let vpc = between(&body, "<vpcId>", "</vpcId>").to_owned();
    // Bob's key is another account: he does not see Alice's VPC.
    let bob = Sig {
        akid: "AKIABOB",
        secret: "bob/secret",
        ..ALICE
    };
    let (status, body) = text(&st, signed("Action=DescribeVpcs&Version=2016-11-15", &bob)).await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains(&vpc), "{body}");
    let (_, body) = text(
        &st,
        signed("Action=DescribeVpcs&Version=2016-11-15", &ALICE),
    )
    .await;
    assert!(body.contains(&vpc), "{body}");
    // The region is the scope's.
    let (_, body) = text(
        &st,
        signed(
            "Action=DescribeAvailabilityZones&Version=2016-11-15",
            &ALICE,
        ),
    )
    .await;
    assert!(body.contains("eu-west-1a"), "{body}");
}

#[tokio::test]
async fn a_wrong_secret_an_unknown_key_and_no_signature_fail_as_aws_fails() {
    let (st, _) = secured();
    let body = "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16";
    let unsigned = Request::post("/")
        .header("host", "localhost")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    refused(&st, unsigned, 401, "MissingAuthenticationToken").await;
    // (signer, status, code, text the message must hold)
    let cases = [
        (
            Sig {
                secret: "not-alice",
                ..ALICE
            },
            403,
            "SignatureDoesNotMatch",
            Some(sigv4::MISMATCH_MESSAGE),
        ),
        (
            Sig {
                akid: "AKIAMALLORY",
                ..ALICE
            },
            401,
            "AuthFailure",
            None,
        ),
        // A 12-digit access key is not an account once signatures are verified.
        (
            Sig {
                akid: "111111111111",
                ..ALICE
            },
            401,
            "AuthFailure",
            None,
        ),
        (
            Sig {
                service: "s3",
                ..ALICE
            },
            403,
            "SignatureDoesNotMatch",
            Some("Credential should be scoped to correct service: 'ec2'."),
        ),
    ];
    for (sig, want_status, want_code, want_text) in cases {
        let (status, out) = text(&st, signed(body, &sig)).await;
        assert_eq!((status, code(&out)), (want_status, want_code), "{out}");
        if let Some(t) = want_text {
            assert!(out.contains(t), "{out}");
        }
    }
    // Nothing of that was applied.
    assert!(st.emulator.with_world(|w| w.is_empty()));
}

#[tokio::test]
async fn time_is_the_wall_clock_not_the_emulators() {
    let (st, wall) = secured();
    // The emulator's clock moves a day forward: signatures made at wall time still verify.
    let (status, _) = send_json(
        &st,
        Request::post("/_vpcpeer/clock")
            .header("authorization", format!("Bearer {ADMIN}"))
            .header("content-type", "application/json")
            .body(Body::from("{\"advance_seconds\": 86400}"))
            .expect("request"),
    )
    .await;
    assert_eq!(status, 200);
    let describe = "Action=DescribeVpcs&Version=2016-11-15";
    assert_eq!(text(&st, signed(describe, &ALICE)).await.0, 200);
    // 15 minutes of skew either way pass; more does not.
    wall.store(WALL + 15 * 60 * 1000, Ordering::SeqCst);
    assert_eq!(text(&st, signed(describe, &ALICE)).await.0, 200);
    wall.store(WALL + 16 * 60 * 1000, Ordering::SeqCst);
    refused(&st, signed(describe, &ALICE), 400, "RequestExpired").await;
    wall.store(WALL - 16 * 60 * 1000, Ordering::SeqCst);
    refused(&st, signed(describe, &ALICE), 400, "RequestExpired").await;
}

#[tokio::test]
async fn presigned_urls_verify_until_they_expire() {
    let (st, wall) = secured();
    let h = vec![("host".to_owned(), b"localhost".to_vec())];
    let req = sigv4::Request {
        method: "GET",
        path: "/",
        query: "Action=DescribeVpcs&Version=2016-11-15",
        headers: &h,
        body: b"",
    };
    let signer = Signer {
        access_key_id: "AKIAALICE",
        secret: "alice/secret",
        region: "us-east-1",
        service: "ec2",
        amz_date: WALL_AMZ,
    };
    let q = sigv4::presign(&req, &["host"], 60, &signer);
    let get = |q: &str| {
        Request::get(format!("/?{q}"))
            .header("host", "localhost")
            .body(Body::empty())
            .expect("request")
    };
    let (status, out) = text(&st, get(&q)).await;
    assert_eq!(status, 200, "{out}");
    wall.store(WALL + 61_000, Ordering::SeqCst);
    refused(&st, get(&q), 400, "RequestExpired").await;
    // Another action with the same signature does not verify.
    wall.store(WALL, Ordering::SeqCst);
    let forged = q.replace("DescribeVpcs", "DeleteVpcs");
    refused(&st, get(&forged), 403, "SignatureDoesNotMatch").await;
}

#[tokio::test]
async fn sts_answers_in_its_own_dialect_with_the_files_account() {
    let (st, wall) = secured();
    let sts = Sig {
        service: "sts",
        ..ALICE
    };
    let body = "Action=GetCallerIdentity&Version=2011-06-15";
    let (status, out) = text(&st, signed(body, &sts)).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(between(&out, "<Account>", "</Account>"), "111111111111");
    let wrong = Sig { secret: "x", ..sts };
    let out = refused(&st, signed(body, &wrong), 403, "SignatureDoesNotMatch").await;
    assert!(
        out.contains("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"),
        "{out}"
    );
    let unknown = Sig {
        akid: "AKIANOBODY",
        ..sts
    };
    refused(&st, signed(body, &unknown), 403, "InvalidClientTokenId").await;
    wall.store(WALL + 20 * 60 * 1000, Ordering::SeqCst);
    let out = refused(&st, signed(body, &sts), 403, "SignatureDoesNotMatch").await;
    assert!(out.contains("Signature expired: 20260102T030405Z is now earlier than 20260102T030905Z (20260102T032405Z - 15 min.)"), "{out}");
    let unsigned = Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    let out = refused(&st, unsigned, 403, "MissingAuthenticationToken").await;
    assert!(out.contains("<Type>Sender</Type>"), "{out}");
}

fn gcp(path: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::get(format!("/compute/v1/{path}")).header("host", "localhost");
    if let Some(t) = token {
        b = b.header("authorization", t);
    }
    b.body(Body::empty()).expect("request")
}

#[tokio::test]
async fn gcp_needs_a_token_granting_the_project() {
    let (st, _) = secured();
    let (status, headers, bytes) = send(&st, gcp("projects/proj-a/global/networks", None)).await;
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(status, 401);
    assert_eq!(v["error"]["status"], "UNAUTHENTICATED");
    assert_eq!(v["error"]["errors"][0]["reason"], "required");
    assert!(headers.contains_key("www-authenticate"));
    let (status, v) = send_json(
        &st,
        gcp("projects/proj-a/global/networks", Some("Bearer nope")),
    )
    .await;
    assert_eq!(
        (status, v["error"]["errors"][0]["reason"].as_str()),
        (401, Some("authError"))
    );
    // (path, authorization, status, exact error message); a path error is answered as before,
    // token or not granted.
    let cases = [
        ("projects/proj-a/global/networks", "Basic Z2NwOng=", 401, None),
        (
            "projects/proj-b/global/networks",
            "Bearer gcp-token-a",
            403,
            Some("Google Compute Engine: Required 'compute.networks.list' permission for 'projects/proj-b'."),
        ),
        ("projects/proj-a/global/networks", "Bearer gcp-token-a", 200, None),
        ("projects/proj-b/nothing", "Bearer gcp-token-a", 404, None),
    ];
    for (path, token, want_status, want_message) in cases {
        let (status, v) = send_json(&st, gcp(path, Some(token))).await;
        assert_eq!(status, want_status, "{path} {token}: {v}");
        if let Some(m) = want_message {
            assert_eq!(v["error"]["message"], m);
        }
    }
}

fn azure(method: &str, sub: &str, token: Option<&str>, body: &str) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(format!(
            "/subscriptions/{sub}/resourcegroups/rg1?api-version=2024-05-01"
        ))
        .header("host", "localhost")
        .header("content-type", "application/json");
    if let Some(t) = token {
        b = b.header("authorization", t);
    }
    b.body(Body::from(body.to_owned())).expect("request")
}

#[tokio::test]
async fn azure_needs_a_token_granting_the_subscription() {
    let (st, _) = secured();
    let put = r#"{"location": "eastus"}"#;
    let (status, v) = send_json(&st, azure("PUT", SUB1, None, put)).await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (401, Some("AuthenticationFailed")),
        "{v}"
    );
    assert_eq!(
        v["error"]["message"],
        "Authentication failed. The 'Authorization' header is missing."
    );
    // (subscription, authorization, status, code, text the message must hold)
    let cases = [
        (
            SUB1,
            "Bearer wrong",
            401,
            "InvalidAuthenticationToken",
            None,
        ),
        (
            SUB1,
            "token-without-scheme",
            401,
            "AuthenticationFailed",
            None,
        ),
        (
            SUB2,
            "Bearer az-token-1",
            403,
            "AuthorizationFailed",
            Some("The client 'ci' with object id 'ci' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourceGroups/write'"),
        ),
    ];
    for (sub, token, want_status, want_code, want_text) in cases {
        let (status, v) = send_json(&st, azure("PUT", sub, Some(token), put)).await;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (want_status, Some(want_code)),
            "{v}"
        );
        if let Some(t) = want_text {
            let message = v["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains(t), "{v}");
        }
    }
    assert!(st.emulator.with_world(|w| w.is_empty()));
    // The subscription compares case-insensitively, as ARM's GUIDs do.
    let (status, v) = send_json(
        &st,
        azure("PUT", &SUB1.to_uppercase(), Some("Bearer az-token-1"), put),
    )
    .await;
    assert!(status == 200 || status == 201, "{status} {v}");
}

fn admin(method: &str, path: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    let body = if method == "POST" && path.ends_with("clock") {
        "{\"advance_seconds\": 1}"
    } else if method == "POST" && path.ends_with("audit") {
        "{}"
    } else if method == "POST" && path.ends_with("faults") {
        r#"{"face": "aws", "action": "CreateVpc", "count": 1, "fault": "throttle"}"#
    } else {
        ""
    };
    b.body(Body::from(body)).expect("request")
}

#[tokio::test]
async fn the_admin_api_needs_the_admin_token_but_health() {
    let (st, _) = secured();
    for (method, path) in [
        ("POST", "/_vpcpeer/reset"),
        ("GET", "/_vpcpeer/clock"),
        ("POST", "/_vpcpeer/clock"),
        ("POST", "/_vpcpeer/reach"),
        ("POST", "/_vpcpeer/audit"),
        ("POST", "/_vpcpeer/matrix"),
        ("GET", "/_vpcpeer/faults"),
        ("POST", "/_vpcpeer/faults"),
        ("DELETE", "/_vpcpeer/faults"),
        ("GET", "/_vpcpeer/nothing"),
    ] {
        for token in [None, Some("admin-token-012345678X")] {
            let (status, headers, _) = send(&st, admin(method, path, token)).await;
            assert_eq!(status, 401, "{method} {path} {token:?}");
            assert!(headers.contains_key("www-authenticate"));
        }
    }
    let (status, v) = send_json(&st, admin("POST", "/_vpcpeer/reset", Some(ADMIN))).await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = send_json(&st, admin("GET", "/_vpcpeer/clock", Some(ADMIN))).await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = send_json(&st, admin("POST", "/_vpcpeer/audit", Some(ADMIN))).await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = send_json(&st, admin("GET", "/_vpcpeer/health", None)).await;
    assert_eq!(status, 200, "{v}");
    assert!(
        st.faults.list().faults.is_empty(),
        "a refused arming armed something"
    );
}

#[tokio::test]
async fn a_fault_catches_only_requests_that_pass_the_signature_check() {
    let (st, _) = secured();
    let (status, v) = send_json(&st, admin("POST", "/_vpcpeer/faults", Some(ADMIN))).await;
    assert_eq!(status, 200, "{v}");
    let body = "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16";
    // A bad signature is refused for what it is, and does not use the fault up.
    let forged = Sig {
        secret: "not-alice",
        ..ALICE
    };
    refused(&st, signed(body, &forged), 403, "SignatureDoesNotMatch").await;
    refused(&st, signed(body, &ALICE), 503, "RequestLimitExceeded").await;
    let (status, out) = text(&st, signed(body, &ALICE)).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(st.emulator.with_world(|w| w.aws.vpcs().len()), 1);
}

#[tokio::test]
async fn without_auth_nothing_is_checked() {
    let st = crate::testing::state();
    let (status, _) = send_json(&st, admin("POST", "/_vpcpeer/reset", None)).await;
    assert_eq!(status, 200);
    let (status, _) = send_json(&st, gcp("projects/proj-z/global/networks", None)).await;
    assert_eq!(status, 200);
    let (status, body) = crate::testing::ec2(
        &st,
        "123456789012",
        "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(between(&body, "<ownerId>", "</ownerId>"), "123456789012");
}

#[test]
fn credentials_files_are_validated_with_clear_errors() {
    let ok = Credentials::from_json(CREDS).expect("valid");
    assert_eq!(ok.admin_token(), Some(ADMIN));
    assert!(ok.has_cloud_entries());
    assert!(!format!("{ok:?}").contains("secret"), "{ok:?}");
    let minimal = Credentials::from_json(r#"{"admin_token": "0123456789abcdef"}"#).expect("valid");
    assert!(!minimal.has_cloud_entries());
    for (text, want) in [
        ("{", "not valid JSON"),
        (r#"{"aws": [], "extra": 1}"#, "unknown field `extra`"),
        (
            r#"{"aws": [{"access_key_id": "AKIA X", "secret_access_key": "s", "account": "111111111111"}]}"#,
            "aws[0].access_key_id must be 1 to 128 letters and digits",
        ),
        (
            r#"{"aws": [{"access_key_id": "AKIA", "secret_access_key": "", "account": "111111111111"}]}"#,
            "aws[0].secret_access_key",
        ),
        (
            r#"{"aws": [{"access_key_id": "AKIA", "secret_access_key": "s", "account": "1111"}]}"#,
            "aws[0].account must be a 12-digit account id, got \"1111\"",
        ),
        (
            r#"{"aws": [{"access_key_id": "AKIA", "secret_access_key": "s", "account": "111111111111"}, {"access_key_id": "AKIA", "secret_access_key": "t", "account": "222222222222"}]}"#,
            "aws[1].access_key_id \"AKIA\" appears twice",
        ),
        (
            r#"{"aws": [{"access_key_id": "AKIA", "account": "111111111111"}]}"#,
            "missing field `secret_access_key`",
        ),
        (
            r#"{"gcp": [{"token": "t", "projects": []}]}"#,
            "gcp[0].projects must list at least one non-empty project",
        ),
        (
            r#"{"gcp": [{"token": "a b", "projects": ["p"]}]}"#,
            "gcp[0].token must be a non-empty string of visible ASCII",
        ),
        (
            r#"{"gcp": [{"token": "t", "projects": ["p"]}, {"token": "t", "projects": ["q"]}]}"#,
            "gcp[1].token repeats",
        ),
        (
            r#"{"azure": [{"token": "t", "subscriptions": [""]}]}"#,
            "azure[0].subscriptions must list at least one non-empty subscription",
        ),
        (
            r#"{"admin_token": "short"}"#,
            "admin_token: the admin token must be at least 16",
        ),
    ] {
        let e = Credentials::from_json(text).expect_err(text);
        let msg = e.to_string();
        assert!(msg.contains(want), "{text}: {msg}");
        assert!(matches!(
            e,
            CredentialsError::Json(_) | CredentialsError::Invalid(_)
        ));
    }
}
