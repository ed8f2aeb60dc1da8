"""End-to-end tests of issue 8's input rules with the real clients: control characters refused
at the EC2 edge (item 1), one tag validation for every way in (item 3) and the SigV4 region
check (item 9).
"""

import xml.dom.minidom

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT_A, error_code, http_status, new_vpc_id


def well_formed(body):
    """Parses an XML body with expat (as botocore does), failing the test if it cannot."""
    xml.dom.minidom.parseString(body.encode("utf-8"))
    return body


# ---------------------------------------------------------------- item 1


def test_control_character_in_a_tag_is_refused_and_the_account_stays_readable(server):
    ec2 = server.ec2()
    vpc = new_vpc_id(ec2)
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "k", "Value": "a\x01b"}])
    assert error_code(e) == "InvalidParameterValue"
    assert http_status(e) == 400
    assert "Tag.1.Value" in e.value.response["Error"]["Message"]
    assert "\\u0001" in e.value.response["Error"]["Message"]
    # Nothing stored; boto3 and the CLI still parse every answer of the account.
    assert ec2.describe_tags()["Tags"] == []
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]] == [vpc]
    assert server.cli("ec2", "describe-tags")["Tags"] == []
    with pytest.raises(ClientError) as e:
        ec2.create_vpc(
            CidrBlock="10.1.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "k\x1f", "Value": "v"}]}],
        )
    assert error_code(e) == "InvalidParameterValue"
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1


def test_error_documents_are_well_formed(server):
    status, body = server.raw("Action=CreateVpc&Version=2016-11-15&CidrBlock=%01", account=ACCOUNT_A)
    assert status == 400
    assert "<Code>InvalidParameterValue</Code>" in well_formed(body)
    assert "\x01" not in body
    status, body = server.raw(
        "Action=GetCallerIdentity&Version=2011-06-15&Junk=%02", account=ACCOUNT_A, service="sts"
    )
    assert status == 400
    assert "<ErrorResponse" in well_formed(body)


# ---------------------------------------------------------------- item 3


@pytest.mark.parametrize(
    "tags, code",
    [
        ([{"Key": "k", "Value": "v" * 257}], None),
        ([{"Key": "k", "Value": "v" * (1 << 20)}], None),
        ([{"Key": "aws:x", "Value": "v"}], "InvalidTagKey.Malformed"),
        ([{"Key": f"k{i}", "Value": "v"} for i in range(51)], "TagLimitExceeded"),
    ],
    ids=["257-char value", "1 MiB value", "aws: prefix", "51 tags"],
)
def test_tag_specifications_are_validated_like_create_tags(server, tags, code):
    ec2 = server.ec2(validate=False)
    vpc = new_vpc_id(ec2)
    with pytest.raises(ClientError) as via_create_tags:
        ec2.create_tags(Resources=[vpc], Tags=tags)
    with pytest.raises(ClientError) as via_spec:
        ec2.create_vpc(
            CidrBlock="10.1.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": tags}]
        )
    want = via_create_tags.value.response["Error"]
    got = via_spec.value.response["Error"]
    assert got["Code"] == want["Code"]
    if code:
        assert got["Code"] == code
    assert got["Message"] == want["Message"].replace(f" for '{vpc}'", "")
    with pytest.raises(ClientError) as via_subnet:
        ec2.create_subnet(
            VpcId=vpc,
            CidrBlock="10.0.1.0/24",
            TagSpecifications=[{"ResourceType": "subnet", "Tags": tags}],
        )
    assert via_subnet.value.response["Error"]["Code"] == want["Code"]
    # Nothing was created, and the account's documents stay small.
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1
    assert ec2.describe_subnets()["Subnets"] == []
    assert ec2.describe_tags()["Tags"] == []


# ---------------------------------------------------------------- item 9


def test_made_up_region_is_refused_with_boto3(server):
    ec2 = server.ec2(region="zz-fake-9")
    with pytest.raises(ClientError) as e:
        ec2.create_vpc(CidrBlock="10.0.0.0/16")
    assert error_code(e) == "AuthFailure"
    assert http_status(e) == 401
    assert "zz-fake-9" in e.value.response["Error"]["Message"]
    assert server.ec2().describe_vpcs()["Vpcs"] == []
    # Without an endpoint override boto3 would send it to a host that does not exist (nothing is
    # sent here: this only shows where the request would go).
    plain = boto3.client(
        "ec2",
        region_name="zz-fake-9",
        aws_access_key_id=ACCOUNT_A,
        aws_secret_access_key="secret",
        config=botocore.config.Config(retries={"total_max_attempts": 1}, connect_timeout=2),
    )
    assert plain.meta.endpoint_url == "https://ec2.zz-fake-9.amazonaws.com"


def test_real_regions_sts_and_describe_regions_still_work(server):
    names = [r["RegionName"] for r in server.ec2().describe_regions()["Regions"]]
    assert len(names) == 34 and "mx-central-1" in names and "ap-southeast-7" in names
    for region in ["us-east-1", "eu-south-2", "ap-east-2", "il-central-1"]:
        ec2 = server.ec2(region=region)
        vpc = new_vpc_id(ec2)
        assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["VpcId"] == vpc
    assert server.sts(region="zz-fake-9").get_caller_identity()["Account"] == ACCOUNT_A
    status, body = server.raw("Action=DescribeVpcs&Version=2016-11-15")
    assert status == 200, body
    status, body = server.raw(
        "Action=DescribeVpcs&Version=2016-11-15", account=ACCOUNT_A, region="zz-fake-9"
    )
    assert status == 401 and "<Code>AuthFailure</Code>" in well_formed(body)
