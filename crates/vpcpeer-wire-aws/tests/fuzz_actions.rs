//! Hostile parameters for every EC2 action (issue 8, item 2): random actions with parameters
//! drawn from the names the handlers read and from values chosen to break parsers (huge and
//! negative numbers, bad CIDRs, non-ASCII, ids of the right and wrong shape), run on a world
//! that holds one of everything. Every call must be answered, never panic, never be an
//! `InternalError`, and leave a well-formed document.

mod common;

use common::{between, call, form_encode as encode, ok, ok_field};
use proptest::prelude::*;
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_wire_aws::{error_document, success_envelope, ACTIONS};

/// Parameter names the handlers read (flattened lists and structures included).
const NAMES: &[&str] = &[
    "AllocationId",
    "AmazonProvidedIpv6CidrBlock",
    "AssociationId",
    "Attribute",
    "AvailabilityZone",
    "AvailabilityZoneId",
    "CidrBlock",
    "ClientToken",
    "ConnectivityType",
    "Description",
    "Destination",
    "DestinationCidrBlock",
    "DestinationIp",
    "DestinationIpv6CidrBlock",
    "DestinationPort",
    "DestinationPrefixListId",
    "Egress",
    "EnableDnsHostnames.Value",
    "EnableDnsSupport.Value",
    "Filter.1.Name",
    "Filter.1.Value.1",
    "Filter.1.Value.2",
    "FromPort",
    "GatewayId",
    "GroupDescription",
    "GroupId",
    "GroupName",
    "GroupId.1",
    "Icmp.Code",
    "Icmp.Type",
    "ImageId",
    "InstanceId",
    "InstanceId.1",
    "InstanceTenancy",
    "InstanceType",
    "InternetGatewayId",
    "IpPermissions.1.IpProtocol",
    "IpPermissions.1.FromPort",
    "IpPermissions.1.ToPort",
    "IpPermissions.1.IpRanges.1.CidrIp",
    "IpPermissions.1.Ipv6Ranges.1.CidrIpv6",
    "IpPermissions.1.Groups.1.GroupId",
    "IpPermissions.1.Groups.1.UserId",
    "IpPermissions.1.PrefixListIds.1.PrefixListId",
    "IpProtocol",
    "Ipv6CidrBlock",
    "Ipv6NetmaskLength",
    "MaxCount",
    "MaxResults",
    "MinCount",
    "NatGatewayId",
    "NetworkAclId",
    "NetworkInsightsAnalysisId",
    "NetworkInsightsPathId",
    "NetworkInterfaceId",
    "NetworkInterface.1.DeviceIndex",
    "NetworkInterface.1.SubnetId",
    "NetworkInterface.1.PrivateIpAddress",
    "NetworkInterface.1.SecondaryPrivateIpAddressCount",
    "NextToken",
    "PeerOwnerId",
    "PeerRegion",
    "PeerVpcId",
    "PortRange.From",
    "PortRange.To",
    "PrivateIpAddress",
    "Protocol",
    "RegionName.1",
    "ResourceId.1",
    "RouteTableId",
    "RuleAction",
    "RuleNumber",
    "SecurityGroupId.1",
    "SecurityGroupRuleId.1",
    "Source",
    "SourceIp",
    "SubnetId",
    "Tag.1.Key",
    "Tag.1.Value",
    "TagSpecification.1.ResourceType",
    "TagSpecification.1.Tag.1.Key",
    "TagSpecification.1.Tag.1.Value",
    "ToPort",
    "VpcId",
    "VpcId.1",
    "VpcPeeringConnectionId",
    "ZoneName.1",
    "RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc",
    "AccepterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc",
    "MapPublicIpOnLaunch.Value",
    "SecondaryAllocationId.1",
    "DryRun",
];

/// Values meant to break parsers, plus `@vpc`-style placeholders for ids of the world.
const VALUES: &[&str] = &[
    "",
    " ",
    "-1",
    "0",
    "1",
    "65535",
    "65536",
    "32766",
    "32767",
    "-9223372036854775808",
    "9223372036854775807",
    "99999999999999999999",
    "1e9",
    "0x10",
    "+5",
    "true",
    "false",
    "TRUE",
    "10.0.0.0/16",
    "10.0.0.0/8",
    "10.0.0.0/33",
    "10.0.0.0/-1",
    "10.0.1.0/24",
    "0.0.0.0/0",
    "255.255.255.255/32",
    "10.0.0.1",
    "10.0.1.300",
    "::/0",
    "2600:1f18::/56",
    "2600:1f18::/129",
    "2001:db8::/64",
    "fe80::1",
    "tcp",
    "udp",
    "icmp",
    "icmpv6",
    "-1",
    "all",
    "256",
    "allow",
    "deny",
    "vpc-",
    "vpc-zz",
    "vpc-0123456789abcdef0",
    "subnet-1",
    "i-",
    "sg-",
    "pcx-x",
    "acl-0",
    "rtb-00000000",
    "igw-",
    "nat-1",
    "eni-1",
    "nip-1",
    "nia-1",
    "ami-12345678",
    "ami-",
    "us-east-1",
    "us-east-1a",
    "use1-az1",
    "zz-fake-9",
    "é",
    "😀",
    "a*b?",
    "*",
    "?",
    LONG,
    "instance",
    "vpc",
    "subnet",
    "network-interface",
    "dedicated",
    "host",
    "t2.micro",
    "enableDnsSupport",
    "enableDnsHostnames",
    "private",
    "public",
    "123456789012",
    "000000000000",
    "@vpc",
    "@subnet",
    "@sg",
    "@rtb",
    "@acl",
    "@igw",
    "@pcx",
    "@i",
    "@eni",
    "@nip",
    "@nat",
    "@rtbassoc",
    "@aclassoc",
    "@cidrassoc",
];

