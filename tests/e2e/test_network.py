"""End-to-end tests of subnets, route tables and routes, internet gateways and NAT gateways,
driven by boto3 and the aws CLI against a real `vpcpeer serve`."""

import ipaddress

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT_A, ACCOUNT_B, error_code, new_vpc_id, unvalidated_ec2


def main_table(ec2, vpc_id):
    tables = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"]
    assert len(tables) == 1
    return tables[0]


def routes_of(ec2, rtb_id):
    return ec2.describe_route_tables(RouteTableIds=[rtb_id])["RouteTables"][0]["Routes"]


def route_to(ec2, rtb_id, dest):
    return next(r for r in routes_of(ec2, rtb_id) if r.get("DestinationCidrBlock") == dest)


# --------------------------------------------------------------------------------------------
# Subnets


def test_create_describe_delete_subnet(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    s = ec2.create_subnet(
        VpcId=vpc,
        CidrBlock="10.0.1.0/24",
        AvailabilityZone="us-east-1b",
        TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": "web"}]}],
    )["Subnet"]
    assert s["SubnetId"].startswith("subnet-")
    assert s["SubnetArn"] == f"arn:aws:ec2:us-east-1:{ACCOUNT_A}:subnet/{s['SubnetId']}"
    assert s["VpcId"] == vpc
    assert s["OwnerId"] == ACCOUNT_A
    assert s["State"] == "available"
    assert s["CidrBlock"] == "10.0.1.0/24"
    assert s["AvailableIpAddressCount"] == 251
    assert s["AvailabilityZone"] == "us-east-1b"
    assert s["AvailabilityZoneId"] == "use1-az2"
    assert s["DefaultForAz"] is False
    assert s["MapPublicIpOnLaunch"] is False
    assert s["Tags"] == [{"Key": "Name", "Value": "web"}]

    d = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]
    assert d["AvailabilityZone"] == "us-east-1a"
    z = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.3.0/28", AvailabilityZoneId="use1-az3")["Subnet"]
    assert z["AvailabilityZone"] == "us-east-1c"
    assert z["AvailableIpAddressCount"] == 11

    def ids(filters):
        return sorted(x["SubnetId"] for x in ec2.describe_subnets(Filters=filters)["Subnets"])

    assert ids([{"Name": "vpc-id", "Values": [vpc]}]) == sorted(
        [s["SubnetId"], d["SubnetId"], z["SubnetId"]]
    )
    assert ids([{"Name": "cidr-block", "Values": ["10.0.1.0/24"]}]) == [s["SubnetId"]]
    assert ids([{"Name": "cidrBlock", "Values": ["10.0.2.*"]}]) == [d["SubnetId"]]
    assert ids([{"Name": "availability-zone", "Values": ["us-east-1b"]}]) == [s["SubnetId"]]
    assert ids([{"Name": "availability-zone-id", "Values": ["use1-az3"]}]) == [z["SubnetId"]]
    assert ids([{"Name": "tag:Name", "Values": ["web"]}]) == [s["SubnetId"]]
    assert ids([{"Name": "default-for-az", "Values": ["true"]}]) == []
    assert len(ids([{"Name": "state", "Values": ["available"]}, {"Name": "owner-id", "Values": [ACCOUNT_A]}])) == 3

    got = ec2.describe_subnets(SubnetIds=[s["SubnetId"]])["Subnets"]
    assert [x["SubnetId"] for x in got] == [s["SubnetId"]]

    ec2.delete_subnet(SubnetId=s["SubnetId"])
    with pytest.raises(ClientError) as e:
        ec2.describe_subnets(SubnetIds=[s["SubnetId"]])
    assert error_code(e) == "InvalidSubnetID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    assert error_code(e) == "InvalidSubnetID.NotFound"
    # Another account does not see it.
    with pytest.raises(ClientError) as e:
        server.ec2(ACCOUNT_B).describe_subnets(SubnetIds=[d["SubnetId"]])
    assert error_code(e) == "InvalidSubnetID.NotFound"


