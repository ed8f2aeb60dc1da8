//! The exact EC2 code and message of every refused ACL entry value and of the missing fields the
//! model reports in domain terms (`DomainError::Missing(Field)`), driven in-process through the
//! handlers. The EC2 words live in this crate; these rows pin them to what the emulator answered
//! when the model still spelled them, so moving the spelling changed no byte on the wire.

mod common;

use common::{call, ok_field};
use vpcpeer_model::testkit::TestEnv;

/// A VPC, a subnet, a custom ACL and a custom route table.
struct Setup {
    env: TestEnv,
    subnet: String,
    acl: String,
    rtb: String,
    sg: String,
}

fn setup() -> Setup {
    let mut env = TestEnv::with_seed(3);
    let vpc = ok_field(&mut env, "CreateVpc", "CidrBlock=10.0.0.0/16", "vpcId");
    let subnet = ok_field(
        &mut env,
        "CreateSubnet",
        &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24"),
        "subnetId",
    );
    let acl = ok_field(
        &mut env,
        "CreateNetworkAcl",
        &format!("VpcId={vpc}"),
        "networkAclId",
    );
    let rtb = ok_field(
        &mut env,
        "CreateRouteTable",
        &format!("VpcId={vpc}"),
        "routeTableId",
    );
    let sg = ok_field(
        &mut env,
        "CreateSecurityGroup",
        &format!("VpcId={vpc}&GroupName=web&GroupDescription=web"),
        "groupId",
    );
    Setup {
        env,
        subnet,
        acl,
        rtb,
        sg,
    }
}

/// Asserts that each (action, body, code, message) row is refused with that code and message.
fn assert_refusals(env: &mut TestEnv, rows: Vec<(&str, String, &str, String)>) {
    for (action, body, code, message) in rows {
        let err = call(env, action, &body).expect_err(action);
        assert_eq!(
            (err.code.as_str(), err.message.as_str()),
            (code, message.as_str()),
            "{action} {body}"
        );
    }
}

