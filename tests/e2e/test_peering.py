"""VPC peering through real clients: the lifecycle, who may do what from where, CIDR rules, filters,
waiters, expiry and visibility windows (driven by the admin clock), and the peering quotas
(spec §2.7, §3)."""

import botocore.exceptions
import pytest

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    ACCOUNT_C,
    DAY,
    HOUR,
    cli_error_code,
    error_code,
    error_message,
    fails,
    make_vpc,
    pcx_of,
    pcx_state,
    visible_ids,
)

FAST = {"Delay": 1, "MaxAttempts": 2}
ONCE = {"Delay": 1, "MaxAttempts": 1}
WEEK = 7 * DAY


def request(ec2, vpc_id, peer_vpc_id, **kwargs):
    out = ec2.create_vpc_peering_connection(VpcId=vpc_id, PeerVpcId=peer_vpc_id, **kwargs)
    return out["VpcPeeringConnection"]


def tag_spec(**tags):
    return [
        {
            "ResourceType": "vpc-peering-connection",
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        }
    ]


@pytest.fixture
def a(server):
    return server.ec2(ACCOUNT_A, "us-east-1")


@pytest.fixture
def b(server):
    return server.ec2(ACCOUNT_B, "us-east-1")


@pytest.fixture
def same(server, a):
    """Two VPCs of account A in us-east-1 and a pending request between them."""
    v1 = make_vpc(a, "10.0.0.0/16")["VpcId"]
    v2 = make_vpc(a, "10.1.0.0/16")["VpcId"]
    return v1, v2


@pytest.fixture
def cross(server, a, b):
    """A's VPC 10.0/16 and B's VPC 10.1/16 (same region) and A's request to B."""
    va = make_vpc(a, "10.0.0.0/16")["VpcId"]
    vb = make_vpc(b, "10.1.0.0/16")["VpcId"]
    pcx = request(a, va, vb, PeerOwnerId=ACCOUNT_B)["VpcPeeringConnectionId"]
    return va, vb, pcx


# --- lifecycle ------------------------------------------------------------------------------------


