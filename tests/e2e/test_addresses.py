"""End-to-end tests of Elastic IPs (AllocateAddress, AssociateAddress, DisassociateAddress,
ReleaseAddress, DescribeAddresses), public NAT gateways holding an allocation, and the public
IPv4 address an instance gets at launch, driven by boto3 and the aws CLI against a real
`vpcpeer serve`."""

import ipaddress

from conftest import ACCOUNT_A, ACCOUNT_B, AMI, cli_error_code, fails

POOL = ipaddress.ip_network("198.18.0.0/15")


def public_subnet(ec2, map_public=True):
    """A VPC (DNS hostnames on) with a subnet that maps public addresses on launch: (vpc, subnet)."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    if map_public:
        ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    return vpc, subnet


def launch(ec2, subnet, **kwargs):
    return ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, **kwargs)["Instances"][0]


def instance(ec2, instance_id):
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def test_allocate_describe_release(server):
    ec2 = server.ec2()
    a = ec2.allocate_address(
        Domain="vpc",
        TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "web"}]}],
    )
    assert a["AllocationId"].startswith("eipalloc-")
    assert a["Domain"] == "vpc"
    assert ipaddress.ip_address(a["PublicIp"]) in POOL
    b = ec2.allocate_address()
    assert b["PublicIp"] != a["PublicIp"]

    got = ec2.describe_addresses()["Addresses"]
    assert sorted(x["AllocationId"] for x in got) == sorted([a["AllocationId"], b["AllocationId"]])
    one = ec2.describe_addresses(AllocationIds=[a["AllocationId"]])["Addresses"][0]
    assert one["PublicIp"] == a["PublicIp"]
    assert one["Tags"] == [{"Key": "Name", "Value": "web"}]
    assert "AssociationId" not in one
    by_ip = ec2.describe_addresses(PublicIps=[b["PublicIp"]])["Addresses"]
    assert [x["AllocationId"] for x in by_ip] == [b["AllocationId"]]

    def ids(filters):
        return sorted(x["AllocationId"] for x in ec2.describe_addresses(Filters=filters)["Addresses"])

    assert ids([{"Name": "tag:Name", "Values": ["web"]}]) == [a["AllocationId"]]
    assert ids([{"Name": "tag-key", "Values": ["Name"]}]) == [a["AllocationId"]]
    assert ids([{"Name": "public-ip", "Values": [b["PublicIp"]]}]) == [b["AllocationId"]]
    assert ids([{"Name": "domain", "Values": ["vpc"]}]) == sorted([a["AllocationId"], b["AllocationId"]])
    assert ids([{"Name": "allocation-id", "Values": [a["AllocationId"]]}]) == [a["AllocationId"]]

    # Tags through CreateTags and DescribeTags (resource type elastic-ip).
    ec2.create_tags(Resources=[b["AllocationId"]], Tags=[{"Key": "Env", "Value": "prod"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [b["AllocationId"]]}])["Tags"]
    assert tags == [{"Key": "Env", "Value": "prod", "ResourceId": b["AllocationId"], "ResourceType": "elastic-ip"}]

    # Another account sees none of them.
    other = server.ec2(ACCOUNT_B)
    assert other.describe_addresses()["Addresses"] == []
    fails("InvalidAllocationID.NotFound", other.release_address, AllocationId=a["AllocationId"])

    ec2.release_address(AllocationId=a["AllocationId"])
    fails("InvalidAllocationID.NotFound", ec2.release_address, AllocationId=a["AllocationId"])
    fails("InvalidAllocationID.Malformed", ec2.release_address, AllocationId="eipalloc-xyz")
    fails("InvalidAddress.NotFound", ec2.describe_addresses, PublicIps=["203.0.113.7"])
    fails("InvalidParameterValue", ec2.allocate_address, Domain="standard")
    # The quota: 5 per region.
    for _ in range(4):
        ec2.allocate_address(Domain="vpc")
    fails("AddressLimitExceeded", ec2.allocate_address, Domain="vpc")
    assert len(server.ec2(region="us-west-2").describe_addresses()["Addresses"]) == 0
    server.ec2(region="us-west-2").allocate_address(Domain="vpc")


def test_associate_disassociate(server):
    ec2 = server.ec2()
    _, subnet = public_subnet(ec2)
    i = launch(ec2, subnet)
    iid = i["InstanceId"]
    # Launched with an Amazon public address (the subnet maps them).
    first = instance(ec2, iid)
    auto = first["PublicIpAddress"]
    assert ipaddress.ip_address(auto) in POOL
    assert first["PublicDnsName"] == "ec2-" + auto.replace(".", "-") + ".compute-1.amazonaws.com"
    nic = first["NetworkInterfaces"][0]
    assert nic["Association"]["IpOwnerId"] == "amazon"
    assert nic["Association"]["PublicIp"] == auto

    eip = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)["AssociationId"]
    assert assoc.startswith("eipassoc-")
    shown = instance(ec2, iid)
    assert shown["PublicIpAddress"] == eip["PublicIp"], "the Elastic IP replaces the public address"
    a = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    assert a["AssociationId"] == assoc
    assert a["InstanceId"] == iid
    assert a["NetworkInterfaceId"] == nic["NetworkInterfaceId"]
    assert a["PrivateIpAddress"] == shown["PrivateIpAddress"]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[nic["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert eni["Association"]["AllocationId"] == eip["AllocationId"]
    assert eni["Association"]["AssociationId"] == assoc
    assert eni["Association"]["IpOwnerId"] == ACCOUNT_A
    assert eni["PrivateIpAddresses"][0]["Association"]["PublicIp"] == eip["PublicIp"]
    for name, value in [
        ("instance-id", iid),
        ("association-id", assoc),
        ("network-interface-id", nic["NetworkInterfaceId"]),
        ("private-ip-address", shown["PrivateIpAddress"]),
    ]:
        got = ec2.describe_addresses(Filters=[{"Name": name, "Values": [value]}])["Addresses"]
        assert [x["AllocationId"] for x in got] == [eip["AllocationId"]], name

    # Errors: already associated, in use, unknown ids.
    other = ec2.allocate_address(Domain="vpc")
    fails("Resource.AlreadyAssociated", ec2.associate_address, AllocationId=other["AllocationId"], InstanceId=iid)
    i2 = launch(ec2, subnet)["InstanceId"]
    fails("Resource.AlreadyAssociated", ec2.associate_address, AllocationId=eip["AllocationId"], InstanceId=i2)
    fails("InvalidIPAddress.InUse", ec2.release_address, AllocationId=eip["AllocationId"])
    fails("InvalidInstanceID.NotFound", ec2.associate_address, AllocationId=other["AllocationId"],
          InstanceId="i-0123456789abcdef0")
    fails("InvalidAllocationID.NotFound", ec2.associate_address, AllocationId="eipalloc-0123456789abcdef0",
          InstanceId=iid)
    fails("InvalidAssociationID.NotFound", ec2.disassociate_address, AssociationId="eipassoc-0123456789abcdef0")
    fails("MissingParameter", ec2.associate_address, AllocationId=other["AllocationId"])

    # Reassociation moves it.
    moved = ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=i2, AllowReassociation=True)
    assert instance(ec2, i2)["PublicIpAddress"] == eip["PublicIp"]
    # The first instance got a new Amazon address back.
    assert ipaddress.ip_address(instance(ec2, iid)["PublicIpAddress"]) in POOL
    ec2.disassociate_address(AssociationId=moved["AssociationId"])
    ec2.release_address(AllocationId=eip["AllocationId"])

    # An instance with two interfaces needs the interface named.
    extra = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=extra, InstanceId=iid, DeviceIndex=1)
    fails("InvalidInstanceID", ec2.associate_address, AllocationId=other["AllocationId"], InstanceId=iid)
    ec2.associate_address(AllocationId=other["AllocationId"], NetworkInterfaceId=extra)
    # Terminating the instance keeps the detached interface, with its address.
    ec2.terminate_instances(InstanceIds=[iid])
    a = ec2.describe_addresses(AllocationIds=[other["AllocationId"]])["Addresses"][0]
    assert a["NetworkInterfaceId"] == extra and "InstanceId" not in a


def test_no_public_address_without_the_subnet_setting(server):
    ec2 = server.ec2()
    _, subnet = public_subnet(ec2, map_public=False)
    iid = launch(ec2, subnet)["InstanceId"]
    assert "PublicIpAddress" not in instance(ec2, iid)
    # Asked for on the interface, it is given.
    out = ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1,
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet, "AssociatePublicIpAddress": True}],
    )["Instances"][0]
    assert ipaddress.ip_address(instance(ec2, out["InstanceId"])["PublicIpAddress"]) in POOL
    got = ec2.describe_instances(Filters=[{"Name": "ip-address", "Values": [instance(ec2, out["InstanceId"])["PublicIpAddress"]]}])
    assert [r["Instances"][0]["InstanceId"] for r in got["Reservations"]] == [out["InstanceId"]]


def test_public_nat_gateway_holds_its_address(server):
    ec2 = server.ec2()
    _, subnet = public_subnet(ec2, map_public=False)
    fails("InvalidAllocationID.NotFound", ec2.create_nat_gateway, SubnetId=subnet,
          AllocationId="eipalloc-0123456789abcdef0")
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip["AllocationId"])["NatGateway"]
    addr = nat["NatGatewayAddresses"][0]
    assert addr["PublicIp"] == eip["PublicIp"]
    a = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    assert a["NetworkInterfaceId"] == addr["NetworkInterfaceId"]
    assert a["PrivateIpAddress"] == addr["PrivateIp"]
    assert a["AssociationId"].startswith("eipassoc-")
    fails("OperationNotPermitted", ec2.release_address, AllocationId=eip["AllocationId"])
    fails("OperationNotPermitted", ec2.disassociate_address, AssociationId=a["AssociationId"])
    ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayId"])
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    ec2.release_address(AllocationId=eip["AllocationId"])


def test_addresses_cli(server):
    vpc = server.cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = server.cli("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24")["Subnet"]["SubnetId"]
    iid = server.cli("ec2", "run-instances", "--image-id", AMI, "--subnet-id", subnet, "--count", "1")[
        "Instances"][0]["InstanceId"]
    a = server.cli("ec2", "allocate-address", "--domain", "vpc")
    assoc = server.cli("ec2", "associate-address", "--allocation-id", a["AllocationId"], "--instance-id", iid)
    got = server.cli("ec2", "describe-addresses", "--filters", f"Name=instance-id,Values={iid}")["Addresses"]
    assert [x["PublicIp"] for x in got] == [a["PublicIp"]]
    p = server.cli("ec2", "release-address", "--allocation-id", a["AllocationId"], check=False)
    assert cli_error_code(p) == "InvalidIPAddress.InUse"
    server.cli("ec2", "disassociate-address", "--association-id", assoc["AssociationId"])
    server.cli("ec2", "release-address", "--allocation-id", a["AllocationId"])
    assert server.cli("ec2", "describe-addresses")["Addresses"] == []
