"""Security groups (incl. references across VPC peering) and network ACLs, driven by boto3 and the
real aws CLI."""

import botocore.exceptions
import pytest

from conftest import ACCOUNT_A, ACCOUNT_B, error_code, http_status, new_vpc_id, unvalidated_ec2


# --- helpers ---------------------------------------------------------------------------------


def sg(ec2, vpc_id, name="web", desc="web servers", **kw):
    return ec2.create_security_group(GroupName=name, Description=desc, VpcId=vpc_id, **kw)[
        "GroupId"
    ]


def group(ec2, group_id):
    return ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]


def tcp(port, **sources):
    p = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    p.update(sources)
    return p


def cidrs(*blocks):
    return [{"CidrIp": b} for b in blocks]


def peered(server, accept=True, region_b="us-east-1"):
    """VPC in account A, VPC in account B, a peering A→B (accepted by B unless told not to).
    Returns (ec2a, ec2b, vpc_a, vpc_b, pcx)."""
    ec2a = server.ec2(ACCOUNT_A)
    ec2b = server.ec2(ACCOUNT_B, region=region_b)
    va = new_vpc_id(ec2a, "10.0.0.0/16")
    vb = new_vpc_id(ec2b, "10.1.0.0/16")
    kw = {} if region_b == "us-east-1" else {"PeerRegion": region_b}
    pcx = ec2a.create_vpc_peering_connection(
        VpcId=va, PeerVpcId=vb, PeerOwnerId=ACCOUNT_B, **kw
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    if accept:
        ec2b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    return ec2a, ec2b, va, vb, pcx


def ref(group_id, user_id=None, pcx=None):
    pair = {"GroupId": group_id}
    if user_id:
        pair["UserId"] = user_id
    if pcx:
        pair["VpcPeeringConnectionId"] = pcx
    return pair


# --- security groups: lifecycle --------------------------------------------------------------


def test_create_describe_delete_security_group(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    out = ec2.create_security_group(
        GroupName="web",
        Description="web servers",
        VpcId=v,
        TagSpecifications=[
            {"ResourceType": "security-group", "Tags": [{"Key": "Env", "Value": "prod"}]}
        ],
    )
    gid = out["GroupId"]
    assert gid.startswith("sg-")
    assert out["SecurityGroupArn"] == f"arn:aws:ec2:us-east-1:{ACCOUNT_A}:security-group/{gid}"
    assert out["Tags"] == [{"Key": "Env", "Value": "prod"}]

    g = group(ec2, gid)
    assert g["GroupName"] == "web"
    assert g["Description"] == "web servers"
    assert g["VpcId"] == v
    assert g["OwnerId"] == ACCOUNT_A
    assert g["IpPermissions"] == []
    assert g["IpPermissionsEgress"] == [
        {
            "IpProtocol": "-1",
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        }
    ]

    # Filters and names.
    by_name = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [v]}, {"Name": "group-name", "Values": ["w*"]}]
    )["SecurityGroups"]
    assert [x["GroupId"] for x in by_name] == [gid]
    assert ec2.describe_security_groups(GroupNames=["web"])["SecurityGroups"][0]["GroupId"] == gid
    by_tag = ec2.describe_security_groups(Filters=[{"Name": "tag:Env", "Values": ["prod"]}])
    assert [x["GroupId"] for x in by_tag["SecurityGroups"]] == [gid]

    # The VPC's default group references itself.
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [v]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]
    pairs = default["IpPermissions"][0]["UserIdGroupPairs"]
    assert pairs == [{"GroupId": default["GroupId"], "GroupName": "default", "UserId": ACCOUNT_A}]

    out = ec2.delete_security_group(GroupId=gid)
    assert out["GroupId"] == gid
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_security_groups(GroupIds=[gid])
    assert error_code(e) == "InvalidGroup.NotFound"
    assert http_status(e) == 400
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_security_group(GroupId=default["GroupId"])
    assert error_code(e) == "CannotDelete"


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"GroupName": "web", "Description": "again"}, "InvalidGroup.Duplicate"),
        ({"GroupName": "default", "Description": "x"}, "InvalidGroup.Reserved"),
        ({"GroupName": "sg-1234", "Description": "x"}, "InvalidParameterValue"),
        ({"GroupName": "ok", "Description": "tab\tinside"}, "InvalidParameterValue"),
        ({"GroupName": "ok", "Description": "x", "VpcId": None}, "VPCIdNotSpecified"),
        ({"GroupName": "ok", "Description": "x", "VpcId": "vpc-0123456789abcdef0"}, "InvalidVpcID.NotFound"),
        ({"GroupName": "ok", "Description": "x", "VpcId": "vpc-nope"}, "InvalidVpcID.Malformed"),
    ],
)
def test_create_security_group_errors(server, kwargs, code):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    sg(ec2, v, "web")
    kwargs = dict(kwargs)
    if "VpcId" not in kwargs:
        kwargs["VpcId"] = v
    if kwargs["VpcId"] is None:
        del kwargs["VpcId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_security_group(**kwargs)
    assert error_code(e) == code
    assert http_status(e) == 400


def test_same_vpc_reference_blocks_delete(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    app = sg(ec2, v, "app")
    db = sg(ec2, v, "db")
    ec2.authorize_security_group_ingress(
        GroupId=db, IpPermissions=[tcp(5432, UserIdGroupPairs=[ref(app)])]
    )
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_security_group(GroupId=app)
    assert error_code(e) == "DependencyViolation"
    # Group references by name work within the VPC, and the reply names the group.
    pairs = group(ec2, db)["IpPermissions"][0]["UserIdGroupPairs"]
    assert pairs == [{"GroupId": app, "GroupName": "app", "UserId": ACCOUNT_A}]
    ec2.delete_security_group(GroupId=db)
    ec2.delete_security_group(GroupId=app)


# --- rules ------------------------------------------------------------------------------------


def test_authorize_groups_permissions_and_lists_rules(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    g = sg(ec2, v)
    out = ec2.authorize_security_group_ingress(
        GroupId=g,
        IpPermissions=[
            tcp(22, IpRanges=[{"CidrIp": "10.1.0.0/16", "Description": "office"}, {"CidrIp": "10.0.0.28/29"}]),
            {"IpProtocol": "6", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "2600:1f18::/56"}]},
            {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": cidrs("0.0.0.0/0")},
        ],
    )
    assert out["Return"] is True
    rules = out["SecurityGroupRules"]
    assert len(rules) == 4
    assert all(r["SecurityGroupRuleId"].startswith("sgr-") for r in rules)
    assert rules[0]["GroupId"] == g and rules[0]["GroupOwnerId"] == ACCOUNT_A
    assert rules[0]["IsEgress"] is False
    assert rules[0]["CidrIpv4"] == "10.1.0.0/16" and rules[0]["Description"] == "office"
    assert rules[1]["CidrIpv4"] == "10.0.0.24/29"  # host bits masked
    assert rules[2]["IpProtocol"] == "tcp" and rules[2]["CidrIpv6"] == "2600:1f18::/56"

    perms = group(ec2, g)["IpPermissions"]
    assert len(perms) == 3  # grouped by (protocol, from, to)
    ssh = perms[0]
    assert (ssh["IpProtocol"], ssh["FromPort"], ssh["ToPort"]) == ("tcp", 22, 22)
    assert ssh["IpRanges"] == [
        {"CidrIp": "10.1.0.0/16", "Description": "office"},
        {"CidrIp": "10.0.0.24/29"},
    ]
    assert perms[1]["Ipv6Ranges"] == [{"CidrIpv6": "2600:1f18::/56"}]
    assert (perms[2]["IpProtocol"], perms[2]["FromPort"], perms[2]["ToPort"]) == ("icmp", 8, -1)

    # Rule API: all of the group's rules, filters, explicit ids.
    listed = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [g]}])[
        "SecurityGroupRules"
    ]
    assert len(listed) == 5  # 4 inbound + default egress
    egress = [r for r in listed if r["IsEgress"]]
    assert egress[0]["IpProtocol"] == "-1" and egress[0]["FromPort"] == -1
    one = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rules[0]["SecurityGroupRuleId"]])
    assert one["SecurityGroupRules"][0]["CidrIpv4"] == "10.1.0.0/16"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_security_group_rules(SecurityGroupRuleIds=["sgr-0123456789abcdef0"])
    assert error_code(e) == "InvalidSecurityGroupRuleId.NotFound"

    # Permission filters.
    hit = ec2.describe_security_groups(
        Filters=[{"Name": "ip-permission.cidr", "Values": ["10.1.0.0/16"]}]
    )["SecurityGroups"]
    assert [x["GroupId"] for x in hit] == [g]
    miss = ec2.describe_security_groups(
        Filters=[{"Name": "egress.ip-permission.cidr", "Values": ["10.1.0.0/16"]}]
    )["SecurityGroups"]
    assert miss == []


