"""End-to-end tests of RunInstances, DescribeInstances, TerminateInstances and
DescribeNetworkInterfaces through boto3 and the aws CLI.

Every test here needs subnets. Where CreateSubnet is not served yet (the subnets area lands
separately), the `subnet` helper skips the test with that reason instead of passing silently.
"""

import re

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT_A, ACCOUNT_B, error_code, fails, new_vpc_id, unvalidated_ec2

AMI = "ami-0123456789abcdef0"


def make_subnet(ec2, vpc_id, cidr, az="us-east-1a"):
    try:
        return ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"][
            "SubnetId"
        ]
    except ClientError as e:
        if e.response["Error"]["Code"] == "InvalidAction":
            pytest.skip("CreateSubnet is not served by this build (subnets area not merged)")
        raise


def default_sg(server, vpc_id, account=ACCOUNT_A, region="us-east-1"):
    """The VPC's default security group id, read from a launched instance's interface."""
    ec2 = server.ec2(account, region)
    cidr = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["CidrBlock"]
    a, b = cidr.split(".")[:2]
    sub = make_subnet(ec2, vpc_id, f"{a}.{b}.250.0/24", az=f"{region}a")
    r = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sub)
    inst = r["Instances"][0]
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    return inst["SecurityGroups"][0]["GroupId"]


def run(ec2, subnet, **kw):
    args = dict(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)
    args.update(kw)
    return ec2.run_instances(**args)


def ids_of(reservations):
    return sorted(i["InstanceId"] for r in reservations for i in r["Instances"])


def test_run_instances_reply_shape_and_describe(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    sub = make_subnet(ec2, vpc, "10.0.1.0/24")
    r = run(
        ec2,
        sub,
        InstanceType="t3.micro",
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]},
            {"ResourceType": "network-interface", "Tags": [{"Key": "role", "Value": "nic"}]},
        ],
    )
    assert r["ReservationId"].startswith("r-")
    assert r["OwnerId"] == ACCOUNT_A
    (inst,) = r["Instances"]
    assert re.fullmatch(r"i-[0-9a-f]{17}", inst["InstanceId"])
    assert inst["State"] == {"Code": 0, "Name": "pending"}
    assert inst["ImageId"] == AMI
    assert inst["InstanceType"] == "t3.micro"
    assert inst["SubnetId"] == sub and inst["VpcId"] == vpc
    assert inst["PrivateIpAddress"] == "10.0.1.4"
    assert inst["PrivateDnsName"] == "ip-10-0-1-4.ec2.internal"
    assert inst["Placement"]["AvailabilityZone"] == "us-east-1a"
    assert inst["Placement"]["Tenancy"] == "default"
    assert inst["AmiLaunchIndex"] == 0
    assert inst["Tags"] == [{"Key": "Name", "Value": "web"}]
    (sg,) = inst["SecurityGroups"]
    assert sg["GroupName"] == "default" and sg["GroupId"].startswith("sg-")
    (nic,) = inst["NetworkInterfaces"]
    assert nic["NetworkInterfaceId"].startswith("eni-")
    assert re.fullmatch(r"02(:[0-9a-f]{2}){5}", nic["MacAddress"])
    assert nic["Status"] == "in-use"
    assert nic["PrivateIpAddress"] == "10.0.1.4"
    assert nic["Attachment"]["DeviceIndex"] == 0
    assert nic["Attachment"]["Status"] == "attached"
    assert nic["Attachment"]["DeleteOnTermination"] is True
    assert nic["Attachment"]["AttachmentId"].startswith("eni-attach-")
    assert nic["PrivateIpAddresses"][0]["Primary"] is True
    assert nic["Groups"] == [{"GroupId": sg["GroupId"], "GroupName": "default"}]

    d = ec2.describe_instances(InstanceIds=[inst["InstanceId"]])["Reservations"]
    assert len(d) == 1 and d[0]["ReservationId"] == r["ReservationId"]
    got = d[0]["Instances"][0]
    assert got["State"] == {"Code": 16, "Name": "running"}
    assert got["LaunchTime"] == inst["LaunchTime"]
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=[nic["NetworkInterfaceId"]])
    (eni,) = enis["NetworkInterfaces"]
    assert eni["TagSet"] == [{"Key": "role", "Value": "nic"}]
    assert eni["Attachment"]["InstanceId"] == inst["InstanceId"]
    assert eni["AvailabilityZone"] == "us-east-1a"
    assert eni["InterfaceType"] == "interface"
    assert eni["RequesterManaged"] is False
    assert eni["OwnerId"] == ACCOUNT_A
    # The waiter used by real scripts works.
    ec2.get_waiter("instance_running").wait(
        InstanceIds=[inst["InstanceId"]], WaiterConfig={"Delay": 1, "MaxAttempts": 3}
    )