@pytest.mark.parametrize(
    "kwargs,code",
    [
        ({"CidrBlock": "10.1.0.0/24"}, "InvalidSubnet.Range"),
        ({"CidrBlock": "10.0.0.0/29"}, "InvalidSubnet.Range"),
        ({"CidrBlock": "10.0.0.0/15"}, "InvalidSubnet.Range"),
        ({"CidrBlock": "10.0.0.0/33"}, "InvalidParameterValue"),
        ({"CidrBlock": "banana"}, "InvalidParameterValue"),
        ({"CidrBlock": "10.0.0.0/25"}, "InvalidSubnet.Conflict"),
        ({"CidrBlock": "10.0.0.0/16"}, "InvalidSubnet.Conflict"),
        ({"CidrBlock": "10.0.9.0/24", "AvailabilityZone": "us-west-2a"}, "InvalidParameterValue"),
        ({"CidrBlock": "10.0.9.0/24", "AvailabilityZoneId": "use1-az99"}, "InvalidParameterValue"),
        ({"CidrBlock": "10.0.9.0/24", "Ipv6CidrBlock": "2600:1f18::/64"}, "InvalidSubnet.Range"),
        ({"CidrBlock": "10.0.9.0/24", "VpcId": "vpc-0123456789abcdef0"}, "InvalidVpcID.NotFound"),
        ({"CidrBlock": "10.0.9.0/24", "VpcId": "vpc-xyz"}, "InvalidVpcID.Malformed"),
    ],
)
def test_create_subnet_errors(server, kwargs, code):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(**{"VpcId": vpc, **kwargs})
    assert error_code(e) == code
    # Nothing half-created.
    assert len(ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]) == 1


def test_subnet_in_secondary_block_and_ipv6(server):
    ec2 = server.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    vpc_id = vpc["VpcId"]
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")
    s = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.1.5.0/24")["Subnet"]
    assert s["CidrBlock"] == "10.1.5.0/24"
    block = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    v6 = str(list(ipaddress.ip_network(block).subnets(new_prefix=64))[1])
    s6 = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=v6)["Subnet"]
    assoc = s6["Ipv6CidrBlockAssociationSet"][0]
    assert assoc["AssociationId"].startswith("subnet-cidr-assoc-")
    assert assoc["Ipv6CidrBlockState"]["State"] == "associated"
    found = ec2.describe_subnets(
        Filters=[{"Name": "ipv6-cidr-block-association.ipv6-cidr-block", "Values": [assoc["Ipv6CidrBlock"]]}]
    )["Subnets"]
    assert [x["SubnetId"] for x in found] == [s6["SubnetId"]]
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24", Ipv6CidrBlock=v6)
    assert error_code(e) == "InvalidSubnet.Conflict"
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24", Ipv6CidrBlock=block)
    assert error_code(e) == "InvalidSubnet.Range"


