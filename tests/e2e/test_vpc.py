"""VPCs through real clients: create, describe (filters, paging), CIDR blocks, attributes, delete,
DryRun and the botocore waiters (spec §2.2)."""

import botocore.exceptions
import pytest

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    cli_error_code,
    error_code,
    fails,
    http_status,
    make_vpc,
)

FAST = {"Delay": 1, "MaxAttempts": 2}


def tagged(ec2, cidr, **tags):
    return make_vpc(
        ec2,
        cidr,
        TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ],
    )


def ids(out):
    return {v["VpcId"] for v in out["Vpcs"]}


# --- create ---------------------------------------------------------------------------------------


def test_create_vpc_shape_and_tags(server):
    ec2 = server.ec2()
    v = tagged(ec2, "10.0.0.0/16", Name="main", Env="prod")
    assert v["VpcId"].startswith("vpc-") and len(v["VpcId"]) == 21
    assert v["OwnerId"] == ACCOUNT_A
    assert v["CidrBlock"] == "10.0.0.0/16"
    assert v["State"] in ("pending", "available")
    assert v["InstanceTenancy"] == "default"
    assert v["IsDefault"] is False
    (assoc,) = v["CidrBlockAssociationSet"]
    assert assoc["CidrBlock"] == "10.0.0.0/16"
    assert assoc["AssociationId"].startswith("vpc-cidr-assoc-")
    assert assoc["CidrBlockState"]["State"] == "associated"
    assert {t["Key"]: t["Value"] for t in v["Tags"]} == {"Name": "main", "Env": "prod"}

    (d,) = ec2.describe_vpcs(VpcIds=[v["VpcId"]])["Vpcs"]
    assert d["State"] == "available"
    assert {t["Key"]: t["Value"] for t in d["Tags"]} == {"Name": "main", "Env": "prod"}


def test_create_vpc_with_the_cli(server):
    out = server.cli(
        "ec2",
        "create-vpc",
        "--cidr-block",
        "10.20.0.0/16",
        "--tag-specifications",
        "ResourceType=vpc,Tags=[{Key=Name,Value=cli}]",
    )
    vpc_id = out["Vpc"]["VpcId"]
    assert out["Vpc"]["CidrBlock"] == "10.20.0.0/16"
    found = server.ec2().describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["cli"]}])
    assert ids(found) == {vpc_id}


def test_non_canonical_cidr_is_normalised(server):
    v = make_vpc(server.ec2(), "100.68.0.18/18")
    assert v["CidrBlock"] == "100.68.0.0/18"
    assert v["CidrBlockAssociationSet"][0]["CidrBlock"] == "100.68.0.0/18"


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/29"])
def test_block_size_outside_16_to_28_is_invalid_range(server, cidr):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        make_vpc(server.ec2(), cidr)
    assert error_code(e) == "InvalidVpc.Range"
    assert http_status(e) == 400
    assert cidr in e.value.response["Error"]["Message"]


@pytest.mark.parametrize("cidr", ["banana", "10.0.0.0", "10.0.0.300/16", "10.0.0.0/abc", ""])
def test_garbage_cidr_is_invalid_parameter_value(server, cidr):
    ec2 = server.ec2()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        make_vpc(ec2, cidr)
    assert error_code(e) in ("InvalidParameterValue", "MissingParameter")
    if cidr:
        assert error_code(e) == "InvalidParameterValue"
    assert ec2.describe_vpcs()["Vpcs"] == []


def test_cli_reports_invalid_range(server):
    p = server.cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/8", check=False)
    assert cli_error_code(p) == "InvalidVpc.Range"


