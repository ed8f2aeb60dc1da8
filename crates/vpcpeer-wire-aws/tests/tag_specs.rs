//! One tag validation for every way in (issue 8, item 3): each action that takes a
//! `TagSpecification` refuses exactly what CreateTags refuses, with the same code and message,
//! and a refused request leaves nothing behind.

mod common;

use common::{between, call, form_encode, ok, ok_field};
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_model::Limits;

/// A world with a VPC, a subnet, an instance and a Network Insights path; every action that
/// takes a `TagSpecification`, with what else it needs: (action, resource type, parameters).
fn setup(limits: Limits) -> (TestEnv, Vec<(&'static str, &'static str, String)>) {
    let mut env = TestEnv::with_seed(5);
    env.limits = limits;
    let vpc = ok_field(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16", "vpcId").to_owned();
    let peer = ok_field(&mut env, "CreateVpc", "CidrBlock=10.9.0.0/16", "vpcId").to_owned();
    let subnet = ok_field(
        &mut env,
        "CreateSubnet",
        &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24"),
        "subnetId",
    )
    .to_owned();
    let sg = ok_field(
        &mut env,
        "CreateSecurityGroup",
        &format!("VpcId={vpc}&GroupName=web&GroupDescription=web"),
        "groupId",
    )
    .to_owned();
    let run = ok(
        &mut env,
        "RunInstances",
        &format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}"),
    );
    let instance = between(&run, "<instanceId>", "</instanceId>");
    let path = ok_field(
        &mut env,
        "CreateNetworkInsightsPath",
        &format!("Source={instance}&Protocol=tcp&DestinationIp=10.0.1.9&DestinationPort=22"),
        "networkInsightsPathId",
    )
    .to_owned();
    let actions = vec![
        ("CreateVpc", "vpc", "CidrBlock=10.1.0.0/16".to_owned()),
        ("CreateSubnet", "subnet", format!("VpcId={vpc}&CidrBlock=10.0.2.0/24")),
        ("CreateRouteTable", "route-table", format!("VpcId={vpc}")),
        ("CreateInternetGateway", "internet-gateway", String::new()),
        (
            "CreateNatGateway",
            "natgateway",
            format!("SubnetId={subnet}&ConnectivityType=private"),
        ),
        ("CreateNetworkAcl", "network-acl", format!("VpcId={vpc}")),
        (
            "CreateSecurityGroup",
            "security-group",
            format!("VpcId={vpc}&GroupName=db&GroupDescription=db"),
        ),
        (
            "AuthorizeSecurityGroupIngress",
            "security-group-rule",
            format!("GroupId={sg}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"),
        ),
        (
            "CreateVpcPeeringConnection",
            "vpc-peering-connection",
            format!("VpcId={vpc}&PeerVpcId={peer}"),
        ),
        (
            "RunInstances",
            "instance",
            format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}"),
        ),
        (
            "RunInstances",
            "network-interface",
            format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}"),
        ),
        (
            "CreateNetworkInsightsPath",
            "network-insights-path",
            format!("Source={instance}&Protocol=tcp&DestinationIp=10.0.1.9&DestinationPort=22"),
        ),
        (
            "StartNetworkInsightsAnalysis",
            "network-insights-analysis",
            format!("NetworkInsightsPathId={path}"),
        ),
    ];
    (env, actions)
}

fn spec(rt: &str, tags: &[(String, String)]) -> String {
    let mut out = format!("TagSpecification.1.ResourceType={rt}");
    for (i, (k, v)) in tags.iter().enumerate() {
        let enc = |s: &str| form_encode(s);
        out.push_str(&format!(
            "&TagSpecification.1.Tag.{n}.Key={}&TagSpecification.1.Tag.{n}.Value={}",
            enc(k),
            enc(v),
            n = i + 1
        ));
    }
    out
}

fn kv(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

/// Every case CreateTags refuses is refused the same way through every TagSpecification.
#[test]
fn tag_specifications_refuse_what_create_tags_refuses() {
    let (mut env, actions) = setup(Limits::default());
    let vpc = ok_field(&mut env, "DescribeVpcs", "", "vpcId");
    let cases: Vec<(&str, Vec<(String, String)>)> = vec![
        ("257-character value", vec![kv("k", &"v".repeat(257))]),
        ("1 MiB value", vec![kv("k", &"v".repeat(1 << 20))]),
        ("129-character key", vec![kv(&"k".repeat(129), "v")]),
        ("aws: prefix", vec![kv("AWS:secret", "v")]),
        ("empty key", vec![kv("", "v")]),
        ("duplicate key", vec![kv("k", "1"), kv("k", "2")]),
        (
            "too many tags",
            (0..51).map(|i| kv(&format!("k{i}"), "v")).collect(),
        ),
    ];
    for (what, tags) in &cases {
        let via_create_tags = {
            let mut body = format!("ResourceId.1={vpc}");
            for (i, (k, v)) in tags.iter().enumerate() {
                body.push_str(&format!(
                    "&Tag.{n}.Key={}&Tag.{n}.Value={}",
                    form_encode(k),
                    form_encode(v),
                    n = i + 1
                ));
            }
            call(&mut env, "CreateTags", &body).expect_err(what)
        };
        for (action, rt, params) in &actions {
            let before = env.world.len();
            let body = format!("{params}&{}", spec(rt, tags));
            let e = call(&mut env, action, &body)
                .err()
                .unwrap_or_else(|| panic!("{what}: {action} ({rt}) accepted it"));
            // CreateTags names the resource in its count error; everything else is identical.
            let want = via_create_tags
                .message
                .replace(&format!(" for '{vpc}'"), "");
            assert_eq!(
                (e.code.as_str(), e.message.as_str(), e.status),
                (
                    via_create_tags.code.as_str(),
                    want.as_str(),
                    via_create_tags.status
                ),
                "{what}: {action} ({rt})"
            );
            assert_eq!(
                env.world.len(),
                before,
                "{what}: {action} left something behind"
            );
        }
    }
}

/// At the limits everything is accepted: 50 tags, a 128-character key, a 256-character value.
#[test]
fn tag_specifications_accept_the_limits() {
    let (mut env, actions) = setup(Limits::default());
    let mut tags: Vec<(String, String)> = (0..48).map(|i| kv(&format!("k{i}"), "")).collect();
    tags.push(kv(&"k".repeat(128), "v"));
    tags.push(kv("long", &"é".repeat(256)));
    for (action, rt, params) in &actions {
        let body = format!("{params}&{}", spec(rt, &tags));
        let out =
            call(&mut env, action, &body).unwrap_or_else(|e| panic!("{action} ({rt}): {e:?}"));
        if !matches!(*rt, "security-group-rule" | "network-interface") {
            assert!(
                out.contains(&"é".repeat(256)),
                "{action} ({rt}): tags not written"
            );
        }
    }
}

/// The count limit is the `tags_per_resource` quota, whatever it is set to.
#[test]
fn tag_specifications_follow_the_tag_quota() {
    let limits = Limits {
        tags_per_resource: Some(2),
        ..Limits::default()
    };
    let (mut env, actions) = setup(limits);
    let three: Vec<_> = (0..3).map(|i| kv(&format!("k{i}"), "v")).collect();
    let two = &three[..2];
    for (action, rt, params) in &actions {
        let e = call(&mut env, action, &format!("{params}&{}", spec(rt, &three))).unwrap_err();
        assert_eq!(e.code, "TagLimitExceeded", "{action} ({rt})");
        call(&mut env, action, &format!("{params}&{}", spec(rt, two)))
            .unwrap_or_else(|e| panic!("{action} ({rt}): {e:?}"));
    }
}
