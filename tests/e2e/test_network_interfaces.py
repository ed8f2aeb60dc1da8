"""End-to-end tests of the network interface lifecycle (CreateNetworkInterface,
Attach/DetachNetworkInterface, DeleteNetworkInterface, Assign/UnassignPrivateIpAddresses,
Assign/UnassignIpv6Addresses) and of RunInstances with address lists, IPv6 addresses and
existing interfaces, driven by boto3 and the aws CLI against a real `vpcpeer serve`."""

import ipaddress

from conftest import AMI, cli_error_code, fails


def network(ec2, ipv6=False):
    """A VPC with a /24 subnet in us-east-1a (and a /64 when `ipv6`): (vpc, subnet, default group)."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=ipv6)["Vpc"]
    kwargs = {}
    if ipv6:
        block = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        kwargs["Ipv6CidrBlock"] = block.replace("::/56", "::/64")
    subnet = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a", **kwargs)
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    return vpc["VpcId"], subnet["Subnet"]["SubnetId"], groups[0]["GroupId"]


def eni_of(ec2, eni_id):
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]


def test_create_describe_delete(server):
    ec2 = server.ec2()
    vpc, subnet, default = network(ec2)
    e = ec2.create_network_interface(
        SubnetId=subnet,
        Description="app",
        PrivateIpAddresses=[
            {"PrivateIpAddress": "10.0.1.10", "Primary": True},
            {"PrivateIpAddress": "10.0.1.11", "Primary": False},
        ],
        SecondaryPrivateIpAddressCount=1,
        TagSpecifications=[{"ResourceType": "network-interface", "Tags": [{"Key": "Name", "Value": "app"}]}],
    )["NetworkInterface"]
    assert e["NetworkInterfaceId"].startswith("eni-")
    assert e["Status"] == "available"
    assert e["PrivateIpAddress"] == "10.0.1.10"
    assert e["Groups"][0]["GroupId"] == default, "the VPC's default group"
    assert e["Description"] == "app"
    assert e["InterfaceType"] == "interface"
    addrs = [(a["PrivateIpAddress"], a["Primary"]) for a in e["PrivateIpAddresses"]]
    assert addrs == [("10.0.1.10", True), ("10.0.1.11", False), ("10.0.1.4", False)]
    assert e["TagSet"] == [{"Key": "Name", "Value": "app"}]
    assert "Attachment" not in e
    shown = eni_of(ec2, e["NetworkInterfaceId"])
    assert shown["PrivateIpAddresses"] == e["PrivateIpAddresses"]
    got = ec2.describe_network_interfaces(Filters=[{"Name": "addresses.private-ip-address", "Values": ["10.0.1.11"]}])
    assert [x["NetworkInterfaceId"] for x in got["NetworkInterfaces"]] == [e["NetworkInterfaceId"]]
    tags = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["network-interface"]}])["Tags"]
    assert [t["ResourceId"] for t in tags] == [e["NetworkInterfaceId"]]

    fails("InvalidIPAddress.InUse", ec2.create_network_interface, SubnetId=subnet, PrivateIpAddress="10.0.1.10")
    fails("InvalidParameterValue", ec2.create_network_interface, SubnetId=subnet, PrivateIpAddress="10.0.1.1")
    fails("InvalidParameterValue", ec2.create_network_interface, SubnetId=subnet, PrivateIpAddress="10.0.1.255")
    fails("InvalidParameterValue", ec2.create_network_interface, SubnetId=subnet, PrivateIpAddress="10.0.2.5")
    fails("InvalidSubnetID.NotFound", ec2.create_network_interface, SubnetId="subnet-0123456789abcdef0")
    fails("InvalidParameterValue", ec2.create_network_interface, SubnetId=subnet, Ipv6AddressCount=1)
    avail = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"]
    assert avail == 251 - 3

    ec2.delete_network_interface(NetworkInterfaceId=e["NetworkInterfaceId"])
    fails("InvalidNetworkInterfaceID.NotFound", ec2.delete_network_interface,
          NetworkInterfaceId=e["NetworkInterfaceId"])
    assert ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"] == 251


def test_attach_detach(server):
    ec2 = server.ec2()
    vpc, subnet, _ = network(ec2)
    other_zone = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    iid = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    far = ec2.create_network_interface(SubnetId=other_zone)["NetworkInterface"]["NetworkInterfaceId"]

    fails("InvalidParameterValue", ec2.attach_network_interface, NetworkInterfaceId=eni, InstanceId=iid, DeviceIndex=0)
    fails("InvalidParameterCombination", ec2.attach_network_interface, NetworkInterfaceId=far, InstanceId=iid,
          DeviceIndex=1)
    fails("InvalidInstanceID.NotFound", ec2.attach_network_interface, NetworkInterfaceId=eni,
          InstanceId="i-0123456789abcdef0", DeviceIndex=1)
    att = ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=iid, DeviceIndex=1)["AttachmentId"]
    assert att.startswith("eni-attach-")
    e = eni_of(ec2, eni)
    assert e["Status"] == "in-use"
    assert e["Attachment"]["InstanceId"] == iid and e["Attachment"]["DeviceIndex"] == 1
    assert e["Attachment"]["DeleteOnTermination"] is False
    inst = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    assert sorted(n["NetworkInterfaceId"] for n in inst["NetworkInterfaces"]) == sorted(
        [inst["NetworkInterfaces"][0]["NetworkInterfaceId"], eni]
    )
    fails("InvalidNetworkInterface.InUse", ec2.attach_network_interface, NetworkInterfaceId=eni, InstanceId=iid,
          DeviceIndex=2)
    fails("InvalidNetworkInterface.InUse", ec2.delete_network_interface, NetworkInterfaceId=eni)
    primary = [n for n in inst["NetworkInterfaces"] if n["Attachment"]["DeviceIndex"] == 0][0]
    fails("OperationNotPermitted", ec2.detach_network_interface, AttachmentId=primary["Attachment"]["AttachmentId"])
    fails("InvalidAttachmentID.NotFound", ec2.detach_network_interface, AttachmentId="eni-attach-0123456789abcdef0")

    ec2.detach_network_interface(AttachmentId=att)
    assert eni_of(ec2, eni)["Status"] == "available"
    ec2.delete_network_interface(NetworkInterfaceId=eni)


def test_assign_unassign(server):
    ec2 = server.ec2()
    _, subnet, _ = network(ec2, ipv6=True)
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    other = ec2.create_network_interface(SubnetId=subnet, SecondaryPrivateIpAddressCount=1)["NetworkInterface"]
    held = [a["PrivateIpAddress"] for a in other["PrivateIpAddresses"] if not a["Primary"]][0]

    out = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=2)
    assert out["NetworkInterfaceId"] == eni
    new = [a["PrivateIpAddress"] for a in out["AssignedPrivateIpAddresses"]]
    assert len(new) == 2
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.1.99"])
    fails("InvalidParameterValue", ec2.assign_private_ip_addresses, NetworkInterfaceId=eni, PrivateIpAddresses=[held])
    fails("InvalidParameterValue", ec2.assign_private_ip_addresses, NetworkInterfaceId=eni,
          PrivateIpAddresses=["10.0.1.3"])
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=[held], AllowReassignment=True)
    assert held in [a["PrivateIpAddress"] for a in eni_of(ec2, eni)["PrivateIpAddresses"]]
    assert held not in [a["PrivateIpAddress"] for a in eni_of(ec2, other["NetworkInterfaceId"])["PrivateIpAddresses"]]
    primary = eni_of(ec2, eni)["PrivateIpAddress"]
    fails("InvalidParameterValue", ec2.unassign_private_ip_addresses, NetworkInterfaceId=eni,
          PrivateIpAddresses=[primary])
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=new)
    left = sorted(a["PrivateIpAddress"] for a in eni_of(ec2, eni)["PrivateIpAddresses"])
    assert left == sorted([primary, "10.0.1.99", held])

    v6 = ec2.assign_ipv6_addresses(NetworkInterfaceId=eni, Ipv6AddressCount=2)
    assert v6["NetworkInterfaceId"] == eni
    got = v6["AssignedIpv6Addresses"]
    assert len(got) == 2
    block = ipaddress.ip_network(ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0][
        "Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])
    assert all(ipaddress.ip_address(a) in block for a in got)
    shown = [a["Ipv6Address"] for a in eni_of(ec2, eni)["Ipv6Addresses"]]
    assert shown == got
    fails("InvalidIPAddress.InUse", ec2.assign_ipv6_addresses, NetworkInterfaceId=other["NetworkInterfaceId"],
          Ipv6Addresses=[got[0]])
    out = ec2.unassign_ipv6_addresses(NetworkInterfaceId=eni, Ipv6Addresses=[got[0]])
    assert out["UnassignedIpv6Addresses"] == [got[0]]
    assert [a["Ipv6Address"] for a in eni_of(ec2, eni)["Ipv6Addresses"]] == [got[1]]
    fails("InvalidParameterValue", ec2.unassign_ipv6_addresses, NetworkInterfaceId=eni, Ipv6Addresses=[got[0]])


def test_run_instances_with_addresses_and_existing_interfaces(server):
    ec2 = server.ec2()
    _, subnet, _ = network(ec2, ipv6=True)
    out = ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1,
        NetworkInterfaces=[{
            "DeviceIndex": 0,
            "SubnetId": subnet,
            "PrivateIpAddresses": [
                {"PrivateIpAddress": "10.0.1.20", "Primary": True},
                {"PrivateIpAddress": "10.0.1.21", "Primary": False},
            ],
            "SecondaryPrivateIpAddressCount": 1,
            "Ipv6AddressCount": 1,
        }],
    )["Instances"][0]
    nic = out["NetworkInterfaces"][0]
    assert out["PrivateIpAddress"] == "10.0.1.20"
    assert [a["PrivateIpAddress"] for a in nic["PrivateIpAddresses"]][:2] == ["10.0.1.20", "10.0.1.21"]
    assert len(nic["PrivateIpAddresses"]) == 3
    assert len(nic["Ipv6Addresses"]) == 1

    top = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, Ipv6AddressCount=2,
                            PrivateIpAddress="10.0.1.30")["Instances"][0]
    assert top["PrivateIpAddress"] == "10.0.1.30"
    assert len(top["NetworkInterfaces"][0]["Ipv6Addresses"]) == 2

    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    fails("InvalidParameterCombination", ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=2,
          NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": eni}])
    inst = ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": eni}]
    )["Instances"][0]
    assert inst["NetworkInterfaces"][0]["NetworkInterfaceId"] == eni
    fails("InvalidNetworkInterface.InUse", ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1,
          NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": eni}])
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    e = eni_of(ec2, eni)
    assert e["Status"] == "available", "an existing interface outlives its instance"


def test_network_interfaces_cli(server):
    vpc = server.cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = server.cli("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24")["Subnet"]["SubnetId"]
    iid = server.cli("ec2", "run-instances", "--image-id", AMI, "--subnet-id", subnet, "--count", "1")[
        "Instances"][0]["InstanceId"]
    eni = server.cli("ec2", "create-network-interface", "--subnet-id", subnet, "--description", "cli")[
        "NetworkInterface"]["NetworkInterfaceId"]
    att = server.cli("ec2", "attach-network-interface", "--network-interface-id", eni, "--instance-id", iid,
                     "--device-index", "1")["AttachmentId"]
    got = server.cli("ec2", "assign-private-ip-addresses", "--network-interface-id", eni,
                     "--secondary-private-ip-address-count", "1")
    ip = got["AssignedPrivateIpAddresses"][0]["PrivateIpAddress"]
    server.cli("ec2", "unassign-private-ip-addresses", "--network-interface-id", eni, "--private-ip-addresses", ip)
    p = server.cli("ec2", "delete-network-interface", "--network-interface-id", eni, check=False)
    assert cli_error_code(p) == "InvalidNetworkInterface.InUse"
    server.cli("ec2", "detach-network-interface", "--attachment-id", att)
    server.cli("ec2", "delete-network-interface", "--network-interface-id", eni)
    out = server.cli("ec2", "describe-network-interfaces", "--filters", f"Name=subnet-id,Values={subnet}")
    assert len(out["NetworkInterfaces"]) == 1
