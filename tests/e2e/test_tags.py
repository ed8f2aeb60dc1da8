"""End-to-end tests of CreateTags, DeleteTags and DescribeTags through boto3 and the aws CLI.

Most tests use VPCs and peering connections, which every build serves. The per-kind test makes
one resource of each taggable kind; a kind whose creating action is not served by this build
(areas land separately) is skipped with that reason.
"""

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT_A, ACCOUNT_B, error_code, new_vpc_id, unvalidated_ec2

ACCOUNT_C = "333333333333"
AMI = "ami-0123456789abcdef0"


def served(call, what):
    """Runs `call`; skips the test when this build does not serve the action."""
    try:
        return call()
    except ClientError as e:
        if e.response["Error"]["Code"] == "InvalidAction":
            pytest.skip(f"{what} is not served by this build (its area is not merged)")
        raise


def tags_of(ec2, rid):
    res = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [rid]}])["Tags"]
    return {t["Key"]: t["Value"] for t in res}


def test_create_overwrite_and_describe(server):
    ec2 = server.ec2()
    v1, v2 = new_vpc_id(ec2), new_vpc_id(ec2, "10.1.0.0/16")
    ec2.create_tags(Resources=[v1, v2], Tags=[{"Key": "Env", "Value": "prod"}, {"Key": "empty", "Value": ""}])
    ec2.create_tags(Resources=[v1], Tags=[{"Key": "Env", "Value": "dev"}])
    assert tags_of(ec2, v1) == {"Env": "dev", "empty": ""}
    assert tags_of(ec2, v2) == {"Env": "prod", "empty": ""}
    item = ec2.describe_tags(
        Filters=[{"Name": "resource-id", "Values": [v1]}, {"Name": "key", "Values": ["Env"]}]
    )["Tags"]
    assert item == [{"ResourceId": v1, "ResourceType": "vpc", "Key": "Env", "Value": "dev"}]
    # The resource itself shows them too.
    got = ec2.describe_vpcs(VpcIds=[v1])["Vpcs"][0]["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in got) == [("Env", "dev"), ("empty", "")]


def test_delete_tags_semantics(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)

    def reset():
        ec2.delete_tags(Resources=[v])
        ec2.create_tags(
            Resources=[v],
            Tags=[{"Key": k, "Value": val} for k, val in [("a", "1"), ("b", "2"), ("c", "")]],
        )

    cases = [
        ("key only deletes any value", [{"Key": "a"}], {"b": "2", "c": ""}),
        ("key + other value keeps it", [{"Key": "b", "Value": "9"}], {"a": "1", "b": "2", "c": ""}),
        ("key + same value deletes", [{"Key": "b", "Value": "2"}], {"a": "1", "c": ""}),
        ("key + empty value: only an empty value", [{"Key": "c", "Value": ""}], {"a": "1", "b": "2"}),
        ("key + empty value keeps a non-empty one", [{"Key": "a", "Value": ""}], {"a": "1", "b": "2", "c": ""}),
        ("absent key is fine", [{"Key": "zz"}], {"a": "1", "b": "2", "c": ""}),
        ("no Tag deletes all", None, {}),
    ]
    for name, tags, want in cases:
        reset()
        kwargs = {"Resources": [v]}
        if tags is not None:
            kwargs["Tags"] = tags
        ec2.delete_tags(**kwargs)
        assert tags_of(ec2, v) == want, name


@pytest.mark.parametrize(
    "name,resources,tags,code",
    [
        ("unknown vpc", ["vpc-0123456789abcdef0"], [{"Key": "k", "Value": "v"}], "InvalidVpcID.NotFound"),
        ("malformed vpc", ["vpc-xyz"], [{"Key": "k", "Value": "v"}], "InvalidVpcID.Malformed"),
        ("unknown prefix", ["foo-0123456789abcdef0"], [{"Key": "k", "Value": "v"}], "InvalidID"),
        ("unknown instance", ["i-0123456789abcdef0"], [{"Key": "k", "Value": "v"}], "InvalidInstanceID.NotFound"),
        ("unknown pcx", ["pcx-0123456789abcdef0"], [{"Key": "k", "Value": "v"}], "InvalidVpcPeeringConnectionID.NotFound"),
        ("aws prefix", ["VPC"], [{"Key": "aws:cloudformation", "Value": "v"}], "InvalidTagKey.Malformed"),
        ("empty key", ["VPC"], [{"Key": "", "Value": "v"}], "InvalidTagKey.Malformed"),
        ("long key", ["VPC"], [{"Key": "k" * 129, "Value": "v"}], "InvalidTagKey.Malformed"),
        ("long value", ["VPC"], [{"Key": "k", "Value": "v" * 257}], "InvalidParameterValue"),
        ("no tags", ["VPC"], [], "MissingParameter"),
        ("no resources", [], [{"Key": "k", "Value": "v"}], "MissingParameter"),
        ("foreign vpc", ["FOREIGN"], [{"Key": "k", "Value": "v"}], "InvalidVpcID.NotFound"),
        ("all or nothing", ["VPC", "vpc-0123456789abcdef0"], [{"Key": "k", "Value": "v"}], "InvalidVpcID.NotFound"),
    ],
)
def test_create_tags_errors(server, name, resources, tags, code):
    ec2 = unvalidated_ec2(server)
    own = new_vpc_id(ec2)
    foreign = new_vpc_id(server.ec2(ACCOUNT_B))
    subst = {"VPC": own, "FOREIGN": foreign}
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[subst.get(r, r) for r in resources], Tags=tags)
    assert error_code(e) == code, name
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert tags_of(ec2, own) == {}
    assert tags_of(server.ec2(ACCOUNT_B), foreign) == {}