/// Accepted, or refused with this code and message.
type Outcome = Result<(), (&'static str, String)>;

#[test]
fn acl_entry_values_are_refused_in_ec2_words() {
    let mut s = setup();
    let acl = s.acl.clone();
    let base = |rest: &str| {
        format!("NetworkAclId={acl}&RuleNumber=100&Egress=false&RuleAction=allow&{rest}")
    };
    let rows: Vec<(&str, String, Outcome)> = vec![
        ("all protocols", base("Protocol=-1&CidrBlock=10.1.0.0/16"), Ok(())),
        (
            "tcp by name with ports",
            base("Protocol=tcp&CidrBlock=10.1.0.0/16&PortRange.From=22&PortRange.To=22"),
            Ok(()),
        ),
        (
            "ports of another protocol are ignored",
            base("Protocol=-1&CidrBlock=10.1.0.0/16&PortRange.From=9&PortRange.To=70000"),
            Ok(()),
        ),
        (
            "bad protocol",
            base("Protocol=bogus&CidrBlock=10.1.0.0/16"),
            Err(("InvalidParameterValue", "Value (bogus) for parameter protocol is invalid. Must be -1, a protocol number 0-255, or tcp, udp, icmp, icmpv6.".into())),
        ),
        (
            "protocol 256",
            base("Protocol=256&CidrBlock=10.1.0.0/16"),
            Err(("InvalidParameterValue", "Value (256) for parameter protocol is invalid. Must be -1, a protocol number 0-255, or tcp, udp, icmp, icmpv6.".into())),
        ),
        (
            "bad action",
            format!("NetworkAclId={acl}&RuleNumber=100&Egress=false&RuleAction=maybe&Protocol=-1&CidrBlock=10.1.0.0/16"),
            Err(("InvalidParameterValue", "Value (maybe) for parameter ruleAction is invalid. Must be allow or deny.".into())),
        ),
        (
            "rule 0 before a bad protocol",
            format!("NetworkAclId={acl}&RuleNumber=0&Egress=false&RuleAction=allow&Protocol=bogus&CidrBlock=10.1.0.0/16"),
            Err(("InvalidParameterValue", "Value (0) for parameter ruleNumber is invalid. The rule number must be in the range 1-32766.".into())),
        ),
        (
            "bad IPv4 block",
            base("Protocol=-1&CidrBlock=10.0.0.0/99"),
            Err(("InvalidParameterValue", "Value (10.0.0.0/99) for parameter cidrBlock is invalid. This is not a valid CIDR block.".into())),
        ),
        (
            "bad IPv6 block",
            base("Protocol=-1&Ipv6CidrBlock=zz::/3"),
            Err(("InvalidParameterValue", "Value (zz::/3) for parameter ipv6CidrBlock is invalid. This is not a valid CIDR block.".into())),
        ),
        (
            "both blocks",
            base("Protocol=-1&CidrBlock=10.1.0.0/16&Ipv6CidrBlock=::/0"),
            Err(("InvalidParameterCombination", "Only one of CidrBlock and Ipv6CidrBlock may be specified.".into())),
        ),
        (
            "no block",
            base("Protocol=-1"),
            Err(("MissingParameter", "The request must contain the parameter cidrBlock".into())),
        ),
        (
            "tcp without ports",
            base("Protocol=6&CidrBlock=10.1.0.0/16&PortRange.From=22"),
            Err(("MissingParameter", "The request must contain the parameter portRange".into())),
        ),
        (
            "port too high",
            base("Protocol=udp&CidrBlock=10.1.0.0/16&PortRange.From=1&PortRange.To=70000"),
            Err(("InvalidParameterValue", "Value (70000) for parameter portRange is invalid. Ports must be in the range 0-65535.".into())),
        ),
        (
            "ports reversed",
            base("Protocol=17&CidrBlock=10.1.0.0/16&PortRange.From=100&PortRange.To=10"),
            Err(("InvalidParameterValue", "Value (100-10) for parameter portRange is invalid. The from port must not be greater than the to port.".into())),
        ),
        (
            "icmp without type",
            base("Protocol=icmp&CidrBlock=10.1.0.0/16"),
            Err(("MissingParameter", "The request must contain the parameter icmpTypeCode".into())),
        ),
        (
            "icmp code out of range",
            base("Protocol=1&CidrBlock=10.1.0.0/16&Icmp.Type=8&Icmp.Code=256"),
            Err(("InvalidParameterValue", "Value (256) for parameter icmpTypeCode is invalid. Must be -1 or in the range 0-255.".into())),
        ),
        (
            "unknown ACL before a bad value",
            "NetworkAclId=acl-0123456789abcdef0&RuleNumber=100&Egress=false&RuleAction=maybe&Protocol=bogus".into(),
            Err(("InvalidNetworkAclID.NotFound", "The networkAcl ID 'acl-0123456789abcdef0' does not exist".into())),
        ),
    ];
    for (name, body, want) in rows {
        for action in ["CreateNetworkAclEntry", "ReplaceNetworkAclEntry"] {
            let got = call(&mut s.env, action, &body).map(|_| ());
            // Replace needs the entry to exist: only compare refusals of values there.
            if action == "ReplaceNetworkAclEntry" && want.is_ok() {
                continue;
            }
            let got = got.map_err(|e| (e.code, e.message));
            let want = want
                .clone()
                .map_err(|(code, message)| (code.to_owned(), message));
            assert_eq!(got, want, "{name} ({action})");
            if got.is_ok() {
                call(
                    &mut s.env,
                    "DeleteNetworkAclEntry",
                    &format!("NetworkAclId={acl}&RuleNumber=100&Egress=false"),
                )
                .unwrap();
            }
        }
    }
}

#[test]
fn missing_fields_are_named_by_their_parameter() {
    let mut s = setup();
    let (subnet, rtb, sg) = (s.subnet.clone(), s.rtb.clone(), s.sg.clone());
    let rows: Vec<(&str, String, &str)> = vec![
        (
            "CreateNatGateway",
            format!("SubnetId={subnet}"),
            "AllocationId (required for a public NAT gateway)",
        ),
        (
            "CreateRoute",
            format!("RouteTableId={rtb}&GatewayId=igw-0123456789abcdef0"),
            "destinationCidrBlock or destinationIpv6CidrBlock",
        ),
        (
            "CreateRoute",
            format!("RouteTableId={rtb}&DestinationCidrBlock=10.9.0.0/16"),
            "exactly one of gatewayId, vpcPeeringConnectionId, natGatewayId, instanceId, networkInterfaceId, transitGatewayId, egressOnlyInternetGatewayId or vpcEndpointId",
        ),
        (
            "RunInstances",
            "ImageId=ami-12345678&MinCount=1&MaxCount=1&NetworkInterface.1.DeviceIndex=0".into(),
            "NetworkInterface.SubnetId (device index 0)",
        ),
        (
            "AuthorizeSecurityGroupIngress",
            format!("GroupId={sg}"),
            "IpPermissions",
        ),
        (
            "CreateVpcPeeringConnection",
            "VpcId=vpc-0123456789abcdef0".into(),
            "PeerVpcId",
        ),
    ];
    for (action, body, name) in rows {
        let err = call(&mut s.env, action, &body).expect_err(action);
        assert_eq!(
            (err.code.as_str(), err.message.as_str()),
            (
                "MissingParameter",
                format!("The request must contain the parameter {name}").as_str()
            ),
            "{action} {body}"
        );
    }
}

#[test]
fn invalid_values_are_refused_in_ec2_words() {
    let mut s = setup();
    let (subnet, rtb, sg) = (s.subnet.clone(), s.rtb.clone(), s.sg.clone());
    let vpc = ok_field(&mut s.env, "CreateVpc", "CidrBlock=10.8.0.0/16", "vpcId");
    let eni = ok_field(
        &mut s.env,
        "RunInstances",
        &format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}"),
        "instanceId",
    );
    let token = "t".repeat(65);
    let cidr = " This is not a valid CIDR block.";
    let rows: Vec<(&str, String, String)> = vec![
        (
            "CreateVpc",
            "CidrBlock=bogus".into(),
            format!("Value (bogus) for parameter cidrBlock is invalid.{cidr}"),
        ),
        (
            "CreateVpc",
            "CidrBlock=10.7.0.0/16&InstanceTenancy=weird".into(),
            "Value (weird) for parameter instanceTenancy is invalid.".into(),
        ),
        (
            "CreateSubnet",
            format!("VpcId={vpc}&CidrBlock=bogus"),
            format!("Value (bogus) for parameter cidrBlock is invalid.{cidr}"),
        ),
        (
            "CreateRoute",
            format!("RouteTableId={rtb}&DestinationCidrBlock=bogus&GatewayId=igw-0123456789abcdef0"),
            format!("Value (bogus) for parameter destinationCidrBlock is invalid.{cidr}"),
        ),
        (
            "CreateRoute",
            format!("RouteTableId={rtb}&DestinationIpv6CidrBlock=zz::/3&GatewayId=igw-0123456789abcdef0"),
            format!("Value (zz::/3) for parameter destinationIpv6CidrBlock is invalid.{cidr}"),
        ),
        (
            "CreateRoute",
            format!("RouteTableId={rtb}&DestinationCidrBlock=10.9.0.0/16&DestinationIpv6CidrBlock=2600::/56&GatewayId=igw-0123456789abcdef0"),
            "The parameter destinationCidrBlock cannot be used with the parameter destinationIpv6CidrBlock".into(),
        ),
        (
            "CreateSubnet",
            format!("VpcId={vpc}&CidrBlock=10.8.1.0/24&AvailabilityZone=us-east-1a&AvailabilityZoneId=use1-az1"),
            "The parameters AvailabilityZone and AvailabilityZoneId cannot be used together.".into(),
        ),
        (
            "CreateNatGateway",
            format!("SubnetId={subnet}&ConnectivityType=private&AllocationId=eipalloc-0123456789abcdef0"),
            "AllocationId cannot be used with a private NAT gateway.".into(),
        ),
        (
            "RunInstances",
            format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId={subnet}&NetworkInterface.1.AssociatePublicIpAddress=true&NetworkInterface.2.DeviceIndex=1&NetworkInterface.2.SubnetId={subnet}"),
            "The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces.".into(),
        ),
        (
            "RunInstances",
            format!("ImageId=ami-12345678&MinCount=1&MaxCount=2&SubnetId={subnet}&PrivateIpAddress=10.0.1.20"),
            "A private IP address can only be specified when launching a single instance (MaxCount=1)".into(),
        ),
        (
            "CreateSubnet",
            format!("VpcId={vpc}&CidrBlock=10.8.1.0/24&AvailabilityZone=us-east-1q"),
            "Value (us-east-1q) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f.".into(),
        ),
        (
            "CreateSubnet",
            format!("VpcId={vpc}&CidrBlock=10.8.1.0/24&AvailabilityZoneId=use1-az99"),
            "Value (use1-az99) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zones: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f.".into(),
        ),
        (
            "CreateManagedPrefixList",
            "PrefixListName=corp&MaxEntries=0&AddressFamily=IPv4".into(),
            "Value (0) for parameter maxEntries is invalid. It must be between 1 and 1000.".into(),
        ),
        (
            "RunInstances",
            format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&InstanceType=Huge"),
            "Invalid value 'Huge' for InstanceType.".into(),
        ),
        (
            "ModifySubnetAttribute",
            format!("SubnetId={subnet}&AssignIpv6AddressOnCreation.Value=true"),
            format!("Invalid value 'true' for assignIpv6AddressOnCreation. Subnet {subnet} has no IPv6 CIDR block."),
        ),
        (
            "CreateRoute",
            format!("RouteTableId={rtb}&DestinationCidrBlock=10.9.0.0/16&TransitGatewayId=bad"),
            "Value (bad) for parameter transitGatewayId is invalid.".into(),
        ),
        (
            "CreateRoute",
            format!("RouteTableId={rtb}&DestinationIpv6CidrBlock=2600::/56&EgressOnlyInternetGatewayId=bad"),
            "Value (bad) for parameter egressOnlyInternetGatewayId is invalid.".into(),
        ),
        (
            "CreateRoute",
            format!("RouteTableId={rtb}&DestinationCidrBlock=10.9.0.0/16&VpcEndpointId=bad"),
            "Value (bad) for parameter vpcEndpointId is invalid.".into(),
        ),
        (
            "CreateNatGateway",
            format!("SubnetId={subnet}&ConnectivityType=weird"),
            "Value (weird) for parameter connectivityType is invalid. Valid values: public, private.".into(),
        ),
        (
            "CreateNatGateway",
            format!("SubnetId={subnet}&ConnectivityType=private&PrivateIpAddress=10.0.1.999"),
            "Value (10.0.1.999) for parameter privateIpAddress is invalid.".into(),
        ),
        (
            "RunInstances",
            format!("ImageId=ami-12345678&MinCount=0&MaxCount=1&SubnetId={subnet}"),
            "Value (0) for parameter minCount is invalid. Expected a positive integer.".into(),
        ),
        (
            "RunInstances",
            format!("ImageId=ami-12345678&MinCount=3&MaxCount=2&SubnetId={subnet}"),
            "Value (2) for parameter maxCount is invalid. Expected a value greater than or equal to minCount (3).".into(),
        ),
        (
            "RunInstances",
            format!("ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId={subnet}&ClientToken={token}"),
            format!("Value ({token}) for parameter clientToken is invalid. It must be at most 64 ASCII characters."),
        ),
        (
            "CreateNetworkInsightsPath",
            format!("Source={sg}&Protocol=tcp&DestinationPort=80&DestinationIp=10.0.1.9"),
            format!("Value ({sg}) for parameter Source is invalid. This emulator analyses paths between instances (i-…) and network interfaces (eni-…)."),
        ),
        (
            "CreateNetworkInsightsPath",
            format!("Source={eni}&Protocol=ICMP&DestinationPort=80&DestinationIp=10.0.1.9"),
            "Value (icmp) for parameter Protocol is invalid. Valid values: tcp, udp.".into(),
        ),
        (
            "CreateNetworkInsightsPath",
            format!("Source={eni}&Protocol=tcp&DestinationPort=70000&DestinationIp=10.0.1.9"),
            "Value (70000) for parameter DestinationPort is invalid. Valid range: 0-65535.".into(),
        ),
        (
            "CreateNetworkInsightsPath",
            format!("Source={eni}&Protocol=tcp&DestinationPort=80&DestinationIp=10.0.1.999"),
            "Value (10.0.1.999) for parameter DestinationIp is invalid.".into(),
        ),
        (
            "CreateNetworkInsightsPath",
            format!("Source={eni}&Protocol=tcp&DestinationPort=80&SourceIp=x&DestinationIp=10.0.1.9"),
            "Value (x) for parameter SourceIp is invalid.".into(),
        ),
    ];
    for (action, body, message) in rows {
        let err = call(&mut s.env, action, &body).expect_err(action);
        let code = if message.starts_with("The parameter")
            || message.contains("cannot be used with")
            || message.contains("cannot be specified")
            || message.contains("can only be specified")
        {
            "InvalidParameterCombination"
        } else {
            "InvalidParameterValue"
        };
        assert_eq!(
            (err.code.as_str(), err.message.as_str()),
            (code, message.as_str()),
            "{action} {body}"
        );
    }
}

