//! Golden wire tests of the catalogue area (issue 11, points 2–4): key pairs, launch templates,
//! instance types, images, regions and zones, and the error-fidelity answers (exact code, HTTP
//! status and message), driven in-process with a fixed clock, seeded ids and a fixed request id.
//!
//! Review a changed snapshot with `cargo insta review` (or `INSTA_UPDATE=always cargo test -p
//! vpcpeer-wire-aws --test golden_catalog`) before accepting it.

use vpcpeer_model::testkit::{TestEnv, A, B};
use vpcpeer_model::{Scope, Timestamp};
use vpcpeer_wire_aws::{error_document, handler, success_envelope, Ec2Error, Params, Xml};

const REQUEST_ID: &str = "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE";
/// 2026-01-02T03:04:05.678Z
const NOW: Timestamp = Timestamp(1_767_323_045_678);

/// A fixed clock and one id source shared by every call.
fn env() -> TestEnv {
    let mut env = TestEnv::with_seed(1);
    env.now = NOW;
    env
}

/// Runs `action` as `(account, region)`; commits on success, rolls back on error.
fn call_in(
    env: &mut TestEnv,
    who: (&str, &str),
    action: &str,
    body: &str,
) -> Result<String, Ec2Error> {
    let h = handler(action).unwrap_or_else(|| panic!("no handler for {action}"));
    let mut x = Xml::new();
    let params = Params::parse(
        "",
        format!("Action={action}&Version=2016-11-15&{body}").as_bytes(),
    );
    env.transact(&Scope::new(who.0, who.1), |tx| h.run(tx, &params, &mut x))?;
    Ok(success_envelope(action, REQUEST_ID, &x.finish()))
}

/// A successful call's document as account A in us-east-1.
fn ok(env: &mut TestEnv, action: &str, body: &str) -> String {
    call_in(env, (A, "us-east-1"), action, body)
        .unwrap_or_else(|e| panic!("{action} {body}: {e:?}"))
}

/// A failed call as `who`: (HTTP status, code, message).
fn err_in(env: &mut TestEnv, who: (&str, &str), action: &str, body: &str) -> (u16, String, String) {
    match call_in(env, who, action, body) {
        Ok(doc) => panic!("{action} unexpectedly succeeded: {doc}"),
        Err(e) => {
            let doc = error_document(&e, REQUEST_ID);
            (e.status, first(&doc, "Code"), first(&doc, "Message"))
        }
    }
}

/// A failed call as account A in us-east-1.
fn err(env: &mut TestEnv, action: &str, body: &str) -> (u16, String, String) {
    err_in(env, (A, "us-east-1"), action, body)
}

/// The text of the first `<tag>` in `doc`.
fn first(doc: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = doc
        .find(&open)
        .unwrap_or_else(|| panic!("no <{tag}> in {doc}"))
        + open.len();
    let end = doc[start..].find('<').expect("closing tag") + start;
    doc[start..end].to_owned()
}

/// The element `<tag>…</tag>` (first one, whole) in `doc`.
fn element(doc: &str, tag: &str) -> String {
    let start = doc
        .find(&format!("<{tag}>"))
        .unwrap_or_else(|| panic!("no <{tag}> in {doc}"));
    let close = format!("</{tag}>");
    let end = doc[start..].find(&close).expect("closing tag") + start + close.len();
    doc[start..end].to_owned()
}

// --- Point 3: error fidelity ---------------------------------------------------------------------