def test_private_dns_name_outside_us_east_1(server):
    ec2 = server.ec2(region="eu-west-1")
    vpc = new_vpc_id(ec2, "10.9.0.0/16")
    sub = make_subnet(ec2, vpc, "10.9.3.0/24", az="eu-west-1b")
    inst = run(ec2, sub, PrivateIpAddress="10.9.3.77")["Instances"][0]
    assert inst["PrivateDnsName"] == "ip-10-9-3-77.eu-west-1.compute.internal"
    assert inst["Placement"]["AvailabilityZone"] == "eu-west-1b"


def test_counts_and_subnet_capacity(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    small = make_subnet(ec2, vpc, "10.0.2.0/28")  # 16 - 5 reserved = 11 usable
    big = make_subnet(ec2, vpc, "10.0.3.0/24")
    r = run(ec2, big, MinCount=2, MaxCount=3)
    assert [i["AmiLaunchIndex"] for i in r["Instances"]] == [0, 1, 2]
    assert len({i["PrivateIpAddress"] for i in r["Instances"]}) == 3

    # MinCount above what fits: refused, nothing launched.
    with pytest.raises(ClientError) as e:
        run(ec2, small, MinCount=12, MaxCount=12)
    assert error_code(e) == "InsufficientFreeAddressesInSubnet"
    assert ec2.describe_instances(Filters=[{"Name": "subnet-id", "Values": [small]}])[
        "Reservations"
    ] == []
    # MaxCount above what fits: as many as fit.
    r = run(ec2, small, MinCount=1, MaxCount=20)
    assert len(r["Instances"]) == 11
    with pytest.raises(ClientError) as e:
        run(ec2, small)
    assert error_code(e) == "InsufficientFreeAddressesInSubnet"


@pytest.mark.parametrize(
    "name,kwargs,code",
    [
        ("min above max", dict(MinCount=2, MaxCount=1), "InvalidParameterValue"),
        ("no image", dict(ImageId=None), "MissingParameter"),
        ("malformed image", dict(ImageId="img-123"), "InvalidAMIID.Malformed"),
        ("no subnet, no default VPC", dict(SubnetId=None), "VPCIdNotSpecified"),
        ("unknown subnet", dict(SubnetId="subnet-0123456789abcdef0"), "InvalidSubnetID.NotFound"),
        ("malformed subnet", dict(SubnetId="subnet-zz"), "InvalidSubnetID.Malformed"),
        ("unknown group", dict(SecurityGroupIds=["sg-0123456789abcdef0"]), "InvalidGroup.NotFound"),
        ("bad instance type", dict(InstanceType="enormous"), "InvalidParameterValue"),
        ("bad ip", dict(PrivateIpAddress="10.0.1.999"), "InvalidParameterValue"),
        ("ip outside subnet", dict(PrivateIpAddress="10.0.7.7"), "InvalidParameterValue"),
        ("reserved ip", dict(PrivateIpAddress="10.0.1.1"), "InvalidParameterValue"),
        (
            "ip with several instances",
            dict(PrivateIpAddress="10.0.1.50", MaxCount=2),
            "InvalidParameterCombination",
        ),
        (
            "subnet and interfaces",
            dict(NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": "SUBNET"}]),
            "InvalidParameterCombination",
        ),
        (
            "interfaces without primary",
            dict(SubnetId=None, NetworkInterfaces=[{"DeviceIndex": 1, "SubnetId": "SUBNET"}]),
            "InvalidParameterValue",
        ),
        (
            "aws tag",
            dict(TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "aws:x", "Value": "1"}]}]),
            "InvalidTagKey.Malformed",
        ),
        (
            "tag spec of another type",
            dict(TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "1"}]}]),
            "InvalidParameterValue",
        ),
    ],
)
def test_run_instances_errors(server, name, kwargs, code):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    sub = make_subnet(ec2, vpc, "10.0.1.0/24")
    args = dict(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sub)
    for k, v in kwargs.items():
        if k == "NetworkInterfaces":
            v = [dict(n, SubnetId=sub) for n in v]
        args[k] = v
    args = {k: v for k, v in args.items() if v is not None}
    with pytest.raises(ClientError) as e:
        ec2.run_instances(**args)
    assert error_code(e) == code, name
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # Nothing half-created.
    assert ec2.describe_instances()["Reservations"] == []
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []


def test_security_groups_must_be_the_callers_in_the_subnets_vpc(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    other = new_vpc_id(ec2, "10.1.0.0/16")
    sub = make_subnet(ec2, vpc, "10.0.1.0/24")
    other_sg = default_sg(server, other)
    with pytest.raises(ClientError) as e:
        run(ec2, sub, SecurityGroupIds=[other_sg])
    assert error_code(e) == "InvalidGroup.NotFound"
    # Another account's group is not found either.
    b = server.ec2(ACCOUNT_B)
    b_vpc = new_vpc_id(b)
    b_sg = default_sg(server, b_vpc, account=ACCOUNT_B)
    with pytest.raises(ClientError) as e:
        run(ec2, sub, SecurityGroupIds=[b_sg])
    assert error_code(e) == "InvalidGroup.NotFound"
    # The VPC's own group works and is what the instance gets.
    own = default_sg(server, vpc)
    inst = run(ec2, sub, SecurityGroupIds=[own])["Instances"][0]
    assert [g["GroupId"] for g in inst["SecurityGroups"]] == [own]


def test_requested_address_in_use(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    sub = make_subnet(ec2, vpc, "10.0.1.0/24")
    run(ec2, sub, PrivateIpAddress="10.0.1.10")
    with pytest.raises(ClientError) as e:
        run(ec2, sub, PrivateIpAddress="10.0.1.10")
    assert error_code(e) == "InvalidIPAddress.InUse"


def test_client_token_idempotency(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    sub = make_subnet(ec2, vpc, "10.0.1.0/24")
    first = run(ec2, sub, MaxCount=2, ClientToken="tok-1")
    again = run(ec2, sub, MaxCount=2, ClientToken="tok-1")
    assert again["ReservationId"] == first["ReservationId"]
    assert [i["InstanceId"] for i in again["Instances"]] == [
        i["InstanceId"] for i in first["Instances"]
    ]
    assert len(ids_of(ec2.describe_instances()["Reservations"])) == 2
    by_token = ec2.describe_instances(Filters=[{"Name": "client-token", "Values": ["tok-1"]}])
    assert ids_of(by_token["Reservations"]) == sorted(i["InstanceId"] for i in first["Instances"])
    assert by_token["Reservations"][0]["Instances"][0]["ClientToken"] == "tok-1"
    with pytest.raises(ClientError) as e:
        run(ec2, sub, MaxCount=3, ClientToken="tok-1")
    assert error_code(e) == "IdempotentParameterMismatch"
    assert len(ids_of(ec2.describe_instances()["Reservations"])) == 2
    # Another token is another launch.
    run(ec2, sub, MaxCount=2, ClientToken="tok-2")
    assert len(ids_of(ec2.describe_instances()["Reservations"])) == 4


def test_network_interfaces_parameter_and_terminate(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    s1 = make_subnet(ec2, vpc, "10.0.1.0/24")
    s2 = make_subnet(ec2, vpc, "10.0.2.0/24")
    s_other_az = make_subnet(ec2, vpc, "10.0.3.0/24", az="us-east-1b")
    sg = default_sg(server, vpc)
    # Interfaces in two zones; a public address with more than one interface.
    for code, interfaces in [
        ("InvalidParameterValue", [
            {"DeviceIndex": 0, "SubnetId": s1},
            {"DeviceIndex": 1, "SubnetId": s_other_az},
        ]),
        ("InvalidParameterCombination", [
            {"DeviceIndex": 0, "SubnetId": s1, "AssociatePublicIpAddress": True},
            {"DeviceIndex": 1, "SubnetId": s2},
        ]),
    ]:
        fails(code, ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1,
              NetworkInterfaces=interfaces)

    r = ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {"DeviceIndex": 1, "SubnetId": s2, "DeleteOnTermination": False, "Groups": [sg]},
            {"DeviceIndex": 0, "SubnetId": s1, "PrivateIpAddress": "10.0.1.20", "Groups": [sg]},
        ],
    )
    inst = r["Instances"][0]
    assert inst["SubnetId"] == s1
    assert inst["PrivateIpAddress"] == "10.0.1.20"
    nics = sorted(inst["NetworkInterfaces"], key=lambda n: n["Attachment"]["DeviceIndex"])
    assert [n["SubnetId"] for n in nics] == [s1, s2]
    assert [n["Attachment"]["DeleteOnTermination"] for n in nics] == [True, False]
    by_ip = ec2.describe_instances(
        Filters=[{"Name": "network-interface.private-ip-address", "Values": [nics[1]["PrivateIpAddress"]]}]
    )
    assert ids_of(by_ip["Reservations"]) == [inst["InstanceId"]]

    with pytest.raises(ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId=nics[1]["NetworkInterfaceId"])
    assert error_code(e) == "InvalidNetworkInterface.InUse"

    t = ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])["TerminatingInstances"]
    assert t == [
        {
            "InstanceId": inst["InstanceId"],
            "CurrentState": {"Code": 32, "Name": "shutting-down"},
            "PreviousState": {"Code": 16, "Name": "running"},
        }
    ]
    left = ec2.describe_network_interfaces()["NetworkInterfaces"]
    assert [n["NetworkInterfaceId"] for n in left] == [nics[1]["NetworkInterfaceId"]]
    assert left[0]["Status"] == "available"
    assert "Attachment" not in left[0]
    # The primary's address is free again.
    again = run(ec2, s1, PrivateIpAddress="10.0.1.20")["Instances"][0]
    assert again["PrivateIpAddress"] == "10.0.1.20"
    # The kept interface holds its address until it is deleted.
    kept = nics[1]["PrivateIpAddress"]
    with pytest.raises(ClientError) as e:
        run(ec2, s2, PrivateIpAddress=kept)
    assert error_code(e) == "InvalidIPAddress.InUse"
    ec2.delete_network_interface(NetworkInterfaceId=nics[1]["NetworkInterfaceId"])
    with pytest.raises(ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId=nics[1]["NetworkInterfaceId"])
    assert error_code(e) == "InvalidNetworkInterfaceID.NotFound"
    assert run(ec2, s2, PrivateIpAddress=kept)["Instances"][0]["PrivateIpAddress"] == kept