/// A long value.
const LONG: &str = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

/// A world with one of everything; the ids, by placeholder.
fn world() -> (TestEnv, Vec<(&'static str, String)>) {
    let mut env = TestEnv::with_seed(11);
    let vpc = ok_field(
        &mut env,
        "CreateVpc",
        "CidrBlock=10.0.0.0/16&AmazonProvidedIpv6CidrBlock=true",
        "vpcId",
    );
    let cidrassoc = ok_field(
        &mut env,
        "AssociateVpcCidrBlock",
        &format!("VpcId={vpc}&CidrBlock=10.1.0.0/16"),
        "associationId",
    );
    let peer = ok_field(&mut env, "CreateVpc", "CidrBlock=10.9.0.0/16", "vpcId");
    let subnet = ok_field(
        &mut env,
        "CreateSubnet",
        &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24"),
        "subnetId",
    );
    let sg = ok_field(
        &mut env,
        "CreateSecurityGroup",
        &format!("VpcId={vpc}&GroupName=g&GroupDescription=g"),
        "groupId",
    );
    let rtb = ok_field(
        &mut env,
        "CreateRouteTable",
        &format!("VpcId={vpc}"),
        "routeTableId",
    );
    let rtbassoc = ok_field(
        &mut env,
        "AssociateRouteTable",
        &format!("RouteTableId={rtb}&SubnetId={subnet}"),
        "associationId",
    );
    let acl = ok_field(
        &mut env,
        "CreateNetworkAcl",
        &format!("VpcId={vpc}"),
        "networkAclId",
    );
    let igw = ok_field(&mut env, "CreateInternetGateway", "", "internetGatewayId");
    ok(
        &mut env,
        "AttachInternetGateway",
        &format!("InternetGatewayId={igw}&VpcId={vpc}"),
    );
    let pcx = ok_field(
        &mut env,
        "CreateVpcPeeringConnection",
        &format!("VpcId={vpc}&PeerVpcId={peer}"),
        "vpcPeeringConnectionId",
    );
    let run = ok(
        &mut env,
        "RunInstances",
        &format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}"),
    );
    let i = between(&run, "<instanceId>", "</instanceId>");
    let eni = between(&run, "<networkInterfaceId>", "</networkInterfaceId>");
    let nat = ok_field(
        &mut env,
        "CreateNatGateway",
        &format!("SubnetId={subnet}&ConnectivityType=private"),
        "natGatewayId",
    );
    let nip = ok_field(
        &mut env,
        "CreateNetworkInsightsPath",
        &format!("Source={i}&Protocol=tcp&DestinationIp=10.0.1.9&DestinationPort=22"),
        "networkInsightsPathId",
    );
    let aclassoc = ok_field(
        &mut env,
        "DescribeNetworkAcls",
        "",
        "networkAclAssociationId",
    );
    let ids = vec![
        ("@vpc", vpc),
        ("@subnet", subnet),
        ("@sg", sg),
        ("@rtb", rtb),
        ("@acl", acl),
        ("@igw", igw),
        ("@pcx", pcx),
        ("@i", i),
        ("@eni", eni),
        ("@nip", nip),
        ("@nat", nat),
        ("@rtbassoc", rtbassoc),
        ("@aclassoc", aclassoc),
        ("@cidrassoc", cidrassoc),
    ];
    (env, ids)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn every_action_answers_hostile_parameters(
        action in prop::sample::select(ACTIONS),
        pairs in prop::collection::vec((prop::sample::select(NAMES), prop::sample::select(VALUES)), 0..8),
    ) {
        let (mut env, ids) = world();
        let body: Vec<String> = pairs
            .iter()
            .map(|(n, v)| {
                let v = ids.iter().find(|(k, _)| k == v).map_or(v.to_string(), |(_, id)| id.clone());
                format!("{n}={}", encode(&v))
            })
            .collect();
        let body = body.join("&");
        match call(&mut env, action, &body).map(|x| success_envelope(action, "r", &x)) {
            Ok(doc) => prop_assert!(doc.contains("Response"), "{}", doc),
            Err(e) => {
                prop_assert_ne!(e.code.as_str(), "InternalError", "{} {}", action, body);
                prop_assert!(e.status < 500, "{} {}: {:?}", action, body, e);
                prop_assert!(error_document(&e, "r").contains(&e.code));
            }
        }
        prop_assert!(env.world.indexes_consistent());
    }
}
