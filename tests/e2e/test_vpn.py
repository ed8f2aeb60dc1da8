"""End-to-end tests of virtual private gateways, route propagation and customer gateways, with
boto3 and the aws CLI, and the reachability engine's VPN edge-to-edge blocker through Network
Insights."""

from conftest import ACCOUNT_B, fails, one_sided_peering


def test_vpn_gateway_lifecycle_boto3(server):
    ec2 = server.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    vpc2 = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    g = ec2.create_vpn_gateway(
        Type="ipsec.1", AmazonSideAsn=65001,
        TagSpecifications=[{"ResourceType": "vpn-gateway", "Tags": [{"Key": "Name", "Value": "edge"}]}],
    )["VpnGateway"]
    gid = g["VpnGatewayId"]
    assert gid.startswith("vgw-")
    assert g["State"] == "available" and g["Type"] == "ipsec.1"
    assert g["AmazonSideAsn"] == 65001 and g["VpcAttachments"] == []
    assert g["Tags"] == [{"Key": "Name", "Value": "edge"}]
    other = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]
    assert other["AmazonSideAsn"] == 64512

    att = ec2.attach_vpn_gateway(VpnGatewayId=gid, VpcId=vpc)["VpcAttachment"]
    assert att == {"VpcId": vpc, "State": "attached"}
    fails("VpnGatewayAttachmentLimitExceeded", ec2.attach_vpn_gateway,
          VpnGatewayId=other["VpnGatewayId"], VpcId=vpc)
    fails("IncorrectState", ec2.attach_vpn_gateway, VpnGatewayId=gid, VpcId=vpc2)
    fails("IncorrectState", ec2.delete_vpn_gateway, VpnGatewayId=gid)
    fails("InvalidVpnGatewayAttachment.NotFound", ec2.detach_vpn_gateway, VpnGatewayId=gid,
          VpcId=vpc2)
    fails("InvalidVpnGatewayID.NotFound", ec2.attach_vpn_gateway,
          VpnGatewayId="vgw-0123456789abcdef0", VpcId=vpc2)
    fails("InvalidParameterValue", ec2.create_vpn_gateway, Type="ipsec.1", AmazonSideAsn=100)
    fails("DependencyViolation", ec2.delete_vpc, VpcId=vpc)

    got = ec2.describe_vpn_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]},
                 {"Name": "attachment.state", "Values": ["attached"]}])["VpnGateways"]
    assert [x["VpnGatewayId"] for x in got] == [gid]
    got = ec2.describe_vpn_gateways(Filters=[{"Name": "tag:Name", "Values": ["edge"]}])["VpnGateways"]
    assert [x["VpnGatewayId"] for x in got] == [gid]
    got = ec2.describe_vpn_gateways(Filters=[{"Name": "amazon-side-asn", "Values": ["64512"]}])
    assert [x["VpnGatewayId"] for x in got["VpnGateways"]] == [other["VpnGatewayId"]]
    assert len(ec2.describe_vpn_gateways(Filters=[{"Name": "type", "Values": ["ipsec.1"]}])[
        "VpnGateways"]) == 2
    # Another account sees none of them.
    b = server.ec2(ACCOUNT_B)
    assert b.describe_vpn_gateways()["VpnGateways"] == []
    fails("InvalidVpnGatewayID.NotFound", b.describe_vpn_gateways, VpnGatewayIds=[gid])

    # Routes and propagation.
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    rtb2 = ec2.create_route_table(VpcId=vpc2)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.168.0.0/16", GatewayId=gid)
    fails("InvalidParameterValue", ec2.create_route, RouteTableId=rtb2,
          DestinationCidrBlock="192.168.0.0/16", GatewayId=gid)
    ec2.enable_vgw_route_propagation(RouteTableId=rtb, GatewayId=gid)
    fails("Gateway.NotAttached", ec2.enable_vgw_route_propagation, RouteTableId=rtb2, GatewayId=gid)
    t = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]
    assert t["PropagatingVgws"] == [{"GatewayId": gid}]
    route = [r for r in t["Routes"] if r.get("GatewayId") == gid][0]
    assert route["State"] == "active" and route["DestinationCidrBlock"] == "192.168.0.0/16"
    ec2.disable_vgw_route_propagation(RouteTableId=rtb, GatewayId=gid)
    assert ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["PropagatingVgws"] == []

    ec2.detach_vpn_gateway(VpnGatewayId=gid, VpcId=vpc)
    got = ec2.describe_vpn_gateways(VpnGatewayIds=[gid])["VpnGateways"][0]
    assert got["VpcAttachments"] == [{"VpcId": vpc, "State": "detached"}]
    t = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]
    assert [r["State"] for r in t["Routes"] if r.get("GatewayId") == gid] == ["blackhole"]
    ec2.delete_vpn_gateway(VpnGatewayId=gid)
    fails("InvalidVpnGatewayID.NotFound", ec2.describe_vpn_gateways, VpnGatewayIds=[gid])
    # DescribeTags covers the kind.
    ec2.create_tags(Resources=[other["VpnGatewayId"]], Tags=[{"Key": "k", "Value": "v"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["vpn-gateway"]}])["Tags"]
    assert tags == [{"ResourceId": other["VpnGatewayId"], "ResourceType": "vpn-gateway",
                     "Key": "k", "Value": "v"}]