def test_amazon_ipv6_on_create(server):
    ec2 = server.ec2(region="eu-west-1")
    v = make_vpc(ec2, "10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)
    (d,) = ec2.describe_vpcs(VpcIds=[v["VpcId"]])["Vpcs"]
    (b6,) = d["Ipv6CidrBlockAssociationSet"]
    assert b6["Ipv6CidrBlock"].endswith("/56")
    assert b6["Ipv6Pool"] == "Amazon"
    assert b6["NetworkBorderGroup"] == "eu-west-1"


# --- describe: ids, filters, paging, scoping -------------------------------------------------------


def test_unknown_and_malformed_ids(server):
    ec2 = server.ec2()
    make_vpc(ec2)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpcs(VpcIds=["vpc-0123456789abcdef0"])
    assert error_code(e) == "InvalidVpcID.NotFound"
    assert "vpc-0123456789abcdef0" in e.value.response["Error"]["Message"]
    for bad in ["vpc-xyz", "subnet-0123456789abcdef0", "vpc-0123456789ABCDEF0"]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.describe_vpcs(VpcIds=[bad])
        assert error_code(e) == "InvalidVpcID.Malformed", bad
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_vpc(VpcId="vpc-0123456789abcdef0")
    assert error_code(e) == "InvalidVpcID.NotFound"
    p = server.cli("ec2", "describe-vpcs", "--vpc-ids", "vpc-0123456789abcdef0", check=False)
    assert cli_error_code(p) == "InvalidVpcID.NotFound"


def test_vpcs_are_scoped_to_account_and_region(server):
    a = make_vpc(server.ec2(ACCOUNT_A, "us-east-1"))
    b = make_vpc(server.ec2(ACCOUNT_B, "us-east-1"))
    a2 = make_vpc(server.ec2(ACCOUNT_A, "us-west-2"))
    assert ids(server.ec2(ACCOUNT_A, "us-east-1").describe_vpcs()) == {a["VpcId"]}
    assert ids(server.ec2(ACCOUNT_B, "us-east-1").describe_vpcs()) == {b["VpcId"]}
    assert ids(server.ec2(ACCOUNT_A, "us-west-2").describe_vpcs()) == {a2["VpcId"]}
    # Another account's VPC, asked for by id, does not exist for the caller.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        server.ec2(ACCOUNT_B).describe_vpcs(VpcIds=[a["VpcId"]])
    assert error_code(e) == "InvalidVpcID.NotFound"


@pytest.fixture
def three(server):
    ec2 = server.ec2()
    prod = tagged(ec2, "10.1.0.0/16", Name="web-prod", Env="prod", Team="a")
    dev = tagged(ec2, "10.2.0.0/16", Name="web-dev", Env="dev")
    other = tagged(ec2, "172.16.0.0/16", Name="db", Owner="x")
    return ec2, prod["VpcId"], dev["VpcId"], other["VpcId"]


def test_filters_and_or_tags_wildcards(three):
    ec2, prod, dev, other = three

    def f(*filters):
        return ids(ec2.describe_vpcs(Filters=[{"Name": n, "Values": v} for n, v in filters]))

    assert f(("tag:Env", ["prod"])) == {prod}
    assert f(("tag:Env", ["prod", "dev"])) == {prod, dev}  # OR within values
    assert f(("tag:Env", ["prod", "dev"]), ("cidr", ["10.2.0.0/16"])) == {dev}  # AND across
    assert f(("tag:Env", ["prod"]), ("cidr", ["10.2.0.0/16"])) == set()
    assert f(("tag-key", ["Owner"])) == {other}
    assert f(("tag-key", ["Env"])) == {prod, dev}
    assert f(("tag:Name", ["web-*"])) == {prod, dev}  # '*'
    assert f(("tag:Name", ["web-?ev"])) == {dev}  # '?'
    assert f(("tag:Name", ["WEB-*"])) == set()  # case-sensitive
    assert f(("cidr", ["10.*"])) == {prod, dev}
    assert f(("cidr-block-association.cidr-block", ["172.16.0.0/16"])) == {other}
    assert f(("vpc-id", [prod, other])) == {prod, other}
    assert f(("owner-id", [ACCOUNT_A]), ("state", ["available"])) == {prod, dev, other}
    assert f(("owner-id", [ACCOUNT_B])) == set()
    assert f(("is-default", ["false"])) == {prod, dev, other}
    # Filters also narrow an explicit id list.
    out = ec2.describe_vpcs(VpcIds=[prod, dev], Filters=[{"Name": "tag:Env", "Values": ["dev"]}])
    assert ids(out) == {dev}


def test_cli_describe_with_filters(server):
    ec2 = server.ec2()
    prod = tagged(ec2, "10.1.0.0/16", Env="prod")["VpcId"]
    tagged(ec2, "10.2.0.0/16", Env="dev")
    out = server.cli(
        "ec2",
        "describe-vpcs",
        "--filters",
        "Name=tag:Env,Values=prod,staging",
        "Name=cidr,Values=10.*",
    )
    assert [v["VpcId"] for v in out["Vpcs"]] == [prod]


def test_paging_with_max_results_and_the_paginator(server):
    ec2 = server.ec2()
    made = {make_vpc(ec2, f"10.{i}.0.0/16")["VpcId"] for i in range(12)}
    first = ec2.describe_vpcs(MaxResults=5)
    assert len(first["Vpcs"]) == 5 and first["NextToken"]
    second = ec2.describe_vpcs(MaxResults=5, NextToken=first["NextToken"])
    assert len(second["Vpcs"]) == 5
    assert not ids(first) & ids(second)

    pages = list(ec2.get_paginator("describe_vpcs").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["Vpcs"]) for p in pages] == [5, 5, 2]
    assert "NextToken" not in pages[-1]
    assert set().union(*(ids(p) for p in pages)) == made

    # Paging and filters together.
    pages = ec2.get_paginator("describe_vpcs").paginate(
        Filters=[{"Name": "cidr", "Values": ["10.1*"]}], PaginationConfig={"PageSize": 5}
    )
    got = set().union(*(ids(p) for p in pages))
    assert len(got) == 3  # 10.1, 10.10, 10.11

    # The CLI pages by itself.
    out = server.cli("ec2", "describe-vpcs", "--page-size", "5")
    assert {v["VpcId"] for v in out["Vpcs"]} == made