def test_delete_tags_errors(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    ec2.create_tags(Resources=[v], Tags=[{"Key": "k", "Value": "v"}])
    for resources, code in [
        (["vpc-0123456789abcdef0"], "InvalidVpcID.NotFound"),
        ([v, "vpc-0123456789abcdef0"], "InvalidVpcID.NotFound"),
        (["nope-1234abcd"], "InvalidID"),
    ]:
        with pytest.raises(ClientError) as e:
            ec2.delete_tags(Resources=resources)
        assert error_code(e) == code
    with pytest.raises(ClientError) as e:
        ec2.delete_tags(Resources=[v], Tags=[{"Key": "aws:x"}])
    assert error_code(e) == "InvalidTagKey.Malformed"
    assert tags_of(ec2, v) == {"k": "v"}
    # Another account cannot delete them.
    with pytest.raises(ClientError) as e:
        server.ec2(ACCOUNT_B).delete_tags(Resources=[v])
    assert error_code(e) == "InvalidVpcID.NotFound"
    assert tags_of(ec2, v) == {"k": "v"}


def test_tag_limit(server):
    ec2 = server.ec2()
    v1, v2 = new_vpc_id(ec2), new_vpc_id(ec2, "10.1.0.0/16")
    fifty = [{"Key": f"k{i}", "Value": str(i)} for i in range(50)]
    ec2.create_tags(Resources=[v1], Tags=fifty)
    # Overwriting existing keys stays within the limit.
    ec2.create_tags(Resources=[v1], Tags=[{"Key": "k0", "Value": "new"}])
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[v2, v1], Tags=[{"Key": "one-more", "Value": ""}])
    assert error_code(e) == "TagLimitExceeded"
    assert tags_of(ec2, v2) == {}
    assert len(tags_of(ec2, v1)) == 50
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[v2], Tags=fifty + [{"Key": "x", "Value": ""}])
    assert error_code(e) == "TagLimitExceeded"


def test_peering_tags_are_per_side(server):
    a = server.ec2(ACCOUNT_A)
    b = server.ec2(ACCOUNT_B)
    va = new_vpc_id(a)
    vb = new_vpc_id(b, "10.1.0.0/16")
    pcx = a.create_vpc_peering_connection(
        VpcId=va,
        PeerVpcId=vb,
        PeerOwnerId=ACCOUNT_B,
        TagSpecifications=[
            {"ResourceType": "vpc-peering-connection", "Tags": [{"Key": "Name", "Value": "from-a"}]}
        ],
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    # The requester's tags from creation are not the accepter's.
    assert tags_of(a, pcx) == {"Name": "from-a"}
    assert tags_of(b, pcx) == {}
    b.create_tags(Resources=[pcx], Tags=[{"Key": "Name", "Value": "from-b"}, {"Key": "team", "Value": "b"}])
    a.create_tags(Resources=[pcx], Tags=[{"Key": "Env", "Value": "a"}])
    assert tags_of(a, pcx) == {"Name": "from-a", "Env": "a"}
    assert tags_of(b, pcx) == {"Name": "from-b", "team": "b"}
    seen_by_b = b.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])
    assert {t["Key"]: t["Value"] for t in seen_by_b["VpcPeeringConnections"][0]["Tags"]} == {
        "Name": "from-b",
        "team": "b",
    }
    by_tag = b.describe_vpc_peering_connections(Filters=[{"Name": "tag:Env", "Values": ["a"]}])
    assert by_tag["VpcPeeringConnections"] == []
    typed = b.describe_tags(Filters=[{"Name": "resource-type", "Values": ["vpc-peering-connection"]}])
    assert {t["ResourceType"] for t in typed["Tags"]} == {"vpc-peering-connection"}
    assert len(typed["Tags"]) == 2
    # Deleting on one side leaves the other side's tags alone.
    b.delete_tags(Resources=[pcx])
    assert tags_of(b, pcx) == {}
    assert tags_of(a, pcx) == {"Name": "from-a", "Env": "a"}
    # A third account does not see the connection.
    with pytest.raises(ClientError) as e:
        server.ec2(ACCOUNT_C).create_tags(Resources=[pcx], Tags=[{"Key": "k", "Value": "v"}])
    assert error_code(e) == "InvalidVpcPeeringConnectionID.NotFound"
    # The accepter in another region does not see it either (sides are per region).
    with pytest.raises(ClientError) as e:
        server.ec2(ACCOUNT_B, "us-west-2").create_tags(Resources=[pcx], Tags=[{"Key": "k", "Value": "v"}])
    assert error_code(e) == "InvalidVpcPeeringConnectionID.NotFound"