def test_vpn_gateway_cli(server):
    vpc = server.cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    g = server.cli("ec2", "create-vpn-gateway", "--type", "ipsec.1")["VpnGateway"]
    gid = g["VpnGatewayId"]
    out = server.cli("ec2", "attach-vpn-gateway", "--vpn-gateway-id", gid, "--vpc-id", vpc)
    assert out["VpcAttachment"]["State"] == "attached"
    got = server.cli("ec2", "describe-vpn-gateways", "--filters",
                     f"Name=attachment.vpc-id,Values={vpc}")["VpnGateways"]
    assert [x["VpnGatewayId"] for x in got] == [gid]
    rtb = server.cli("ec2", "describe-route-tables", "--filters",
                     f"Name=vpc-id,Values={vpc}")["RouteTables"][0]["RouteTableId"]
    server.cli("ec2", "enable-vgw-route-propagation", "--route-table-id", rtb, "--gateway-id", gid)
    t = server.cli("ec2", "describe-route-tables", "--route-table-ids", rtb)["RouteTables"][0]
    assert t["PropagatingVgws"] == [{"GatewayId": gid}]
    server.cli("ec2", "disable-vgw-route-propagation", "--route-table-id", rtb, "--gateway-id", gid)
    p = server.cli("ec2", "delete-vpn-gateway", "--vpn-gateway-id", gid, check=False)
    assert p.returncode != 0 and "IncorrectState" in p.stderr
    server.cli("ec2", "detach-vpn-gateway", "--vpn-gateway-id", gid, "--vpc-id", vpc)
    server.cli("ec2", "delete-vpn-gateway", "--vpn-gateway-id", gid)
    assert server.cli("ec2", "describe-vpn-gateways")["VpnGateways"] == []


def test_customer_gateways_boto3_and_cli(server):
    ec2 = server.ec2()
    c = ec2.create_customer_gateway(
        Type="ipsec.1", BgpAsn=65010, IpAddress="203.0.113.12", DeviceName="edge-router",
        TagSpecifications=[{"ResourceType": "customer-gateway", "Tags": [{"Key": "site", "Value": "hq"}]}],
    )["CustomerGateway"]
    cid = c["CustomerGatewayId"]
    assert cid.startswith("cgw-")
    assert (c["BgpAsn"], c["IpAddress"], c["State"], c["Type"], c["DeviceName"]) == (
        "65010", "203.0.113.12", "available", "ipsec.1", "edge-router")
    got = ec2.describe_customer_gateways(
        Filters=[{"Name": "ip-address", "Values": ["203.0.113.12"]}])["CustomerGateways"]
    assert [x["CustomerGatewayId"] for x in got] == [cid]
    fails("InvalidParameterValue", ec2.create_customer_gateway, Type="ipsec.1", BgpAsn=65000,
          IpAddress="not-an-address")
    fails("InvalidParameterValue", ec2.create_customer_gateway, Type="ipsec.2", BgpAsn=65000,
          IpAddress="203.0.113.1")
    fails("InvalidCustomerGatewayID.NotFound", ec2.delete_customer_gateway,
          CustomerGatewayId="cgw-0123456789abcdef0")

    out = server.cli("ec2", "create-customer-gateway", "--type", "ipsec.1", "--bgp-asn", "65020",
                     "--ip-address", "198.51.100.7")["CustomerGateway"]
    got = server.cli("ec2", "describe-customer-gateways", "--customer-gateway-ids",
                     out["CustomerGatewayId"])["CustomerGateways"]
    assert got[0]["BgpAsn"] == "65020"
    server.cli("ec2", "delete-customer-gateway", "--customer-gateway-id", out["CustomerGatewayId"])
    ec2.delete_customer_gateway(CustomerGatewayId=cid)
    assert ec2.describe_customer_gateways()["CustomerGateways"] == []


def test_insights_names_the_vpn_edge_to_edge_blocker(server):
    """A's instance sends to on-premises (192.168.7.9) over the peering; B routes on-premises
    to its virtual private gateway. A peer cannot use B's VPN: Network Insights names it."""
    t = one_sided_peering(server)
    a, b = t.a, t.b
    g = b.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    b.attach_vpn_gateway(VpnGatewayId=g, VpcId=t.vb)
    b.create_route(RouteTableId=t.rtb_b, DestinationCidrBlock="192.168.0.0/16", GatewayId=g)
    a.create_route(RouteTableId=t.rtb_a, DestinationCidrBlock="192.168.0.0/16",
                   VpcPeeringConnectionId=t.pcx)
    pid = a.create_network_insights_path(
        Source=t.ia["InstanceId"], DestinationIp="192.168.7.9", Protocol="tcp",
        DestinationPort=443)["NetworkInsightsPath"]["NetworkInsightsPathId"]
    an = a.start_network_insights_analysis(NetworkInsightsPathId=pid)["NetworkInsightsAnalysis"]
    an = a.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[an["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
    assert an["NetworkPathFound"] is False
    codes = [(e["ExplanationCode"], e["Component"]["Id"]) for e in an["Explanations"]]
    assert ("VGW_EDGE_TO_EDGE", g) in codes, codes
    assert codes[0] == ("PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", t.pcx), codes

    # A's own VPN gateway reaches on-premises: the path ends at the gateway.
    va_gw = a.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    a.attach_vpn_gateway(VpnGatewayId=va_gw, VpcId=t.va)
    a.replace_route(RouteTableId=t.rtb_a, DestinationCidrBlock="192.168.0.0/16", GatewayId=va_gw)
    out = server.cli("ec2", "start-network-insights-analysis", "--network-insights-path-id", pid)
    an = out["NetworkInsightsAnalysis"]
    assert an["NetworkPathFound"] is True, an.get("Explanations")
    comps = [c["Component"]["Id"] for c in an["ForwardPathComponents"]]
    assert comps[-1] == va_gw, comps
