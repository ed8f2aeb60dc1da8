//! The EC2 face of area 1 (VPCs, subnets, route tables and routes, internet and NAT gateways,
//! regions and zones) as commands: every change action parses its request into an
//! [`aws::Command`] with typed input, without the world, and every describe is a read. Pins
//! what the parse builds (route targets by id kind, destinations, blocks with the caller's
//! spelling, NAT connectivity and address) and that refusals of the request's own text come
//! before any lookup in the world.

use vpcpeer_model::aws::gateway::NewNat;
use vpcpeer_model::aws::input::Spelled;
use vpcpeer_model::aws::route::RouteSpec;
use vpcpeer_model::aws::vpc::{NewBlock, NewVpc, Tenancy};
use vpcpeer_model::aws::Command;
use vpcpeer_model::testkit::{TestEnv, A};
use vpcpeer_model::{Destination, RouteTarget, Scope, Tags};
use vpcpeer_wire_aws::{handler, Action, Ec2Error, Params, Xml};

const CHANGES: &[&str] = &[
    "AssociateRouteTable",
    "AssociateVpcCidrBlock",
    "AttachInternetGateway",
    "CreateInternetGateway",
    "CreateNatGateway",
    "CreateRoute",
    "CreateRouteTable",
    "CreateSubnet",
    "CreateVpc",
    "DeleteInternetGateway",
    "DeleteNatGateway",
    "DeleteRoute",
    "DeleteRouteTable",
    "DeleteSubnet",
    "DeleteVpc",
    "DetachInternetGateway",
    "DisassociateRouteTable",
    "DisassociateVpcCidrBlock",
    "ModifySubnetAttribute",
    "ModifyVpcAttribute",
    "ReplaceRoute",
    "ReplaceRouteTableAssociation",
];

const READS: &[&str] = &[
    "DescribeAvailabilityZones",
    "DescribeInternetGateways",
    "DescribeNatGateways",
    "DescribeRegions",
    "DescribeRouteTables",
    "DescribeSubnets",
    "DescribeVpcAttribute",
    "DescribeVpcs",
];

fn params(body: &str) -> Params {
    Params::parse("", body.as_bytes())
}

/// What `action` parses `body` into (no world involved).
fn parse(action: &str, body: &str) -> Result<Command, Ec2Error> {
    match handler(action) {
        Some(Action::Change { parse, .. }) => parse(&params(body)),
        other => panic!("{action} is not a change: {other:?}"),
    }
}

#[test]
fn every_area_one_action_is_a_command_or_a_read() {
    for a in CHANGES {
        assert!(
            matches!(handler(a), Some(Action::Change { .. })),
            "{a} should be a command"
        );
    }
    for a in READS {
        assert!(
            matches!(handler(a), Some(Action::Read(_))),
            "{a} should be a read"
        );
    }
}

#[test]
fn route_targets_and_destinations_are_typed_at_the_edge() {
    let spec = |target: RouteTarget, to: &str| {
        Command::CreateRoute(RouteSpec {
            route_table_id: "rtb-00000001".into(),
            destination: Destination::V4(to.parse().expect("test cidr")),
            target,
        })
    };
    let rows: Vec<(&str, Command)> = vec![
        (
            "GatewayId=igw-00000001",
            spec(RouteTarget::Gateway("igw-00000001".into()), "0.0.0.0/0"),
        ),
        (
            "GatewayId=vgw-00000001",
            spec(RouteTarget::Gateway("vgw-00000001".into()), "0.0.0.0/0"),
        ),
        ("GatewayId=local", spec(RouteTarget::Local, "0.0.0.0/0")),
        (
            "GatewayId=vpce-00000001",
            spec(
                RouteTarget::VpcEndpoint("vpce-00000001".into()),
                "0.0.0.0/0",
            ),
        ),
        (
            "VpcPeeringConnectionId=pcx-00000001",
            spec(RouteTarget::Peering("pcx-00000001".into()), "0.0.0.0/0"),
        ),
        (
            "NatGatewayId=nat-00000001",
            spec(RouteTarget::NatGateway("nat-00000001".into()), "0.0.0.0/0"),
        ),
        (
            "InstanceId=i-00000001",
            spec(RouteTarget::Instance("i-00000001".into()), "0.0.0.0/0"),
        ),
        (
            "NetworkInterfaceId=eni-00000001",
            spec(
                RouteTarget::NetworkInterface("eni-00000001".into()),
                "0.0.0.0/0",
            ),
        ),
        (
            "TransitGatewayId=tgw-00000001",
            spec(
                RouteTarget::TransitGateway("tgw-00000001".into()),
                "0.0.0.0/0",
            ),
        ),
    ];
    for (target, want) in rows {
        let body = format!("RouteTableId=rtb-00000001&DestinationCidrBlock=0.0.0.0/0&{target}");
        assert_eq!(parse("CreateRoute", &body).expect(target), want, "{target}");
    }
    // Host bits are dropped from a destination.
    assert_eq!(
        parse(
            "CreateRoute",
            "RouteTableId=rtb-00000001&DestinationCidrBlock=10.1.2.3/16&GatewayId=igw-00000001"
        )
        .expect("valid"),
        spec(RouteTarget::Gateway("igw-00000001".into()), "10.1.0.0/16")
    );
    // An IPv6 destination; DeleteRoute takes the destination alone.
    assert_eq!(
        parse(
            "DeleteRoute",
            "RouteTableId=rtb-00000001&DestinationIpv6CidrBlock=::/0&GatewayId=igw-00000001"
        )
        .expect("valid"),
        Command::DeleteRoute {
            route_table_id: "rtb-00000001".into(),
            destination: Destination::V6("::/0".parse().expect("v6")),
        }
    );
}

