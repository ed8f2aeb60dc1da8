"""Default VPCs, driven by the aws CLI and boto3 against a `vpcpeer serve` started as a user
starts it (default VPCs on): the AWS getting-started walkthrough that launches an instance
without naming a subnet, the `is-default` and `default-for-az` filters, a security group
without a VPC, the account attribute, deleting the default VPC (after its dependencies) and
the errors AWS then gives, create-default-vpc and create-default-subnet bringing it back, two
accounts' default VPCs failing to peer (both 172.31.0.0/16), the state across a restart, and a
server started with --no-default-vpc."""

import json

import pytest

from conftest import ACCOUNT_A, ACCOUNT_B, cli_error_code, fails

AMI = "ami-0abcdef1234567890"
IS_DEFAULT = [{"Name": "is-default", "Values": ["true"]}]


@pytest.fixture
def server(fresh_server):
    return fresh_server(default_vpc=True)


def default_vpc(ec2):
    vpcs = ec2.describe_vpcs(Filters=IS_DEFAULT)["Vpcs"]
    assert len(vpcs) <= 1
    return vpcs[0] if vpcs else None


def delete_default_vpc(ec2):
    """Deletes the default VPC as AWS's documentation says: its instances, subnets and
    internet gateway first."""
    vpc = default_vpc(ec2)["VpcId"]
    vpc_filter = [{"Name": "vpc-id", "Values": [vpc]}]
    instances = [
        i["InstanceId"]
        for r in ec2.describe_instances(Filters=vpc_filter)["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] != "terminated"
    ]
    if instances:
        ec2.terminate_instances(InstanceIds=instances)
    fails("DependencyViolation", ec2.delete_vpc, VpcId=vpc)
    for s in ec2.describe_subnets(Filters=vpc_filter)["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    for g in ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}]
    )["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=g["InternetGatewayId"], VpcId=vpc)
        ec2.delete_internet_gateway(InternetGatewayId=g["InternetGatewayId"])
    ec2.delete_vpc(VpcId=vpc)
    return vpc


def test_the_getting_started_walkthrough_launches_into_the_default_vpc(server):
    # As the EC2 tutorials do: no VPC, no subnet, no security group.
    run = server.cli("ec2", "run-instances", "--image-id", AMI, "--instance-type", "t3.micro")
    instance = run["Instances"][0]
    iid = instance["InstanceId"]
    vpcs = server.cli("ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true")["Vpcs"]
    assert len(vpcs) == 1
    vpc = vpcs[0]
    assert vpc["IsDefault"] is True
    assert vpc["CidrBlock"] == "172.31.0.0/16"
    described = server.cli("ec2", "describe-instances", "--instance-ids", iid)
    seen = described["Reservations"][0]["Instances"][0]
    assert seen["VpcId"] == vpc["VpcId"]
    assert seen["Placement"]["AvailabilityZone"] == "us-east-1a"
    assert seen["PrivateIpAddress"].startswith("172.31.")
    subnet = server.cli("ec2", "describe-subnets", "--subnet-ids", seen["SubnetId"])["Subnets"][0]
    assert subnet["DefaultForAz"] is True and subnet["MapPublicIpOnLaunch"] is True
    groups = [g["GroupName"] for g in seen["SecurityGroups"]]
    assert groups == ["default"]

    # In a zone of the caller's choosing.
    placed = server.cli(
        "ec2", "run-instances", "--image-id", AMI, "--instance-type", "t3.micro",
        "--placement", "AvailabilityZone=us-east-1d",
    )["Instances"][0]
    assert placed["Placement"]["AvailabilityZone"] == "us-east-1d"
    assert placed["VpcId"] == vpc["VpcId"]

    # The same with boto3, naming a security group by name.
    ec2 = server.ec2()
    web = ec2.create_security_group(GroupName="web", Description="web servers")
    r = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SecurityGroups=["web"])
    assert r["Instances"][0]["VpcId"] == vpc["VpcId"]
    assert [g["GroupId"] for g in r["Instances"][0]["SecurityGroups"]] == [web["GroupId"]]


def test_the_layout_and_its_filters(server):
    ec2 = server.ec2()
    vpc = default_vpc(ec2)
    assert vpc is not None
    assert ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["false"]}])["Vpcs"] == []
    vid = vpc["VpcId"]
    for attr, key in [("enableDnsSupport", "EnableDnsSupport"),
                      ("enableDnsHostnames", "EnableDnsHostnames")]:
        got = ec2.describe_vpc_attribute(VpcId=vid, Attribute=attr)[key]["Value"]
        assert got is True, attr
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    assert sorted(s["AvailabilityZone"] for s in subnets) == sorted(zones)
    assert sorted(s["CidrBlock"] for s in subnets) == sorted(
        f"172.31.{16 * i}.0/20" for i in range(len(zones))
    )
    assert all(s["MapPublicIpOnLaunch"] and s["VpcId"] == vid for s in subnets)
    igws = ec2.describe_internet_gateways()["InternetGateways"]
    assert [a["VpcId"] for g in igws for a in g["Attachments"]] == [vid]
    main = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vid]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"]
    routes = {r["DestinationCidrBlock"]: r["GatewayId"] for r in main[0]["Routes"]}
    assert routes == {"172.31.0.0/16": "local", "0.0.0.0/0": igws[0]["InternetGatewayId"]}
    acls = ec2.describe_network_acls(Filters=[{"Name": "default", "Values": ["true"]}])["NetworkAcls"]
    assert len(acls) == 1 and len(acls[0]["Associations"]) == len(zones)
    sgs = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"]
    assert [g["VpcId"] for g in sgs] == [vid]
    attrs = ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"]
    assert attrs == [{"AttributeName": "default-vpc", "AttributeValues": [{"AttributeValue": vid}]}]

    # A security group without a VPC goes to the default VPC.
    g = ec2.create_security_group(GroupName="app", Description="app")
    got = ec2.describe_security_groups(GroupIds=[g["GroupId"]])["SecurityGroups"][0]
    assert got["VpcId"] == vid
    # Another region has its own, with a subnet per zone of that region.
    west = server.ec2(region="us-west-2")
    wv = default_vpc(west)
    assert wv["VpcId"] != vid
    west_zones = west.describe_availability_zones()["AvailabilityZones"]
    assert len(west.describe_subnets()["Subnets"]) == len(west_zones)