#[test]
fn cidr_limit_exceeded_names_the_vpc_unquoted() {
    let mut env = env();
    let vpc = first(&ok(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16"), "vpcId");
    for n in 1..5 {
        ok(
            &mut env,
            "AssociateVpcCidrBlock",
            &format!("VpcId={vpc}&CidrBlock=10.{n}.0.0/16"),
        );
    }
    let got = err(
        &mut env,
        "AssociateVpcCidrBlock",
        &format!("VpcId={vpc}&CidrBlock=10.9.0.0/16"),
    );
    assert_eq!(
        got,
        (
            400,
            "CidrLimitExceeded".into(),
            format!("This network {vpc} has met its maximum number of allowed CIDRs: 5")
        )
    );
}

#[test]
fn a_malformed_group_id_filter_is_invalid_group_id_malformed() {
    let mut env = env();
    for bad in ["bogus", "sg-xyz", "sg-123"] {
        let got = err(
            &mut env,
            "DescribeSecurityGroupRules",
            &format!("Filter.1.Name=group-id&Filter.1.Value.1={bad}"),
        );
        assert_eq!(
            got,
            (
                400,
                "InvalidGroupId.Malformed".into(),
                format!("Invalid id: \"{bad}\"")
            ),
            "{bad}"
        );
    }
    // A well-formed id that names nothing, or a wildcard, matches nothing.
    for fine in ["sg-0123456789abcdef0", "sg-*"] {
        let doc = ok(
            &mut env,
            "DescribeSecurityGroupRules",
            &format!("Filter.1.Name=group-id&Filter.1.Value.1={fine}"),
        );
        assert!(
            doc.contains("<securityGroupRuleSet></securityGroupRuleSet>")
                || doc.contains("<securityGroupRuleSet/>"),
            "{doc}"
        );
    }
}

#[test]
fn a_reject_in_the_wrong_region_answers_incorrect_region() {
    let mut env = env();
    let a_vpc = first(&ok(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16"), "vpcId");
    let b_vpc = first(
        &call_in(&mut env, (B, "us-west-2"), "CreateVpc", "CidrBlock=10.1.0.0/16").expect("vpc"),
        "vpcId",
    );
    let pcx = first(
        &ok(
            &mut env,
            "CreateVpcPeeringConnection",
            &format!("VpcId={a_vpc}&PeerVpcId={b_vpc}&PeerOwnerId={B}&PeerRegion=us-west-2"),
        ),
        "vpcPeeringConnectionId",
    );
    let body = format!("VpcPeeringConnectionId={pcx}");
    let got = err_in(&mut env, (B, "us-east-1"), "RejectVpcPeeringConnection", &body);
    assert_eq!(
        got,
        (
            400,
            "OperationNotPermitted".into(),
            format!("Incorrect region (us-east-1) specified for this request. VPC peering connection {pcx} must be rejected in region us-west-2")
        )
    );
    call_in(&mut env, (B, "us-west-2"), "RejectVpcPeeringConnection", &body).expect("reject");
}

#[test]
fn an_insights_security_group_blocker_names_the_groups() {
    let mut env = env();
    let vpc = first(&ok(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16"), "vpcId");
    let subnet = first(
        &ok(
            &mut env,
            "CreateSubnet",
            &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24"),
        ),
        "subnetId",
    );
    let mut group = |name: &str| {
        first(
            &ok(
                &mut env,
                "CreateSecurityGroup",
                &format!("GroupName={name}&GroupDescription=closed&VpcId={vpc}"),
            ),
            "groupId",
        )
    };
    let (g1, g2) = (group("closed1"), group("closed2"));
    let launch = |env: &mut TestEnv, groups: &str| {
        first(
            &ok(
                env,
                "RunInstances",
                &format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}{groups}"),
            ),
            "instanceId",
        )
    };
    let src = launch(&mut env, "");
    let dst = launch(
        &mut env,
        &format!("&SecurityGroupId.1={g1}&SecurityGroupId.2={g2}"),
    );
    let path = first(
        &ok(
            &mut env,
            "CreateNetworkInsightsPath",
            &format!("Source={src}&Destination={dst}&Protocol=tcp&DestinationPort=22"),
        ),
        "networkInsightsPathId",
    );
    let doc = ok(
        &mut env,
        "StartNetworkInsightsAnalysis",
        &format!("NetworkInsightsPathId={path}"),
    );
    assert_eq!(first(&doc, "networkPathFound"), "false");
    let explanations = element(&doc, "explanationSet");
    assert!(explanations.contains(&format!("<id>{g1}</id>")), "{explanations}");
    assert!(explanations.contains(&format!("<id>{g2}</id>")), "{explanations}");
    insta::assert_snapshot!("insights_sg_blocker_explanation", explanations);
    // DescribeNetworkInsightsAnalyses shows the same stored explanation.
    let described = ok(&mut env, "DescribeNetworkInsightsAnalyses", "");
    assert_eq!(element(&described, "explanationSet"), explanations);
}
