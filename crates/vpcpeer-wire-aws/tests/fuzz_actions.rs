//! Hostile parameters for every EC2 action (issue 8, item 2): random actions with parameters
//! drawn from the names the handlers read and from values chosen to break parsers (huge and
//! negative numbers, bad CIDRs, non-ASCII, ids of the right and wrong shape), run on a world
//! that holds one of everything. Every call must be answered, never panic, never be an
//! `InternalError`, and leave a well-formed document.

mod common;

use common::{call, first, form_encode as encode, ok};
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

/// How [`world`] is built, one step a line: an action, its form body (`-` for none; `@…` stands
/// for an id kept by an earlier step), then the ids its answer yields as `@placeholder=element`.
const STEPS: &[&str] = &[
    "CreateVpc CidrBlock=10.0.0.0/16&AmazonProvidedIpv6CidrBlock=true @vpc=vpcId",
    "AssociateVpcCidrBlock VpcId=@vpc&CidrBlock=10.1.0.0/16 @cidrassoc=associationId",
    "CreateVpc CidrBlock=10.9.0.0/16 @peer=vpcId",
    "CreateSubnet VpcId=@vpc&CidrBlock=10.0.1.0/24 @subnet=subnetId",
    "CreateSecurityGroup VpcId=@vpc&GroupName=g&GroupDescription=g @sg=groupId",
    "CreateRouteTable VpcId=@vpc @rtb=routeTableId",
    "AssociateRouteTable RouteTableId=@rtb&SubnetId=@subnet @rtbassoc=associationId",
    "CreateNetworkAcl VpcId=@vpc @acl=networkAclId",
    "CreateInternetGateway - @igw=internetGatewayId",
    "AttachInternetGateway InternetGatewayId=@igw&VpcId=@vpc",
    "CreateVpcPeeringConnection VpcId=@vpc&PeerVpcId=@peer @pcx=vpcPeeringConnectionId",
    "RunInstances ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId=@subnet @i=instanceId @eni=networkInterfaceId",
    "CreateNatGateway SubnetId=@subnet&ConnectivityType=private @nat=natGatewayId",
    "CreateNetworkInsightsPath Source=@i&Protocol=tcp&DestinationIp=10.0.1.9&DestinationPort=22 @nip=networkInsightsPathId",
    "DescribeNetworkAcls - @aclassoc=networkAclAssociationId",
];

/// A world with one of everything ([`STEPS`]); the ids, by placeholder.
fn world() -> (TestEnv, Vec<(&'static str, String)>) {
    let mut env = TestEnv::with_seed(11);
    let mut ids: Vec<(&'static str, String)> = Vec::new();
    for step in STEPS {
        let mut words = step.split(' ');
        let action = words.next().expect("action");
        let body = Some(words.next().expect("body")).filter(|b| *b != "-");
        // Longer placeholders first: `@i` is a prefix of `@igw`.
        let mut known: Vec<&(&str, String)> = ids.iter().collect();
        known.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        let body = known
            .iter()
            .fold(body.unwrap_or_default().to_owned(), |b, (p, id)| {
                b.replace(p, id)
            });
        let answer = ok(&mut env, action, &body);
        for keep in words {
            let (placeholder, tag) = keep.split_once('=').expect("@placeholder=element");
            ids.push((placeholder, first(&answer, tag)));
        }
    }
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