def test_deleting_the_default_vpc_then_create_default_vpc(server):
    ec2 = server.ec2()
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)
    fails("DefaultVpcAlreadyExists", ec2.create_default_vpc)
    old = delete_default_vpc(ec2)
    assert default_vpc(ec2) is None
    assert ec2.describe_vpcs()["Vpcs"] == []

    # What needs a default VPC now fails as on AWS, with the CLI and with boto3.
    p = server.cli("ec2", "run-instances", "--image-id", AMI, "--instance-type", "t3.micro",
                   check=False)
    assert cli_error_code(p) == "VPCIdNotSpecified"
    assert "No default VPC for this user" in p.stderr
    msg = fails("VPCIdNotSpecified", ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1)
    assert msg == "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC."
    assert fails("VPCIdNotSpecified", ec2.create_security_group, GroupName="x", Description="x") \
        == "No default VPC for this user"
    fails("DefaultVpcDoesNotExist", ec2.create_default_subnet, AvailabilityZone="us-east-1a")
    attrs = ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"]
    assert attrs[0]["AttributeValues"] == [{"AttributeValue": "none"}]

    # create-default-vpc brings it back, laid out alike, with new ids.
    created = server.cli("ec2", "create-default-vpc")["Vpc"]
    assert created["IsDefault"] is True and created["CidrBlock"] == "172.31.0.0/16"
    assert created["VpcId"] != old
    assert default_vpc(ec2)["VpcId"] == created["VpcId"]
    assert len(ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]) == 6
    r = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)
    assert r["Instances"][0]["VpcId"] == created["VpcId"]
    p = server.cli("ec2", "create-default-vpc", check=False)
    assert cli_error_code(p) == "DefaultVpcAlreadyExists"

    # A default subnet deleted, and made again with create-default-subnet.
    b = ec2.describe_subnets(Filters=[
        {"Name": "availability-zone", "Values": ["us-east-1b"]},
        {"Name": "default-for-az", "Values": ["true"]},
    ])["Subnets"][0]
    ec2.delete_subnet(SubnetId=b["SubnetId"])
    fails("InvalidInput", ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1,
          Placement={"AvailabilityZone": "us-east-1b"})
    made = server.cli("ec2", "create-default-subnet", "--availability-zone", "us-east-1b")["Subnet"]
    assert made["DefaultForAz"] is True and made["MapPublicIpOnLaunch"] is True
    assert made["CidrBlock"] == b["CidrBlock"]
    assert made["VpcId"] == created["VpcId"]
    p = server.cli("ec2", "create-default-subnet", "--availability-zone", "us-east-1b", check=False)
    assert cli_error_code(p) == "DefaultSubnetAlreadyExistsInAvailabilityZone"