def test_describe_subnets_paging(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    created = sorted(
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in range(7)
    )
    page = ec2.describe_subnets(MaxResults=5)
    assert len(page["Subnets"]) == 5 and page["NextToken"]
    rest = ec2.describe_subnets(MaxResults=5, NextToken=page["NextToken"])
    assert "NextToken" not in rest
    assert sorted(x["SubnetId"] for x in page["Subnets"] + rest["Subnets"]) == created
    paginator = ec2.get_paginator("describe_subnets")
    assert sum(len(p["Subnets"]) for p in paginator.paginate(PaginationConfig={"PageSize": 5})) == 7
    with pytest.raises(ClientError) as e:
        unvalidated_ec2(server).describe_subnets(MaxResults=4)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.describe_subnets(Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    assert error_code(e) == "InvalidParameterValue"


def test_modify_subnet_attribute(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    s = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=s, MapPublicIpOnLaunch={"Value": True})
    assert ec2.describe_subnets(SubnetIds=[s])["Subnets"][0]["MapPublicIpOnLaunch"] is True
    found = ec2.describe_subnets(Filters=[{"Name": "map-public-ip-on-launch", "Values": ["true"]}])["Subnets"]
    assert [x["SubnetId"] for x in found] == [s]
    with pytest.raises(ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId=s, AssignIpv6AddressOnCreation={"Value": True})
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId="subnet-0123456789abcdef0", MapPublicIpOnLaunch={"Value": True})
    assert error_code(e) == "InvalidSubnetID.NotFound"


def test_subnet_cli(server):
    vpc = server.cli("ec2", "create-vpc", "--cidr-block", "10.9.0.0/16")["Vpc"]["VpcId"]
    s = server.cli(
        "ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.9.1.0/24",
        "--availability-zone", "us-east-1c",
    )["Subnet"]
    assert s["AvailabilityZone"] == "us-east-1c"
    out = server.cli("ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={vpc}")
    assert [x["SubnetId"] for x in out["Subnets"]] == [s["SubnetId"]]
    server.cli("ec2", "delete-subnet", "--subnet-id", s["SubnetId"])
    p = server.cli("ec2", "describe-subnets", "--subnet-ids", s["SubnetId"], check=False)
    assert p.returncode != 0 and "InvalidSubnetID.NotFound" in p.stderr


def test_delete_subnet_refused_while_interfaces_remain(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    with pytest.raises(ClientError) as e:
        ec2.delete_subnet(SubnetId=subnet)
    assert error_code(e) == "DependencyViolation"
    ec2.delete_nat_gateway(NatGatewayId=nat)
    ec2.delete_subnet(SubnetId=subnet)


# --------------------------------------------------------------------------------------------
# Route tables


def test_main_route_table_and_create_route_table(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    main = main_table(ec2, vpc)
    assert main["Associations"][0]["Main"] is True
    assert "SubnetId" not in main["Associations"][0]
    assert main["Routes"] == [
        {
            "DestinationCidrBlock": "10.0.0.0/16",
            "GatewayId": "local",
            "Origin": "CreateRouteTable",
            "State": "active",
        }
    ]
    rt = ec2.create_route_table(
        VpcId=vpc,
        TagSpecifications=[{"ResourceType": "route-table", "Tags": [{"Key": "tier", "Value": "private"}]}],
    )
    t = rt["RouteTable"]
    assert rt["ClientToken"]
    assert t["RouteTableId"].startswith("rtb-")
    assert t["VpcId"] == vpc and t["OwnerId"] == ACCOUNT_A
    assert t["Associations"] == []
    assert [r["GatewayId"] for r in t["Routes"]] == ["local"]
    assert t["Tags"] == [{"Key": "tier", "Value": "private"}]

    def ids(filters):
        return sorted(x["RouteTableId"] for x in ec2.describe_route_tables(Filters=filters)["RouteTables"])

    assert ids([{"Name": "vpc-id", "Values": [vpc]}]) == sorted([main["RouteTableId"], t["RouteTableId"]])
    assert ids([{"Name": "tag:tier", "Values": ["private"]}]) == [t["RouteTableId"]]
    assert ids([{"Name": "route.gateway-id", "Values": ["local"]}, {"Name": "route-table-id", "Values": [t["RouteTableId"]]}]) == [t["RouteTableId"]]
    assert ids([{"Name": "route.destination-cidr-block", "Values": ["10.0.0.0/16"]}]) == sorted(
        [main["RouteTableId"], t["RouteTableId"]]
    )
    assert ids([{"Name": "association.main", "Values": ["false"]}]) == []

    with pytest.raises(ClientError) as e:
        ec2.delete_route_table(RouteTableId=main["RouteTableId"])
    assert error_code(e) == "DependencyViolation"
    ec2.delete_route_table(RouteTableId=t["RouteTableId"])
    with pytest.raises(ClientError) as e:
        ec2.describe_route_tables(RouteTableIds=[t["RouteTableId"]])
    assert error_code(e) == "InvalidRouteTableID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.create_route_table(VpcId="vpc-0123456789abcdef0")
    assert error_code(e) == "InvalidVpcID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.describe_route_tables(RouteTableIds=["rtb-nothex"])
    assert error_code(e) == "InvalidRouteTableId.Malformed"


def test_route_table_associations(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    other_vpc = new_vpc_id(ec2, "10.1.0.0/16")
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    foreign = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    main = main_table(ec2, vpc)
    rt1 = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    rt2 = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]

    a = ec2.associate_route_table(RouteTableId=rt1, SubnetId=subnet)
    assert a["AssociationId"].startswith("rtbassoc-")
    assert a["AssociationState"]["State"] == "associated"
    found = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [rt1]
    assoc = found[0]["Associations"][0]
    assert assoc == {
        "Main": False,
        "RouteTableAssociationId": a["AssociationId"],
        "RouteTableId": rt1,
        "SubnetId": subnet,
        "AssociationState": {"State": "associated"},
    }

    for table in (rt1, rt2):
        with pytest.raises(ClientError) as e:
            ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        assert error_code(e) == "Resource.AlreadyAssociated"
    with pytest.raises(ClientError) as e:
        ec2.associate_route_table(RouteTableId=rt1, SubnetId=foreign)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.associate_route_table(RouteTableId=rt1, SubnetId="subnet-0123456789abcdef0")
    assert error_code(e) == "InvalidSubnetID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.delete_route_table(RouteTableId=rt1)
    assert error_code(e) == "DependencyViolation"

    # Move the subnet to rt2.
    moved = ec2.replace_route_table_association(AssociationId=a["AssociationId"], RouteTableId=rt2)
    assert moved["NewAssociationId"] != a["AssociationId"]
    found = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [rt2]
    with pytest.raises(ClientError) as e:
        ec2.disassociate_route_table(AssociationId=a["AssociationId"])
    assert error_code(e) == "InvalidAssociationID.NotFound"
    ec2.disassociate_route_table(AssociationId=moved["NewAssociationId"])
    assert ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["RouteTables"] == []
    ec2.delete_route_table(RouteTableId=rt1)

    # Make rt2 the main table.
    main_assoc = main["Associations"][0]["RouteTableAssociationId"]
    with pytest.raises(ClientError) as e:
        ec2.disassociate_route_table(AssociationId=main_assoc)
    assert error_code(e) == "InvalidParameterValue"
    new_main = ec2.replace_route_table_association(AssociationId=main_assoc, RouteTableId=rt2)
    assert main_table(ec2, vpc)["RouteTableId"] == rt2
    other_main = main_table(ec2, other_vpc)["RouteTableId"]
    with pytest.raises(ClientError) as e:
        ec2.replace_route_table_association(AssociationId=new_main["NewAssociationId"], RouteTableId=other_main)
    assert error_code(e) == "InvalidParameterValue"
    # The old main table can now be deleted.
    ec2.delete_route_table(RouteTableId=main["RouteTableId"])


def test_delete_subnet_removes_its_association(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
    ec2.delete_subnet(SubnetId=subnet)
    assert ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]["Associations"] == []
    ec2.delete_route_table(RouteTableId=rt)


def test_describe_route_tables_paging(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    for _ in range(6):
        ec2.create_route_table(VpcId=vpc)
    page = ec2.describe_route_tables(MaxResults=5)
    assert len(page["RouteTables"]) == 5 and page["NextToken"]
    rest = ec2.describe_route_tables(MaxResults=5, NextToken=page["NextToken"])
    assert len(rest["RouteTables"]) == 2
    with pytest.raises(ClientError) as e:
        unvalidated_ec2(server).describe_route_tables(MaxResults=101)
    assert error_code(e) == "InvalidParameterValue"


# --------------------------------------------------------------------------------------------
# Routes


def test_routes_to_internet_gateway(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert error_code(e) == "InvalidParameterValue"
    assert "belong to different networks" in e.value.response["Error"]["Message"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)["Return"] is True
    r = route_to(ec2, rt, "0.0.0.0/0")
    assert r == {
        "DestinationCidrBlock": "0.0.0.0/0",
        "GatewayId": igw,
        "Origin": "CreateRoute",
        "State": "active",
    }
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert error_code(e) == "RouteAlreadyExists"
    found = ec2.describe_route_tables(Filters=[{"Name": "route.gateway-id", "Values": [igw]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [rt]
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert route_to(ec2, rt, "0.0.0.0/0")["State"] == "blackhole"
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert route_to(ec2, rt, "0.0.0.0/0")["State"] == "active"
    ec2.delete_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0")
    with pytest.raises(ClientError) as e:
        ec2.delete_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0")
    assert error_code(e) == "InvalidRoute.NotFound"


@pytest.mark.parametrize(
    "kwargs,code",
    [
        ({"DestinationCidrBlock": "10.0.0.0/16"}, "RouteAlreadyExists"),
        ({"DestinationCidrBlock": "10.0.1.0/24"}, "InvalidParameterValue"),
        ({"DestinationCidrBlock": "10.0.0.0/33"}, "InvalidParameterValue"),
        ({"DestinationCidrBlock": "169.254.168.0/24"}, "InvalidParameterValue"),
        ({"DestinationIpv6CidrBlock": "fd00:ec2::/48"}, "InvalidParameterValue"),
        ({"DestinationPrefixListId": "pl-12345678"}, "InvalidPrefixListID.NotFound"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "DestinationIpv6CidrBlock": "::/0"}, "InvalidParameterCombination"),
        ({"RouteTableId": "rtb-0123456789abcdef0", "DestinationCidrBlock": "1.0.0.0/8"}, "InvalidRouteTableID.NotFound"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "VpcPeeringConnectionId": "pcx-0123456789abcdef0"}, "InvalidVpcPeeringConnectionID.NotFound"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "GatewayId": "igw-0123456789abcdef0"}, "InvalidGatewayID.NotFound"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "NatGatewayId": "nat-0123456789abcdef0"}, "NatGatewayNotFound"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "NetworkInterfaceId": "eni-0123456789abcdef0"}, "InvalidNetworkInterfaceID.NotFound"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "InstanceId": "i-0123456789abcdef0"}, "InvalidInstanceID.NotFound"),
        ({"DestinationCidrBlock": "1.0.0.0/8", "EgressOnlyInternetGatewayId": "eigw-0123456789abcdef0"}, "InvalidParameterValue"),
    ],
)
def test_create_route_errors(server, kwargs, code):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    args = {"RouteTableId": rt, **kwargs}
    if not any(k.endswith("Id") and k != "RouteTableId" and k != "DestinationPrefixListId" for k in args):
        args["GatewayId"] = igw
    with pytest.raises(ClientError) as e:
        ec2.create_route(**args)
    assert error_code(e) == code
    assert len(routes_of(ec2, rt)) == 1


def test_create_route_needs_exactly_one_target(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    rt = main_table(ec2, vpc)["RouteTableId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0")
    assert error_code(e) == "MissingParameter"
    with pytest.raises(ClientError) as e:
        ec2.create_route(
            RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw,
            TransitGatewayId="tgw-0123456789abcdef0",
        )
    assert error_code(e) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rt, GatewayId=igw)
    assert error_code(e) == "MissingParameter"


def test_local_route_rules_and_replace(server):
    ec2 = server.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assert len(routes_of(ec2, rt)) == 2  # one local route per VPC block, IPv4 and IPv6
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)

    with pytest.raises(ClientError) as e:
        ec2.delete_route(RouteTableId=rt, DestinationCidrBlock="10.0.0.0/16")
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.replace_route(RouteTableId=rt, DestinationCidrBlock="10.0.0.0/16", GatewayId=igw)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.replace_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert error_code(e) == "InvalidRoute.NotFound"

    # More specific than local: only to a NAT gateway / interface, and only a subnet's block.
    nat = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock="10.0.1.0/24", GatewayId=igw)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock="10.0.2.0/24", NatGatewayId=nat)
    assert error_code(e) == "InvalidParameterValue"
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="10.0.1.0/24", NatGatewayId=nat)
    r = route_to(ec2, rt, "10.0.1.0/24")
    assert r["NatGatewayId"] == nat and r["State"] == "active"
    # ... and it can be restored to local.
    ec2.replace_route(RouteTableId=rt, DestinationCidrBlock="10.0.1.0/24", LocalTarget=True)
    assert route_to(ec2, rt, "10.0.1.0/24")["GatewayId"] == "local"

    # A covering route is fine; replace changes the target; IPv4 and IPv6 are separate.
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.create_route(RouteTableId=rt, DestinationIpv6CidrBlock="::/0", GatewayId=igw)
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    ec2.create_route(RouteTableId=rt, DestinationIpv6CidrBlock="2001:db8::/32", EgressOnlyInternetGatewayId=eigw)
    ec2.replace_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert route_to(ec2, rt, "0.0.0.0/0")["GatewayId"] == igw
    v6 = [r for r in routes_of(ec2, rt) if r.get("DestinationIpv6CidrBlock") == "::/0"]
    assert v6[0]["GatewayId"] == igw
    found = ec2.describe_route_tables(
        Filters=[{"Name": "route.destination-ipv6-cidr-block", "Values": ["::/0"]}]
    )["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [rt]
    ec2.delete_route(RouteTableId=rt, DestinationIpv6CidrBlock="::/0")

    # A deleted NAT gateway leaves a blackhole.
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="192.168.0.0/16", NatGatewayId=nat)
    ec2.delete_nat_gateway(NatGatewayId=nat)
    assert route_to(ec2, rt, "192.168.0.0/16")["State"] == "blackhole"