#[test]
fn security_group_values_are_refused_in_ec2_words() {
    let mut s = setup();
    let sg = s.sg.clone();
    let vpc2 = ok_field(&mut s.env, "CreateVpc", "CidrBlock=10.8.0.0/16", "vpcId");
    ok_field(
        &mut s.env,
        "CreateSecurityGroup",
        &format!("VpcId={vpc2}&GroupName=web&GroupDescription=web"),
        "groupId",
    );
    let perm = |rest: &str| format!("GroupId={sg}&IpPermissions.1.{rest}");
    let long = "d".repeat(256);
    let rows: Vec<(&str, String, &str, String)> = vec![
        (
            "AuthorizeSecurityGroupIngress",
            perm("IpProtocol=bogus&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"),
            "InvalidParameterValue",
            "Invalid value 'bogus' for IP protocol. Unknown protocol.".into(),
        ),
        (
            "AuthorizeSecurityGroupIngress",
            perm("IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"),
            "InvalidParameterValue",
            "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange".into(),
        ),
        (
            "AuthorizeSecurityGroupIngress",
            perm("IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=70000&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"),
            "InvalidParameterValue",
            "Invalid value '70000' for portRange. Must be in the range 0-65535.".into(),
        ),
        (
            "AuthorizeSecurityGroupIngress",
            perm("IpProtocol=udp&IpPermissions.1.FromPort=90&IpPermissions.1.ToPort=80&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"),
            "InvalidParameterValue",
            "Invalid value '90-80' for portRange. The from port must not be greater than the to port.".into(),
        ),
        (
            "AuthorizeSecurityGroupIngress",
            perm("IpProtocol=icmp&IpPermissions.1.FromPort=300&IpPermissions.1.ToPort=-1&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"),
            "InvalidParameterValue",
            "Invalid value '300' for ICMP type or code. Must be -1 or in the range 0-255.".into(),
        ),
        (
            "AuthorizeSecurityGroupIngress",
            perm("IpProtocol=icmp&IpPermissions.1.FromPort=-1&IpPermissions.1.ToPort=3&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"),
            "InvalidParameterValue",
            "Invalid value for ICMP code: when all ICMP types (-1) are allowed, the code must be -1 too.".into(),
        ),
        (
            "AuthorizeSecurityGroupIngress",
            perm("IpProtocol=-1&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/99"),
            "InvalidParameterValue",
            "CIDR block 10.0.0.0/99 is malformed".into(),
        ),
        (
            "AuthorizeSecurityGroupIngress",
            perm("IpProtocol=-1&IpPermissions.1.Ipv6Ranges.1.CidrIpv6=zz::/3"),
            "InvalidParameterValue",
            "CIDR block zz::/3 is malformed".into(),
        ),
        (
            "AuthorizeSecurityGroupIngress",
            perm("IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22"),
            "InvalidPermission.Malformed",
            "Invalid IpPermissions: each permission must specify at least one of IpRanges, Ipv6Ranges, PrefixListIds or Groups.".into(),
        ),
        (
            "AuthorizeSecurityGroupIngress",
            perm("IpProtocol=-1&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8&IpPermissions.1.IpRanges.1.Description=caf%C3%A9"),
            "InvalidParameterValue",
            "Invalid value 'café' for description. Character 'é' is not supported; allowed are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*".into(),
        ),
        (
            "CreateSecurityGroup",
            format!("VpcId={vpc2}&GroupName=db&GroupDescription={long}"),
            "InvalidParameterValue",
            format!("Invalid value '{long}' for GroupDescription. Length must be at most 255 characters."),
        ),
        (
            "CreateSecurityGroup",
            format!("VpcId={vpc2}&GroupName=na%C3%AFve&GroupDescription=x"),
            "InvalidParameterValue",
            "Invalid value 'naïve' for GroupName. Character 'ï' is not supported; allowed are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*".into(),
        ),
        (
            "AuthorizeSecurityGroupIngress",
            "GroupName=web&IpPermissions.1.IpProtocol=-1&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8".into(),
            "InvalidParameterCombination",
            "Security groups named 'web' exist in several VPCs; specify the group by GroupId.".into(),
        ),
    ];
    assert_refusals(&mut s.env, rows);
}