@pytest.mark.parametrize(
    "perm, code",
    [
        (tcp(22, IpRanges=cidrs("10.1.0.0/16")), "InvalidPermission.Duplicate"),
        (tcp(23, IpRanges=cidrs("10.1.0.0")), "InvalidParameterValue"),
        (tcp(23, IpRanges=cidrs("::/0")), "InvalidParameterValue"),
        ({"IpProtocol": "tcp", "IpRanges": cidrs("10.1.0.0/16")}, "InvalidParameterValue"),
        ({"IpProtocol": "tcp", "FromPort": 90, "ToPort": 80, "IpRanges": cidrs("10.1.0.0/16")}, "InvalidParameterValue"),
        ({"IpProtocol": "tcp", "FromPort": 0, "ToPort": 70000, "IpRanges": cidrs("10.1.0.0/16")}, "InvalidParameterValue"),
        ({"IpProtocol": "bogus", "IpRanges": cidrs("10.1.0.0/16")}, "InvalidParameterValue"),
        (tcp(24), "InvalidPermission.Malformed"),
        (tcp(25, UserIdGroupPairs=[ref("sg-0123456789abcdef0")]), "InvalidGroup.NotFound"),
        (tcp(25, UserIdGroupPairs=[ref("sg-zzz")]), "InvalidGroupId.Malformed"),
        (tcp(26, IpRanges=cidrs("10.9.0.0/16", "10.9.0.0/16")), "InvalidParameterValue"),
    ],
)
def test_authorize_errors_apply_nothing(server, perm, code):
    ec2 = server.ec2()
    g = sg(ec2, new_vpc_id(ec2))
    ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[tcp(22, IpRanges=cidrs("10.1.0.0/16"))])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        # A good permission first: the request must fail as a whole.
        ec2.authorize_security_group_ingress(
            GroupId=g, IpPermissions=[tcp(8080, IpRanges=cidrs("10.2.0.0/16")), perm]
        )
    assert error_code(e) == code
    assert http_status(e) == 400
    perms = group(ec2, g)["IpPermissions"]
    assert len(perms) == 1 and perms[0]["FromPort"] == 22


