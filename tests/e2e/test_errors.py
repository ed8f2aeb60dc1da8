"""The error face: EC2 error documents for bad requests, the admin API's JSON errors, identity from
the access key (STS), unsigned requests, and no request that ends in a 500 (spec §1)."""

import http.client
import json
import re
import urllib.parse

import botocore.exceptions
import botocore.session
import boto3
import pytest

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    cli_error_code,
    error_code,
    http_status,
    unvalidated_ec2,
    xml_error_code,
)

V = "Version=2016-11-15"


def raw_code(server, body, **kwargs):
    status, text = server.raw(body, account=kwargs.pop("account", ACCOUNT_A), **kwargs)
    return status, xml_error_code(text)


# --- the error document ---------------------------------------------------------------------------


def test_error_document_shape(server):
    status, text = server.raw(f"Action=DescribeVpcs&{V}&VpcId.1=vpc-0123456789abcdef0",
                              account=ACCOUNT_A)
    assert status == 400
    assert re.fullmatch(
        r'<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Response><Errors><Error>'
        r"<Code>InvalidVpcID\.NotFound</Code><Message>The vpc ID 'vpc-0123456789abcdef0' does not "
        r"exist</Message></Error></Errors><RequestID>[0-9a-f-]{36}</RequestID></Response>",
        text,
    ), text
    ok_status, ok = server.raw(f"Action=DescribeVpcs&{V}", account=ACCOUNT_A)
    assert ok_status == 200
    assert re.match(
        r'<\?xml version="1\.0" encoding="UTF-8"\?>\s*<DescribeVpcsResponse '
        r'xmlns="http://ec2\.amazonaws\.com/doc/2016-11-15/"><requestId>[0-9a-f-]{36}</requestId>',
        ok,
    ), ok


def test_request_ids_differ(server):
    ids = set()
    for _ in range(3):
        r = server.ec2().describe_vpcs()
        ids.add(r["ResponseMetadata"]["RequestId"])
    assert len(ids) == 3


