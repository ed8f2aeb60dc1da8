//! The EC2/STS entry point facing hostile input (issue 8): characters XML cannot carry are
//! refused before any action runs and never stored (item 1), every answer is well-formed XML
//! even for data stored by an older release, and the SigV4 region is checked (item 9).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::Request;
use http_body_util::BodyExt;
use quick_xml::events::Event;
use quick_xml::Reader;
use tower::ServiceExt;
use vpcpeer_model::{Scope, Timestamp};
use vpcpeer_server::{app, AppState};
use vpcpeer_service::Emulator;

const ACCOUNT: &str = "111122223333";

fn state() -> Arc<AppState> {
    let emu = Emulator::reproducible(Timestamp(1_700_000_000_000), 9).expect("open");
    AppState::new(emu, 1)
}

async fn send(st: &Arc<AppState>, req: Request<Body>) -> (u16, String) {
    let resp = app(st.clone()).oneshot(req).await.expect("response");
    let status = resp.status().as_u16();
    let bytes: Bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        String::from_utf8(bytes.to_vec()).expect("UTF-8 body"),
    )
}

fn auth(region: &str, service: &str) -> String {
    format!("AWS4-HMAC-SHA256 Credential={ACCOUNT}/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=x")
}

/// Posts a form body signed for `region` and `service`.
async fn post(st: &Arc<AppState>, region: &str, service: &str, body: &str) -> (u16, String) {
    let req = Request::post("/")
        .header("authorization", auth(region, service))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .expect("request");
    send(st, req).await
}

async fn ec2(st: &Arc<AppState>, body: &str) -> (u16, String) {
    post(
        st,
        "us-east-1",
        "ec2",
        &format!("Version=2016-11-15&{body}"),
    )
    .await
}

/// Checks that `doc` is well-formed XML 1.0 (every character allowed, elements balanced,
/// entities known) and returns the text of its `Code` element, if any.
fn well_formed(doc: &str) -> Option<String> {
    assert!(
        doc.chars().all(vpcpeer_wire_aws::xml::is_xml_char),
        "not XML 1.0 characters: {doc:?}"
    );
    let mut r = Reader::from_str(doc);
    r.config_mut().check_end_names = true;
    let mut code = None;
    let mut in_code = false;
    loop {
        match r.read_event().unwrap_or_else(|e| panic!("{e}: {doc:?}")) {
            Event::Start(s) => in_code = s.name().as_ref() == b"Code",
            Event::Text(t) if in_code => {
                code = Some(t.unescape().expect("entities").into_owned());
            }
            Event::End(_) => in_code = false,
            Event::Eof => break,
            _ => {}
        }
    }
    code
}

/// Posts `body` signed for (region, service); checks that it is refused with (status, code) in
/// a well-formed error document, and returns that document.
async fn refused(
    st: &Arc<AppState>,
    (region, service): (&str, &str),
    body: &str,
    (status, code): (u16, &str),
) -> String {
    let (got, out) = post(st, region, service, body).await;
    assert_eq!(got, status, "{body}: {out}");
    assert_eq!(well_formed(&out).as_deref(), Some(code), "{body}");
    out
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let a = s.find(open).expect(open) + open.len();
    let b = s[a..].find(close).expect(close) + a;
    &s[a..b]
}

// ---------------------------------------------------------------- item 1