def test_same_account_lifecycle(server, a, same):
    v1, v2 = same
    before = server.now_ms()
    p = request(a, v1, v2, TagSpecifications=tag_spec(Name="p"))
    pcx = p["VpcPeeringConnectionId"]
    assert pcx.startswith("pcx-") and len(pcx) == 21
    assert p["Status"]["Code"] == "initiating-request"
    assert p["Status"]["Message"] == f"Initiating Request to {ACCOUNT_A}"
    assert p["RequesterVpcInfo"]["VpcId"] == v1
    assert p["RequesterVpcInfo"]["OwnerId"] == ACCOUNT_A
    assert p["RequesterVpcInfo"]["Region"] == "us-east-1"
    assert p["RequesterVpcInfo"]["CidrBlock"] == "10.0.0.0/16"
    assert p["AccepterVpcInfo"]["VpcId"] == v2
    assert p["AccepterVpcInfo"]["OwnerId"] == ACCOUNT_A
    assert p["AccepterVpcInfo"]["Region"] == "us-east-1"
    assert {t["Key"]: t["Value"] for t in p["Tags"]} == {"Name": "p"}

    d = pcx_of(a, pcx)
    assert d["Status"] == {"Code": "pending-acceptance", "Message": f"Pending Acceptance by {ACCOUNT_A}"}
    expires_ms = d["ExpirationTime"].timestamp() * 1000
    assert before + WEEK * 1000 - 2000 <= expires_ms <= server.now_ms() + WEEK * 1000 + 2000
    assert "CidrBlock" not in d["AccepterVpcInfo"]  # the accepter's blocks appear once active

    acc = a.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)["VpcPeeringConnection"]
    assert acc["VpcPeeringConnectionId"] == pcx
    assert acc["Status"]["Code"] == "provisioning"
    d = pcx_of(a, pcx)
    assert d["Status"] == {"Code": "active", "Message": "Active"}
    assert "ExpirationTime" not in d
    assert d["AccepterVpcInfo"]["CidrBlock"] == "10.1.0.0/16"
    assert [c["CidrBlock"] for c in d["AccepterVpcInfo"]["CidrBlockSet"]] == ["10.1.0.0/16"]
    assert d["RequesterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is False

    # Accepting twice is a state error.
    fails("InvalidStateTransition", a.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    fails("InvalidStateTransition", a.reject_vpc_peering_connection, VpcPeeringConnectionId=pcx)

    assert a.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    assert pcx_state(a, pcx) == "deleted"
    assert pcx_of(a, pcx)["Status"]["Message"] == f"Deleted by {ACCOUNT_A}"
    fails("InvalidStateTransition", a.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)


def test_lifecycle_with_the_cli(server, a, same):
    v1, v2 = same
    out = server.cli(
        "ec2", "create-vpc-peering-connection", "--vpc-id", v1, "--peer-vpc-id", v2
    )
    pcx = out["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    assert out["VpcPeeringConnection"]["Status"]["Code"] == "initiating-request"
    out = server.cli(
        "ec2",
        "describe-vpc-peering-connections",
        "--filters",
        "Name=status-code,Values=pending-acceptance",
    )
    assert [p["VpcPeeringConnectionId"] for p in out["VpcPeeringConnections"]] == [pcx]
    out = server.cli("ec2", "accept-vpc-peering-connection", "--vpc-peering-connection-id", pcx)
    assert out["VpcPeeringConnection"]["Status"]["Code"] == "provisioning"
    out = server.cli(
        "ec2", "describe-vpc-peering-connections", "--vpc-peering-connection-ids", pcx
    )
    assert out["VpcPeeringConnections"][0]["Status"]["Code"] == "active"
    server.cli("ec2", "delete-vpc-peering-connection", "--vpc-peering-connection-id", pcx)
    assert pcx_state(a, pcx) == "deleted"


def test_cross_account_only_the_accepter_accepts(server, a, b, cross):
    va, vb, pcx = cross
    assert pcx_state(a, pcx) == "pending-acceptance"
    d = pcx_of(b, pcx)
    assert d["Status"]["Code"] == "pending-acceptance"
    assert d["Status"]["Message"] == f"Pending Acceptance by {ACCOUNT_B}"
    assert d["RequesterVpcInfo"]["OwnerId"] == ACCOUNT_A
    assert d["AccepterVpcInfo"]["OwnerId"] == ACCOUNT_B

    msg = fails("OperationNotPermitted", a.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    assert ACCOUNT_A in msg and pcx in msg
    fails("OperationNotPermitted", a.reject_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    # An account with no side in it does not see it at all.
    c = server.ec2(ACCOUNT_C)
    fails("InvalidVpcPeeringConnectionID.NotFound", c.accept_vpc_peering_connection,
          VpcPeeringConnectionId=pcx)
    fails("InvalidVpcPeeringConnectionID.NotFound", c.describe_vpc_peering_connections,
          VpcPeeringConnectionIds=[pcx])
    assert visible_ids(c) == set()

    p = server.cli("ec2", "accept-vpc-peering-connection", "--vpc-peering-connection-id", pcx,
                   account=ACCOUNT_A, check=False)
    assert cli_error_code(p) == "OperationNotPermitted"
    out = server.cli("ec2", "accept-vpc-peering-connection", "--vpc-peering-connection-id", pcx,
                     account=ACCOUNT_B)
    assert out["VpcPeeringConnection"]["Status"]["Code"] == "provisioning"
    assert pcx_state(a, pcx) == "active"
    assert pcx_state(b, pcx) == "active"


def test_cross_region_accepted_only_in_the_accepter_region(server):
    a_east = server.ec2(ACCOUNT_A, "us-east-1")
    a_west = server.ec2(ACCOUNT_A, "us-west-2")
    b_east = server.ec2(ACCOUNT_B, "us-east-1")
    b_west = server.ec2(ACCOUNT_B, "us-west-2")
    va = make_vpc(a_east, "10.0.0.0/16")["VpcId"]
    vb = make_vpc(b_west, "10.1.0.0/16")["VpcId"]
    p = request(a_east, va, vb, PeerOwnerId=ACCOUNT_B, PeerRegion="us-west-2")
    pcx = p["VpcPeeringConnectionId"]
    assert p["AccepterVpcInfo"]["Region"] == "us-west-2"
    assert p["RequesterVpcInfo"]["Region"] == "us-east-1"

    # Each side sees the connection only from its own region.
    assert visible_ids(a_east) == {pcx}
    assert visible_ids(b_west) == {pcx}
    assert visible_ids(a_west) == set()
    assert visible_ids(b_east) == set()
    fails("InvalidVpcPeeringConnectionID.NotFound", b_east.describe_vpc_peering_connections,
          VpcPeeringConnectionIds=[pcx])

    msg = fails("OperationNotPermitted", b_east.accept_vpc_peering_connection,
                VpcPeeringConnectionId=pcx)
    assert "Incorrect region" in msg and "us-west-2" in msg
    fails("OperationNotPermitted", a_east.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)

    assert b_west.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)[
        "VpcPeeringConnection"]["Status"]["Code"] == "provisioning"
    assert pcx_state(a_east, pcx) == "active"
    assert pcx_state(b_west, pcx) == "active"
    assert visible_ids(b_east) == set()

    # Inter-region: ClassicLink options are refused.
    fails("OperationNotPermitted", a_east.modify_vpc_peering_connection_options,
          VpcPeeringConnectionId=pcx,
          RequesterPeeringConnectionOptions={"AllowEgressFromLocalVpcToRemoteClassicLink": True})


def test_cross_region_same_account(server):
    east = server.ec2(ACCOUNT_A, "us-east-1")
    west = server.ec2(ACCOUNT_A, "eu-west-1")
    v1 = make_vpc(east, "10.0.0.0/16")["VpcId"]
    v2 = make_vpc(west, "10.1.0.0/16")["VpcId"]
    pcx = request(east, v1, v2, PeerRegion="eu-west-1")["VpcPeeringConnectionId"]
    fails("OperationNotPermitted", east.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    west.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert pcx_state(east, pcx) == "active"


def test_bad_peer_parameters(server, a, same):
    v1, v2 = same
    fails("InvalidVpcID.NotFound", request, a, v1, "vpc-0123456789abcdef0")
    fails("InvalidVpcID.NotFound", request, a, "vpc-0123456789abcdef0", v2)
    fails("InvalidVpcID.Malformed", request, a, v1, "nope")
    fails("InvalidParameterValue", request, a, v1, v1)
    fails("InvalidParameterValue", request, a, v1, v2, PeerRegion="mars-north-1")
    fails("InvalidParameterValue", request, a, v1, v2, PeerOwnerId="12")
    assert visible_ids(a) == set()
    # A VPC that does not exist in another account: the request is made and fails there.
    p = request(a, v1, "vpc-0123456789abcdef0", PeerOwnerId=ACCOUNT_B)
    assert pcx_state(a, p["VpcPeeringConnectionId"]) == "failed"


def test_unknown_and_malformed_pcx_ids(server, a):
    fails("InvalidVpcPeeringConnectionID.NotFound", a.describe_vpc_peering_connections,
          VpcPeeringConnectionIds=["pcx-0123456789abcdef0"])
    for call in (a.accept_vpc_peering_connection, a.reject_vpc_peering_connection,
                 a.delete_vpc_peering_connection):
        msg = fails("InvalidVpcPeeringConnectionID.NotFound", call,
                    VpcPeeringConnectionId="pcx-0123456789abcdef0")
        assert "pcx-0123456789abcdef0" in msg
    fails("InvalidVpcPeeringConnectionId.Malformed", a.describe_vpc_peering_connections,
          VpcPeeringConnectionIds=["pcx-zz"])
    p = server.cli("ec2", "describe-vpc-peering-connections", "--vpc-peering-connection-ids",
                   "pcx-0123456789abcdef0", check=False)
    assert cli_error_code(p) == "InvalidVpcPeeringConnectionID.NotFound"


# --- failed, rejected, deleted --------------------------------------------------------------------


def test_overlapping_primary_blocks_fail(server, a):
    v1 = make_vpc(a, "10.0.0.0/16")["VpcId"]
    v2 = make_vpc(a, "10.0.128.0/17")["VpcId"]
    p = request(a, v1, v2)
    pcx = p["VpcPeeringConnectionId"]
    d = pcx_of(a, pcx)
    assert d["Status"]["Code"] == "failed"
    assert "verlap" in d["Status"]["Message"]
    for call in (a.accept_vpc_peering_connection, a.reject_vpc_peering_connection,
                 a.delete_vpc_peering_connection):
        msg = fails("InvalidStateTransition", call, VpcPeeringConnectionId=pcx)
        assert pcx in msg and "failed" in msg
    assert pcx_state(a, pcx) == "failed"


def test_overlapping_secondary_block_fails_too(server, a):
    v1 = make_vpc(a, "10.0.0.0/16")["VpcId"]
    a.associate_vpc_cidr_block(VpcId=v1, CidrBlock="10.5.0.0/16")
    v2 = make_vpc(a, "10.5.0.0/24")["VpcId"]
    a.associate_vpc_cidr_block(VpcId=v2, AmazonProvidedIpv6CidrBlock=True)  # IPv6 is unique
    pcx = request(a, v1, v2)["VpcPeeringConnectionId"]
    assert pcx_state(a, pcx) == "failed"
    # The failed request does not block a fresh, valid one from the same VPC.
    v3 = make_vpc(a, "10.6.0.0/16")["VpcId"]
    ok = request(a, v1, v3)["VpcPeeringConnectionId"]
    assert pcx_state(a, ok) == "pending-acceptance"


def test_reject(server, a, b, cross):
    va, vb, pcx = cross
    assert b.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    assert pcx_state(a, pcx) == "rejected"
    assert pcx_state(b, pcx) == "rejected"
    fails("InvalidStateTransition", a.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    fails("InvalidStateTransition", b.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    fails("InvalidStateTransition", b.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    fails("InvalidStateTransition", b.reject_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    # A new request for the same pair is a new connection.
    again = request(a, va, vb, PeerOwnerId=ACCOUNT_B)["VpcPeeringConnectionId"]
    assert again != pcx
    assert pcx_state(b, again) == "pending-acceptance"


def test_requester_deletes_pending_accepter_cannot(server, a, b, cross):
    va, vb, pcx = cross
    fails("OperationNotPermitted", b.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    assert pcx_state(b, pcx) == "pending-acceptance"
    a.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert pcx_state(a, pcx) == "deleted"
    assert pcx_state(b, pcx) == "deleted"
    fails("InvalidStateTransition", b.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)


@pytest.mark.parametrize("deleter", ["requester", "accepter"])
def test_either_owner_deletes_an_active_one(server, a, b, cross, deleter):
    va, vb, pcx = cross
    b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ec2, account = (a, ACCOUNT_A) if deleter == "requester" else (b, ACCOUNT_B)
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    for side in (a, b):
        d = pcx_of(side, pcx)
        assert d["Status"] == {"Code": "deleted", "Message": f"Deleted by {account}"}
    fails("InvalidStateTransition", a.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)


# --- duplicates -----------------------------------------------------------------------------------


def test_same_pair_returns_the_same_connection(server, a, same):
    v1, v2 = same
    first = request(a, v1, v2)["VpcPeeringConnectionId"]
    assert request(a, v1, v2)["VpcPeeringConnectionId"] == first
    a.accept_vpc_peering_connection(VpcPeeringConnectionId=first)
    again = request(a, v1, v2)
    assert again["VpcPeeringConnectionId"] == first
    assert again["Status"]["Code"] == "active"
    assert visible_ids(a) == {first}


def test_reversed_pair_cannot_be_accepted_while_one_is_active(server, a, same):
    v1, v2 = same
    first = request(a, v1, v2)["VpcPeeringConnectionId"]
    a.accept_vpc_peering_connection(VpcPeeringConnectionId=first)
    reverse = request(a, v2, v1)["VpcPeeringConnectionId"]
    assert reverse != first
    assert pcx_state(a, reverse) == "pending-acceptance"
    msg = fails("VpcPeeringConnectionAlreadyExists", a.accept_vpc_peering_connection,
                VpcPeeringConnectionId=reverse)
    assert reverse in msg
    assert pcx_state(a, reverse) == "pending-acceptance"
    # Once the first is gone, the reversed one can be accepted.
    a.delete_vpc_peering_connection(VpcPeeringConnectionId=first)
    a.accept_vpc_peering_connection(VpcPeeringConnectionId=reverse)
    assert pcx_state(a, reverse) == "active"


# --- options --------------------------------------------------------------------------------------


def test_options_only_when_active_and_only_own_side(server, a, b, cross):
    va, vb, pcx = cross
    msg = fails("OperationNotPermitted", a.modify_vpc_peering_connection_options,
                VpcPeeringConnectionId=pcx,
                RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})
    assert "not active" in msg
    b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)

    fails("OperationNotPermitted", a.modify_vpc_peering_connection_options,
          VpcPeeringConnectionId=pcx,
          AccepterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": False})
    fails("OperationNotPermitted", b.modify_vpc_peering_connection_options,
          VpcPeeringConnectionId=pcx,
          RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": False})

    # DNS resolution needs DNS support and hostnames on both VPCs.
    fails("InvalidVpcPeeringConnectionState.DnsHostnamesDisabled",
          a.modify_vpc_peering_connection_options, VpcPeeringConnectionId=pcx,
          RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})
    a.modify_vpc_attribute(VpcId=va, EnableDnsHostnames={"Value": True})
    fails("InvalidVpcPeeringConnectionState.DnsHostnamesDisabled",
          a.modify_vpc_peering_connection_options, VpcPeeringConnectionId=pcx,
          RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})
    b.modify_vpc_attribute(VpcId=vb, EnableDnsHostnames={"Value": True})
    out = a.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=pcx,
        RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True},
    )
    assert out["RequesterPeeringConnectionOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert "AccepterPeeringConnectionOptions" not in out

    out = server.cli(
        "ec2", "modify-vpc-peering-connection-options", "--vpc-peering-connection-id", pcx,
        "--accepter-peering-connection-options", "AllowDnsResolutionFromRemoteVpc=true",
        account=ACCOUNT_B,
    )
    assert out["AccepterPeeringConnectionOptions"]["AllowDnsResolutionFromRemoteVpc"] is True

    for side in (a, b):
        d = pcx_of(side, pcx)
        assert d["RequesterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
        assert d["AccepterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True


def test_same_account_may_set_both_sides(server, a, same):
    v1, v2 = same
    pcx = request(a, v1, v2)["VpcPeeringConnectionId"]
    a.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    out = a.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=pcx,
        RequesterPeeringConnectionOptions={"AllowEgressFromLocalVpcToRemoteClassicLink": True},
        AccepterPeeringConnectionOptions={"AllowEgressFromLocalClassicLinkToRemoteVpc": True},
    )
    assert out["RequesterPeeringConnectionOptions"]["AllowEgressFromLocalVpcToRemoteClassicLink"]
    assert out["AccepterPeeringConnectionOptions"]["AllowEgressFromLocalClassicLinkToRemoteVpc"]
    fails("MissingParameter", a.modify_vpc_peering_connection_options, VpcPeeringConnectionId=pcx)


# --- CIDR blocks and VPC deletion while peered ----------------------------------------------------


def test_requester_cannot_add_a_block_while_pending(server, a, same):
    v1, v2 = same
    pcx = request(a, v1, v2)["VpcPeeringConnectionId"]
    fails("OperationNotPermitted", a.associate_vpc_cidr_block, VpcId=v1, CidrBlock="10.9.0.0/16")
    # The accepter may add a non-overlapping one; the request stays pending.
    a.associate_vpc_cidr_block(VpcId=v2, CidrBlock="10.9.0.0/16")
    assert pcx_state(a, pcx) == "pending-acceptance"
    a.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    d = pcx_of(a, pcx)
    assert [c["CidrBlock"] for c in d["AccepterVpcInfo"]["CidrBlockSet"]] == [
        "10.1.0.0/16", "10.9.0.0/16"]
    # Once active, the requester may add a block that overlaps nothing, and both sides show it.
    a.associate_vpc_cidr_block(VpcId=v1, CidrBlock="10.10.0.0/16")
    d = pcx_of(a, pcx)
    assert [c["CidrBlock"] for c in d["RequesterVpcInfo"]["CidrBlockSet"]] == [
        "10.0.0.0/16", "10.10.0.0/16"]


def test_accepter_adding_an_overlapping_block_fails_the_request(server, a, b, cross):
    va, vb, pcx = cross
    b.associate_vpc_cidr_block(VpcId=vb, CidrBlock="10.0.0.0/16")
    assert pcx_state(a, pcx) == "failed"
    # A failed connection is never shown to the accepter, so it cannot be accepted either.
    assert visible_ids(b) == set()
    fails("InvalidVpcPeeringConnectionID.NotFound", b.accept_vpc_peering_connection,
          VpcPeeringConnectionId=pcx)
    fails("InvalidStateTransition", a.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)


def test_block_overlapping_an_active_peer_is_refused(server, a, same):
    v1, v2 = same
    pcx = request(a, v1, v2)["VpcPeeringConnectionId"]
    a.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    fails("OperationNotPermitted", a.associate_vpc_cidr_block, VpcId=v1, CidrBlock="10.1.0.0/16")
    a.associate_vpc_cidr_block(VpcId=v2, CidrBlock="10.2.0.0/16")
    fails("OperationNotPermitted", a.associate_vpc_cidr_block, VpcId=v1, CidrBlock="10.2.0.0/16")
    assert pcx_state(a, pcx) == "active"
    (vpc,) = a.describe_vpcs(VpcIds=[v1])["Vpcs"]
    assert len(vpc["CidrBlockAssociationSet"]) == 1


def test_delete_vpc_with_an_active_peering_is_a_dependency(server, a, same):
    v1, v2 = same
    pcx = request(a, v1, v2)["VpcPeeringConnectionId"]
    a.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    fails("DependencyViolation", a.delete_vpc, VpcId=v1)
    fails("DependencyViolation", a.delete_vpc, VpcId=v2)
    a.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    a.delete_vpc(VpcId=v1)
    a.delete_vpc(VpcId=v2)
    assert a.describe_vpcs()["Vpcs"] == []


def test_deleting_the_requester_vpc_withdraws_its_pending_request(server, a, same):
    v1, v2 = same
    pcx = request(a, v1, v2)["VpcPeeringConnectionId"]
    a.delete_vpc(VpcId=v1)
    assert pcx_state(a, pcx) == "deleted"
    fails("InvalidStateTransition", a.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)


def test_deleting_the_requester_vpc_withdraws_a_cross_account_request(server, a, b, cross):
    va, vb, pcx = cross
    a.delete_vpc(VpcId=va)
    d = pcx_of(b, pcx)
    assert d["Status"] == {"Code": "deleted", "Message": f"Deleted by {ACCOUNT_A}"}
    fails("InvalidStateTransition", b.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    # The accepter VPC is free again.
    b.delete_vpc(VpcId=vb)
    # The withdrawing party sees it for 2 h, the other party for 2 days.
    server.advance(3 * HOUR)
    assert visible_ids(a) == set()
    assert pcx_state(b, pcx) == "deleted"


def test_deleting_the_accepter_vpc_withdraws_a_same_account_request(server, a, same):
    v1, v2 = same
    pcx = request(a, v1, v2)["VpcPeeringConnectionId"]
    a.delete_vpc(VpcId=v2)
    assert pcx_state(a, pcx) == "deleted"


def test_pending_request_from_another_account_blocks_the_accepter_vpc(server, a, b, cross):
    va, vb, pcx = cross
    fails("DependencyViolation", b.delete_vpc, VpcId=vb)
    b.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    b.delete_vpc(VpcId=vb)


# --- tags, filters, paging, waiters ---------------------------------------------------------------


def test_tags_are_per_side(server, a, b):
    va = make_vpc(a, "10.0.0.0/16")["VpcId"]
    vb = make_vpc(b, "10.1.0.0/16")["VpcId"]
    pcx = request(a, va, vb, PeerOwnerId=ACCOUNT_B, TagSpecifications=tag_spec(Env="prod"))[
        "VpcPeeringConnectionId"]
    assert pcx_of(a, pcx)["Tags"] == [{"Key": "Env", "Value": "prod"}]
    assert not pcx_of(b, pcx).get("Tags")
    fails("InvalidParameterValue", request, a, va, vb,
          TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])


@pytest.fixture
def several(server, a, b):
    """v1→v2 active (Env=prod), v1→v3 pending (Env=dev), v1→B's vb pending."""
    v1 = make_vpc(a, "10.0.0.0/16")["VpcId"]
    v2 = make_vpc(a, "10.1.0.0/16")["VpcId"]
    v3 = make_vpc(a, "10.2.0.0/16")["VpcId"]
    vb = make_vpc(b, "10.3.0.0/16")["VpcId"]
    p12 = request(a, v1, v2, TagSpecifications=tag_spec(Env="prod"))["VpcPeeringConnectionId"]
    a.accept_vpc_peering_connection(VpcPeeringConnectionId=p12)
    p13 = request(a, v1, v3, TagSpecifications=tag_spec(Env="dev"))["VpcPeeringConnectionId"]
    p1b = request(a, v1, vb, PeerOwnerId=ACCOUNT_B)["VpcPeeringConnectionId"]
    return dict(v1=v1, v2=v2, v3=v3, vb=vb, p12=p12, p13=p13, p1b=p1b)


def test_filters(server, a, b, several):
    s = several

    def f(*filters, ec2=a):
        out = ec2.describe_vpc_peering_connections(
            Filters=[{"Name": n, "Values": v} for n, v in filters])
        return {p["VpcPeeringConnectionId"] for p in out["VpcPeeringConnections"]}

    assert f(("status-code", ["active"])) == {s["p12"]}
    assert f(("status-code", ["pending-acceptance"])) == {s["p13"], s["p1b"]}
    assert f(("status-code", ["active", "pending-acceptance"])) == {s["p12"], s["p13"], s["p1b"]}
    assert f(("requester-vpc-info.vpc-id", [s["v1"]])) == {s["p12"], s["p13"], s["p1b"]}
    assert f(("requester-vpc-info.vpc-id", [s["v2"]])) == set()
    assert f(("accepter-vpc-info.vpc-id", [s["v2"], s["v3"]])) == {s["p12"], s["p13"]}
    assert f(("accepter-vpc-info.owner-id", [ACCOUNT_B])) == {s["p1b"]}
    assert f(("accepter-vpc-info.owner-id", [ACCOUNT_A]),
             ("status-code", ["pending-acceptance"])) == {s["p13"]}
    assert f(("requester-vpc-info.owner-id", [ACCOUNT_A]), ec2=b) == {s["p1b"]}
    assert f(("tag:Env", ["prod"])) == {s["p12"]}
    assert f(("tag:Env", ["*"])) == {s["p12"], s["p13"]}
    assert f(("tag-key", ["Env"])) == {s["p12"], s["p13"]}
    assert f(("requester-vpc-info.cidr-block", ["10.0.0.0/16"])) == {s["p12"], s["p13"], s["p1b"]}
    assert f(("accepter-vpc-info.cidr-block", ["10.1.0.0/16"])) == {s["p12"]}
    assert f(("vpc-peering-connection-id", [s["p13"]])) == {s["p13"]}
    assert f(("status-message", ["Pending Acceptance by *"])) == {s["p13"], s["p1b"]}
    # Requester and accepter filters on the same VPC are ANDed: nothing.
    assert f(("requester-vpc-info.vpc-id", [s["v1"]]), ("accepter-vpc-info.vpc-id", [s["v1"]])) \
        == set()
    fails("InvalidParameterValue", a.describe_vpc_peering_connections,
          Filters=[{"Name": "status", "Values": ["active"]}])

    out = server.cli(
        "ec2", "describe-vpc-peering-connections", "--filters",
        "Name=accepter-vpc-info.owner-id,Values=" + ACCOUNT_B, "Name=status-code,Values=pending-acceptance",
    )
    assert [p["VpcPeeringConnectionId"] for p in out["VpcPeeringConnections"]] == [s["p1b"]]


def test_paging(server, a):
    hub = make_vpc(a, "10.0.0.0/16")["VpcId"]
    made = set()
    for i in range(1, 8):
        spoke = make_vpc(a, f"10.{i}.0.0/16")["VpcId"]
        made.add(request(a, hub, spoke)["VpcPeeringConnectionId"])
    pages = list(a.get_paginator("describe_vpc_peering_connections").paginate(
        PaginationConfig={"PageSize": 5}))
    assert [len(p["VpcPeeringConnections"]) for p in pages] == [5, 2]
    got = {c["VpcPeeringConnectionId"] for p in pages for c in p["VpcPeeringConnections"]}
    assert got == made
    fails("InvalidParameterValue", a.describe_vpc_peering_connections, MaxResults=1001)


def test_waiters(server, a, same):
    v1, v2 = same
    pcx = request(a, v1, v2)["VpcPeeringConnectionId"]
    a.get_waiter("vpc_peering_connection_exists").wait(
        VpcPeeringConnectionIds=[pcx], WaiterConfig=FAST)
    # Exists retries on the NotFound code, so an unknown id times out.
    with pytest.raises(botocore.exceptions.WaiterError) as e:
        a.get_waiter("vpc_peering_connection_exists").wait(
            VpcPeeringConnectionIds=["pcx-0123456789abcdef0"], WaiterConfig=ONCE)
    assert "Max attempts exceeded" in str(e.value)
    # Deleted: not yet.
    with pytest.raises(botocore.exceptions.WaiterError):
        a.get_waiter("vpc_peering_connection_deleted").wait(
            VpcPeeringConnectionIds=[pcx], WaiterConfig=ONCE)
    a.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    a.get_waiter("vpc_peering_connection_deleted").wait(
        VpcPeeringConnectionIds=[pcx], WaiterConfig=FAST)
    # ...and still satisfied once the connection is gone for good (NotFound).
    server.advance(3 * HOUR)
    fails("InvalidVpcPeeringConnectionID.NotFound", a.describe_vpc_peering_connections,
          VpcPeeringConnectionIds=[pcx])
    a.get_waiter("vpc_peering_connection_deleted").wait(
        VpcPeeringConnectionIds=[pcx], WaiterConfig=FAST)
    server.cli("ec2", "wait", "vpc-peering-connection-deleted",
               "--vpc-peering-connection-ids", pcx)


def test_dry_run(server, a, same):
    v1, v2 = same
    with pytest.raises(botocore.exceptions.ClientError) as e:
        a.create_vpc_peering_connection(VpcId=v1, PeerVpcId=v2, DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert visible_ids(a) == set()
    pcx = request(a, v1, v2)["VpcPeeringConnectionId"]
    for call in (a.accept_vpc_peering_connection, a.reject_vpc_peering_connection,
                 a.delete_vpc_peering_connection):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call(VpcPeeringConnectionId=pcx, DryRun=True)
        assert error_code(e) == "DryRunOperation"
        assert pcx_state(a, pcx) == "pending-acceptance"


# --- expiry and visibility windows (admin clock) --------------------------------------------------


def test_pending_request_expires_after_seven_days(server, a, b, cross):
    va, vb, pcx = cross
    server.advance(WEEK - 60)
    assert pcx_state(b, pcx) == "pending-acceptance"
    server.advance(120)
    for side in (a, b):
        d = pcx_of(side, pcx)
        assert d["Status"]["Code"] == "expired"
    fails("InvalidStateTransition", b.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    fails("InvalidStateTransition", b.reject_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    fails("InvalidStateTransition", a.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    # Expired requests are not outstanding: a new request for the pair is a new connection.
    # Visible to both for two more days, then gone.
    server.advance(2 * DAY - 180)
    assert pcx_state(a, pcx) == "expired" and pcx_state(b, pcx) == "expired"
    server.advance(120)
    for side in (a, b):
        fails("InvalidVpcPeeringConnectionID.NotFound", side.describe_vpc_peering_connections,
              VpcPeeringConnectionIds=[pcx])
        assert pcx not in visible_ids(side)
    fresh = request(a, va, vb, PeerOwnerId=ACCOUNT_B)["VpcPeeringConnectionId"]
    assert fresh != pcx


def test_deleted_visible_two_hours_to_the_deleter_two_days_to_the_other(server, a, b, cross):
    va, vb, pcx = cross
    b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    a.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    server.advance(2 * HOUR - 60)
    assert pcx_state(a, pcx) == "deleted" and pcx_state(b, pcx) == "deleted"
    server.advance(120)
    fails("InvalidVpcPeeringConnectionID.NotFound", a.describe_vpc_peering_connections,
          VpcPeeringConnectionIds=[pcx])
    fails("InvalidVpcPeeringConnectionID.NotFound", a.delete_vpc_peering_connection,
          VpcPeeringConnectionId=pcx)
    assert pcx_state(b, pcx) == "deleted"
    server.advance(2 * DAY - 2 * HOUR - 120)
    assert pcx_state(b, pcx) == "deleted"
    server.advance(120)
    assert visible_ids(b) == set()


def test_deleted_same_account_two_hours(server, a, same):
    v1, v2 = same
    pcx = request(a, v1, v2)["VpcPeeringConnectionId"]
    a.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    server.advance(2 * HOUR - 60)
    assert pcx_state(a, pcx) == "deleted"
    server.advance(120)
    assert visible_ids(a) == set()


def test_rejected_visible_two_days_to_the_requester_two_hours_to_the_accepter(server, a, b, cross):
    va, vb, pcx = cross
    b.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    server.advance(2 * HOUR - 60)
    assert pcx_state(a, pcx) == "rejected" and pcx_state(b, pcx) == "rejected"
    server.advance(120)
    assert visible_ids(b) == set()
    assert pcx_state(a, pcx) == "rejected"
    server.advance(2 * DAY - 2 * HOUR - 120)
    assert pcx_state(a, pcx) == "rejected"
    server.advance(120)
    fails("InvalidVpcPeeringConnectionID.NotFound", a.describe_vpc_peering_connections,
          VpcPeeringConnectionIds=[pcx])


def test_failed_visible_two_hours_to_the_requester_never_to_the_accepter(server, a, b):
    va = make_vpc(a, "10.0.0.0/16")["VpcId"]
    vb = make_vpc(b, "10.0.0.0/16")["VpcId"]
    pcx = request(a, va, vb, PeerOwnerId=ACCOUNT_B)["VpcPeeringConnectionId"]
    assert pcx_state(a, pcx) == "failed"
    assert visible_ids(b) == set()
    fails("InvalidVpcPeeringConnectionID.NotFound", b.describe_vpc_peering_connections,
          VpcPeeringConnectionIds=[pcx])
    server.advance(2 * HOUR - 60)
    assert pcx_state(a, pcx) == "failed"
    server.advance(120)
    assert visible_ids(a) == set()


# --- quotas ---------------------------------------------------------------------------------------


def test_outstanding_request_quota(fresh_server):
    server = fresh_server("--limit", "outstanding_peering_requests=2")
    a = server.ec2()
    hub = make_vpc(a, "10.0.0.0/16")["VpcId"]
    spokes = [make_vpc(a, f"10.{i}.0.0/16")["VpcId"] for i in range(1, 5)]
    p1 = request(a, hub, spokes[0])["VpcPeeringConnectionId"]
    request(a, spokes[1], hub)
    fails("OutstandingVpcPeeringConnectionLimitExceeded", request, a, hub, spokes[2])
    # Accepting one frees a slot; the same-pair answer is not a new request.
    a.accept_vpc_peering_connection(VpcPeeringConnectionId=p1)
    p3 = request(a, hub, spokes[2])["VpcPeeringConnectionId"]
    fails("OutstandingVpcPeeringConnectionLimitExceeded", request, a, hub, spokes[3])
    # Expired requests do not count.
    server.advance(WEEK + 60)
    assert pcx_state(a, p3) == "expired"
    request(a, hub, spokes[3])


def test_active_peerings_per_vpc_quota(fresh_server):
    server = fresh_server("--limit", "active_peerings_per_vpc=1")
    a = server.ec2()
    hub = make_vpc(a, "10.0.0.0/16")["VpcId"]
    s1 = make_vpc(a, "10.1.0.0/16")["VpcId"]
    s2 = make_vpc(a, "10.2.0.0/16")["VpcId"]
    p1 = request(a, hub, s1)["VpcPeeringConnectionId"]
    p2 = request(a, s2, hub)["VpcPeeringConnectionId"]
    a.accept_vpc_peering_connection(VpcPeeringConnectionId=p1)
    fails("ActiveVpcPeeringConnectionPerVpcLimitExceeded", a.accept_vpc_peering_connection,
          VpcPeeringConnectionId=p2)
    assert pcx_state(a, p2) == "pending-acceptance"
    a.delete_vpc_peering_connection(VpcPeeringConnectionId=p1)
    a.accept_vpc_peering_connection(VpcPeeringConnectionId=p2)
    assert pcx_state(a, p2) == "active"