def test_unknown_group_and_missing_group_id(server):
    ec2 = server.ec2()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_ingress(
            GroupId="sg-0123456789abcdef0", IpPermissions=[tcp(22, IpRanges=cidrs("10.0.0.0/8"))]
        )
    assert error_code(e) == "InvalidGroup.NotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_stale_security_groups(VpcId="vpc-0123456789abcdef0")
    assert error_code(e) == "InvalidVpcID.NotFound"


def test_legacy_flat_form_and_dry_run(server):
    ec2 = server.ec2()
    g = sg(ec2, new_vpc_id(ec2))
    ec2.authorize_security_group_ingress(
        GroupId=g, IpProtocol="udp", FromPort=53, ToPort=53, CidrIp="10.0.0.0/8"
    )
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_ingress(
            GroupId=g, IpPermissions=[tcp(22, IpRanges=cidrs("10.0.0.0/8"))], DryRun=True
        )
    assert error_code(e) == "DryRunOperation"
    perms = group(ec2, g)["IpPermissions"]
    assert [(p["IpProtocol"], p["FromPort"]) for p in perms] == [("udp", 53)]


def test_revoke_by_permission_and_by_rule_id(server):
    ec2 = server.ec2()
    g = sg(ec2, new_vpc_id(ec2))
    rules = ec2.authorize_security_group_ingress(
        GroupId=g,
        IpPermissions=[tcp(22, IpRanges=cidrs("10.1.0.0/16", "10.2.0.0/16")), tcp(80, IpRanges=cidrs("0.0.0.0/0"))],
    )["SecurityGroupRules"]
    out = ec2.revoke_security_group_ingress(
        GroupId=g, IpPermissions=[tcp(22, IpRanges=cidrs("10.1.0.0/16", "10.9.0.0/16"))]
    )
    assert out["Return"] is True
    assert [r["CidrIpv4"] for r in out["RevokedSecurityGroupRules"]] == ["10.1.0.0/16"]
    unknown = out["UnknownIpPermissions"]
    assert unknown[0]["IpProtocol"] == "tcp" and unknown[0]["IpRanges"] == [{"CidrIp": "10.9.0.0/16"}]

    out = ec2.revoke_security_group_ingress(
        GroupId=g, SecurityGroupRuleIds=[rules[2]["SecurityGroupRuleId"]]
    )
    assert out["RevokedSecurityGroupRules"][0]["FromPort"] == 80
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.revoke_security_group_ingress(GroupId=g, SecurityGroupRuleIds=[rules[2]["SecurityGroupRuleId"]])
    assert error_code(e) == "InvalidSecurityGroupRuleId.NotFound"
    perms = group(ec2, g)["IpPermissions"]
    assert perms == [
        {
            "IpProtocol": "tcp",
            "FromPort": 22,
            "ToPort": 22,
            "IpRanges": [{"CidrIp": "10.2.0.0/16"}],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        }
    ]