/// The reproduction: a control character in a tag value is refused, nothing is stored,
/// and DescribeVpcs/DescribeTags stay well-formed.
#[tokio::test]
async fn control_character_in_a_tag_value_is_refused_and_not_stored() {
    let st = state();
    let (status, body) = ec2(&st, "Action=CreateVpc&CidrBlock=10.0.0.0/16").await;
    assert_eq!(status, 200, "{body}");
    let vpc = between(&body, "<vpcId>", "</vpcId>").to_owned();
    let (status, body) = ec2(
        &st,
        &format!("Action=CreateTags&ResourceId.1={vpc}&Tag.1.Key=k&Tag.1.Value=a%01b"),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(well_formed(&body).as_deref(), Some("InvalidParameterValue"));
    assert!(body.contains("Tag.1.Value"), "{body}");
    assert!(body.contains("\\u0001"), "{body}");
    for action in ["DescribeVpcs", "DescribeTags"] {
        let (status, body) = ec2(&st, &format!("Action={action}")).await;
        assert_eq!(status, 200, "{body}");
        well_formed(&body);
        assert!(!body.contains("<key>k</key>"), "{body}");
    }
    // The same through a TagSpecification, a key, and a parameter name.
    for bad in [
        "Action=CreateVpc&CidrBlock=10.1.0.0/16&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=%1F",
        "Action=CreateVpc&CidrBlock=10.1.0.0/16&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=%EF%BF%BF",
        "Action=CreateVpc&CidrBlock=10.1.0.0/16&Bogus%00Name=1",
        "Action=CreateVpc&CidrBlock=10.1.0.0/16&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=%C2%85",
    ] {
        let (status, body) = ec2(&st, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(well_formed(&body).as_deref(), Some("InvalidParameterValue"));
    }
    let (_, body) = ec2(&st, "Action=DescribeVpcs").await;
    assert_eq!(body.matches("<vpcId>").count(), 1, "{body}");
}

/// `CreateVpc&CidrBlock=%01` used to echo the raw byte in its error document.
#[tokio::test]
async fn error_documents_never_echo_a_control_character() {
    let st = state();
    for body in [
        "Action=CreateVpc&CidrBlock=%01",
        "Action=Frob%02nicate",
        "Action=DescribeVpcs&VpcId.1=vpc-%0B",
        "Action=CreateVpc&CidrBlock=10.0.0.0/16&Version=%08",
    ] {
        refused(
            &st,
            ("us-east-1", "ec2"),
            body,
            (400, "InvalidParameterValue"),
        )
        .await;
    }
    // Printable input still gets its usual code.
    let (status, out) = ec2(&st, "Action=CreateVpc&CidrBlock=<&>").await;
    assert_eq!(status, 400);
    assert_ne!(well_formed(&out).as_deref(), Some("InternalError"));
}

/// STS is behind the same check, answered in STS's own error shape.
#[tokio::test]
async fn sts_is_checked_too() {
    let st = state();
    let out = refused(
        &st,
        ("us-east-1", "sts"),
        "Action=GetCallerIdentity&Version=2011-06-15&X=%03",
        (400, "InvalidParameterValue"),
    )
    .await;
    assert!(out.contains("<ErrorResponse"), "{out}");
    let (status, out) = post(
        &st,
        "us-east-1",
        "sts",
        "Action=GetCallerIdentity&Version=2011-06-15",
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert!(out.contains(&format!("<Account>{ACCOUNT}</Account>")));
}

/// Defence in depth: a tag stored by an older release with a control character in it is
/// written with U+FFFD, so the account's documents stay readable.
#[tokio::test]
async fn data_stored_before_the_check_is_still_written_well_formed() {
    let st = state();
    let (_, body) = ec2(&st, "Action=CreateVpc&CidrBlock=10.0.0.0/16").await;
    let vpc = between(&body, "<vpcId>", "</vpcId>").to_owned();
    st.emulator
        .execute_fn(Scope::new(ACCOUNT, "us-east-1"), false, |tx| {
            tx.tags_mut(&vpc)?
                .insert("k\u{1}".into(), "a\u{0}b\u{fffe}\rc".into());
            Ok::<_, vpcpeer_model::DomainError>(())
        })
        .await
        .expect("service")
        .expect("stored");
    for action in ["DescribeVpcs", "DescribeTags"] {
        let (status, body) = ec2(&st, &format!("Action={action}")).await;
        assert_eq!(status, 200, "{body}");
        well_formed(&body);
        assert!(body.contains("a\u{fffd}b\u{fffd}&#13;c"), "{body}");
    }
}

// ---------------------------------------------------------------- item 9

/// The reproduction: CreateVpc signed for `zz-fake-9` is refused as EC2 refuses a bad
/// credential scope, and nothing is created in any region.
#[tokio::test]
async fn a_made_up_region_is_refused() {
    let st = state();
    let out = refused(
        &st,
        ("zz-fake-9", "ec2"),
        "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16",
        (401, "AuthFailure"),
    )
    .await;
    assert!(
        out.contains("Credential should be scoped to a valid region, not 'zz-fake-9'."),
        "{out}"
    );
    assert!(st.emulator.with_world(|w| w.is_empty()));
    // The presigned form is checked the same way.
    let req = Request::get(
        "/?Action=DescribeVpcs&Version=2016-11-15&X-Amz-Credential=111122223333%2F20260101%2Fzz-fake-9%2Fec2%2Faws4_request",
    )
    .body(Body::empty())
    .expect("request");
    let (status, out) = send(&st, req).await;
    assert_eq!(status, 401, "{out}");
    // A bad region is reported before an unknown action.
    refused(
        &st,
        ("zz-fake-9", "ec2"),
        "Action=Frobnicate",
        (401, "AuthFailure"),
    )
    .await;
}

/// Every current commercial region works, unsigned requests default to us-east-1, STS answers
/// whatever the region, and DescribeRegions lists the regions.
#[tokio::test]
async fn real_regions_unsigned_requests_sts_and_describe_regions_still_work() {
    let st = state();
    for region in vpcpeer_model::aws::regions::regions() {
        let (status, out) = post(
            &st,
            region,
            "ec2",
            "Action=DescribeAvailabilityZones&Version=2016-11-15",
        )
        .await;
        assert_eq!(status, 200, "{region}: {out}");
        assert!(
            out.contains(&format!("<zoneName>{region}a</zoneName>")),
            "{region}"
        );
    }
    let req = Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16",
        ))
        .expect("request");
    let (status, out) = send(&st, req).await;
    assert_eq!(status, 200, "{out}");
    assert!(
        out.contains("us-east-1") || out.contains("<vpcId>"),
        "{out}"
    );
    let (status, out) = post(
        &st,
        "zz-fake-9",
        "sts",
        "Action=GetCallerIdentity&Version=2011-06-15",
    )
    .await;
    assert_eq!(status, 200, "{out}");
    let (status, out) = ec2(&st, "Action=DescribeRegions").await;
    assert_eq!(status, 200);
    assert_eq!(out.matches("<regionName>").count(), 34, "{out}");
    assert!(out.contains("<regionName>mx-central-1</regionName>"));
    let (status, out) = ec2(&st, "Action=DescribeRegions&RegionName.1=zz-fake-9").await;
    assert_eq!(
        (status, well_formed(&out).as_deref()),
        (400, Some("InvalidParameterValue"))
    );
}
