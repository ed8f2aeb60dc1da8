"""IPv6 through boto3, the aws CLI and `vpcpeer reach`: a dual-stack VPC with an Amazon /56, a /64
per subnet, an egress-only internet gateway and its ::/0 route, an IPv6-only subnet, the ::/0
egress rule of new groups, instances given IPv6 addresses on launch, a peering with IPv6 routes,
and reachability over IPv6 (an analysis, the CLI, traffic from the internet)."""

import ipaddress
import json
import subprocess

from conftest import AMI, ACCOUNT_A, ACCOUNT_B, BIN, cli_error_code, fails


def nth64(block56, n):
    net = ipaddress.IPv6Network(block56)
    return str(ipaddress.IPv6Network((int(net.network_address) + (n << 64), 64)))


def dual_stack(ec2, cidr="10.0.0.0/16"):
    vpc = ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    assoc = vpc["Ipv6CidrBlockAssociationSet"]
    assert len(assoc) == 1
    return vpc["VpcId"], assoc[0]["Ipv6CidrBlock"]


def main_rtb(ec2, vpc):
    return ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"][0]["RouteTableId"]


def v6_instance(ec2, vpc, block, cidr, n=0):
    """A subnet with the `n`th /64 of `block` assigning IPv6 on launch, a group admitting tcp/80
    from ::/0, and an instance: (subnet id, instance)."""
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, Ipv6CidrBlock=nth64(block, n))[
        "Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=sub, AssignIpv6AddressOnCreation={"Value": True})
    sg = ec2.create_security_group(VpcId=vpc, GroupName="web", Description="web")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
        "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sub,
                             SecurityGroupIds=[sg])["Instances"][0]
    return sub, inst


def test_dual_stack_vpc_subnets_and_egress_only_gateway(server):
    ec2 = server.ec2()
    vpc, block = dual_stack(ec2)
    net = ipaddress.IPv6Network(block)
    assert net.prefixlen == 56 and net.subnet_of(ipaddress.IPv6Network("2600:1f00::/24"))
    got = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]
    assert got["Ipv6Pool"] == "Amazon" and got["NetworkBorderGroup"] == "us-east-1"
    assert got["Ipv6CidrBlockState"]["State"] == "associated"
    # A second Amazon block is another /56; the local routes follow.
    extra = ec2.associate_vpc_cidr_block(VpcId=vpc, AmazonProvidedIpv6CidrBlock=True)[
        "Ipv6CidrBlockAssociation"]
    assert extra["Ipv6CidrBlock"] != block
    rtb = main_rtb(ec2, vpc)
    locals6 = {r["DestinationIpv6CidrBlock"] for r in ec2.describe_route_tables(
        RouteTableIds=[rtb])["RouteTables"][0]["Routes"] if "DestinationIpv6CidrBlock" in r}
    assert locals6 == {block, extra["Ipv6CidrBlock"]}
    ec2.disassociate_vpc_cidr_block(AssociationId=extra["AssociationId"])

    # A new group of an IPv6 VPC lets all IPv6 out.
    sg = ec2.create_security_group(VpcId=vpc, GroupName="g", Description="g")["GroupId"]
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [sg]}])["SecurityGroupRules"]
    assert sorted(r.get("CidrIpv4", r.get("CidrIpv6")) for r in rules if r["IsEgress"]) == [
        "0.0.0.0/0", "::/0"]

    # Subnets: one created with its /64, one given it afterwards.
    s1 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=nth64(block, 1))[
        "Subnet"]
    assert s1["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == nth64(block, 1)
    s2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    fails("InvalidSubnet.Conflict", ec2.associate_subnet_cidr_block,
          SubnetId=s2, Ipv6CidrBlock=nth64(block, 1))
    fails("InvalidSubnet.Range", ec2.associate_subnet_cidr_block,
          SubnetId=s2, Ipv6CidrBlock="2001:db8::/64")
    a = ec2.associate_subnet_cidr_block(SubnetId=s2, Ipv6CidrBlock=nth64(block, 2))
    assert a["SubnetId"] == s2
    assoc = a["Ipv6CidrBlockAssociation"]
    assert assoc["AssociationId"].startswith("subnet-cidr-assoc-")
    assert assoc["Ipv6CidrBlockState"]["State"] == "associated"
    fails("InvalidParameterValue", ec2.associate_subnet_cidr_block,
          SubnetId=s2, Ipv6CidrBlock=nth64(block, 3))
    # The VPC block cannot go while subnets use it.
    fails("DependencyViolation", ec2.disassociate_vpc_cidr_block,
          AssociationId=got["AssociationId"])

    # Launch with AssignIpv6AddressOnCreation: the instance gets an address of the /64.
    ec2.modify_subnet_attribute(SubnetId=s2, AssignIpv6AddressOnCreation={"Value": True})
    inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=s2)["Instances"][0]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[
        inst["NetworkInterfaces"][0]["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    addr = ipaddress.IPv6Address(eni["Ipv6Addresses"][0]["Ipv6Address"])
    assert addr in ipaddress.IPv6Network(nth64(block, 2))
    fails("DependencyViolation", ec2.disassociate_subnet_cidr_block,
          AssociationId=assoc["AssociationId"])
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    out = ec2.disassociate_subnet_cidr_block(AssociationId=assoc["AssociationId"])
    assert out["Ipv6CidrBlockAssociation"]["Ipv6CidrBlockState"]["State"] == "disassociated"
    fails("InvalidAssociationID.NotFound", ec2.disassociate_subnet_cidr_block,
          AssociationId=assoc["AssociationId"])

    # Egress-only internet gateway: created attached, tagged, found by tag, routed to.
    g = ec2.create_egress_only_internet_gateway(
        VpcId=vpc, ClientToken="tok",
        TagSpecifications=[{"ResourceType": "egress-only-internet-gateway",
                            "Tags": [{"Key": "Name", "Value": "out"}]}])
    assert g["ClientToken"] == "tok"
    gw = g["EgressOnlyInternetGateway"]
    gid = gw["EgressOnlyInternetGatewayId"]
    assert gid.startswith("eigw-")
    assert gw["Attachments"] == [{"State": "attached", "VpcId": vpc}]
    found = ec2.describe_egress_only_internet_gateways(
        Filters=[{"Name": "tag:Name", "Values": ["out"]}])["EgressOnlyInternetGateways"]
    assert [x["EgressOnlyInternetGatewayId"] for x in found] == [gid]
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0",
                     EgressOnlyInternetGatewayId=gid)
    fails("InvalidParameterValue", ec2.create_route, RouteTableId=rtb,
          DestinationCidrBlock="0.0.0.0/0", EgressOnlyInternetGatewayId=gid)
    route = [r for r in ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
             if r.get("DestinationIpv6CidrBlock") == "::/0"][0]
    assert route["EgressOnlyInternetGatewayId"] == gid and route["State"] == "active"
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [gid]}])["Tags"]
    assert tags == [{"Key": "Name", "Value": "out", "ResourceId": gid,
                     "ResourceType": "egress-only-internet-gateway"}]
    fails("DependencyViolation", ec2.delete_vpc, VpcId=vpc)
    assert ec2.delete_egress_only_internet_gateway(
        EgressOnlyInternetGatewayId=gid)["ReturnCode"] is True
    fails("InvalidEgressOnlyInternetGatewayId.NotFound",
          ec2.delete_egress_only_internet_gateway, EgressOnlyInternetGatewayId=gid)
    route = [r for r in ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
             if r.get("DestinationIpv6CidrBlock") == "::/0"][0]
    assert route["State"] == "blackhole"