def test_max_results_bounds(server):
    ec2 = server.ec2()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpcs(MaxResults=1001)
    assert error_code(e) == "InvalidParameterValue"
    assert ec2.describe_vpcs(MaxResults=1000)["Vpcs"] == []
    assert ec2.describe_vpcs(MaxResults=5)["Vpcs"] == []


# --- CIDR blocks ----------------------------------------------------------------------------------


def test_secondary_ipv4_associate_and_disassociate(server):
    ec2 = server.ec2()
    vpc_id = make_vpc(ec2, "10.0.0.0/16")["VpcId"]
    r = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")
    assert r["VpcId"] == vpc_id
    assoc = r["CidrBlockAssociation"]
    assert assoc["CidrBlock"] == "10.1.0.0/16"
    assert assoc["CidrBlockState"]["State"] in ("associating", "associated")
    (v,) = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert [b["CidrBlock"] for b in v["CidrBlockAssociationSet"]] == ["10.0.0.0/16", "10.1.0.0/16"]
    assert v["CidrBlock"] == "10.0.0.0/16"
    found = ec2.describe_vpcs(
        Filters=[{"Name": "cidr-block-association.cidr-block", "Values": ["10.1.0.0/16"]}]
    )
    assert ids(found) == {vpc_id}

    # Overlapping its own block, or a restricted range, is refused.
    for bad in ["10.0.128.0/17", "10.1.0.0/16"]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=bad)
        assert error_code(e) == "InvalidVpc.Range", bad
    for restricted in ["172.16.0.0/16", "192.168.0.0/16", "198.19.0.0/16"]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=restricted)
        assert error_code(e) == "InvalidVpc.Range", restricted
        assert "restricted" in e.value.response["Error"]["Message"]
    # 100.64/10 and public ranges are allowed next to a 10/8 primary.
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="100.64.0.0/16")

    r = ec2.disassociate_vpc_cidr_block(AssociationId=assoc["AssociationId"])
    assert r["CidrBlockAssociation"]["CidrBlockState"]["State"] in (
        "disassociating",
        "disassociated",
    )
    (v,) = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert [b["CidrBlock"] for b in v["CidrBlockAssociationSet"]] == [
        "10.0.0.0/16",
        "100.64.0.0/16",
    ]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_vpc_cidr_block(AssociationId=assoc["AssociationId"])
    assert error_code(e) == "InvalidAssociationID.NotFound"


