"""The aws CLI on the issue-11 actions the other files drive through boto3 only: IPv6 addresses
on an interface, launch templates and their versions, instance type offerings, resetting an
interface attribute, rule descriptions, and the default-VPC account attribute."""

from conftest import cli_error_code


def _dual_stack_subnet(server):
    vpc = server.cli("ec2", "create-vpc", "--cidr-block", "10.60.0.0/16",
                     "--amazon-provided-ipv6-cidr-block")["Vpc"]
    v6 = vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    sub64 = v6.replace("00::/56", "00::/64")
    subnet = server.cli("ec2", "create-subnet", "--vpc-id", vpc["VpcId"],
                        "--cidr-block", "10.60.1.0/24", "--ipv6-cidr-block", sub64)["Subnet"]
    return vpc["VpcId"], subnet["SubnetId"]


def test_interface_ipv6_addresses_and_reset_attribute(server):
    _, subnet = _dual_stack_subnet(server)
    eni = server.cli("ec2", "create-network-interface",
                     "--subnet-id", subnet)["NetworkInterface"]["NetworkInterfaceId"]
    got = server.cli("ec2", "assign-ipv6-addresses", "--network-interface-id", eni,
                     "--ipv6-address-count", "2")["AssignedIpv6Addresses"]
    assert len(got) == 2 and all(":" in a for a in got)
    out = server.cli("ec2", "unassign-ipv6-addresses", "--network-interface-id", eni,
                     "--ipv6-addresses", got[0])
    assert out["UnassignedIpv6Addresses"] == [got[0]]
    shown = server.cli("ec2", "describe-network-interfaces", "--network-interface-ids",
                       eni)["NetworkInterfaces"][0]
    assert [a["Ipv6Address"] for a in shown["Ipv6Addresses"]] == [got[1]]

    server.cli("ec2", "modify-network-interface-attribute", "--network-interface-id", eni,
               "--no-source-dest-check")
    attr = server.cli("ec2", "describe-network-interface-attribute", "--network-interface-id",
                      eni, "--attribute", "sourceDestCheck")
    assert attr["SourceDestCheck"]["Value"] is False
    server.cli("ec2", "reset-network-interface-attribute", "--network-interface-id", eni,
               "--source-dest-check", "sourceDestCheck")
    attr = server.cli("ec2", "describe-network-interface-attribute", "--network-interface-id",
                      eni, "--attribute", "sourceDestCheck")
    assert attr["SourceDestCheck"]["Value"] is True


def test_launch_template_versions(server):
    made = server.cli("ec2", "create-launch-template", "--launch-template-name", "web",
                      "--launch-template-data",
                      '{"ImageId":"ami-12345678","InstanceType":"t3.micro"}')["LaunchTemplate"]
    assert made["LatestVersionNumber"] == 1
    v2 = server.cli("ec2", "create-launch-template-version", "--launch-template-name", "web",
                    "--source-version", "1", "--launch-template-data",
                    '{"InstanceType":"t3.small"}')["LaunchTemplateVersion"]
    assert v2["VersionNumber"] == 2
    assert v2["LaunchTemplateData"]["ImageId"] == "ami-12345678"
    versions = server.cli("ec2", "describe-launch-template-versions", "--launch-template-id",
                          made["LaunchTemplateId"])["LaunchTemplateVersions"]
    assert sorted((v["VersionNumber"], v["LaunchTemplateData"]["InstanceType"])
                  for v in versions) == [(1, "t3.micro"), (2, "t3.small")]
    p = server.cli("ec2", "create-launch-template", "--launch-template-name", "web",
                   "--launch-template-data", '{"ImageId":"ami-12345678"}', check=False)
    assert cli_error_code(p) == "InvalidLaunchTemplateName.AlreadyExistsException"


def test_instance_type_offerings_by_zone(server):
    offers = server.cli("ec2", "describe-instance-type-offerings", "--location-type",
                        "availability-zone", "--filters",
                        "Name=instance-type,Values=t3.micro")["InstanceTypeOfferings"]
    zones = {o["Location"] for o in offers}
    assert zones and all(z.startswith("us-east-1") for z in zones)
    assert {o["InstanceType"] for o in offers} == {"t3.micro"}


def test_rule_description_egress(server):
    vpc = server.cli("ec2", "create-vpc", "--cidr-block", "10.61.0.0/16")["Vpc"]["VpcId"]
    sg = server.cli("ec2", "create-security-group", "--group-name", "web", "--description",
                    "web", "--vpc-id", vpc)["GroupId"]
    server.cli("ec2", "authorize-security-group-egress", "--group-id", sg, "--ip-permissions",
               "IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=10.0.0.0/8}]")
    server.cli("ec2", "update-security-group-rule-descriptions-egress", "--group-id", sg,
               "--ip-permissions",
               "IpProtocol=tcp,FromPort=443,ToPort=443,"
               "IpRanges=[{CidrIp=10.0.0.0/8,Description=to-the-backends}]")
    rules = server.cli("ec2", "describe-security-group-rules", "--filters",
                       f"Name=group-id,Values={sg}")["SecurityGroupRules"]
    described = [r for r in rules if r.get("CidrIpv4") == "10.0.0.0/8"]
    assert [r.get("Description") for r in described] == ["to-the-backends"]


def test_account_attribute_default_vpc(fresh_server, tmp_path):
    on = fresh_server(default_vpc=True)
    attrs = on.cli("ec2", "describe-account-attributes", "--attribute-names",
                   "default-vpc")["AccountAttributes"]
    value = attrs[0]["AttributeValues"][0]["AttributeValue"]
    assert value.startswith("vpc-")
    off = fresh_server(data_dir=tmp_path / "empty")
    attrs = off.cli("ec2", "describe-account-attributes", "--attribute-names",
                    "default-vpc")["AccountAttributes"]
    assert attrs[0]["AttributeValues"][0]["AttributeValue"] == "none"
