"""`vpcpeer audit` and `vpcpeer reach --matrix` against a running server, driven by boto3.

One topology with deliberate mistakes (a one-sided route, a blackhole route to a deleted
peering, an overlapping peering request, a network ACL without its ephemeral return range, a
stale security group reference, a route that tries to transit a peer): the audit must find
each, naming the right resources. A clean peered topology has no error finding. The matrix of
four instances must agree, cell by cell, with individual `vpcpeer reach` calls.
"""

import json
import subprocess

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    ACCOUNT_C,
    AMI,
    BIN,
    one_sided_peering,
    vpc_with_instance,
)


def vpcpeer(server, *args):
    return subprocess.run(
        [BIN, *args, "--endpoint", server.url], capture_output=True, text=True, timeout=60
    )


def audit_json(server, *args):
    p = vpcpeer(server, "audit", "--output", "json", *args)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout)


def findings_of(report, check):
    return [f for f in report["findings"] if f["check"] == check]


def the_finding(report, check, *ids):
    """The findings of `check` naming every id of `ids`; exactly one must exist."""
    hits = [f for f in findings_of(report, check) if all(i in f["resources"] for i in ids)]
    assert len(hits) == 1, (check, ids, json.dumps(report, indent=1))
    f = hits[0]
    assert f["message"] and f["fix"], f
    return f


def peer(requester, accepter, vpc, peer_vpc, owner):
    pcx = requester.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_vpc, PeerOwnerId=owner)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    if accepter is not None:
        accepter.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    return pcx


def main_rtb(ec2, vpc):
    (t,) = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]},
                 {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    return t["RouteTableId"]


def test_audit_finds_each_deliberate_mistake(server):
    # 1. One-sided route: A (10.0/16) routes to B (10.1/16) over an active peering; B does not
    #    route back.
    t = one_sided_peering(server)
    a, b, c = t.a, t.b, server.ec2(ACCOUNT_C)

    # 2. A route to a peering that is then deleted: a blackhole; and 5. the security group
    #    rule that referenced the peer's group through it goes stale.
    vd = a.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    ve = a.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"]
    pde = peer(a, a, vd, ve, ACCOUNT_A)
    rtb_d = main_rtb(a, vd)
    a.create_route(RouteTableId=rtb_d, DestinationCidrBlock="10.4.0.0/16",
                   VpcPeeringConnectionId=pde)
    sg_d = a.create_security_group(GroupName="app", Description="app", VpcId=vd)["GroupId"]
    sg_e = a.create_security_group(GroupName="db", Description="db", VpcId=ve)["GroupId"]
    a.authorize_security_group_ingress(GroupId=sg_d, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
        "UserIdGroupPairs": [{"GroupId": sg_e, "UserId": ACCOUNT_A,
                              "VpcPeeringConnectionId": pde}]}])
    a.delete_vpc_peering_connection(VpcPeeringConnectionId=pde)

    # 3. A peering request between overlapping VPCs (A's 10.0/16 and C's 10.0/16).
    vf = c.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    p_overlap = peer(a, None, t.va, vf, ACCOUNT_C)

    # 4. B's subnet gets an ACL that admits tcp/443 in but no reply out.
    acl = b.create_network_acl(VpcId=t.vb)["NetworkAcl"]["NetworkAclId"]
    b.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                               RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0",
                               PortRange={"From": 443, "To": 443})
    subnet_b = t.ib["SubnetId"]
    (default_acl,) = b.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_b]}])["NetworkAcls"]
    assoc = next(x["NetworkAclAssociationId"] for x in default_acl["Associations"]
                 if x["SubnetId"] == subnet_b)
    b.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)

    # 6. B is also peered with G (10.5/16); A sends G's block to the A–B peering.
    vg = b.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    pbg = peer(b, b, t.vb, vg, ACCOUNT_B)
    a.create_route(RouteTableId=t.rtb_a, DestinationCidrBlock="10.5.0.0/16",
                   VpcPeeringConnectionId=t.pcx)

    code, report = audit_json(server)
    assert code == 1, report

    f = the_finding(report, "missing_return_route", t.rtb_a, t.pcx, t.vb, t.rtb_b)
    assert f["severity"] == "error"
    assert f["resources"][0] == t.rtb_a
    assert f"10.0.0.0/16 → {t.pcx}" in f["fix"], f

    f = the_finding(report, "blackhole_routes", rtb_d, pde)
    assert f["severity"] == "error" and "deleted" in f["message"], f

    f = the_finding(report, "cidr_overlap_audit", p_overlap, t.va, vf)
    assert "10.0.0.0/16" in f["message"], f

    f = the_finding(report, "nacl_ephemeral_gap", acl)
    assert f["severity"] == "error" and "443" in f["message"], f

    f = the_finding(report, "stale_sg_references", sg_d, sg_e, pde)
    assert f["resources"][0] == sg_d

    f = the_finding(report, "transitive_peering_misconfig", t.rtb_a, t.pcx, vg, pbg)
    assert f["severity"] == "error" and "10.5.0.0/16" in f["message"], f

    # The summary counts what is listed; errors come first.
    sev = [f["severity"] for f in report["findings"]]
    assert report["summary"]["error"] == sev.count("error") >= 4
    assert sev == sorted(sev, key=["error", "warning", "info"].index)

    # Filtered to account C: only what names C's resources (the overlapping request).
    code, only_c = audit_json(server, "--account", ACCOUNT_C)
    assert [f["check"] for f in only_c["findings"]] == ["cidr_overlap_audit"], only_c
    assert code == 0  # a failed request is a warning, not an error

    # The table for humans names the same things, and exits 1.
    p = vpcpeer(server, "audit")
    assert p.returncode == 1, p.stderr
    assert p.stdout.startswith("SEVERITY"), p.stdout
    for needle in ("missing_return_route", "blackhole_routes", "nacl_ephemeral_gap",
                   "stale_sg_references", "transitive_peering_misconfig",
                   "cidr_overlap_audit", f"fix: add a route 10.0.0.0/16 → {t.pcx}"):
        assert needle in p.stdout, (needle, p.stdout)
    print(p.stdout)