def test_ipv6_only_subnet_and_gateways_with_the_cli(server):
    ec2 = server.ec2()
    vpc, block = dual_stack(ec2)
    sub = server.cli("ec2", "create-subnet", "--vpc-id", vpc, "--ipv6-native",
                     "--ipv6-cidr-block", nth64(block, 0))["Subnet"]
    assert sub["Ipv6Native"] is True and "CidrBlock" not in sub
    assert sub["AssignIpv6AddressOnCreation"] is True
    assert sub["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == nth64(block, 0)
    got = server.cli("ec2", "describe-subnets", "--filters",
                     "Name=ipv6-native,Values=true")["Subnets"]
    assert [s["SubnetId"] for s in got] == [sub["SubnetId"]]
    p = server.cli("ec2", "create-subnet", "--vpc-id", vpc, "--ipv6-native", check=False)
    assert cli_error_code(p) == "MissingParameter", p.stderr
    p = server.cli("ec2", "disassociate-subnet-cidr-block", "--association-id",
                   sub["Ipv6CidrBlockAssociationSet"][0]["AssociationId"], check=False)
    assert cli_error_code(p) == "OperationNotPermitted", p.stderr

    plain = server.cli("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block",
                       "10.0.1.0/24")["Subnet"]["SubnetId"]
    a = server.cli("ec2", "associate-subnet-cidr-block", "--subnet-id", plain,
                   "--ipv6-cidr-block", nth64(block, 1))
    assert a["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"] == nth64(block, 1)

    g = server.cli("ec2", "create-egress-only-internet-gateway", "--vpc-id", vpc)[
        "EgressOnlyInternetGateway"]
    gid = g["EgressOnlyInternetGatewayId"]
    listed = server.cli("ec2", "describe-egress-only-internet-gateways",
                        "--egress-only-internet-gateway-ids", gid)["EgressOnlyInternetGateways"]
    assert listed[0]["Attachments"][0]["VpcId"] == vpc
    assert server.cli("ec2", "delete-egress-only-internet-gateway",
                      "--egress-only-internet-gateway-id", gid)["ReturnCode"] is True
    p = server.cli("ec2", "describe-egress-only-internet-gateways",
                   "--egress-only-internet-gateway-ids", gid, check=False)
    assert cli_error_code(p) == "InvalidEgressOnlyInternetGatewayId.NotFound", p.stderr


def reach(server, *args, account=ACCOUNT_A):
    p = subprocess.run([BIN, "reach", "--endpoint", server.url, "--account", account, *args,
                        "--output", "json"], capture_output=True, text=True, timeout=30)
    assert p.returncode in (0, 1), p.stdout + p.stderr
    return json.loads(p.stdout)


def test_ipv6_over_a_peering_and_from_the_internet(server):
    a, b = server.ec2(ACCOUNT_A), server.ec2(ACCOUNT_B)
    va, block_a = dual_stack(a, "10.0.0.0/16")
    vb, block_b = dual_stack(b, "10.1.0.0/16")
    _, ia = v6_instance(a, va, block_a, "10.0.1.0/24")
    _, ib = v6_instance(b, vb, block_b, "10.1.1.0/24")
    ib_v6 = b.describe_instances(InstanceIds=[ib["InstanceId"]])["Reservations"][0][
        "Instances"][0]["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"]
    pcx = a.create_vpc_peering_connection(VpcId=va, PeerVpcId=vb, PeerOwnerId=ACCOUNT_B)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    acc = b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)["VpcPeeringConnection"]
    assert acc["RequesterVpcInfo"]["Ipv6CidrBlockSet"] == [{"Ipv6CidrBlock": block_a}]
    assert acc["AccepterVpcInfo"]["Ipv6CidrBlockSet"] == [{"Ipv6CidrBlock": block_b}]
    rtb_a, rtb_b = main_rtb(a, va), main_rtb(b, vb)
    a.create_route(RouteTableId=rtb_a, DestinationIpv6CidrBlock=block_b,
                   VpcPeeringConnectionId=pcx)

    # One way only: the reply has no IPv6 route back.
    v = reach(server, "--from", ia["InstanceId"], "--to", ib_v6, "--protocol", "tcp",
              "--port", "80")
    assert v["reachable"] is False
    assert [(x["code"], x["leg"]) for x in v["blockers"]] == [
        ("NO_ROUTE_TO_DESTINATION", "return")]
    b.create_route(RouteTableId=rtb_b, DestinationIpv6CidrBlock=block_a,
                   VpcPeeringConnectionId=pcx)
    v = reach(server, "--from", ia["InstanceId"], "--to", ib_v6, "--protocol", "tcp",
              "--port", "80")
    assert v["reachable"] is True and v["blockers"] == []

    # The same question as a Network Insights analysis with an IPv6 destination address.
    path = a.create_network_insights_path(Source=ia["InstanceId"], DestinationIp=ib_v6,
                                          Protocol="tcp", DestinationPort=80)[
        "NetworkInsightsPath"]
    an = a.start_network_insights_analysis(
        NetworkInsightsPathId=path["NetworkInsightsPathId"])["NetworkInsightsAnalysis"]
    got = a.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[an["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
    assert got["NetworkPathFound"] is True, got.get("Explanations")

    # B's instance behind an egress-only gateway: out to the internet, but nothing comes in.
    g = b.create_egress_only_internet_gateway(VpcId=vb)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    b.create_route(RouteTableId=rtb_b, DestinationIpv6CidrBlock="::/0",
                   EgressOnlyInternetGatewayId=g)
    out = reach(server, "--from", ib["InstanceId"], "--to", "2001:db8::10", "--protocol", "tcp",
                "--port", "80", account=ACCOUNT_B)
    assert out["reachable"] is True, out
    inbound = reach(server, "--from", "2001:db8::10", "--to", ib["InstanceId"], "--protocol",
                    "tcp", "--port", "80", account=ACCOUNT_B)
    assert inbound["reachable"] is False
    assert [x["code"] for x in inbound["blockers"]] == ["EGRESS_ONLY_IGW_INBOUND"]
    assert inbound["blockers"][0]["component"]["id"] == g
    # With an internet gateway the same instance is reachable from the internet.
    igw = b.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    b.attach_internet_gateway(InternetGatewayId=igw, VpcId=vb)
    inbound = reach(server, "--from", "2001:db8::10", "--to", ib["InstanceId"], "--protocol",
                    "tcp", "--port", "80", account=ACCOUNT_B)
    assert inbound["reachable"] is True, inbound