def test_route_limit(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    for i in range(50):
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock=f"172.16.{i}.0/24", GatewayId=igw)
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock="172.17.0.0/24", GatewayId=igw)
    assert error_code(e) == "RouteLimitExceeded"
    # IPv6 routes are counted separately.
    ec2.create_route(RouteTableId=rt, DestinationIpv6CidrBlock="::/0", GatewayId=igw)


def test_peering_route_state_follows_connection(server):
    ec2 = server.ec2()
    vpc_a = new_vpc_id(ec2, "10.0.0.0/16")
    vpc_b = new_vpc_id(ec2, "10.1.0.0/16")
    vpc_c = new_vpc_id(ec2, "10.2.0.0/16")
    rt_a = main_table(ec2, vpc_a)["RouteTableId"]
    rt_b = main_table(ec2, vpc_b)["RouteTableId"]
    rt_c = main_table(ec2, vpc_c)["RouteTableId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"
    ]

    # Pending: the route is allowed, and is a blackhole.
    ec2.create_route(RouteTableId=rt_a, DestinationCidrBlock="10.1.0.0/16", VpcPeeringConnectionId=pcx)
    ec2.create_route(RouteTableId=rt_b, DestinationCidrBlock="10.0.0.0/16", VpcPeeringConnectionId=pcx)
    r = route_to(ec2, rt_a, "10.1.0.0/16")
    assert r["VpcPeeringConnectionId"] == pcx
    assert r["State"] == "blackhole"
    assert "GatewayId" not in r

    def by_state(state):
        return sorted(
            t["RouteTableId"]
            for t in ec2.describe_route_tables(
                Filters=[
                    {"Name": "route.vpc-peering-connection-id", "Values": [pcx]},
                    {"Name": "route.state", "Values": [state]},
                ]
            )["RouteTables"]
        )

    assert by_state("blackhole") == sorted([rt_a, rt_b])
    assert by_state("active") == sorted([rt_a, rt_b])  # their local routes are active

    # Routes to a pcx that does not involve the table's VPC, or to the local range, are refused.
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rt_c, DestinationCidrBlock="10.1.0.0/16", VpcPeeringConnectionId=pcx)
    assert error_code(e) == "InvalidParameterValue"
    assert "belong to different networks" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rt_a, DestinationCidrBlock="10.0.0.0/16", VpcPeeringConnectionId=pcx)
    assert error_code(e) == "RouteAlreadyExists"
    ec2.create_subnet(VpcId=vpc_a, CidrBlock="10.0.5.0/24")
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rt_a, DestinationCidrBlock="10.0.5.0/24", VpcPeeringConnectionId=pcx)
    assert error_code(e) == "InvalidParameterValue"

    # Accepted: active.
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert route_to(ec2, rt_a, "10.1.0.0/16")["State"] == "active"
    assert route_to(ec2, rt_b, "10.0.0.0/16")["State"] == "active"
    assert by_state("blackhole") == []

    # Deleted: blackhole again; the route stays until removed.
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert route_to(ec2, rt_a, "10.1.0.0/16")["State"] == "blackhole"
    assert by_state("blackhole") == sorted([rt_a, rt_b])
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rt_a, DestinationCidrBlock="10.1.1.0/24", VpcPeeringConnectionId=pcx)
    assert error_code(e) == "InvalidVpcPeeringConnectionID.NotFound"
    ec2.delete_route(RouteTableId=rt_a, DestinationCidrBlock="10.1.0.0/16")