def test_egress_rules(server):
    ec2 = server.ec2()
    g = sg(ec2, new_vpc_id(ec2))
    ec2.revoke_security_group_egress(
        GroupId=g, IpPermissions=[{"IpProtocol": "-1", "IpRanges": cidrs("0.0.0.0/0")}]
    )
    out = ec2.authorize_security_group_egress(
        GroupId=g, IpPermissions=[tcp(443, IpRanges=cidrs("0.0.0.0/0"))]
    )
    assert out["SecurityGroupRules"][0]["IsEgress"] is True
    egress = group(ec2, g)["IpPermissionsEgress"]
    assert [(p["IpProtocol"], p["FromPort"]) for p in egress] == [("tcp", 443)]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_egress(
            GroupId=g, IpPermissions=[tcp(443, IpRanges=cidrs("0.0.0.0/0"))]
        )
    assert error_code(e) == "InvalidPermission.Duplicate"


def test_rules_per_group_limit(server):
    ec2 = server.ec2()
    g = sg(ec2, new_vpc_id(ec2))
    many = [f"10.{i}.0.0/16" for i in range(61)]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[tcp(22, IpRanges=cidrs(*many))])
    assert error_code(e) == "RulesPerSecurityGroupLimitExceeded"
    ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[tcp(22, IpRanges=cidrs(*many[:60]))])
    assert len(group(ec2, g)["IpPermissions"][0]["IpRanges"]) == 60