def test_describe_tags_filters_and_paging(server):
    ec2 = server.ec2()
    vpcs = [new_vpc_id(ec2, f"10.{i}.0.0/16") for i in range(4)]
    for n, v in enumerate(vpcs):
        ec2.create_tags(
            Resources=[v],
            Tags=[{"Key": "Env", "Value": "prod" if n % 2 else "dev"}, {"Key": f"k{n}", "Value": "x"}, {"Key": "Name", "Value": f"vpc{n}"}],
        )

    def q(*filters):
        res = ec2.describe_tags(Filters=[{"Name": n, "Values": list(v)} for n, v in filters])["Tags"]
        return sorted((t["ResourceId"], t["Key"]) for t in res)

    assert q(("key", ["Env"])) == sorted((v, "Env") for v in vpcs)
    assert q(("value", ["prod"])) == sorted((v, "Env") for v in vpcs[1::2])
    assert q(("value", ["vpc*"])) == sorted((v, "Name") for v in vpcs)
    assert q(("key", ["k?"]), ("resource-id", [vpcs[2]])) == [(vpcs[2], "k2")]
    assert q(("resource-type", ["vpc"])) == sorted(
        (v, k) for n, v in enumerate(vpcs) for k in ("Env", f"k{n}", "Name")
    )
    assert q(("resource-type", ["instance"])) == []
    assert q(("key", ["Env", "Name"]), ("value", ["dev"])) == sorted((v, "Env") for v in vpcs[0::2])

    everything = ec2.describe_tags()["Tags"]
    assert len(everything) == 12
    order = [(t["ResourceId"], t["Key"]) for t in everything]
    assert order == sorted(order)
    paged = []
    token = None
    while True:
        kw = {"MaxResults": 5}
        if token:
            kw["NextToken"] = token
        page = ec2.describe_tags(**kw)
        assert len(page["Tags"]) <= 5
        paged += [(t["ResourceId"], t["Key"]) for t in page["Tags"]]
        token = page.get("NextToken")
        if not token:
            break
    assert paged == order
    pages = ec2.get_paginator("describe_tags").paginate(PaginationConfig={"PageSize": 5})
    assert [(t["ResourceId"], t["Key"]) for p in pages for t in p["Tags"]] == order

    raw = unvalidated_ec2(server)
    for kwargs, code in [
        (dict(MaxResults=4), "InvalidParameterValue"),
        (dict(MaxResults=1001), "InvalidParameterValue"),
        (dict(Filters=[{"Name": "colour", "Values": ["x"]}]), "InvalidParameterValue"),
    ]:
        with pytest.raises(ClientError) as e:
            raw.describe_tags(**kwargs)
        assert error_code(e) == code, kwargs
    # Other accounts and regions see none of these.
    assert server.ec2(ACCOUNT_B).describe_tags()["Tags"] == []
    assert server.ec2(region="eu-west-1").describe_tags()["Tags"] == []


