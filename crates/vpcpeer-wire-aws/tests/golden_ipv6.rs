//! Golden wire tests of the IPv6 actions: the exact documents of CreateEgressOnlyInternetGateway,
//! DescribeEgressOnlyInternetGateways, DeleteEgressOnlyInternetGateway,
//! Associate/DisassociateSubnetCidrBlock, a VPC with an Amazon-provided IPv6 block, an
//! IPv6-only subnet and the IPv6 refusals, driven in-process with a fixed clock, seeded ids and
//! a fixed request id (review a change with `cargo insta review`).

mod common;

use common::first;
use common::golden::{env, err, ok};
use vpcpeer_model::testkit::TestEnv;

/// A dual-stack VPC: its id and its /56.
fn dual_stack(env: &mut TestEnv) -> (String, String) {
    let doc = ok(
        env,
        "CreateVpc",
        "CidrBlock=10.0.0.0/16&AmazonProvidedIpv6CidrBlock=true",
    );
    (first(&doc, "vpcId"), first(&doc, "ipv6CidrBlock"))
}

/// The `n`th /64 of a /56 written `p:q:r:s00::/56`.
fn nth64(block56: &str, n: u16) -> String {
    let net: ipnet::Ipv6Net = block56.parse().expect("block");
    let base = u128::from(net.network()) + (u128::from(n) << 64);
    format!("{}/64", std::net::Ipv6Addr::from(base))
}

#[test]
fn vpc_with_an_amazon_ipv6_block() {
    let mut env = env();
    let doc = ok(
        &mut env,
        "CreateVpc",
        "CidrBlock=10.0.0.0/16&AmazonProvidedIpv6CidrBlock=true",
    );
    insta::assert_snapshot!("ipv6_create_vpc", doc);
    let vpc = first(&doc, "vpcId");
    insta::assert_snapshot!(
        "ipv6_describe_vpcs",
        ok(&mut env, "DescribeVpcs", &format!("VpcId.1={vpc}"))
    );
    insta::assert_snapshot!(
        "ipv6_associate_vpc_cidr_block",
        ok(
            &mut env,
            "AssociateVpcCidrBlock",
            &format!("VpcId={vpc}&AmazonProvidedIpv6CidrBlock=true"),
        )
    );
    // BYOIP and IPAM IPv6 pools are refused: Amazon-provided blocks only.
    for body in [
        "CidrBlock=10.5.0.0/16&Ipv6Pool=ipv6pool-ec2-0123&Ipv6CidrBlock=2001:db8::/56",
        "CidrBlock=10.5.0.0/16&Ipv6IpamPoolId=ipam-pool-0123",
    ] {
        let (status, code, _) = err(&mut env, "CreateVpc", body);
        assert_eq!(
            (status, code.as_str()),
            (400, "InvalidParameterValue"),
            "{body}"
        );
    }
    let (_, code, _) = err(
        &mut env,
        "AssociateVpcCidrBlock",
        &format!("VpcId={vpc}&Ipv6Pool=ipv6pool-ec2-0123&Ipv6CidrBlock=2001:db8::/56"),
    );
    assert_eq!(code, "InvalidParameterValue");
    // The default group of the VPC lets all IPv6 traffic out; so does a new one.
    let sg = ok(
        &mut env,
        "CreateSecurityGroup",
        &format!("VpcId={vpc}&GroupName=web&GroupDescription=web"),
    );
    let sg = first(&sg, "groupId");
    insta::assert_snapshot!(
        "ipv6_describe_security_group_rules",
        ok(
            &mut env,
            "DescribeSecurityGroupRules",
            &format!("Filter.1.Name=group-id&Filter.1.Value.1={sg}"),
        )
    );
}

