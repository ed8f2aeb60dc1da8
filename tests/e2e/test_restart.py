"""Durability: every answered request survives `kill -9`, and so does the advanced clock; with
`--ephemeral` nothing does."""

import pytest

from conftest import ACCOUNT_A, ACCOUNT_B, DAY, make_vpc, pcx_of, visible_ids


def crash_and_restart(fresh_server, server, *args):
    """kill -9 `server`, then start a new one on the same data directory."""
    server.kill9()
    return fresh_server(*args, data_dir=server.data_dir)


def snapshot(server):
    """Everything both accounts can see, in a comparable form."""
    out = {}
    for account in (ACCOUNT_A, ACCOUNT_B):
        ec2 = server.ec2(account)
        vpcs = ec2.describe_vpcs()["Vpcs"]
        pcxs = ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
        out[account] = {
            "vpcs": sorted((v["VpcId"], v["CidrBlock"], len(v["CidrBlockAssociationSet"]),
                            tuple(sorted((t["Key"], t["Value"]) for t in v.get("Tags", []))))
                           for v in vpcs),
            "pcxs": sorted((p["VpcPeeringConnectionId"], p["Status"]["Code"],
                            p["RequesterVpcInfo"]["VpcId"], p["AccepterVpcInfo"]["VpcId"])
                           for p in pcxs),
        }
    return out


@pytest.mark.parametrize("durability", ["full", "normal"])
def test_every_answered_request_survives_kill9(fresh_server, tmp_path, durability):
    args = ("--durability", durability)
    s = fresh_server(*args, data_dir=tmp_path / "data")

    va = make_vpc(s.ec2(ACCOUNT_A), "10.0.0.0/16",
                  TagSpecifications=[{"ResourceType": "vpc",
                                      "Tags": [{"Key": "Name", "Value": "a"}]}])["VpcId"]
    s = crash_and_restart(fresh_server, s, *args)
    (v,) = s.ec2(ACCOUNT_A).describe_vpcs(VpcIds=[va])["Vpcs"]
    assert v["Tags"] == [{"Key": "Name", "Value": "a"}]

    vb = make_vpc(s.ec2(ACCOUNT_B), "10.1.0.0/16")["VpcId"]
    s = crash_and_restart(fresh_server, s, *args)
    assert [v["VpcId"] for v in s.ec2(ACCOUNT_B).describe_vpcs()["Vpcs"]] == [vb]

    s.ec2(ACCOUNT_A).associate_vpc_cidr_block(VpcId=va, CidrBlock="10.2.0.0/16")
    s = crash_and_restart(fresh_server, s, *args)
    (v,) = s.ec2(ACCOUNT_A).describe_vpcs(VpcIds=[va])["Vpcs"]
    assert [b["CidrBlock"] for b in v["CidrBlockAssociationSet"]] == ["10.0.0.0/16", "10.2.0.0/16"]

    pcx = s.ec2(ACCOUNT_A).create_vpc_peering_connection(
        VpcId=va, PeerVpcId=vb, PeerOwnerId=ACCOUNT_B)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    s = crash_and_restart(fresh_server, s, *args)
    assert pcx_of(s.ec2(ACCOUNT_B), pcx)["Status"]["Code"] == "pending-acceptance"

    s.ec2(ACCOUNT_B).accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    s = crash_and_restart(fresh_server, s, *args)
    d = pcx_of(s.ec2(ACCOUNT_A), pcx)
    assert d["Status"]["Code"] == "active"
    assert d["AccepterVpcInfo"]["CidrBlock"] == "10.1.0.0/16"

    s.ec2(ACCOUNT_B).modify_vpc_attribute(VpcId=vb, EnableDnsHostnames={"Value": True})
    s = crash_and_restart(fresh_server, s, *args)
    out = s.ec2(ACCOUNT_B).describe_vpc_attribute(VpcId=vb, Attribute="enableDnsHostnames")
    assert out["EnableDnsHostnames"]["Value"] is True

    before = snapshot(s)
    s = crash_and_restart(fresh_server, s, *args)
    assert snapshot(s) == before
    # The restarted server keeps handing out fresh ids that do not collide.
    vc = make_vpc(s.ec2(ACCOUNT_A), "10.9.0.0/16")["VpcId"]
    assert vc not in {va, vb}


def test_the_advanced_clock_survives_kill9(fresh_server, tmp_path):
    s = fresh_server(data_dir=tmp_path / "data")
    a = s.ec2(ACCOUNT_A)
    v1 = make_vpc(a, "10.0.0.0/16")["VpcId"]
    v2 = make_vpc(a, "10.1.0.0/16")["VpcId"]
    pcx = a.create_vpc_peering_connection(VpcId=v1, PeerVpcId=v2)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    before = s.now_ms()
    s.advance(3 * DAY)
    s = crash_and_restart(fresh_server, s)
    assert s.now_ms() >= before + 3 * DAY * 1000
    assert s.now_ms() < before + 3 * DAY * 1000 + 60_000
    assert pcx_of(s.ec2(ACCOUNT_A), pcx)["Status"]["Code"] == "pending-acceptance"
    s.advance(4 * DAY + 60)
    s = crash_and_restart(fresh_server, s)
    assert pcx_of(s.ec2(ACCOUNT_A), pcx)["Status"]["Code"] == "expired"
    s.advance(2 * DAY + 60)
    s = crash_and_restart(fresh_server, s)
    assert visible_ids(s.ec2(ACCOUNT_A)) == set()


def test_graceful_stop_keeps_state_too(fresh_server, tmp_path):
    s = fresh_server(data_dir=tmp_path / "data")
    va = make_vpc(s.ec2())["VpcId"]
    s.stop()
    s = fresh_server(data_dir=tmp_path / "data")
    assert [v["VpcId"] for v in s.ec2().describe_vpcs()["Vpcs"]] == [va]


def test_reset_is_durable(fresh_server, tmp_path):
    s = fresh_server(data_dir=tmp_path / "data")
    make_vpc(s.ec2())
    before = s.now_ms()
    s.advance(DAY)
    s.reset()
    s = crash_and_restart(fresh_server, s)
    assert s.ec2().describe_vpcs()["Vpcs"] == []
    assert s.now_ms() < before + DAY * 1000  # the clock offset was reset as well
    assert s.admin("GET", "/_vpcpeer/health")[1]["resources"] == 0


def test_ephemeral_loses_everything(fresh_server, tmp_path):
    data = tmp_path / "data"
    s = fresh_server("--ephemeral", data_dir=data)
    make_vpc(s.ec2())
    s.advance(DAY)
    assert len(s.ec2().describe_vpcs()["Vpcs"]) == 1
    s = crash_and_restart(fresh_server, s, "--ephemeral")
    assert s.ec2().describe_vpcs()["Vpcs"] == []
    assert not data.exists() or not any(data.iterdir())
    # The same data directory without --ephemeral starts empty as well (nothing was written).
    s.stop()
    s = fresh_server(data_dir=data)
    assert s.ec2().describe_vpcs()["Vpcs"] == []