def test_primary_block_cannot_be_disassociated(server):
    ec2 = server.ec2()
    v = make_vpc(ec2, "10.0.0.0/16")
    primary = v["CidrBlockAssociationSet"][0]["AssociationId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_vpc_cidr_block(AssociationId=primary)
    assert error_code(e) in ("OperationNotPermitted", "InvalidParameterValue")
    (d,) = ec2.describe_vpcs(VpcIds=[v["VpcId"]])["Vpcs"]
    assert len(d["CidrBlockAssociationSet"]) == 1


def test_secondary_block_quota(server):
    ec2 = server.ec2()
    vpc_id = make_vpc(ec2, "10.0.0.0/16")["VpcId"]
    for i in range(1, 5):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=f"10.{i}.0.0/16")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.9.0.0/16")
    assert error_code(e) == "CidrLimitExceeded"


def test_amazon_ipv6_associate_and_disassociate(server):
    ec2 = server.ec2()
    vpc_id = make_vpc(ec2, "10.0.0.0/16")["VpcId"]
    r = ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
    b6 = r["Ipv6CidrBlockAssociation"]
    assert b6["Ipv6CidrBlock"].endswith("/56")
    assert b6["Ipv6Pool"] == "Amazon"
    assert b6["NetworkBorderGroup"] == "us-east-1"
    (v,) = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert v["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == b6["Ipv6CidrBlock"]
    found = ec2.describe_vpcs(
        Filters=[{"Name": "ipv6-cidr-block-association.ipv6-pool", "Values": ["Amazon"]}]
    )
    assert ids(found) == {vpc_id}
    # A second VPC gets a different /56.
    other = make_vpc(ec2, "10.1.0.0/16", AmazonProvidedIpv6CidrBlock=True)
    assert other["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] != b6["Ipv6CidrBlock"]

    ec2.disassociate_vpc_cidr_block(AssociationId=b6["AssociationId"])
    (v,) = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert not v.get("Ipv6CidrBlockAssociationSet")


def test_associate_needs_a_block_and_an_existing_vpc(server):
    ec2 = server.ec2()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_vpc_cidr_block(VpcId="vpc-0123456789abcdef0", CidrBlock="10.1.0.0/16")
    assert error_code(e) == "InvalidVpcID.NotFound"
    vpc_id = make_vpc(ec2)["VpcId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_vpc_cidr_block(VpcId=vpc_id)
    assert error_code(e) == "MissingParameter"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/8")
    assert error_code(e) == "InvalidVpc.Range"


# --- attributes -----------------------------------------------------------------------------------


def test_vpc_attributes(server):
    ec2 = server.ec2()
    vpc_id = make_vpc(ec2)["VpcId"]

    def attr(name):
        out = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=name)
        assert out["VpcId"] == vpc_id
        return out[name[0].upper() + name[1:]]["Value"]

    assert attr("enableDnsSupport") is True
    assert attr("enableDnsHostnames") is False
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    assert attr("enableDnsHostnames") is True

    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_attribute(
            VpcId=vpc_id, EnableDnsHostnames={"Value": False}, EnableDnsSupport={"Value": False}
        )
    assert error_code(e) == "InvalidParameterCombination"
    assert attr("enableDnsHostnames") is True and attr("enableDnsSupport") is True

    # DNS support cannot be switched off under hostnames; hostnames need support.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False})
    assert error_code(e) == "InvalidParameterCombination"
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False})
    assert attr("enableDnsSupport") is False
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    assert error_code(e) == "InvalidParameterCombination"

    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_attribute(VpcId=vpc_id)
    assert error_code(e) == "MissingParameter"


