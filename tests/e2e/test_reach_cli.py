"""`vpcpeer reach` against a running server: two peered VPCs in two accounts, routed on one
side only (the reply has no way back), then on both."""

import json
import subprocess

from conftest import ACCOUNT_A, ACCOUNT_B, BIN, one_sided_peering, vpc_with_instance


def reach(server, *args):
    return subprocess.run(
        [BIN, "reach", "--endpoint", server.url, "--account", ACCOUNT_A, *args],
        capture_output=True, text=True, timeout=30,
    )


def test_reach_cli_one_sided_peering_then_fixed(server):
    t = one_sided_peering(server)
    a, b, va, vb, rtb_a, rtb_b, ia, ib, pcx = (
        t.a, t.b, t.va, t.vb, t.rtb_a, t.rtb_b, t.ia, t.ib, t.pcx)
    q = ["--from", ia["InstanceId"], "--to", ib["PrivateIpAddress"], "--protocol", "tcp",
         "--port", "443"]

    p = reach(server, *q)
    assert p.returncode == 1, p.stdout + p.stderr
    assert p.stdout.startswith("NOT REACHABLE"), p.stdout
    assert "NO_ROUTE_TO_DESTINATION (return path)" in p.stdout, p.stdout
    assert f"fix: add a route 10.0.0.0/16 → {pcx} to {rtb_b}" in p.stdout, p.stdout

    p = reach(server, *q, "--output", "json")
    assert p.returncode == 1, p.stderr
    v = json.loads(p.stdout)
    assert v["reachable"] is False
    assert [(x["code"], x["leg"], x["component"]["id"]) for x in v["blockers"]] == [
        ("NO_ROUTE_TO_DESTINATION", "return", rtb_b)]
    assert v["forward"] and v["return"]

    b.create_route(RouteTableId=rtb_b, DestinationCidrBlock="10.0.0.0/16",
                   VpcPeeringConnectionId=pcx)
    p = reach(server, *q)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.startswith("REACHABLE"), p.stdout
    assert "Blockers" not in p.stdout
    v = json.loads(reach(server, *q, "--output", "json").stdout)
    assert v["reachable"] is True and v["blockers"] == []
    print(p.stdout)


def test_reach_cli_errors_exit_2(server):
    a, b = server.ec2(ACCOUNT_A), server.ec2(ACCOUNT_B)
    _, _, ib = vpc_with_instance(b, "10.1.0.0/16", "10.1.1.0/24")
    # Another account's instance id is not visible to account A.
    p = reach(server, "--from", ib["InstanceId"], "--to", "10.1.1.200", "--protocol", "icmp")
    assert p.returncode == 2
    assert "not found in account 111111111111" in p.stderr
    p = reach(server, "--from", "i-1", "--to", "10.0.0.1", "--protocol", "tcp")
    assert p.returncode == 2
    assert "need a destination port" in p.stderr
    p = subprocess.run([BIN, "reach", "--endpoint", "http://127.0.0.1:1", "--from", "i-1",
                        "--to", "i-2", "--port", "1"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "cannot reach the vpcpeer server" in p.stderr