/// The order of a security-group change's checks: its parameters before the world (EC2 validates
/// a request before it looks resources up). An unknown group with a bad permission value gets
/// the value's error; an unknown group with good values gets `InvalidGroup.NotFound`; a
/// permission that references an unknown group is refused only after the other permissions'
/// values passed.
#[test]
fn security_group_parameters_are_checked_before_the_world() {
    let mut s = setup();
    let unknown = "sg-0123456789abcdef0";
    let rows: Vec<(&str, String, &str)> = vec![
        (
            "AuthorizeSecurityGroupIngress",
            format!("GroupId={unknown}&IpPermissions.1.IpProtocol=bogus&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"),
            "InvalidParameterValue",
        ),
        (
            "RevokeSecurityGroupIngress",
            format!("GroupId={unknown}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=1&IpPermissions.1.ToPort=2&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/99"),
            "InvalidParameterValue",
        ),
        (
            "AuthorizeSecurityGroupEgress",
            format!("GroupId={unknown}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=1&IpPermissions.1.ToPort=2&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8"),
            "InvalidGroup.NotFound",
        ),
        (
            "AuthorizeSecurityGroupIngress",
            format!(
                "GroupId={}&IpPermissions.1.IpProtocol=-1&IpPermissions.1.Groups.1.GroupId={unknown}\
                 &IpPermissions.2.IpProtocol=udp&IpPermissions.2.FromPort=9&IpPermissions.2.ToPort=1&IpPermissions.2.IpRanges.1.CidrIp=10.0.0.0/8",
                s.sg
            ),
            "InvalidParameterValue",
        ),
    ];
    for (action, body, want) in rows {
        let before = s.env.world.clone();
        let err = call(&mut s.env, action, &body).expect_err(action);
        assert_eq!(err.code, want, "{action} {body}: {}", err.message);
        assert_eq!(s.env.world, before);
    }
}