def test_clean_topology_has_no_error_findings(server):
    t = one_sided_peering(server)
    t.b.create_route(RouteTableId=t.rtb_b, DestinationCidrBlock="10.0.0.0/16",
                     VpcPeeringConnectionId=t.pcx)
    code, report = audit_json(server)
    assert code == 0, report
    assert report["summary"]["error"] == 0, report
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    p = vpcpeer(server, "audit")
    assert p.returncode == 0, p.stdout + p.stderr

    # Breaking it again is noticed: the return route replaced by nothing.
    t.b.delete_route(RouteTableId=t.rtb_b, DestinationCidrBlock="10.0.0.0/16")
    code, report = audit_json(server)
    assert code == 1
    the_finding(report, "missing_return_route", t.rtb_a, t.pcx)


def test_audit_usage_and_connection_errors_exit_2(server):
    p = vpcpeer(server, "audit", "--account", "12")
    assert p.returncode == 2 and "12-digit" in p.stderr, p.stderr
    p = subprocess.run([BIN, "audit", "--endpoint", "http://127.0.0.1:1"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "cannot reach the vpcpeer server" in p.stderr
    p = subprocess.run([BIN, "audit", "--output", "yaml"], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 2


def test_matrix_agrees_with_single_reach_calls(server):
    # A (10.0/16) ↔ B (10.1/16) peered and routed both ways; B's two instances admit tcp/443
    # from A's VPC only; C (10.2/16) is peered with nobody.
    t = one_sided_peering(server)
    t.b.create_route(RouteTableId=t.rtb_b, DestinationCidrBlock="10.0.0.0/16",
                     VpcPeeringConnectionId=t.pcx)
    ib2 = t.b.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=t.ib["SubnetId"],
                            SecurityGroupIds=[t.ib["SecurityGroups"][0]["GroupId"]])[
        "Instances"][0]
    c = server.ec2(ACCOUNT_C)
    _, _, ic = vpc_with_instance(c, "10.2.0.0/16", "10.2.1.0/24")
    owner = {t.ia["InstanceId"]: ACCOUNT_A, t.ib["InstanceId"]: ACCOUNT_B,
             ib2["InstanceId"]: ACCOUNT_B, ic["InstanceId"]: ACCOUNT_C}
    ip = {t.ia["InstanceId"]: t.ia["PrivateIpAddress"], t.ib["InstanceId"]:
          t.ib["PrivateIpAddress"], ib2["InstanceId"]: ib2["PrivateIpAddress"],
          ic["InstanceId"]: ic["PrivateIpAddress"]}

    p = vpcpeer(server, "reach", "--matrix", "--port", "443", "--output", "json")
    assert p.returncode == 0, p.stderr
    m = json.loads(p.stdout)
    assert sorted(i["id"] for i in m["instances"]) == sorted(owner)
    assert len(m["cells"]) == 12
    for cell in m["cells"]:
        src, dst = cell["from"], cell["to"]
        r = vpcpeer(server, "reach", "--account", owner[src], "--from", src, "--to", ip[dst],
                    "--protocol", "tcp", "--port", "443", "--output", "json")
        assert r.returncode in (0, 1), r.stderr
        v = json.loads(r.stdout)
        assert cell["reachable"] == v["reachable"], (cell, v["blockers"])
        if not v["reachable"]:
            assert cell["code"] == v["blockers"][0]["code"], (cell, v["blockers"])
    reachable = {tuple(x) for x in m["reachable"]}
    # A reaches both of B's instances (and they each other: the default group admits its
    # members); nothing reaches A (its default group admits only itself) and C is cut off.
    assert reachable == {(t.ia["InstanceId"], t.ib["InstanceId"]),
                         (t.ia["InstanceId"], ib2["InstanceId"]),
                         (t.ib["InstanceId"], ib2["InstanceId"]),
                         (ib2["InstanceId"], t.ib["InstanceId"])}, m["cells"]

    # The table: a grid with a legend; and the account filter keeps B's two instances.
    p = vpcpeer(server, "reach", "--matrix", "--port", "443")
    assert p.returncode == 0, p.stderr
    assert "✓" in p.stdout and "DISCONNECTED_VPCS" in p.stdout, p.stdout
    assert "4 of 12 ordered pairs reachable." in p.stdout, p.stdout
    print(p.stdout)
    p = vpcpeer(server, "reach", "--matrix", "--port", "443", "--account", ACCOUNT_B,
                "--output", "json")
    m = json.loads(p.stdout)
    assert sorted(i["id"] for i in m["instances"]) == sorted(
        [t.ib["InstanceId"], ib2["InstanceId"]])
    # A TCP matrix needs a port: a usage error.
    p = vpcpeer(server, "reach", "--matrix")
    assert p.returncode == 2 and "port" in p.stderr, p.stderr


def test_quota_headroom_follows_the_servers_limits(fresh_server):
    server = fresh_server("--limit", "routes_per_table=5")
    t = one_sided_peering(server)
    t.b.create_route(RouteTableId=t.rtb_b, DestinationCidrBlock="10.0.0.0/16",
                     VpcPeeringConnectionId=t.pcx)
    for i in range(2, 5):
        t.a.create_route(RouteTableId=t.rtb_a, DestinationCidrBlock=f"10.{i}.0.0/16",
                         VpcPeeringConnectionId=t.pcx)
    _, report = audit_json(server)
    f = the_finding(report, "quota_headroom", t.rtb_a)
    assert f["severity"] == "info" and "4 of 5" in f["message"], f
    assert "--limit routes_per_table=10" in f["fix"], f
    t.a.create_route(RouteTableId=t.rtb_a, DestinationCidrBlock="10.9.0.0/16",
                     VpcPeeringConnectionId=t.pcx)
    _, report = audit_json(server)
    f = the_finding(report, "quota_headroom", t.rtb_a)
    assert f["severity"] == "warning" and "5 of 5" in f["message"], f
    assert not findings_of(report, "quota_headroom")[1:], report
