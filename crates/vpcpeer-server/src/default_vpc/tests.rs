//! The EC2 face with default VPCs on (and off): the first request of an account in a region
//! sees the default VPC, filters find it, launches and groups without a VPC land in it, its
//! deletion leaves the region without one (and the errors AWS gives), CreateDefaultVpc and
//! CreateDefaultSubnet, the setup as one logged command, and the server without default VPCs.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use vpcpeer_model::aws::Command;

use super::ServerConfig;
use crate::auth::Auth;
use crate::testing::{between, emulator, send, state};
use crate::AppState;

const A: &str = "111111111111";
const B: &str = "222222222222";

fn on() -> Arc<AppState> {
    AppState::configured(emulator(), 1, Auth::off(), ServerConfig::serve())
}

/// An EC2 call (API version added) as `account` in `region`: status and body.
async fn call(st: &Arc<AppState>, account: &str, region: &str, body: &str) -> (u16, String) {
    let req = Request::post("/")
        .header(
            "authorization",
            format!("AWS4-HMAC-SHA256 Credential={account}/20260101/{region}/ec2/aws4_request, SignedHeaders=host, Signature=x"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("Version=2016-11-15&{body}")))
        .expect("request");
    let (status, _, bytes) = send(st, req).await;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn ok(st: &Arc<AppState>, account: &str, body: &str) -> String {
    let (status, out) = call(st, account, "us-east-1", body).await;
    assert_eq!(status, 200, "{body}: {out}");
    out
}

/// A call that must fail with HTTP 400, `code` and `message`.
async fn refused(st: &Arc<AppState>, account: &str, body: &str, code: &str, message: &str) {
    let (status, out) = call(st, account, "us-east-1", body).await;
    assert_eq!(status, 400, "{body}: {out}");
    assert_eq!(between(&out, "<Code>", "</Code>"), code, "{body}: {out}");
    assert_eq!(
        between(&out, "<Message>", "</Message>"),
        message,
        "{body}: {out}"
    );
}

/// Account A's region has no default VPC: DescribeVpcs finds none, and a launch that names no
/// subnet is refused as AWS refuses it.
async fn no_default_vpc(st: &Arc<AppState>) {
    assert!(all(&ok(st, A, "Action=DescribeVpcs").await, "vpcId").is_empty());
    refused(
        st,
        A,
        "Action=RunInstances&ImageId=ami-0123456789abcdef0&MinCount=1&MaxCount=1",
        "VPCIdNotSpecified",
        "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.",
    )
    .await;
}

/// Every text of `<tag>` elements in `xml`, in order.
fn all(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|s| s.split_once(&close).map(|(v, _)| v.to_owned()))
        .collect()
}