def test_cli_authorize_describe_revoke(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    out = server.cli(
        "ec2", "create-security-group", "--group-name", "cli", "--description", "from the cli",
        "--vpc-id", v,
    )
    g = out["GroupId"]
    out = server.cli(
        "ec2", "authorize-security-group-ingress", "--group-id", g, "--protocol", "tcp",
        "--port", "443", "--cidr", "10.1.0.0/16",
    )
    assert out["Return"] is True
    server.cli(
        "ec2", "authorize-security-group-ingress", "--group-id", g, "--protocol", "all",
        "--source-group", g,
    )
    out = server.cli("ec2", "describe-security-groups", "--group-ids", g)
    perms = out["SecurityGroups"][0]["IpPermissions"]
    assert perms[0]["IpRanges"] == [{"CidrIp": "10.1.0.0/16"}]
    assert perms[1]["IpProtocol"] == "-1"
    assert perms[1]["UserIdGroupPairs"][0]["GroupId"] == g
    server.cli(
        "ec2", "revoke-security-group-ingress", "--group-id", g, "--protocol", "tcp",
        "--port", "443", "--cidr", "10.1.0.0/16",
    )
    out = server.cli(
        "ec2", "describe-security-group-rules", "--filters", f"Name=group-id,Values={g}"
    )
    assert sorted(r["IsEgress"] for r in out["SecurityGroupRules"]) == [False, True]
    p = server.cli(
        "ec2", "delete-security-group", "--group-name", "nope", check=False
    )
    assert p.returncode != 0 and "InvalidGroup.NotFound" in p.stderr
    server.cli("ec2", "delete-security-group", "--group-id", g)


def test_describe_paging(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    made = {sg(ec2, v, f"g{i}") for i in range(7)}
    pages = ec2.get_paginator("describe_security_groups").paginate(
        Filters=[{"Name": "vpc-id", "Values": [v]}], PaginationConfig={"PageSize": 5}
    )
    seen = [x["GroupId"] for page in pages for x in page["SecurityGroups"]]
    assert len(seen) == 8 and made <= set(seen)  # 7 + default
    raw = unvalidated_ec2(server)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        raw.describe_security_groups(MaxResults=4)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        raw.describe_network_acls(MaxResults=101)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        raw.describe_stale_security_groups(VpcId=v, MaxResults=256)
    assert error_code(e) == "InvalidParameterValue"


# --- references across peering -----------------------------------------------------------------


def test_cross_account_reference_refused_before_acceptance(server):
    ec2a, ec2b, va, vb, pcx = peered(server, accept=False)
    ga = sg(ec2a, va, "a")
    gb = sg(ec2b, vb, "b")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2a.authorize_security_group_ingress(
            GroupId=ga, IpPermissions=[tcp(443, UserIdGroupPairs=[ref(gb, ACCOUNT_B)])]
        )
    assert error_code(e) == "InvalidGroup.NotFound"
    assert "different networks" in str(e.value)
    # Without UserId the group is looked up in the caller's account: not found either.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2a.authorize_security_group_ingress(
            GroupId=ga, IpPermissions=[tcp(443, UserIdGroupPairs=[ref(gb)])]
        )
    assert error_code(e) == "InvalidGroup.NotFound"
    ec2b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ec2a.authorize_security_group_ingress(
        GroupId=ga, IpPermissions=[tcp(443, UserIdGroupPairs=[ref(gb, ACCOUNT_B)])]
    )


def test_cross_account_reference_over_active_peering_then_stale(server):
    ec2a, ec2b, va, vb, pcx = peered(server)
    ga = sg(ec2a, va, "a")
    gb = sg(ec2b, vb, "b")
    out = ec2a.authorize_security_group_ingress(
        GroupId=ga,
        IpPermissions=[tcp(443, UserIdGroupPairs=[ref(gb, ACCOUNT_B, pcx)])],
    )
    info = out["SecurityGroupRules"][0]["ReferencedGroupInfo"]
    assert info == {
        "GroupId": gb,
        "PeeringStatus": "active",
        "UserId": ACCOUNT_B,
        "VpcId": vb,
        "VpcPeeringConnectionId": pcx,
    }
    pair = group(ec2a, ga)["IpPermissions"][0]["UserIdGroupPairs"][0]
    assert pair == {
        "GroupId": gb,
        "GroupName": "b",
        "UserId": ACCOUNT_B,
        "VpcId": vb,
        "VpcPeeringConnectionId": pcx,
        "PeeringStatus": "active",
    }
    # B sees which peer VPC references its group.
    refs = ec2b.describe_security_group_references(GroupId=[gb])["SecurityGroupReferenceSet"]
    assert refs == [{"GroupId": gb, "ReferencingVpcId": va, "VpcPeeringConnectionId": pcx}]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2a.describe_security_group_references(GroupId=[gb])
    assert error_code(e) == "InvalidGroup.NotFound"
    assert ec2a.describe_stale_security_groups(VpcId=va)["StaleSecurityGroupSet"] == []

    # Deleting the peering makes A's rule stale.
    ec2b.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    stale = ec2a.describe_stale_security_groups(VpcId=va)["StaleSecurityGroupSet"]
    assert len(stale) == 1
    s = stale[0]
    assert (s["GroupId"], s["GroupName"], s["VpcId"]) == (ga, "a", va)
    perm = s["StaleIpPermissions"][0]
    assert (perm["IpProtocol"], perm["FromPort"], perm["ToPort"]) == ("tcp", 443, 443)
    assert perm["UserIdGroupPairs"][0]["PeeringStatus"] == "deleted"
    assert perm["UserIdGroupPairs"][0]["VpcPeeringConnectionId"] == pcx
    assert ec2b.describe_security_group_references(GroupId=[gb])["SecurityGroupReferenceSet"] == []
    pair = group(ec2a, ga)["IpPermissions"][0]["UserIdGroupPairs"][0]
    assert pair["PeeringStatus"] == "deleted"

    # A new active peering between the same VPCs makes it fresh again.
    pcx2 = ec2a.create_vpc_peering_connection(VpcId=va, PeerVpcId=vb, PeerOwnerId=ACCOUNT_B)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    assert ec2a.describe_stale_security_groups(VpcId=va)["StaleSecurityGroupSet"] != []
    ec2b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx2)
    assert ec2a.describe_stale_security_groups(VpcId=va)["StaleSecurityGroupSet"] == []
    pair = group(ec2a, ga)["IpPermissions"][0]["UserIdGroupPairs"][0]
    assert (pair["VpcPeeringConnectionId"], pair["PeeringStatus"]) == (pcx2, "active")

    # B may delete its group although A references it: the rule turns stale, name gone.
    ec2b.delete_security_group(GroupId=gb)
    stale = ec2a.describe_stale_security_groups(VpcId=va)["StaleSecurityGroupSet"]
    pair = stale[0]["StaleIpPermissions"][0]["UserIdGroupPairs"][0]
    assert pair["GroupId"] == gb and "GroupName" not in pair
    # The stale rule can still be revoked.
    ec2a.revoke_security_group_ingress(
        GroupId=ga, IpPermissions=[tcp(443, UserIdGroupPairs=[ref(gb, ACCOUNT_B)])]
    )
    assert group(ec2a, ga)["IpPermissions"] == []