#[test]
fn blocks_keep_the_callers_spelling_and_nat_inputs_are_typed() {
    assert_eq!(
        parse(
            "CreateVpc",
            "CidrBlock=10.0.0.1/16&InstanceTenancy=dedicated"
        )
        .expect("valid"),
        Command::CreateVpc(NewVpc {
            block: Spelled {
                value: "10.0.0.0/16".parse().expect("cidr"),
                text: "10.0.0.1/16".into(),
            },
            amazon_ipv6: false,
            tenancy: Tenancy::Dedicated,
            tags: Tags::new(),
        })
    );
    assert_eq!(
        parse(
            "AssociateVpcCidrBlock",
            "VpcId=vpc-00000001&AmazonProvidedIpv6CidrBlock=true"
        )
        .expect("valid"),
        Command::AssociateVpcCidr {
            vpc_id: "vpc-00000001".into(),
            block: NewBlock::AmazonIpv6,
        }
    );
    assert_eq!(
        parse(
            "CreateNatGateway",
            "SubnetId=subnet-00000001&ConnectivityType=private&PrivateIpAddress=10.0.1.9&ClientToken=t1"
        )
        .expect("valid"),
        Command::CreateNatGateway(NewNat {
            subnet_id: "subnet-00000001".into(),
            allocation_id: None,
            public: false,
            private_ip: Some("10.0.1.9".parse().expect("ip")),
            client_token: Some("t1".into()),
            tags: Tags::new(),
        })
    );
}

/// Refusals of the request's own text, with their EC2 code and message; the same requests
/// name resources that do not exist, which the world would refuse only later.
#[test]
fn the_requests_own_text_is_refused_before_any_lookup() {
    let rows = [
        (
            "CreateRoute",
            "RouteTableId=rtb-0123456789abcdef0&DestinationCidrBlock=10.0.0.0/33&GatewayId=igw-00000001",
            "InvalidParameterValue",
            "Value (10.0.0.0/33) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.",
        ),
        (
            "AssociateVpcCidrBlock",
            "VpcId=vpc-0123456789abcdef0&CidrBlock=10.0.0.0/8",
            "InvalidVpc.Range",
            "The CIDR '10.0.0.0/8' is invalid.",
        ),
        (
            "CreateSubnet",
            "VpcId=vpc-0123456789abcdef0&CidrBlock=nonsense",
            "InvalidParameterValue",
            "Value (nonsense) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
        ),
        (
            "CreateNatGateway",
            "SubnetId=subnet-0123456789abcdef0&ConnectivityType=sideways",
            "InvalidParameterValue",
            "",
        ),
    ];
    let mut env = TestEnv::new();
    for (action, body, code, message) in rows {
        let e = parse(action, body).expect_err(action);
        assert_eq!(e.code, code, "{action}: {}", e.message);
        if !message.is_empty() {
            assert_eq!(e.message, message, "{action}");
        }
        // Run whole, the request answers the same.
        let h = handler(action).expect("served");
        let mut x = Xml::new();
        let got = env.transact(&Scope::new(A, "us-east-1"), |tx| {
            h.run(tx, &params(body), &mut x)
        });
        assert_eq!(got.expect_err(action).code, code, "{action}");
    }
}