def test_vpc_attributes_with_the_cli(server):
    vpc_id = make_vpc(server.ec2())["VpcId"]
    server.cli("ec2", "modify-vpc-attribute", "--vpc-id", vpc_id, "--enable-dns-hostnames")
    out = server.cli(
        "ec2", "describe-vpc-attribute", "--vpc-id", vpc_id, "--attribute", "enableDnsHostnames"
    )
    assert out == {"VpcId": vpc_id, "EnableDnsHostnames": {"Value": True}}


# --- delete, DryRun -------------------------------------------------------------------------------


def test_delete_vpc(server):
    ec2 = server.ec2()
    keep = make_vpc(ec2, "10.0.0.0/16")["VpcId"]
    gone = make_vpc(ec2, "10.1.0.0/16")["VpcId"]
    ec2.delete_vpc(VpcId=gone)
    assert ids(ec2.describe_vpcs()) == {keep}
    fails("InvalidVpcID.NotFound", ec2.describe_vpcs, VpcIds=[gone])
    fails("InvalidVpcID.NotFound", ec2.delete_vpc, VpcId=gone)
    # Another account cannot delete it.
    fails("InvalidVpcID.NotFound", server.ec2(ACCOUNT_B).delete_vpc, VpcId=keep)
    server.cli("ec2", "delete-vpc", "--vpc-id", keep)
    assert ec2.describe_vpcs()["Vpcs"] == []


def test_dry_run_answers_412_and_changes_nothing(server):
    ec2 = server.ec2()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc(CidrBlock="10.0.0.0/16", DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert http_status(e) == 412
    assert ec2.describe_vpcs()["Vpcs"] == []

    vpc_id = make_vpc(ec2)["VpcId"]
    checks = [
        lambda: ec2.delete_vpc(VpcId=vpc_id, DryRun=True),
        lambda: ec2.describe_vpcs(DryRun=True),
    ]
    for call in checks:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == "DryRunOperation"
        assert http_status(e) == 412
    (v,) = ec2.describe_vpcs()["Vpcs"]
    assert v["VpcId"] == vpc_id and len(v["CidrBlockAssociationSet"]) == 1
    out = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
    assert out["EnableDnsHostnames"]["Value"] is False

    # A dry run of an invalid request reports the real error, not DryRunOperation.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc(CidrBlock="10.0.0.0/8", DryRun=True)
    assert error_code(e) == "InvalidVpc.Range"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_vpc(VpcId="vpc-0123456789abcdef0", DryRun=True)
    assert error_code(e) == "InvalidVpcID.NotFound"

    p = server.cli("ec2", "create-vpc", "--cidr-block", "10.5.0.0/16", "--dry-run", check=False)
    assert cli_error_code(p) == "DryRunOperation"
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1


# --- waiters --------------------------------------------------------------------------------------


def test_waiters_vpc_available_and_exists(server):
    ec2 = server.ec2()
    vpc_id = make_vpc(ec2)["VpcId"]
    ec2.get_waiter("vpc_available").wait(VpcIds=[vpc_id], WaiterConfig=FAST)
    ec2.get_waiter("vpc_exists").wait(VpcIds=[vpc_id], WaiterConfig=FAST)
    # VpcExists retries on InvalidVpcID.NotFound (so it times out rather than failing at once).
    with pytest.raises(botocore.exceptions.WaiterError) as e:
        ec2.get_waiter("vpc_exists").wait(
            VpcIds=["vpc-0123456789abcdef0"], WaiterConfig={"Delay": 1, "MaxAttempts": 1}
        )
    assert "Max attempts exceeded" in str(e.value)
    server.cli("ec2", "wait", "vpc-available", "--vpc-ids", vpc_id)