def test_cli_cross_account_reference(server):
    ec2a, ec2b, va, vb, pcx = peered(server)
    ga = sg(ec2a, va, "a")
    gb = sg(ec2b, vb, "b")
    server.cli(
        "ec2", "authorize-security-group-ingress", "--group-id", ga, "--protocol", "tcp",
        "--port", "5432", "--source-group", gb, "--group-owner", ACCOUNT_B,
    )
    out = server.cli("ec2", "describe-security-groups", "--group-ids", ga)
    pair = out["SecurityGroups"][0]["IpPermissions"][0]["UserIdGroupPairs"][0]
    assert (pair["GroupId"], pair["UserId"], pair["VpcPeeringConnectionId"]) == (gb, ACCOUNT_B, pcx)
    out = server.cli(
        "ec2", "describe-security-group-references", "--group-id", gb, account=ACCOUNT_B
    )
    refs = out.get("SecurityGroupReferenceSet") or out.get("SecurityGroupsReferenceSet")
    assert refs[0]["ReferencingVpcId"] == va
    server.cli("ec2", "delete-vpc-peering-connection", "--vpc-peering-connection-id", pcx)
    out = server.cli("ec2", "describe-stale-security-groups", "--vpc-id", va)
    assert out["StaleSecurityGroupSet"][0]["GroupId"] == ga


def test_cross_region_reference_refused(server):
    ec2a, ec2b, va, vb, pcx = peered(server, region_b="us-west-2")
    ga = sg(ec2a, va, "a")
    gb = sg(ec2b, vb, "b")
    assert (
        ec2a.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])[
            "VpcPeeringConnections"
        ][0]["Status"]["Code"]
        == "active"
    )
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2a.authorize_security_group_ingress(
            GroupId=ga, IpPermissions=[tcp(443, UserIdGroupPairs=[ref(gb, ACCOUNT_B)])]
        )
    assert error_code(e) == "InvalidGroup.NotFound"
    assert "regions" in str(e.value)


def test_unpeered_same_account_reference_refused(server):
    ec2 = server.ec2()
    v1 = new_vpc_id(ec2, "10.0.0.0/16")
    v2 = new_vpc_id(ec2, "10.1.0.0/16")
    g1 = sg(ec2, v1, "one")
    g2 = sg(ec2, v2, "two")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.authorize_security_group_egress(
            GroupId=g1, IpPermissions=[tcp(443, UserIdGroupPairs=[ref(g2)])]
        )
    assert error_code(e) == "InvalidGroup.NotFound"
    assert "different networks" in str(e.value)


# --- network ACLs ------------------------------------------------------------------------------


def acl_entries(ec2, acl_id):
    acl = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]
    return [(e["RuleNumber"], e["Egress"], e["RuleAction"]) for e in acl["Entries"]]