def test_describe_instances_filters_and_paging(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    s1 = make_subnet(ec2, vpc, "10.0.1.0/24")
    s2 = make_subnet(ec2, vpc, "10.0.2.0/24", az="us-east-1b")
    r1 = run(
        ec2,
        s1,
        MaxCount=3,
        InstanceType="t3.nano",
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Env", "Value": "prod"}]}],
    )
    r2 = run(ec2, s2, MaxCount=4, ImageId="ami-11112222")
    a = [i["InstanceId"] for i in r1["Instances"]]
    b = [i["InstanceId"] for i in r2["Instances"]]
    sg = r1["Instances"][0]["SecurityGroups"][0]["GroupId"]
    ec2.terminate_instances(InstanceIds=[b[0]])

    def q(name, *values):
        res = ec2.describe_instances(Filters=[{"Name": name, "Values": list(values)}])
        return ids_of(res["Reservations"])

    assert q("instance-id", a[0]) == [a[0]]
    assert q("instance-state-name", "running") == sorted(a + b[1:])
    assert q("instance-state-name", "terminated") == [b[0]]
    assert q("instance-state-code", "48") == [b[0]]
    assert q("vpc-id", vpc) == sorted(a + b[1:])
    assert q("subnet-id", s1) == sorted(a)
    assert q("network-interface.subnet-id", s2) == sorted(b[1:])
    assert q("network-interface.vpc-id", vpc) == sorted(a + b[1:])
    assert q("private-ip-address", r1["Instances"][0]["PrivateIpAddress"]) == [a[0]]
    assert q("private-ip-address", "10.0.1.*") == sorted(a)
    assert q("instance.group-id", sg) == sorted(a + b[1:])
    assert q("instance-type", "t3.nano") == sorted(a)
    assert q("instance-type", "m1.small") == sorted(b)
    assert q("image-id", "ami-11112222") == sorted(b)
    assert q("reservation-id", r2["ReservationId"]) == sorted(b)
    assert q("availability-zone", "us-east-1b") == sorted(b)
    assert q("tag:Env", "prod") == sorted(a)
    assert q("tag:Env", "dev") == []
    both = ec2.describe_instances(
        Filters=[
            {"Name": "tag:Env", "Values": ["prod"]},
            {"Name": "instance-id", "Values": [a[1], b[1]]},
        ]
    )
    assert ids_of(both["Reservations"]) == [a[1]]

    # Reservations group instances.
    res = ec2.describe_instances()["Reservations"]
    assert sorted(r["ReservationId"] for r in res) == sorted(
        [r1["ReservationId"], r2["ReservationId"]]
    )
    # Paging: 7 instances in pages of 5.
    p1 = ec2.describe_instances(MaxResults=5)
    assert len(ids_of(p1["Reservations"])) == 5 and "NextToken" in p1
    p2 = ec2.describe_instances(MaxResults=5, NextToken=p1["NextToken"])
    assert "NextToken" not in p2
    assert sorted(ids_of(p1["Reservations"]) + ids_of(p2["Reservations"])) == sorted(a + b)
    pages = ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5})
    assert sorted(i for p in pages for i in ids_of(p["Reservations"])) == sorted(a + b)

    for kwargs, code in [
        (dict(InstanceIds=["i-0123456789abcdef0"]), "InvalidInstanceID.NotFound"),
        (dict(InstanceIds=[a[0], "i-0123456789abcdef0"]), "InvalidInstanceID.NotFound"),
        (dict(InstanceIds=["i-nothex"]), "InvalidInstanceID.Malformed"),
        (dict(Filters=[{"Name": "no-such-filter", "Values": ["x"]}]), "InvalidParameterValue"),
        (dict(MaxResults=4), "InvalidParameterValue"),
        (dict(MaxResults=1001), "InvalidParameterValue"),
        (dict(InstanceIds=[a[0]], MaxResults=5), "InvalidParameterCombination"),
    ]:
        with pytest.raises(ClientError) as e:
            unvalidated_ec2(server).describe_instances(**kwargs)
        assert error_code(e) == code, kwargs

    # Another account sees none of them.
    other = server.ec2(ACCOUNT_B)
    assert other.describe_instances()["Reservations"] == []
    with pytest.raises(ClientError) as e:
        other.describe_instances(InstanceIds=[a[0]])
    assert error_code(e) == "InvalidInstanceID.NotFound"
    with pytest.raises(ClientError) as e:
        other.terminate_instances(InstanceIds=[a[0]])
    assert error_code(e) == "InvalidInstanceID.NotFound"
    # Nor does the same account in another region.
    assert server.ec2(region="us-west-2").describe_instances()["Reservations"] == []