#[test]
fn egress_only_internet_gateways() {
    let mut env = env();
    let (vpc, _) = dual_stack(&mut env);
    let doc = ok(
        &mut env,
        "CreateEgressOnlyInternetGateway",
        &format!(
            "VpcId={vpc}&ClientToken=tok-1&TagSpecification.1.ResourceType=egress-only-internet-gateway&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=out"
        ),
    );
    insta::assert_snapshot!("ipv6_create_egress_only_internet_gateway", doc);
    let id = first(&doc, "egressOnlyInternetGatewayId");
    ok(
        &mut env,
        "CreateEgressOnlyInternetGateway",
        &format!("VpcId={vpc}"),
    );
    insta::assert_snapshot!(
        "ipv6_describe_egress_only_internet_gateways",
        ok(
            &mut env,
            "DescribeEgressOnlyInternetGateways",
            "Filter.1.Name=tag:Name&Filter.1.Value.1=out",
        )
    );
    // Routes: ::/0 to it; 0.0.0.0/0 refused.
    let rtb = ok(
        &mut env,
        "DescribeRouteTables",
        &format!("Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}"),
    );
    let rtb = first(&rtb, "routeTableId");
    ok(
        &mut env,
        "CreateRoute",
        &format!(
            "RouteTableId={rtb}&DestinationIpv6CidrBlock=::/0&EgressOnlyInternetGatewayId={id}"
        ),
    );
    let (status, code, _) = err(
        &mut env,
        "CreateRoute",
        &format!(
            "RouteTableId={rtb}&DestinationCidrBlock=0.0.0.0/0&EgressOnlyInternetGatewayId={id}"
        ),
    );
    assert_eq!((status, code.as_str()), (400, "InvalidParameterValue"));
    insta::assert_snapshot!(
        "ipv6_describe_route_tables_eigw",
        ok(
            &mut env,
            "DescribeRouteTables",
            &format!("RouteTableId.1={rtb}")
        )
    );
    insta::assert_snapshot!(
        "ipv6_delete_egress_only_internet_gateway",
        ok(
            &mut env,
            "DeleteEgressOnlyInternetGateway",
            &format!("EgressOnlyInternetGatewayId={id}"),
        )
    );
    let (status, _, doc) = err(
        &mut env,
        "DeleteEgressOnlyInternetGateway",
        &format!("EgressOnlyInternetGatewayId={id}"),
    );
    assert_eq!(status, 400);
    insta::assert_snapshot!("ipv6_error_eigw_not_found", doc);
    let (_, code, _) = err(
        &mut env,
        "DescribeEgressOnlyInternetGateways",
        "EgressOnlyInternetGatewayId.1=eigw-zz",
    );
    assert_eq!(code, "InvalidEgressOnlyInternetGatewayId.Malformed");
    let (_, code, _) = err(&mut env, "CreateEgressOnlyInternetGateway", "");
    assert_eq!(code, "MissingParameter");
}

#[test]
fn subnet_ipv6_blocks() {
    let mut env = env();
    let (vpc, block) = dual_stack(&mut env);
    let subnet = ok(
        &mut env,
        "CreateSubnet",
        &format!("VpcId={vpc}&CidrBlock=10.0.1.0/24"),
    );
    let subnet = first(&subnet, "subnetId");
    let doc = ok(
        &mut env,
        "AssociateSubnetCidrBlock",
        &format!("SubnetId={subnet}&Ipv6CidrBlock={}", nth64(&block, 1)),
    );
    insta::assert_snapshot!("ipv6_associate_subnet_cidr_block", doc);
    let assoc = first(&doc, "associationId");
    let (_, _, doc) = err(
        &mut env,
        "AssociateSubnetCidrBlock",
        &format!("SubnetId={subnet}&Ipv6CidrBlock={}", nth64(&block, 2)),
    );
    insta::assert_snapshot!("ipv6_error_subnet_has_block", doc);
    insta::assert_snapshot!(
        "ipv6_disassociate_subnet_cidr_block",
        ok(
            &mut env,
            "DisassociateSubnetCidrBlock",
            &format!("AssociationId={assoc}"),
        )
    );
    let (_, code, _) = err(
        &mut env,
        "DisassociateSubnetCidrBlock",
        &format!("AssociationId={assoc}"),
    );
    assert_eq!(code, "InvalidAssociationID.NotFound");

    // An IPv6-only subnet.
    let doc = ok(
        &mut env,
        "CreateSubnet",
        &format!(
            "VpcId={vpc}&Ipv6Native=true&Ipv6CidrBlock={}",
            nth64(&block, 3)
        ),
    );
    insta::assert_snapshot!("ipv6_create_ipv6_only_subnet", doc);
    let (_, code, _) = err(
        &mut env,
        "CreateSubnet",
        &format!("VpcId={vpc}&Ipv6Native=true"),
    );
    assert_eq!(code, "MissingParameter");
    let (_, code, _) = err(
        &mut env,
        "CreateSubnet",
        &format!(
            "VpcId={vpc}&Ipv6Native=true&CidrBlock=10.0.9.0/24&Ipv6CidrBlock={}",
            nth64(&block, 4)
        ),
    );
    assert_eq!(code, "InvalidParameterCombination");
    let (_, code, _) = err(&mut env, "CreateSubnet", &format!("VpcId={vpc}"));
    assert_eq!(code, "MissingParameter");
    let only = ok(
        &mut env,
        "DescribeSubnets",
        "Filter.1.Name=ipv6-native&Filter.1.Value.1=true",
    );
    assert_eq!(only.matches("<subnetId>").count(), 1, "{only}");
}