def test_default_and_new_network_acls(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    default = ec2.describe_network_acls(
        Filters=[{"Name": "default", "Values": ["true"]}, {"Name": "vpc-id", "Values": [v]}]
    )["NetworkAcls"]
    assert len(default) == 1
    d = default[0]
    assert d["IsDefault"] is True and d["OwnerId"] == ACCOUNT_A
    assert acl_entries(ec2, d["NetworkAclId"]) == [
        (100, True, "allow"),
        (32767, True, "deny"),
        (100, False, "allow"),
        (32767, False, "deny"),
    ]
    out = ec2.create_network_acl(
        VpcId=v,
        TagSpecifications=[{"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": "x"}]}],
    )["NetworkAcl"]
    acl = out["NetworkAclId"]
    assert acl.startswith("acl-") and out["IsDefault"] is False and out["VpcId"] == v
    assert out["Tags"] == [{"Key": "Name", "Value": "x"}]
    assert out["Associations"] == []
    assert [(e["RuleNumber"], e["Egress"], e["RuleAction"], e["Protocol"], e["CidrBlock"]) for e in out["Entries"]] == [
        (32767, True, "deny", "-1", "0.0.0.0/0"),
        (32767, False, "deny", "-1", "0.0.0.0/0"),
    ]
    mine = ec2.describe_network_acls(Filters=[{"Name": "default", "Values": ["false"]}])["NetworkAcls"]
    assert [a["NetworkAclId"] for a in mine] == [acl]

    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_network_acl(NetworkAclId=d["NetworkAclId"])
    assert error_code(e) == "InvalidParameterValue"
    ec2.delete_network_acl(NetworkAclId=acl)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_network_acls(NetworkAclIds=[acl])
    assert error_code(e) == "InvalidNetworkAclID.NotFound"


def test_network_acl_with_ipv6_vpc(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2, AmazonProvidedIpv6CidrBlock=True)
    acl = ec2.create_network_acl(VpcId=v)["NetworkAcl"]
    got = [(e["RuleNumber"], e["Egress"], e.get("CidrBlock"), e.get("Ipv6CidrBlock")) for e in acl["Entries"]]
    assert got == [
        (32767, True, "0.0.0.0/0", None),
        (32768, True, None, "::/0"),
        (32767, False, "0.0.0.0/0", None),
        (32768, False, None, "::/0"),
    ]


def test_network_acl_entries(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    acl = ec2.create_network_acl(VpcId=v)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
        CidrBlock="10.1.0.0/16", PortRange={"From": 443, "To": 443},
    )
    ec2.create_network_acl_entry(
        NetworkAclId=acl, RuleNumber=110, Protocol="1", RuleAction="deny", Egress=False,
        CidrBlock="0.0.0.0/0", IcmpTypeCode={"Type": 8, "Code": -1},
    )
    ec2.create_network_acl_entry(
        NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow", Egress=True,
        CidrBlock="0.0.0.0/0",
    )
    entries = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"]
    by_key = {(e["RuleNumber"], e["Egress"]): e for e in entries}
    assert by_key[(100, False)]["PortRange"] == {"From": 443, "To": 443}
    assert by_key[(100, False)]["Protocol"] == "6"
    assert by_key[(110, False)]["IcmpTypeCode"] == {"Type": 8, "Code": -1}
    assert by_key[(110, False)]["RuleAction"] == "deny"

    hit = ec2.describe_network_acls(
        Filters=[
            {"Name": "entry.rule-number", "Values": ["110"]},
            {"Name": "entry.protocol", "Values": ["icmp"]},
            {"Name": "entry.egress", "Values": ["false"]},
        ]
    )["NetworkAcls"]
    assert [a["NetworkAclId"] for a in hit] == [acl]

    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_network_acl_entry(
            NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="deny", Egress=False,
            CidrBlock="0.0.0.0/0",
        )
    assert error_code(e) == "NetworkAclEntryAlreadyExists"

    ec2.replace_network_acl_entry(
        NetworkAclId=acl, RuleNumber=100, Protocol="17", RuleAction="deny", Egress=False,
        CidrBlock="10.2.0.0/16", PortRange={"From": 53, "To": 53},
    )
    entries = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"]
    e100 = [e for e in entries if e["RuleNumber"] == 100 and not e["Egress"]][0]
    assert (e100["Protocol"], e100["RuleAction"], e100["CidrBlock"]) == ("17", "deny", "10.2.0.0/16")

    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.replace_network_acl_entry(
            NetworkAclId=acl, RuleNumber=200, Protocol="-1", RuleAction="deny", Egress=False,
            CidrBlock="0.0.0.0/0",
        )
    assert error_code(e) == "InvalidNetworkAclEntry.NotFound"

    ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    assert error_code(e) == "InvalidNetworkAclEntry.NotFound"
    assert (100, True, "allow") in acl_entries(ec2, acl)


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"RuleNumber": 0}, "InvalidParameterValue"),
        ({"RuleNumber": 32767}, "InvalidParameterValue"),
        ({"Protocol": "6"}, "MissingParameter"),
        ({"Protocol": "6", "PortRange": {"From": 90, "To": 80}}, "InvalidParameterValue"),
        ({"Protocol": "1"}, "MissingParameter"),
        ({"Protocol": "bogus"}, "InvalidParameterValue"),
        ({"RuleAction": "maybe"}, "InvalidParameterValue"),
        ({"CidrBlock": "10.0.0.0/40"}, "InvalidParameterValue"),
        ({"CidrBlock": None}, "MissingParameter"),
        ({"Ipv6CidrBlock": "::/0"}, "InvalidParameterCombination"),
        ({"NetworkAclId": "acl-0123456789abcdef0"}, "InvalidNetworkAclID.NotFound"),
    ],
)
def test_network_acl_entry_errors(server, kwargs, code):
    ec2 = server.ec2()
    acl = ec2.create_network_acl(VpcId=new_vpc_id(ec2))["NetworkAcl"]["NetworkAclId"]
    args = {
        "NetworkAclId": acl, "RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow",
        "Egress": False, "CidrBlock": "10.0.0.0/16",
    }
    args.update(kwargs)
    args = {k: v for k, v in args.items() if v is not None}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        unvalidated_ec2(server).create_network_acl_entry(**args)
    assert error_code(e) == code
    assert http_status(e) == 400
    assert acl_entries(ec2, acl) == [(32767, True, "deny"), (32767, False, "deny")]