def test_terminate_is_idempotent_and_terminated_instances_vanish_after_an_hour(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    sub = make_subnet(ec2, vpc, "10.0.1.0/24")
    inst = run(ec2, sub)["Instances"][0]
    iid = inst["InstanceId"]
    keep = run(ec2, sub)["Instances"][0]["InstanceId"]

    # All or nothing: one unknown id refuses the whole call.
    with pytest.raises(ClientError) as e:
        ec2.terminate_instances(InstanceIds=[iid, "i-0123456789abcdef0"])
    assert error_code(e) == "InvalidInstanceID.NotFound"
    assert ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0][
        "State"
    ]["Name"] == "running"
    with pytest.raises(ClientError) as e:
        ec2.terminate_instances(InstanceIds=[])
    assert error_code(e) in ("MissingParameter", "InvalidParameterValue")

    first = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]
    assert first["CurrentState"] == {"Code": 32, "Name": "shutting-down"}
    second = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]
    assert second["PreviousState"] == {"Code": 48, "Name": "terminated"}
    assert second["CurrentState"] == {"Code": 48, "Name": "terminated"}

    got = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    assert got["State"] == {"Code": 48, "Name": "terminated"}
    assert got["NetworkInterfaces"] == []
    assert "PrivateIpAddress" not in got
    ec2.get_waiter("instance_terminated").wait(
        InstanceIds=[iid], WaiterConfig={"Delay": 1, "MaxAttempts": 3}
    )
    # Its address is free again (the lowest one).
    assert run(ec2, sub)["Instances"][0]["PrivateIpAddress"] == inst["PrivateIpAddress"]

    server.advance(3500)
    assert ec2.describe_instances(InstanceIds=[iid])["Reservations"]
    server.advance(200)
    with pytest.raises(ClientError) as e:
        ec2.describe_instances(InstanceIds=[iid])
    assert error_code(e) == "InvalidInstanceID.NotFound"
    assert iid not in ids_of(ec2.describe_instances()["Reservations"])
    assert keep in ids_of(ec2.describe_instances()["Reservations"])
    with pytest.raises(ClientError) as e:
        ec2.terminate_instances(InstanceIds=[iid])
    assert error_code(e) == "InvalidInstanceID.NotFound"