def test_aws_cli_tags(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    server.cli("ec2", "create-tags", "--resources", v, "--tags", "Key=Name,Value=cli", "Key=empty,Value=")
    out = server.cli("ec2", "describe-tags", "--filters", f"Name=resource-id,Values={v}")
    assert sorted((t["Key"], t["Value"]) for t in out["Tags"]) == [("Name", "cli"), ("empty", "")]
    server.cli("ec2", "delete-tags", "--resources", v, "--tags", "Key=Name")
    assert tags_of(ec2, v) == {"empty": ""}
    bad = server.cli("ec2", "create-tags", "--resources", v, "--tags", "Key=aws:x,Value=1", check=False)
    assert bad.returncode != 0 and "InvalidTagKey.Malformed" in bad.stderr


# --- every taggable kind -----------------------------------------------------------------


def _subnet(ec2, v, cidr="10.0.1.0/24"):
    return served(
        lambda: ec2.create_subnet(VpcId=v, CidrBlock=cidr, AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"],
        "CreateSubnet",
    )


def _instance(ec2, v):
    sub = _subnet(ec2, v)
    return ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sub)["Instances"][0]


def _make(kind, server, ec2):
    v = new_vpc_id(ec2)
    if kind == "vpc":
        return v
    if kind == "subnet":
        return _subnet(ec2, v)
    if kind in ("route-table", "network-acl"):
        # The VPC's main route table or default network ACL.
        describe, key, id_key, action = {
            "route-table": (ec2.describe_route_tables, "RouteTables", "RouteTableId",
                            "DescribeRouteTables"),
            "network-acl": (ec2.describe_network_acls, "NetworkAcls", "NetworkAclId",
                            "DescribeNetworkAcls"),
        }[kind]
        return served(
            lambda: describe(Filters=[{"Name": "vpc-id", "Values": [v]}])[key][0][id_key], action)
    if kind == "internet-gateway":
        return served(lambda: ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"], "CreateInternetGateway")
    if kind == "natgateway":
        sub = _subnet(ec2, v)
        return served(
            lambda: ec2.create_nat_gateway(SubnetId=sub, ConnectivityType="private")["NatGateway"]["NatGatewayId"],
            "CreateNatGateway",
        )
    if kind == "security-group":
        return _instance(ec2, v)["SecurityGroups"][0]["GroupId"]
    if kind == "instance":
        return _instance(ec2, v)["InstanceId"]
    if kind == "network-interface":
        return _instance(ec2, v)["NetworkInterfaces"][0]["NetworkInterfaceId"]
    if kind == "vpc-peering-connection":
        other = new_vpc_id(ec2, "10.1.0.0/16")
        return ec2.create_vpc_peering_connection(VpcId=v, PeerVpcId=other)["VpcPeeringConnection"][
            "VpcPeeringConnectionId"
        ]
    raise AssertionError(kind)


KINDS = {
    "vpc": "InvalidVpcID.NotFound",
    "subnet": "InvalidSubnetID.NotFound",
    "route-table": "InvalidRouteTableID.NotFound",
    "internet-gateway": "InvalidInternetGatewayID.NotFound",
    "natgateway": "NatGatewayNotFound",
    "security-group": "InvalidGroup.NotFound",
    "network-acl": "InvalidNetworkAclID.NotFound",
    "instance": "InvalidInstanceID.NotFound",
    "network-interface": "InvalidNetworkInterfaceID.NotFound",
    "vpc-peering-connection": "InvalidVpcPeeringConnectionID.NotFound",
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_taggable_kind(server, kind):
    ec2 = server.ec2()
    rid = _make(kind, server, ec2)
    ec2.create_tags(Resources=[rid], Tags=[{"Key": "kind", "Value": kind}, {"Key": "x", "Value": ""}])
    res = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [rid]}])["Tags"]
    assert res == [
        {"ResourceId": rid, "ResourceType": kind, "Key": "kind", "Value": kind},
        {"ResourceId": rid, "ResourceType": kind, "Key": "x", "Value": ""},
    ]
    typed = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": [kind]}])["Tags"]
    assert {t["ResourceId"] for t in typed} == {rid}
    ec2.delete_tags(Resources=[rid], Tags=[{"Key": "x", "Value": ""}])
    assert tags_of(ec2, rid) == {"kind": kind}
    # Another account is told the resource does not exist, with the kind's code.
    with pytest.raises(ClientError) as e:
        server.ec2(ACCOUNT_C).create_tags(Resources=[rid], Tags=[{"Key": "k", "Value": "v"}])
    assert error_code(e) == KINDS[kind]
    ec2.delete_tags(Resources=[rid])
    assert tags_of(ec2, rid) == {}


def test_terminated_instance_tags_vanish_with_it(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    inst = _instance(ec2, v)
    iid = inst["InstanceId"]
    ec2.create_tags(Resources=[iid], Tags=[{"Key": "Name", "Value": "short-lived"}])
    ec2.terminate_instances(InstanceIds=[iid])
    assert tags_of(ec2, iid) == {"Name": "short-lived"}
    # The primary interface went with the instance.
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[inst["NetworkInterfaces"][0]["NetworkInterfaceId"]], Tags=[{"Key": "k", "Value": "v"}])
    assert error_code(e) == "InvalidNetworkInterfaceID.NotFound"
    server.advance(3601)
    assert tags_of(ec2, iid) == {}
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[iid], Tags=[{"Key": "k", "Value": "v"}])
    assert error_code(e) == "InvalidInstanceID.NotFound"