def test_two_accounts_default_vpcs_overlap_and_cannot_peer(server):
    a, b = server.ec2(ACCOUNT_A), server.ec2(ACCOUNT_B)
    va, vb = default_vpc(a), default_vpc(b)
    assert va["CidrBlock"] == vb["CidrBlock"] == "172.31.0.0/16"
    pcx = a.create_vpc_peering_connection(
        VpcId=va["VpcId"], PeerVpcId=vb["VpcId"], PeerOwnerId=ACCOUNT_B
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    seen = a.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])
    assert seen["VpcPeeringConnections"][0]["Status"]["Code"] == "failed"
    # A failed request is the requester's to see only: the accepter cannot act on it.
    fails("InvalidVpcPeeringConnectionID.NotFound", b.accept_vpc_peering_connection,
          VpcPeeringConnectionId=pcx)


def test_a_restart_keeps_the_default_vpc_and_its_deletion(fresh_server, tmp_path):
    data = tmp_path / "data"
    s = fresh_server(data_dir=data, default_vpc=True)
    ec2 = s.ec2()
    first = default_vpc(ec2)["VpcId"]
    west = default_vpc(s.ec2(region="eu-west-1"))["VpcId"]
    delete_default_vpc(s.ec2(region="eu-west-1"))
    s.kill9()

    s = fresh_server(data_dir=data, default_vpc=True)
    ec2 = s.ec2()
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]] == [first], "not made twice"
    west_ec2 = s.ec2(region="eu-west-1")
    assert west_ec2.describe_vpcs()["Vpcs"] == [], f"{west} stays deleted"
    fails("VPCIdNotSpecified", west_ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1)
    # The setup is in the command log of neither restart's requests (it was made before).
    status, log = s.admin("GET", "/_vpcpeer/log")
    assert status == 200
    assert not [e for e in log["entries"] if "EnsureDefaultVpc" in json.dumps(e["command"])]
    # A region first used after the restart is set up then.
    default_vpc(s.ec2(region="ap-south-1"))
    status, log = s.admin("GET", "/_vpcpeer/log")
    setups = [e for e in log["entries"] if "EnsureDefaultVpc" in json.dumps(e["command"])]
    assert [e["region"] for e in setups] == ["ap-south-1"]


def test_a_server_with_no_default_vpc_starts_every_account_empty(fresh_server, tmp_path):
    s = fresh_server(data_dir=tmp_path / "empty")
    assert "--no-default-vpc" in s.extra_args
    ec2 = s.ec2()
    assert ec2.describe_vpcs()["Vpcs"] == []
    assert ec2.describe_subnets()["Subnets"] == []
    assert ec2.describe_vpcs(Filters=IS_DEFAULT)["Vpcs"] == []
    fails("VPCIdNotSpecified", ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1)
    # The config file says the same.
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"default_vpc": False}))
    s2 = fresh_server("--config", str(cfg), data_dir=tmp_path / "by-file", default_vpc=True)
    assert s2.ec2().describe_vpcs()["Vpcs"] == []
    # create-default-vpc still makes one on request.
    created = s.cli("ec2", "create-default-vpc")["Vpc"]
    assert created["IsDefault"] is True