def test_describe_network_interfaces(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    s1 = make_subnet(ec2, vpc, "10.0.1.0/24")
    s2 = make_subnet(ec2, vpc, "10.0.2.0/24", az="us-east-1b")
    r1 = run(ec2, s1, MaxCount=3)
    r2 = run(
        ec2,
        s2,
        MaxCount=3,
        TagSpecifications=[{"ResourceType": "network-interface", "Tags": [{"Key": "t", "Value": "v"}]}],
    )
    n1 = [i["NetworkInterfaces"][0]["NetworkInterfaceId"] for i in r1["Instances"]]
    n2 = [i["NetworkInterfaces"][0]["NetworkInterfaceId"] for i in r2["Instances"]]
    i1 = r1["Instances"][0]
    sg = i1["SecurityGroups"][0]["GroupId"]

    def q(name, *values):
        res = ec2.describe_network_interfaces(Filters=[{"Name": name, "Values": list(values)}])
        return sorted(n["NetworkInterfaceId"] for n in res["NetworkInterfaces"])

    assert q("network-interface-id", n1[0]) == [n1[0]]
    assert q("subnet-id", s1) == sorted(n1)
    assert q("vpc-id", vpc) == sorted(n1 + n2)
    assert q("private-ip-address", i1["PrivateIpAddress"]) == [n1[0]]
    assert q("addresses.private-ip-address", i1["PrivateIpAddress"]) == [n1[0]]
    assert q("attachment.instance-id", i1["InstanceId"]) == [n1[0]]
    assert q("group-id", sg) == sorted(n1 + n2)
    assert q("interface-type", "interface") == sorted(n1 + n2)
    assert q("interface-type", "nat_gateway") == []
    assert q("status", "in-use") == sorted(n1 + n2)
    assert q("status", "available") == []
    assert q("owner-id", ACCOUNT_A) == sorted(n1 + n2)
    assert q("availability-zone", "us-east-1b") == sorted(n2)
    assert q("tag:t", "v") == sorted(n2)

    p1 = ec2.describe_network_interfaces(MaxResults=5)
    assert len(p1["NetworkInterfaces"]) == 5
    p2 = ec2.describe_network_interfaces(MaxResults=5, NextToken=p1["NextToken"])
    assert len(p2["NetworkInterfaces"]) == 1 and "NextToken" not in p2

    for kwargs, code in [
        (dict(NetworkInterfaceIds=["eni-0123456789abcdef0"]), "InvalidNetworkInterfaceID.NotFound"),
        (dict(NetworkInterfaceIds=["eni-bad"]), "InvalidNetworkInterfaceID.Malformed"),
        (dict(Filters=[{"Name": "bogus", "Values": ["x"]}]), "InvalidParameterValue"),
        (dict(MaxResults=2), "InvalidParameterValue"),
    ]:
        with pytest.raises(ClientError) as e:
            unvalidated_ec2(server).describe_network_interfaces(**kwargs)
        assert error_code(e) == code, kwargs
    with pytest.raises(ClientError) as e:
        server.ec2(ACCOUNT_B).describe_network_interfaces(NetworkInterfaceIds=[n1[0]])
    assert error_code(e) == "InvalidNetworkInterfaceID.NotFound"


def test_aws_cli_run_describe_terminate(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    sub = make_subnet(ec2, vpc, "10.0.1.0/24")
    out = server.cli(
        "ec2",
        "run-instances",
        "--image-id",
        AMI,
        "--count",
        "2",
        "--subnet-id",
        sub,
        "--instance-type",
        "t3.small",
        "--tag-specifications",
        "ResourceType=instance,Tags=[{Key=Name,Value=cli}]",
    )
    assert len(out["Instances"]) == 2
    assert all(i["State"]["Name"] == "pending" for i in out["Instances"])
    ids = sorted(i["InstanceId"] for i in out["Instances"])
    desc = server.cli(
        "ec2", "describe-instances", "--filters", "Name=tag:Name,Values=cli", "Name=instance-type,Values=t3.small"
    )
    assert ids_of(desc["Reservations"]) == ids
    # The CLI moves --subnet-id into NetworkInterfaces when --associate-public-ip-address is set.
    pub = server.cli(
        "ec2", "run-instances", "--image-id", AMI, "--subnet-id", sub, "--associate-public-ip-address"
    )
    assert pub["Instances"][0]["SubnetId"] == sub
    term = server.cli("ec2", "terminate-instances", "--instance-ids", *ids)
    assert sorted(t["InstanceId"] for t in term["TerminatingInstances"]) == ids
    enis = server.cli("ec2", "describe-network-interfaces", "--filters", f"Name=subnet-id,Values={sub}")
    assert len(enis["NetworkInterfaces"]) == 1
    bad = server.cli("ec2", "describe-instances", "--instance-ids", "i-0123456789abcdef0", check=False)
    assert bad.returncode != 0 and "InvalidInstanceID.NotFound" in bad.stderr