def test_cli_network_acl(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    acl = server.cli("ec2", "create-network-acl", "--vpc-id", v)["NetworkAcl"]["NetworkAclId"]
    server.cli(
        "ec2", "create-network-acl-entry", "--network-acl-id", acl, "--ingress",
        "--rule-number", "100", "--protocol", "tcp", "--port-range", "From=22,To=22",
        "--cidr-block", "10.0.0.0/8", "--rule-action", "allow",
    )
    out = server.cli("ec2", "describe-network-acls", "--network-acl-ids", acl)
    entry = [e for e in out["NetworkAcls"][0]["Entries"] if e["RuleNumber"] == 100][0]
    assert (entry["Protocol"], entry["Egress"], entry["PortRange"]) == ("6", False, {"From": 22, "To": 22})
    server.cli("ec2", "delete-network-acl", "--network-acl-id", acl)


def test_network_acl_association_via_subnet(server):
    ec2 = server.ec2()
    v = new_vpc_id(ec2)
    try:
        subnet = ec2.create_subnet(VpcId=v, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] == "InvalidAction":
            pytest.skip("CreateSubnet is not available on this branch")
        raise
    assoc = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
    )["NetworkAcls"]
    if not assoc:
        pytest.skip("CreateSubnet does not associate the default network ACL yet")
    default = assoc[0]
    assert default["IsDefault"] is True
    assoc_id = default["Associations"][0]["NetworkAclAssociationId"]
    acl = ec2.create_network_acl(VpcId=v)["NetworkAcl"]["NetworkAclId"]
    new_id = ec2.replace_network_acl_association(AssociationId=assoc_id, NetworkAclId=acl)[
        "NewAssociationId"
    ]
    assert new_id.startswith("aclassoc-") and new_id != assoc_id
    got = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Associations"]
    assert got == [{"NetworkAclAssociationId": new_id, "NetworkAclId": acl, "SubnetId": subnet}]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_network_acl(NetworkAclId=acl)
    assert error_code(e) == "DependencyViolation"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.replace_network_acl_association(AssociationId=assoc_id, NetworkAclId=acl)
    assert error_code(e) == "InvalidAssociationID.NotFound"
    other = new_vpc_id(ec2, "10.5.0.0/16")
    foreign = ec2.create_network_acl(VpcId=other)["NetworkAcl"]["NetworkAclId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.replace_network_acl_association(AssociationId=new_id, NetworkAclId=foreign)
    assert error_code(e) == "InvalidParameterValue"