def test_content_type_is_xml(server):
    conn = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=10)
    conn.request("POST", "/", body=f"Action=DescribeVpcs&{V}",
                 headers={"content-type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    assert r.status == 200
    assert r.getheader("content-type").startswith("text/xml")
    r.read()
    conn.close()


# --- bad requests ---------------------------------------------------------------------------------


def test_unknown_action(server):
    for account in (ACCOUNT_A, None):
        status, text = server.raw(f"Action=Frobnicate&{V}", account=account)
        assert status == 400
        assert xml_error_code(text) == "InvalidAction"
        assert "Frobnicate" in text


def test_missing_action_and_bad_version(server):
    assert raw_code(server, f"{V}&VpcId=vpc-1") == (400, "MissingAction")
    assert raw_code(server, "Action=DescribeVpcs&Version=2010-01-01") == (400, "NoSuchVersion")


def test_missing_required_parameter(server):
    for action in ["CreateVpc", "DeleteVpc", "AssociateVpcCidrBlock", "DisassociateVpcCidrBlock",
                   "DescribeVpcAttribute", "ModifyVpcAttribute", "CreateVpcPeeringConnection",
                   "AcceptVpcPeeringConnection", "RejectVpcPeeringConnection",
                   "DeleteVpcPeeringConnection", "ModifyVpcPeeringConnectionOptions"]:
        status, code = raw_code(server, f"Action={action}&{V}")
        assert (status, code) == (400, "MissingParameter"), action
    ec2 = unvalidated_ec2(server)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_vpc()
    assert error_code(e) == "MissingParameter"
    assert "VpcId" in e.value.response["Error"]["Message"]
    vpc_id = server.ec2().create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc_peering_connection(VpcId=vpc_id)
    assert error_code(e) == "MissingParameter"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpc_attribute(VpcId=vpc_id)
    assert error_code(e) == "MissingParameter"


def test_bad_boolean_and_integer(server):
    assert raw_code(
        server, f"Action=CreateVpc&{V}&CidrBlock=10.0.0.0/16&AmazonProvidedIpv6CidrBlock=maybe"
    ) == (400, "InvalidParameterValue")
    vpc_id = server.ec2().create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assert raw_code(
        server, f"Action=ModifyVpcAttribute&{V}&VpcId={vpc_id}&EnableDnsHostnames.Value=yes"
    ) == (400, "InvalidParameterValue")
    for bad in ["abc", "1.5", "99999999999999999999999", ""]:
        status, code = raw_code(server, f"Action=DescribeVpcs&{V}&MaxResults={bad}")
        if bad == "":
            assert status in (200, 400)
        else:
            assert (status, code) == (400, "InvalidParameterValue"), bad
    # Only the VPC created above exists: the failed CreateVpc left nothing behind.
    assert len(server.ec2().describe_vpcs()["Vpcs"]) == 1


@pytest.mark.parametrize("action", ["DescribeVpcs", "DescribeVpcPeeringConnections"])
@pytest.mark.parametrize("n", [0, 4, -1, 1001])
def test_max_results_out_of_range(server, action, n):
    assert raw_code(server, f"Action={action}&{V}&MaxResults={n}") == (400,
                                                                        "InvalidParameterValue")


def test_max_results_out_of_range_from_clients(server):
    ec2 = server.ec2()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpc_peering_connections(MaxResults=5000)
    assert error_code(e) == "InvalidParameterValue"
    assert http_status(e) == 400
    p = server.cli("ec2", "describe-vpcs", "--max-results", "1001", "--no-paginate", check=False)
    assert cli_error_code(p) == "InvalidParameterValue"


def test_unknown_filter_name(server):
    ec2 = server.ec2()
    for call in (ec2.describe_vpcs, ec2.describe_vpc_peering_connections):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call(Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
        assert error_code(e) == "InvalidParameterValue"
        assert "no-such-filter" in e.value.response["Error"]["Message"]
    p = server.cli("ec2", "describe-vpcs", "--filters", "Name=colour,Values=blue", check=False)
    assert cli_error_code(p) == "InvalidParameterValue"
    # A filter without a name.
    assert raw_code(server, f"Action=DescribeVpcs&{V}&Filter.1.Value.1=x") == (400,
                                                                               "MissingParameter")


def test_tag_specification_errors(server):
    ec2 = server.ec2()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
            {"ResourceType": "subnet", "Tags": [{"Key": "a", "Value": "b"}]}])
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "aws:reserved", "Value": "b"}]}])
    assert error_code(e) == "InvalidTagKey.Malformed"
    assert ec2.describe_vpcs()["Vpcs"] == []


# --- admin API ------------------------------------------------------------------------------------


def test_admin_clock_rejects_bad_json(server):
    before = server.now_ms()
    for body in [b"not json", b"", b"{}", b'{"advance_seconds": "ten"}', b'{"advance_seconds": 1.5}',
                 b'{"advance_seconds": -5}', b'{"advance_seconds": 5, "extra": 1}', b"[]"]:
        status, text = server.raw(body, path="/_vpcpeer/clock",
                                  headers={"content-type": "application/json"})
        assert status == 400, body
        assert "error" in json.loads(text), body
    assert server.now_ms() - before < 5000
    status, text = server.raw(b'{"advance_seconds": 60}', path="/_vpcpeer/clock",
                              headers={"content-type": "application/json"})
    assert status == 200
    body = json.loads(text)
    assert body["now_ms"] >= before + 60_000
    assert body["now"].endswith("Z")


def test_admin_health_and_unknown_paths(server):
    status, body = server.admin("GET", "/_vpcpeer/health")
    assert status == 200 and body["status"] == "ok"
    status, body = server.admin("GET", "/_vpcpeer/nope")
    assert status == 404 and "error" in body
    status, _ = server.admin("GET", "/_vpcpeer/reset")
    assert status == 405


# --- identity -------------------------------------------------------------------------------------