def test_cross_account_peering_routes(server):
    a, b = server.ec2(ACCOUNT_A), server.ec2(ACCOUNT_B)
    vpc_a = new_vpc_id(a, "10.0.0.0/16")
    vpc_b = new_vpc_id(b, "10.1.0.0/16")
    pcx = a.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b, PeerOwnerId=ACCOUNT_B)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    rt_b = main_table(b, vpc_b)["RouteTableId"]
    b.create_route(RouteTableId=rt_b, DestinationCidrBlock="10.0.0.0/16", VpcPeeringConnectionId=pcx)
    assert route_to(b, rt_b, "10.0.0.0/16")["State"] == "blackhole"
    b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert route_to(b, rt_b, "10.0.0.0/16")["State"] == "active"
    # A's tables are invisible to B.
    with pytest.raises(ClientError) as e:
        b.create_route(
            RouteTableId=main_table(a, vpc_a)["RouteTableId"],
            DestinationCidrBlock="10.1.0.0/16",
            VpcPeeringConnectionId=pcx,
        )
    assert error_code(e) == "InvalidRouteTableID.NotFound"
    # Rejected by the other side after a delete by A: blackhole for B.
    a.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert route_to(b, rt_b, "10.0.0.0/16")["State"] == "blackhole"


def test_routes_with_cli(server):
    vpc = server.cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    rt = server.cli("ec2", "create-route-table", "--vpc-id", vpc)["RouteTable"]["RouteTableId"]
    igw = server.cli("ec2", "create-internet-gateway")["InternetGateway"]["InternetGatewayId"]
    server.cli("ec2", "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
    out = server.cli(
        "ec2", "create-route", "--route-table-id", rt, "--destination-cidr-block", "0.0.0.0/0",
        "--gateway-id", igw,
    )
    assert out["Return"] is True
    tables = server.cli(
        "ec2", "describe-route-tables", "--filters", f"Name=route.gateway-id,Values={igw}",
        f"Name=vpc-id,Values={vpc}",
    )["RouteTables"]
    assert [t["RouteTableId"] for t in tables] == [rt]
    p = server.cli(
        "ec2", "create-route", "--route-table-id", rt, "--destination-cidr-block", "10.0.0.0/16",
        "--gateway-id", igw, check=False,
    )
    assert p.returncode != 0 and "RouteAlreadyExists" in p.stderr
    p = server.cli(
        "ec2", "create-route", "--route-table-id", rt, "--destination-cidr-block", "nope",
        "--gateway-id", igw, check=False,
    )
    assert "This is not a valid CIDR block" in p.stderr
    server.cli("ec2", "delete-route", "--route-table-id", rt, "--destination-cidr-block", "0.0.0.0/0")


# --------------------------------------------------------------------------------------------
# Internet gateways


def test_internet_gateway_lifecycle(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    vpc2 = new_vpc_id(ec2, "10.1.0.0/16")
    g = ec2.create_internet_gateway(
        TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": [{"Key": "Name", "Value": "gw"}]}]
    )["InternetGateway"]
    igw = g["InternetGatewayId"]
    assert igw.startswith("igw-")
    assert g["Attachments"] == []
    assert g["OwnerId"] == ACCOUNT_A
    assert g["Tags"] == [{"Key": "Name", "Value": "gw"}]
    igw2 = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]

    with pytest.raises(ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert error_code(e) == "Gateway.NotAttached"
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    with pytest.raises(ClientError) as e:
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc2)
    assert error_code(e) == "Resource.AlreadyAssociated"
    with pytest.raises(ClientError) as e:
        ec2.attach_internet_gateway(InternetGatewayId=igw2, VpcId=vpc)
    assert error_code(e) == "Resource.AlreadyAssociated"
    with pytest.raises(ClientError) as e:
        ec2.attach_internet_gateway(InternetGatewayId="igw-0123456789abcdef0", VpcId=vpc)
    assert error_code(e) == "InvalidInternetGatewayID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.attach_internet_gateway(InternetGatewayId=igw2, VpcId="vpc-0123456789abcdef0")
    assert error_code(e) == "InvalidVpcID.NotFound"

    got = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"][0]
    assert got["Attachments"] == [{"State": "available", "VpcId": vpc}]

    def ids(filters):
        return sorted(
            x["InternetGatewayId"] for x in ec2.describe_internet_gateways(Filters=filters)["InternetGateways"]
        )

    assert ids([{"Name": "attachment.vpc-id", "Values": [vpc]}]) == [igw]
    assert ids([{"Name": "attachment.state", "Values": ["available"]}]) == [igw]
    assert ids([{"Name": "internet-gateway-id", "Values": [igw2]}]) == [igw2]
    assert ids([{"Name": "owner-id", "Values": [ACCOUNT_A]}]) == sorted([igw, igw2])
    assert ids([{"Name": "tag:Name", "Values": ["gw"]}]) == [igw]

    with pytest.raises(ClientError) as e:
        ec2.delete_internet_gateway(InternetGatewayId=igw)
    assert error_code(e) == "DependencyViolation"
    with pytest.raises(ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc2)
    assert error_code(e) == "Gateway.NotAttached"
    with pytest.raises(ClientError) as e:
        ec2.delete_vpc(VpcId=vpc)
    assert error_code(e) == "DependencyViolation"
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    with pytest.raises(ClientError) as e:
        ec2.describe_internet_gateways(InternetGatewayIds=[igw])
    assert error_code(e) == "InvalidInternetGatewayID.NotFound"
    # Other accounts do not see gateways.
    with pytest.raises(ClientError) as e:
        server.ec2(ACCOUNT_B).describe_internet_gateways(InternetGatewayIds=[igw2])
    assert error_code(e) == "InvalidInternetGatewayID.NotFound"


def test_internet_gateway_edge_association(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    with pytest.raises(ClientError) as e:
        ec2.associate_route_table(RouteTableId=rt, GatewayId=igw)
    assert error_code(e) == "InvalidParameterValue"
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    a = ec2.associate_route_table(RouteTableId=rt, GatewayId=igw)["AssociationId"]
    found = ec2.describe_route_tables(Filters=[{"Name": "association.gateway-id", "Values": [igw]}])["RouteTables"]
    assert found[0]["Associations"][0]["GatewayId"] == igw
    with pytest.raises(ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert error_code(e) == "DependencyViolation"
    ec2.disassociate_route_table(AssociationId=a)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)


def test_internet_gateway_cli(server):
    vpc = server.cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    igw = server.cli("ec2", "create-internet-gateway")["InternetGateway"]["InternetGatewayId"]
    server.cli("ec2", "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
    out = server.cli("ec2", "describe-internet-gateways", "--filters", f"Name=attachment.vpc-id,Values={vpc}")
    assert out["InternetGateways"][0]["Attachments"] == [{"State": "available", "VpcId": vpc}]
    server.cli("ec2", "detach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
    server.cli("ec2", "delete-internet-gateway", "--internet-gateway-id", igw)


# --------------------------------------------------------------------------------------------
# NAT gateways


def test_nat_gateway_lifecycle(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet)
    assert error_code(e) == "MissingParameter"
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private", AllocationId="eipalloc-1")
    assert error_code(e) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId="subnet-0123456789abcdef0", AllocationId="eipalloc-1")
    assert error_code(e) == "InvalidSubnetID.NotFound"

    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet, AllocationId="eipalloc-0123456789abcdef0")
    assert error_code(e) == "InvalidAllocationID.NotFound"
    alloc = ec2.allocate_address(Domain="vpc")
    out = ec2.create_nat_gateway(
        SubnetId=subnet,
        AllocationId=alloc["AllocationId"],
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "nat"}]}],
    )
    n = out["NatGateway"]
    nat = n["NatGatewayId"]
    assert nat.startswith("nat-")
    assert n["State"] == "available"
    assert n["SubnetId"] == subnet and n["VpcId"] == vpc
    assert n["ConnectivityType"] == "public"
    assert n["Tags"] == [{"Key": "Name", "Value": "nat"}]
    addr = n["NatGatewayAddresses"][0]
    assert addr["AllocationId"] == alloc["AllocationId"]
    assert addr["PrivateIp"] == "10.0.1.4"
    assert addr["NetworkInterfaceId"].startswith("eni-")
    assert addr["PublicIp"] == alloc["PublicIp"]
    assert ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"] == 250

    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet, AllocationId=alloc["AllocationId"])
    assert error_code(e) == "Resource.AlreadyAssociated"
    priv = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private", PrivateIpAddress="10.0.1.50")[
        "NatGateway"
    ]
    assert priv["ConnectivityType"] == "private"
    assert priv["NatGatewayAddresses"][0]["PrivateIp"] == "10.0.1.50"
    assert "PublicIp" not in priv["NatGatewayAddresses"][0]
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private", PrivateIpAddress="10.0.1.50")
    assert error_code(e) == "InvalidIPAddress.InUse"

    def ids(filters):
        return sorted(x["NatGatewayId"] for x in ec2.describe_nat_gateways(Filters=filters)["NatGateways"])

    assert ids([{"Name": "vpc-id", "Values": [vpc]}]) == sorted([nat, priv["NatGatewayId"]])
    assert ids([{"Name": "subnet-id", "Values": [subnet]}, {"Name": "tag:Name", "Values": ["nat"]}]) == [nat]
    assert ids([{"Name": "nat-gateway-id", "Values": [nat]}]) == [nat]
    assert ids([{"Name": "state", "Values": ["available"]}]) == sorted([nat, priv["NatGatewayId"]])
    assert [x["NatGatewayId"] for x in ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"]] == [nat]
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat], WaiterConfig={"Delay": 1, "MaxAttempts": 2})

    assert ec2.delete_nat_gateway(NatGatewayId=nat)["NatGatewayId"] == nat
    gone = ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]
    assert gone["State"] == "deleted"
    assert "DeleteTime" in gone
    assert ids([{"Name": "state", "Values": ["available"]}]) == [priv["NatGatewayId"]]
    # The address is free again, and so is the allocation.
    assert ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"] == 250
    ec2.create_nat_gateway(SubnetId=subnet, AllocationId=alloc["AllocationId"])

    # Deleted gateways are listed for about an hour.
    server.advance(3601)
    with pytest.raises(ClientError) as e:
        ec2.describe_nat_gateways(NatGatewayIds=[nat])
    assert error_code(e) == "NatGatewayNotFound"
    assert nat not in ids([{"Name": "vpc-id", "Values": [vpc]}])


def test_nat_gateway_cli(server):
    vpc = server.cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = server.cli("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24")["Subnet"]["SubnetId"]
    alloc = server.cli("ec2", "allocate-address", "--domain", "vpc")["AllocationId"]
    n = server.cli("ec2", "create-nat-gateway", "--subnet-id", subnet, "--allocation-id", alloc)["NatGateway"]
    out = server.cli("ec2", "describe-nat-gateways", "--nat-gateway-ids", n["NatGatewayId"])
    assert out["NatGateways"][0]["State"] == "available"
    server.cli("ec2", "delete-nat-gateway", "--nat-gateway-id", n["NatGatewayId"])
