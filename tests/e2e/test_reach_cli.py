"""`vpcpeer reach` against a running server: two peered VPCs in two accounts, routed on one
side only (the reply has no way back), then on both; what each account sees of the other's
resources (their ids never, the path, codes and fixes always); output into a closed pipe."""

import json
import os
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
    # B's table, asked by A: by kind, owner and the peer VPC, and B must add the route.
    label = f"route-table (account {ACCOUNT_B}, {vb})"
    assert (f"fix: its owner (account {ACCOUNT_B}) must add a route 10.0.0.0/16 → {pcx} to "
            f"{label}") in p.stdout, p.stdout
    assert rtb_b not in p.stdout, p.stdout

    p = reach(server, *q, "--output", "json")
    assert p.returncode == 1, p.stderr
    v = json.loads(p.stdout)
    assert v["reachable"] is False
    assert [(x["code"], x["leg"], x["component"]["id"]) for x in v["blockers"]] == [
        ("NO_ROUTE_TO_DESTINATION", "return", None)]
    assert v["blockers"][0]["component"]["label"] == label
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
    assert "hint" not in p.stderr  # --account was given
    # Without --account the query asks as 000000000000, and the error says how to change it.
    p = subprocess.run([BIN, "reach", "--endpoint", server.url, "--from", ib["InstanceId"],
                        "--to", "10.1.1.200", "--protocol", "icmp"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    assert "not found in account 000000000000" in p.stderr, p.stderr
    assert "hint:" in p.stderr and "--account" in p.stderr, p.stderr
    p = reach(server, "--from", "i-1", "--to", "10.0.0.1", "--protocol", "tcp")
    assert p.returncode == 2
    assert "need a destination port" in p.stderr
    p = subprocess.run([BIN, "reach", "--endpoint", "http://127.0.0.1:1", "--from", "i-1",
                        "--to", "i-2", "--port", "1"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "cannot reach the vpcpeer server" in p.stderr


def account_ids(ec2):
    """Every id of the resources of `ec2`'s account (security group rules included)."""
    ids = set()
    ids |= {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    ids |= {s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]}
    ids |= {r["RouteTableId"] for r in ec2.describe_route_tables()["RouteTables"]}
    ids |= {a["NetworkAclId"] for a in ec2.describe_network_acls()["NetworkAcls"]}
    ids |= {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    ids |= {r["SecurityGroupRuleId"]
            for r in ec2.describe_security_group_rules()["SecurityGroupRules"]}
    ids |= {n["NetworkInterfaceId"]
            for n in ec2.describe_network_interfaces()["NetworkInterfaces"]}
    ids |= {i["InstanceId"] for r in ec2.describe_instances()["Reservations"]
            for i in r["Instances"]}
    return ids


def test_reach_cli_hides_the_other_accounts_ids_but_keeps_path_codes_and_fix(server):
    """Account B asks about a path into account A: nothing of A but the peering and A's VPC (which
    DescribeVpcPeeringConnections shows B) is named, in the table or the JSON; the path, the codes
    and a fix B can hand to A remain."""
    t = one_sided_peering(server)
    a_ids = account_ids(t.a) - {t.va}
    assert len(a_ids) >= 8 and t.pcx not in a_ids
    q = ["--account", ACCOUNT_B, "--from", t.ib["InstanceId"], "--to",
         t.ia["PrivateIpAddress"], "--protocol", "tcp", "--port", "443"]
    table = subprocess.run([BIN, "reach", "--endpoint", server.url, *q],
                           capture_output=True, text=True, timeout=30)
    js = subprocess.run([BIN, "reach", "--endpoint", server.url, *q, "--output", "json"],
                        capture_output=True, text=True, timeout=30)
    assert table.returncode == 1 and js.returncode == 1, table.stdout + table.stderr
    for out in (table.stdout, js.stdout):
        leaked = sorted(i for i in a_ids if i in out)
        assert not leaked, f"A's ids {leaked} in:\n{out}"
    v = json.loads(js.stdout)
    kinds = [h["component"]["kind"] for h in v["forward"]]
    assert kinds[:5] == ["instance", "network-interface", "security-group", "network-acl",
                         "route-table"], kinds
    assert kinds[-1] == "instance" and v["forward"][-1]["component"]["account"] == ACCOUNT_A
    codes = [(b["code"], b["leg"]) for b in v["blockers"]]
    assert codes == [("NO_ROUTE_TO_DESTINATION", "forward"),
                     ("ENI_SG_RULES_MISMATCH", "forward")], codes
    sg = v["blockers"][1]
    assert sg["component"] == {"kind": "network-interface", "id": None, "account": ACCOUNT_A,
                               "vpc": t.va,
                               "label": f"network-interface (account {ACCOUNT_A}, {t.va})"}
    assert sg["fix"] == (f"its owner (account {ACCOUNT_A}) must allow tcp/443 from "
                         f"{t.ib['PrivateIpAddress']}/32 (or its security group) in "
                         f"security-group (account {ACCOUNT_A}, {t.va})"), sg["fix"]
    assert (f"2. ENI_SG_RULES_MISMATCH (forward path) at network-interface (account {ACCOUNT_A}, "
            f"{t.va})") in table.stdout, table.stdout

    # B's own side is all there, by id: its instance, interface, group, ACL and table.
    b_ids = account_ids(t.b)
    own = {h["component"]["id"] for h in v["forward"] if h["component"]["id"]}
    assert own <= b_ids and len(own) == 5, own
    assert t.rtb_b in table.stdout and v["blockers"][0]["component"]["id"] == t.rtb_b
    assert v["blockers"][0]["fix"] == f"add a route 10.0.0.0/16 → {t.pcx} to {t.rtb_b}"

    # The audit and the matrix of B hide A's resources the same way.
    audit = subprocess.run([BIN, "audit", "--endpoint", server.url, "--account", ACCOUNT_B,
                            "--output", "json"], capture_output=True, text=True, timeout=30)
    assert audit.returncode == 1, audit.stderr
    assert "missing_return_route" in audit.stdout
    assert not sorted(i for i in a_ids if i in audit.stdout), audit.stdout
    assert t.rtb_b in audit.stdout
    whole = subprocess.run([BIN, "audit", "--endpoint", server.url, "--output", "json"],
                           capture_output=True, text=True, timeout=30)
    assert t.rtb_a in whole.stdout  # the operator's view names everything


def test_cli_output_into_a_closed_pipe_is_dropped_quietly(server):
    """`vpcpeer audit --output json | head`: once the reader is gone, the output stops without a
    panic and the exit status is still the answer's."""
    t = one_sided_peering(server)
    q = ["--from", t.ia["InstanceId"], "--to", t.ib["PrivateIpAddress"], "--protocol", "tcp",
         "--port", "443"]
    cases = [
        (["audit", "--output", "json"], 1),        # an error finding
        (["audit"], 1),
        (["reach", "--account", ACCOUNT_A, *q, "--output", "json"], 1),  # not reachable
        (["reach", "--account", ACCOUNT_A, *q], 1),
        (["reach", "--matrix", "--port", "443"], 0),
    ]
    for args, status in cases:
        r, w = os.pipe()
        os.close(r)  # the reader is gone before the first byte is written
        try:
            p = subprocess.run([BIN, *args, "--endpoint", server.url], stdout=w,
                               stderr=subprocess.PIPE, text=True, timeout=30)
        finally:
            os.close(w)
        assert p.returncode == status, (args, p.returncode, p.stderr)
        assert p.stderr == "", (args, p.stderr)
    # A real pipeline with head: same answer, the first line only.
    p = subprocess.run(["bash", "-c", f"set -o pipefail; '{BIN}' audit --endpoint {server.url} "
                        "--output json | head -n 1; echo status ${PIPESTATUS[0]}"],
                       capture_output=True, text=True, timeout=30)
    assert p.stdout.splitlines() == ["{", "status 1"], p.stdout + p.stderr
    assert "panicked" not in p.stderr, p.stderr