def test_sts_get_caller_identity(server):
    for account in (ACCOUNT_A, ACCOUNT_B):
        ident = server.sts(account).get_caller_identity()
        assert ident["Account"] == account
        assert ident["Arn"] == f"arn:aws:iam::{account}:root"
        out = server.cli("sts", "get-caller-identity", account=account)
        assert out["Account"] == account
    # A non-numeric access key is the default account.
    sts = boto3.client("sts", endpoint_url=server.url, region_name="us-east-1",
                       aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x")
    assert sts.get_caller_identity()["Account"] == "000000000000"
    status, text = server.raw("Action=AssumeRole&Version=2011-06-15", account=ACCOUNT_A,
                              service="sts")
    assert status == 400 and xml_error_code(text) == "InvalidAction"


def test_unsigned_requests_use_the_default_account(server):
    status, text = server.raw({"Action": "CreateVpc", "Version": "2016-11-15",
                               "CidrBlock": "10.0.0.0/16"})
    assert status == 200, text
    assert "<ownerId>000000000000</ownerId>" in text
    vpc_id = re.search(r"<vpcId>(vpc-[0-9a-f]+)</vpcId>", text).group(1)
    status, text = server.raw(b"", method="GET",
                              query=f"Action=DescribeVpcs&Version=2016-11-15&VpcId.1={vpc_id}")
    assert status == 200 and vpc_id in text
    status, text = server.raw({"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    assert status == 200 and "<Account>000000000000</Account>" in text
    # The default account is an account like any other: its key sees the VPC, others do not.
    assert [v["VpcId"] for v in server.ec2("000000000000").describe_vpcs()["Vpcs"]] == [vpc_id]
    assert server.ec2(ACCOUNT_A).describe_vpcs()["Vpcs"] == []


def test_region_comes_from_the_credential_scope(server):
    status, text = server.raw(f"Action=CreateVpc&{V}&CidrBlock=10.0.0.0/16", account=ACCOUNT_A,
                              region="ap-south-1")
    assert status == 200
    assert len(server.ec2(ACCOUNT_A, "ap-south-1").describe_vpcs()["Vpcs"]) == 1
    assert server.ec2(ACCOUNT_A, "us-east-1").describe_vpcs()["Vpcs"] == []
    # Presigned form: X-Amz-Credential in the query string.
    cred = urllib.parse.quote(f"{ACCOUNT_A}/20260101/ap-south-1/ec2/aws4_request", safe="")
    status, text = server.raw(b"", method="GET",
                              query=f"Action=DescribeVpcs&{V}&X-Amz-Credential={cred}")
    assert status == 200 and "<vpcId>" in text


# --- nothing ends in a 500 ------------------------------------------------------------------------


ODD_BODIES = [
    b"",
    b"Action=",
    b"Action=DescribeVpcs",
    b"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag:&Filter.1.Value.1=",
    b"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag-key",
    b"Action=DescribeVpcs&Version=2016-11-15&NextToken=zzzz",
    b"Action=DescribeVpcs&Version=2016-11-15&VpcId.1=",
    b"Action=DescribeVpcs&Version=2016-11-15&VpcId.99999999999=vpc-1",
    b"Action=DescribeVpcs&Version=2016-11-15&VpcId=vpc-0123456789abcdef0",
    b"Action=DescribeVpcs&Version=2016-11-15&Filter.x.Name=vpc-id",
    b"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=%ff%fe",
    b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16&TagSpecification.1.ResourceType=vpc"
    b"&TagSpecification.1.Tag.1.Value=x",
    b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16&TagSpecification.1.Tag.1.Key=x",
    b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16&InstanceTenancy=weird",
    b"Action=CreateVpc&Version=2016-11-15&CidrBlock=::/0",
    b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/016",
    b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/-1",
    b"Action=CreateVpc&Version=2016-11-15&CidrBlock=%ff%fe",
    b"Action=CreateVpc&Version=2016-11-15&CidrBlock=" + b"1" * 20000,
    b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16&Ipv4IpamPoolId=ipam-pool-1",
    b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16&DryRun=maybe",
    b"Action=CreateVpcPeeringConnection&Version=2016-11-15&VpcId=vpc-0123456789abcdef0",
    b"Action=CreateVpcPeeringConnection&Version=2016-11-15&VpcId=vpc-0123456789abcdef0"
    b"&PeerVpcId=vpc-0123456789abcdef1&PeerRegion=",
    b"Action=AcceptVpcPeeringConnection&Version=2016-11-15&VpcPeeringConnectionId=pcx-",
    b"Action=ModifyVpcPeeringConnectionOptions&Version=2016-11-15"
    b"&VpcPeeringConnectionId=pcx-0123456789abcdef0"
    b"&RequesterPeeringConnectionOptions.AllowDnsResolutionFromRemoteVpc=maybe",
    b"Action=ModifyVpcPeeringConnectionOptions&Version=2016-11-15"
    b"&VpcPeeringConnectionId=pcx-0123456789abcdef0&RequesterPeeringConnectionOptions.Bogus=true",
    b"Action=DescribeVpcAttribute&Version=2016-11-15&VpcId=vpc-0123456789abcdef0&Attribute=foo",
    b"Action=DisassociateVpcCidrBlock&Version=2016-11-15&AssociationId=bogus",
    b"Action=AssociateVpcCidrBlock&Version=2016-11-15&VpcId=vpc-0123456789abcdef0"
    b"&CidrBlock=10.0.0.0/16&AmazonProvidedIpv6CidrBlock=true",
    b"Action=DescribeVpcPeeringConnections&Version=2016-11-15&Filter.1.Name=expiration-time"
    b"&Filter.1.Value.1=not-a-time",
    b"Action=DescribeVpcPeeringConnections&Version=2016-11-15&VpcPeeringConnectionId.1=pcx-1"
    b"&VpcPeeringConnectionId.2=pcx-1",
    b"Action=DescribeRegions&Version=2016-11-15&RegionName.1=nowhere",
    b"Action=DescribeAvailabilityZones&Version=2016-11-15&ZoneName.1=nowhere",
    b"\xff\xfe\x00garbage",
    b"Action=DescribeVpcs&Action=CreateVpc&Version=2016-11-15",
    b"%%%%=%%%%",
]


def assert_no_500(server, status, what):
    assert status < 500, f"{what!r} answered {status}"


def test_odd_requests_never_500(server):
    for body in ODD_BODIES:
        for account in (ACCOUNT_A, None):
            status, text = server.raw(body, account=account)
            assert_no_500(server, status, body[:120])
            assert text.startswith("<?xml"), body[:120]
    odd_auth = ["garbage", "AWS4-HMAC-SHA256 Credential=", "AWS4-HMAC-SHA256 Credential=a/b",
                "AWS4-HMAC-SHA256 Credential=111111111111/20260101//ec2/aws4_request"]
    for auth in odd_auth:
        status, _ = server.raw(f"Action=DescribeVpcs&{V}", headers={"authorization": auth})
        assert_no_500(server, status, auth)
    for method, path, query in [("GET", "/", "Action=DescribeVpcs&%zz"), ("GET", "/", ""),
                                ("PUT", "/", ""), ("DELETE", "/_vpcpeer/clock", ""),
                                ("GET", "/x/y/z", "")]:
        status, _ = server.raw(b"", method=method, path=path, query=query)
        assert_no_500(server, status, (method, path, query))
    status, body = server.admin("GET", "/_vpcpeer/health")
    assert status == 200 and body["status"] == "ok"


def test_every_ec2_operation_without_parameters_never_500(server):
    """Every operation of the EC2 model, bare and as a dry run: an answer, never a 500."""
    model = botocore.session.get_session().get_service_model("ec2")
    for op in model.operation_names:
        for extra in ("", "&DryRun=true"):
            status, text = server.raw(f"Action={op}&{V}{extra}", account=ACCOUNT_A)
            assert_no_500(server, status, op + extra)
            if status != 200:
                assert xml_error_code(text), (op, text[:200])
    status, body = server.admin("GET", "/_vpcpeer/health")
    assert status == 200 and body["status"] == "ok"


def test_huge_clock_advances_do_not_break_the_server(fresh_server):
    s = fresh_server("--ephemeral")
    for secs in [2**62, 2**62, 2**63 - 1]:
        status, text = s.raw(json.dumps({"advance_seconds": secs}), path="/_vpcpeer/clock",
                             headers={"content-type": "application/json"})
        assert status == 400, (secs, status, text)
        assert "error" in json.loads(text)
    status, text = s.raw(b'{"advance_seconds": 99999999999999999999999}', path="/_vpcpeer/clock",
                         headers={"content-type": "application/json"})
    assert status == 400
    assert s.admin("GET", "/_vpcpeer/clock")[0] == 200
    # Far, but not past year 9999, is fine.
    assert s.advance(200 * 365 * 86400)["now"].startswith("22")
    ec2 = s.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    v2 = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    p = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=v2)["VpcPeeringConnection"]
    ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[p["VpcPeeringConnectionId"]])
    assert s.admin("GET", "/_vpcpeer/health")[0] == 200