fn logged(st: &Arc<AppState>) -> Vec<Command> {
    st.emulator
        .commands_since(0, 1000)
        .entries
        .into_iter()
        .filter_map(|e| match e.command {
            vpcpeer_model::Command::Aws(c) => Some(c),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn the_first_request_finds_the_default_vpc_laid_out() {
    let st = on();
    let vpcs = ok(&st, A, "Action=DescribeVpcs").await;
    let vpc = between(&vpcs, "<vpcId>", "</vpcId>").to_owned();
    assert_eq!(all(&vpcs, "vpcId").len(), 1);
    assert_eq!(all(&vpcs, "cidrBlock")[0], "172.31.0.0/16");
    assert_eq!(all(&vpcs, "isDefault"), ["true"]);
    let dns = ok(
        &st,
        A,
        &format!("Action=DescribeVpcAttribute&VpcId={vpc}&Attribute=enableDnsHostnames"),
    )
    .await;
    assert!(
        dns.contains("<enableDnsHostnames><value>true</value>"),
        "{dns}"
    );

    let f = |name: &str, value: &str| format!("Filter.1.Name={name}&Filter.1.Value.1={value}");
    let found = ok(
        &st,
        A,
        &format!("Action=DescribeVpcs&{}", f("is-default", "true")),
    )
    .await;
    assert_eq!(all(&found, "vpcId"), std::slice::from_ref(&vpc));
    let none = ok(
        &st,
        A,
        &format!("Action=DescribeVpcs&{}", f("is-default", "false")),
    )
    .await;
    assert!(all(&none, "vpcId").is_empty());

    let subnets = ok(
        &st,
        A,
        &format!("Action=DescribeSubnets&{}", f("default-for-az", "true")),
    )
    .await;
    let mut cidrs = all(&subnets, "cidrBlock");
    cidrs.sort();
    assert_eq!(
        cidrs,
        [
            "172.31.0.0/20",
            "172.31.16.0/20",
            "172.31.32.0/20",
            "172.31.48.0/20",
            "172.31.64.0/20",
            "172.31.80.0/20"
        ]
    );
    assert!(all(&subnets, "mapPublicIpOnLaunch")
        .iter()
        .all(|v| v == "true"));
    assert!(all(&subnets, "defaultForAz").iter().all(|v| v == "true"));
    let others = ok(
        &st,
        A,
        &format!("Action=DescribeSubnets&{}", f("default-for-az", "false")),
    )
    .await;
    assert!(all(&others, "subnetId").is_empty());

    let igws = ok(&st, A, "Action=DescribeInternetGateways").await;
    let igw = between(&igws, "<internetGatewayId>", "</internetGatewayId>").to_owned();
    assert_eq!(between(&igws, "<vpcId>", "</vpcId>"), vpc);
    let tables = ok(
        &st,
        A,
        &format!(
            "Action=DescribeRouteTables&{}",
            f("association.main", "true")
        ),
    )
    .await;
    assert_eq!(
        all(&tables, "destinationCidrBlock"),
        ["172.31.0.0/16", "0.0.0.0/0"]
    );
    assert_eq!(all(&tables, "gatewayId"), ["local".to_owned(), igw]);
    let groups = ok(&st, A, "Action=DescribeSecurityGroups").await;
    assert_eq!(
        all(&groups, "groupDescription"),
        ["default VPC security group"]
    );
    let acls = ok(
        &st,
        A,
        &format!("Action=DescribeNetworkAcls&{}", f("default", "true")),
    )
    .await;
    assert_eq!(all(&acls, "default"), ["true"]);
    assert_eq!(
        all(&acls, "subnetId").len(),
        6,
        "every default subnet on the default ACL"
    );

    let attrs = ok(
        &st,
        A,
        "Action=DescribeAccountAttributes&AttributeName.1=default-vpc",
    )
    .await;
    assert_eq!(all(&attrs, "attributeName"), ["default-vpc"]);
    assert_eq!(all(&attrs, "attributeValue"), std::slice::from_ref(&vpc));
    let every = ok(&st, A, "Action=DescribeAccountAttributes").await;
    assert_eq!(all(&every, "attributeName").len(), 6);
    let (status, out) = call(
        &st,
        A,
        "us-east-1",
        "Action=DescribeAccountAttributes&AttributeName.1=nope",
    )
    .await;
    assert_eq!(
        (status, between(&out, "<Code>", "</Code>")),
        (400, "InvalidParameterValue")
    );

    // Another region of the account, and another account, get their own.
    let (_, west) = call(&st, A, "us-west-1", "Action=DescribeSubnets").await;
    assert_eq!(
        all(&west, "subnetId").len(),
        2,
        "us-west-1 has two zones here"
    );
    let other = ok(&st, B, "Action=DescribeVpcs").await;
    assert_ne!(between(&other, "<vpcId>", "</vpcId>"), vpc);
}

#[tokio::test]
async fn launches_and_groups_without_a_vpc_use_the_default_vpc() {
    let st = on();
    let vpcs = ok(&st, A, "Action=DescribeVpcs").await;
    let vpc = between(&vpcs, "<vpcId>", "</vpcId>").to_owned();
    let run = ok(&st, A, "Action=RunInstances&ImageId=ami-0123456789abcdef0&InstanceType=t3.micro&MinCount=1&MaxCount=1").await;
    assert_eq!(between(&run, "<vpcId>", "</vpcId>"), vpc);
    assert_eq!(
        between(&run, "<availabilityZone>", "</availabilityZone>"),
        "us-east-1a"
    );
    assert!(between(&run, "<privateIpAddress>", "</privateIpAddress>").starts_with("172.31."));
    let run = ok(&st, A, "Action=RunInstances&ImageId=ami-0123456789abcdef0&MinCount=1&MaxCount=1&Placement.AvailabilityZone=us-east-1c").await;
    assert_eq!(
        between(&run, "<availabilityZone>", "</availabilityZone>"),
        "us-east-1c"
    );
    assert!(between(&run, "<privateIpAddress>", "</privateIpAddress>").starts_with("172.31.3"));

    let sg = ok(
        &st,
        A,
        "Action=CreateSecurityGroup&GroupName=web&GroupDescription=web",
    )
    .await;
    let web = between(&sg, "<groupId>", "</groupId>").to_owned();
    let described = ok(
        &st,
        A,
        &format!("Action=DescribeSecurityGroups&GroupId.1={web}"),
    )
    .await;
    assert_eq!(between(&described, "<vpcId>", "</vpcId>"), vpc);
    // By name, the default VPC's groups only (another VPC has a `default` group too).
    ok(&st, A, "Action=CreateVpc&CidrBlock=10.0.0.0/16").await;
    let by_name = ok(&st, A, "Action=DescribeSecurityGroups&GroupName.1=default").await;
    assert_eq!(all(&by_name, "groupDescription").len(), 1);
    assert_eq!(between(&by_name, "<vpcId>", "</vpcId>"), vpc);
    let named = ok(&st, A, "Action=RunInstances&ImageId=ami-0123456789abcdef0&MinCount=1&MaxCount=1&SecurityGroup.1=web").await;
    assert_eq!(all(&named, "groupId"), [web.clone(), web]);
    refused(
        &st,
        A,
        "Action=RunInstances&ImageId=ami-0123456789abcdef0&MinCount=1&MaxCount=1&Placement.AvailabilityZone=us-east-1z",
        "InvalidParameterValue",
        "Invalid availability zone: [us-east-1z]",
    )
    .await;
    refused(
        &st,
        A,
        "Action=AuthorizeSecurityGroupIngress&GroupName=nope&IpProtocol=tcp&FromPort=22&ToPort=22&CidrIp=10.0.0.0/8",
        "InvalidGroup.NotFound",
        &format!("The security group 'nope' does not exist in default VPC '{vpc}'"),
    )
    .await;
}

#[tokio::test]
async fn without_the_default_vpc_aws_errors_and_create_default_vpc_brings_it_back() {
    let st = on();
    let vpcs = ok(&st, A, "Action=DescribeVpcs").await;
    let vpc = between(&vpcs, "<vpcId>", "</vpcId>").to_owned();
    refused(
        &st,
        A,
        "Action=CreateDefaultVpc",
        "DefaultVpcAlreadyExists",
        "A Default VPC already exists for this account in this region.",
    )
    .await;
    let zone_a = ok(
        &st,
        A,
        "Action=DescribeSubnets&Filter.1.Name=availability-zone&Filter.1.Value.1=us-east-1a",
    )
    .await;
    refused(
        &st,
        A,
        "Action=CreateDefaultSubnet&AvailabilityZone=us-east-1a",
        "DefaultSubnetAlreadyExistsInAvailabilityZone",
        &format!(
            "A default subnet already exists in the specified Availability Zone (us-east-1a): {}. You can have only one default subnet per Availability Zone.",
            between(&zone_a, "<subnetId>", "</subnetId>")
        ),
    )
    .await;
    refused(
        &st,
        A,
        &format!("Action=DeleteVpc&VpcId={vpc}"),
        "DependencyViolation",
        &format!("The vpc '{vpc}' has dependencies and cannot be deleted."),
    )
    .await;
    for s in all(&ok(&st, A, "Action=DescribeSubnets").await, "subnetId") {
        ok(&st, A, &format!("Action=DeleteSubnet&SubnetId={s}")).await;
    }
    refused(
        &st,
        A,
        "Action=RunInstances&ImageId=ami-0123456789abcdef0&MinCount=1&MaxCount=1",
        "MissingInput",
        &format!("No subnets found for the default VPC '{vpc}'. Please specify a subnet."),
    )
    .await;
    let igw = ok(&st, A, "Action=DescribeInternetGateways").await;
    let igw = between(&igw, "<internetGatewayId>", "</internetGatewayId>").to_owned();
    ok(
        &st,
        A,
        &format!("Action=DetachInternetGateway&InternetGatewayId={igw}&VpcId={vpc}"),
    )
    .await;
    ok(
        &st,
        A,
        &format!("Action=DeleteInternetGateway&InternetGatewayId={igw}"),
    )
    .await;
    ok(&st, A, &format!("Action=DeleteVpc&VpcId={vpc}")).await;

    // The region stays without one.
    no_default_vpc(&st).await;
    refused(
        &st,
        A,
        "Action=CreateSecurityGroup&GroupName=web&GroupDescription=web",
        "VPCIdNotSpecified",
        "No default VPC for this user",
    )
    .await;
    refused(
        &st,
        A,
        "Action=CreateDefaultSubnet&AvailabilityZone=us-east-1b",
        "DefaultVpcDoesNotExist",
        "No default VPC exists for this account in this region.",
    )
    .await;
    let attrs = ok(
        &st,
        A,
        "Action=DescribeAccountAttributes&AttributeName.1=default-vpc",
    )
    .await;
    assert_eq!(all(&attrs, "attributeValue"), ["none"]);

    // CreateDefaultVpc lays it out again, with new ids; a dry run changes nothing.
    let (status, out) = call(&st, A, "us-east-1", "Action=CreateDefaultVpc&DryRun=true").await;
    assert_eq!(
        (status, between(&out, "<Code>", "</Code>")),
        (412, "DryRunOperation")
    );
    let created = ok(&st, A, "Action=CreateDefaultVpc").await;
    let new_vpc = between(&created, "<vpcId>", "</vpcId>").to_owned();
    assert_ne!(new_vpc, vpc);
    assert_eq!(between(&created, "<isDefault>", "</isDefault>"), "true");
    assert_eq!(
        all(&ok(&st, A, "Action=DescribeSubnets").await, "subnetId").len(),
        6
    );
    // One default subnet deleted and made again, in its zone.
    let b = ok(
        &st,
        A,
        "Action=DescribeSubnets&Filter.1.Name=availability-zone&Filter.1.Value.1=us-east-1b",
    )
    .await;
    ok(
        &st,
        A,
        &format!(
            "Action=DeleteSubnet&SubnetId={}",
            between(&b, "<subnetId>", "</subnetId>")
        ),
    )
    .await;
    refused(
        &st,
        A,
        "Action=RunInstances&ImageId=ami-0123456789abcdef0&MinCount=1&MaxCount=1&Placement.AvailabilityZone=us-east-1b",
        "InvalidInput",
        "No default subnet for availability zone: 'us-east-1b'.",
    )
    .await;
    refused(
        &st,
        A,
        "Action=CreateDefaultSubnet",
        "MissingParameter",
        "The request must contain the parameter AvailabilityZone",
    )
    .await;
    let made = ok(
        &st,
        A,
        "Action=CreateDefaultSubnet&AvailabilityZoneId=use1-az2",
    )
    .await;
    assert_eq!(
        between(&made, "<availabilityZone>", "</availabilityZone>"),
        "us-east-1b"
    );
    assert_eq!(
        between(&made, "<cidrBlock>", "</cidrBlock>"),
        "172.31.16.0/20"
    );
    assert_eq!(between(&made, "<defaultForAz>", "</defaultForAz>"), "true");
    assert_eq!(
        between(&made, "<mapPublicIpOnLaunch>", "</mapPublicIpOnLaunch>"),
        "true"
    );
}

#[tokio::test]
async fn the_setup_is_one_logged_command_run_once() {
    let st = on();
    // Refused before any action runs: nothing is set up.
    let (status, _) = call(&st, A, "us-east-1", "Action=NoSuchAction").await;
    assert_eq!(status, 400);
    assert!(logged(&st).is_empty());
    // A dry run of a change is an EC2 request like another: the region is set up first.
    let (status, _) = call(
        &st,
        A,
        "us-east-1",
        "Action=CreateVpc&CidrBlock=10.0.0.0/16&DryRun=true",
    )
    .await;
    assert_eq!(status, 412);
    assert_eq!(logged(&st), [Command::EnsureDefaultVpc]);
    ok(&st, A, "Action=DescribeVpcs").await;
    ok(&st, A, "Action=CreateVpc&CidrBlock=10.0.0.0/16").await;
    let log = logged(&st);
    assert_eq!(log.len(), 2);
    assert!(matches!(log[1], Command::CreateVpc(_)));
    // Another region: one more setup.
    call(&st, A, "eu-west-1", "Action=DescribeVpcs").await;
    assert_eq!(logged(&st).len(), 3);
    // A reset forgets the setup with everything else: the next request sets up again.
    st.emulator.reset().await.expect("reset");
    assert_eq!(
        all(&ok(&st, A, "Action=DescribeVpcs").await, "isDefault"),
        ["true"]
    );
    // STS is not the EC2 face.
    let st = on();
    let (status, _) = call(&st, B, "us-east-1", "Action=GetCallerIdentity").await;
    assert_eq!(status, 200);
    assert!(logged(&st).is_empty());
}

#[tokio::test]
async fn two_accounts_default_vpcs_overlap_so_their_peering_fails() {
    let st = on();
    let va = ok(&st, A, "Action=DescribeVpcs").await;
    let vb = ok(&st, B, "Action=DescribeVpcs").await;
    let (va, vb) = (
        between(&va, "<vpcId>", "</vpcId>"),
        between(&vb, "<vpcId>", "</vpcId>"),
    );
    let pcx = ok(
        &st,
        A,
        &format!("Action=CreateVpcPeeringConnection&VpcId={va}&PeerVpcId={vb}&PeerOwnerId={B}"),
    )
    .await;
    let id = between(
        &pcx,
        "<vpcPeeringConnectionId>",
        "</vpcPeeringConnectionId>",
    );
    let seen = ok(
        &st,
        A,
        &format!("Action=DescribeVpcPeeringConnections&VpcPeeringConnectionId.1={id}"),
    )
    .await;
    assert_eq!(between(&seen, "<code>", "</code>"), "failed");
}

#[tokio::test]
async fn without_default_vpcs_an_account_starts_empty() {
    let st = state();
    assert!(!st.config.default_vpcs);
    no_default_vpc(&st).await;
    let attrs = ok(
        &st,
        A,
        "Action=DescribeAccountAttributes&AttributeName.1=default-vpc",
    )
    .await;
    assert_eq!(all(&attrs, "attributeValue"), ["none"]);
    assert!(logged(&st).is_empty());
    // CreateDefaultVpc still makes one on request.
    let created = ok(&st, A, "Action=CreateDefaultVpc").await;
    assert_eq!(between(&created, "<isDefault>", "</isDefault>"), "true");
    assert_eq!(logged(&st), [Command::CreateDefaultVpc]);
}