/// The request-text refusals the model's own tests pinned while the model still parsed text
/// (route, subnet and NAT gateway inputs); the parsing is this crate's now, so they are pinned
/// here, in EC2's words.
#[test]
fn text_refusals_once_pinned_in_the_model() {
    let mut s = setup();
    let (subnet, rtb) = (s.subnet.clone(), s.rtb.clone());
    let vpc = ok_field(&mut s.env, "CreateVpc", "CidrBlock=10.8.0.0/16", "vpcId");
    let igw = "igw-0123456789abcdef0";
    let cidr = "This is not a valid CIDR block.";
    let rows: Vec<(&str, String, &str, String)> = vec![
        (
            "CreateRoute",
            format!("RouteTableId={rtb}&DestinationCidrBlock=10.0.0.0&GatewayId={igw}"),
            "InvalidParameterValue",
            format!("Value (10.0.0.0) for parameter destinationCidrBlock is invalid. {cidr}"),
        ),
        (
            "CreateRoute",
            format!("RouteTableId={rtb}&DestinationCidrBlock=0.0.0.0/0&GatewayId={igw}&VpcPeeringConnectionId=pcx-0123456789abcdef0"),
            "InvalidParameterCombination",
            "More than one target was specified; a route has exactly one target.".into(),
        ),
        (
            "ReplaceRoute",
            format!("RouteTableId={rtb}&DestinationCidrBlock=0.0.0.0/0"),
            "MissingParameter",
            "The request must contain the parameter exactly one of gatewayId, vpcPeeringConnectionId, natGatewayId, instanceId, networkInterfaceId, transitGatewayId, egressOnlyInternetGatewayId or vpcEndpointId".into(),
        ),
        (
            "DeleteRoute",
            format!("RouteTableId={rtb}&DestinationCidrBlock=bad"),
            "InvalidParameterValue",
            format!("Value (bad) for parameter destinationCidrBlock is invalid. {cidr}"),
        ),
        (
            "CreateSubnet",
            format!("VpcId={vpc}&CidrBlock=10.8.1.0/33"),
            "InvalidParameterValue",
            format!("Value (10.8.1.0/33) for parameter cidrBlock is invalid. {cidr}"),
        ),
        (
            "CreateSubnet",
            format!("VpcId={vpc}&CidrBlock=10.8.1.0/24&Ipv6CidrBlock=zz::/64"),
            "InvalidParameterValue",
            format!("Value (zz::/64) for parameter ipv6CidrBlock is invalid. {cidr}"),
        ),
        (
            "CreateNatGateway",
            format!("SubnetId={subnet}&ConnectivityType=sideways"),
            "InvalidParameterValue",
            "Value (sideways) for parameter connectivityType is invalid. Valid values: public, private.".into(),
        ),
        (
            "CreateNatGateway",
            format!("SubnetId={subnet}&ConnectivityType=private&PrivateIpAddress=ten"),
            "InvalidParameterValue",
            "Value (ten) for parameter privateIpAddress is invalid.".into(),
        ),
    ];
    assert_refusals(&mut s.env, rows);
}
