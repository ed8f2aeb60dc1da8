"""End-to-end tests of DHCP option sets with boto3 and the aws CLI: each region's default set
(associated with every new VPC), CreateDhcpOptions validation, association and deletion."""

from conftest import ACCOUNT_B, fails


def configs(d):
    return {c["Key"]: [v["Value"] for v in c["Values"]] for c in d["DhcpConfigurations"]}


def test_default_set_and_lifecycle_boto3(server):
    ec2 = server.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    default = vpc["DhcpOptionsId"]
    assert default.startswith("dopt-")
    d = ec2.describe_dhcp_options(DhcpOptionsIds=[default])["DhcpOptions"][0]
    assert configs(d) == {"domain-name": ["ec2.internal"],
                          "domain-name-servers": ["AmazonProvidedDNS"]}
    assert d["OwnerId"] == "111111111111"
    # Every VPC of the region shares it; another region has its own.
    assert ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["DhcpOptionsId"] == default
    west = server.ec2(region="eu-west-1")
    wv = west.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["DhcpOptionsId"]
    assert wv != default
    wd = west.describe_dhcp_options(DhcpOptionsIds=[wv])["DhcpOptions"][0]
    assert configs(wd)["domain-name"] == ["eu-west-1.compute.internal"]

    created = ec2.create_dhcp_options(
        DhcpConfigurations=[
            {"Key": "domain-name", "Values": ["corp.example.com"]},
            {"Key": "domain-name-servers", "Values": ["10.0.0.2", "10.0.0.3"]},
            {"Key": "ntp-servers", "Values": ["169.254.169.123"]},
            {"Key": "netbios-node-type", "Values": ["2"]},
        ],
        TagSpecifications=[{"ResourceType": "dhcp-options", "Tags": [{"Key": "Name", "Value": "corp"}]}],
    )["DhcpOptions"]
    dopt = created["DhcpOptionsId"]
    assert configs(created)["domain-name-servers"] == ["10.0.0.2", "10.0.0.3"]
    assert created["Tags"] == [{"Key": "Name", "Value": "corp"}]

    for f, v, want in [
        ("key", "ntp-servers", [dopt]),
        ("value", "AmazonProvidedDNS", [default]),
        ("dhcp-options-id", dopt, [dopt]),
        ("tag:Name", "corp", [dopt]),
    ]:
        got = ec2.describe_dhcp_options(Filters=[{"Name": f, "Values": [v]}])["DhcpOptions"]
        assert [x["DhcpOptionsId"] for x in got] == want, (f, v)

    bad = [
        [{"Key": "bogus", "Values": ["x"]}],
        [{"Key": "netbios-node-type", "Values": ["3"]}],
        [{"Key": "domain-name-servers", "Values": ["a", "b", "c", "d", "e"]}],
        [{"Key": "domain-name-servers", "Values": ["dns.example"]}],
    ]
    for conf in bad:
        fails("InvalidParameterValue", ec2.create_dhcp_options, DhcpConfigurations=conf)

    ec2.associate_dhcp_options(DhcpOptionsId=dopt, VpcId=vpc["VpcId"])
    assert ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]["DhcpOptionsId"] == dopt
    fails("DependencyViolation", ec2.delete_dhcp_options, DhcpOptionsId=dopt)
    fails("InvalidDhcpOptionID.NotFound", ec2.associate_dhcp_options,
          DhcpOptionsId="dopt-0123456789abcdef0", VpcId=vpc["VpcId"])
    fails("InvalidVpcID.NotFound", ec2.associate_dhcp_options, DhcpOptionsId=dopt,
          VpcId="vpc-0123456789abcdef0")
    # Another account sees none of them.
    b = server.ec2(ACCOUNT_B)
    fails("InvalidDhcpOptionID.NotFound", b.describe_dhcp_options, DhcpOptionsIds=[dopt])

    ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=vpc["VpcId"])
    assert ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]["DhcpOptionsId"] == "default"
    ec2.delete_dhcp_options(DhcpOptionsId=dopt)
    fails("InvalidDhcpOptionID.NotFound", ec2.describe_dhcp_options, DhcpOptionsIds=[dopt])


def test_dhcp_options_cli(server):
    vpc = server.cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    out = server.cli("ec2", "create-dhcp-options", "--dhcp-configurations",
                     "Key=domain-name,Values=corp.example",
                     "Key=domain-name-servers,Values=10.0.0.2")["DhcpOptions"]
    dopt = out["DhcpOptionsId"]
    server.cli("ec2", "associate-dhcp-options", "--dhcp-options-id", dopt, "--vpc-id", vpc)
    got = server.cli("ec2", "describe-vpcs", "--vpc-ids", vpc)["Vpcs"][0]
    assert got["DhcpOptionsId"] == dopt
    listed = server.cli("ec2", "describe-dhcp-options", "--filters",
                        "Name=key,Values=domain-name-servers")["DhcpOptions"]
    assert len(listed) == 2  # the default set and this one
    p = server.cli("ec2", "delete-dhcp-options", "--dhcp-options-id", dopt, check=False)
    assert p.returncode != 0 and "DependencyViolation" in p.stderr
    server.cli("ec2", "associate-dhcp-options", "--dhcp-options-id", "default", "--vpc-id", vpc)
    server.cli("ec2", "delete-dhcp-options", "--dhcp-options-id", dopt)


def test_default_vpc_gets_the_default_set(fresh_server):
    s = fresh_server(default_vpc=True)
    ec2 = s.ec2(region="us-west-2")
    v = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    d = ec2.describe_dhcp_options(DhcpOptionsIds=[v["DhcpOptionsId"]])["DhcpOptions"][0]
    assert configs(d)["domain-name"] == ["us-west-2.compute.internal"]
