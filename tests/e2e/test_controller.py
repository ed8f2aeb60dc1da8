"""`vpcpeer plan/apply/destroy` (the controller) against a running server, end to end: each test
writes a topology file, runs the CLI binary against `server.url`, and checks what it did through
the clouds' own clients (boto3, google-cloud-compute, azure-mgmt-network), never through the CLI.

Covered: an AWS cross-account cross-region pair (peering, routes, rules, DNS options, then
`reach` and `audit`), a GCP cross-project pair, an Azure cross-subscription global pair, a mixed
topology of ten networks over the three clouds (apply, re-apply, destroy), drift repair, a
`kill -9` in the middle of an apply (at three points) and of a destroy, refused topologies, the
JSON plan; then changes to the file (links removed, a block added, a network removed with its
link, on each cloud), a peering deleted out of band, and an existing VPC with listed route
tables."""

import json
import os
import re
import signal
import subprocess
import textwrap

import pytest
from google.cloud import compute_v1

from conftest import ACCOUNT_A, ACCOUNT_B, AMI, BIN, kill_at_progress
from test_azure import S1, S2, Azure

DEAD = {"deleted", "rejected", "failed", "expired"}


# --- running the CLI ---------------------------------------------------------------------------

def topo(tmp_path, text, name="topology.yaml"):
    """Writes a topology file (dedented) and returns its path."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def cli(server, cmd, path, *args):
    """Runs `vpcpeer <cmd> -f path --endpoint <server> args…`."""
    return subprocess.run([BIN, *cmd.split(), "-f", str(path), "--endpoint", server.url, *args],
                          capture_output=True, text=True, timeout=60)


def ok(p, status=0):
    """Asserts the exit status; returns the process."""
    assert p.returncode == status, f"exit {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    return p


def plan_json(server, path, *args):
    p = cli(server, "plan", path, "--output", "json", *args)
    assert p.returncode in (0, 2), p.stdout + p.stderr
    v = json.loads(p.stdout)
    assert v["in_sync"] == (p.returncode == 0), v
    return v


def apply(server, path):
    """`apply`, which must succeed; then `plan`, which must find nothing to do."""
    p = ok(cli(server, "apply", path))
    assert p.stdout.startswith("Apply complete: "), p.stdout
    plan = ok(cli(server, "plan", path))
    assert "No changes" in plan.stdout, plan.stdout
    return p


def counts(plan):
    """The summary a JSON plan's step list implies."""
    signs = [s["sign"] for s in plan["steps"]]
    return {"add": signs.count("+"), "change": signs.count("~"), "destroy": signs.count("-")}


# --- reading the clouds ------------------------------------------------------------------------

def tagged(tags, key):
    return {t["Key"]: t["Value"] for t in tags or []}.get(key)


def owned_vpcs(ec2, topology):
    """{vpcpeer:network tag: [vpc ids]} of the VPCs `topology` created in `ec2`'s account/region."""
    out = {}
    vpcs = ec2.describe_vpcs(
        Filters=[{"Name": "tag:vpcpeer:topology", "Values": [topology]}])["Vpcs"]
    for v in vpcs:
        out.setdefault(tagged(v.get("Tags"), "vpcpeer:network"), []).append(v["VpcId"])
    return out


def vpc_named(ec2, topology, network):
    (vpc,) = owned_vpcs(ec2, topology)[network]
    return vpc


def live_peerings(ec2):
    """Every peering `ec2`'s account sees in its region that is not deleted/rejected/failed."""
    out = ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
    return [p for p in out if p["Status"]["Code"] not in DEAD]


def live_by_link(clients):
    """{vpcpeer:link tag: {peering ids}} of the live peerings any of `clients` sees. Tags are the
    tagging account's own (the accepter's view has none), so each peering is counted once, by
    id, under the tag any view shows; a peering no view tags is listed under None."""
    seen = {}
    for client in clients:
        for pcx in live_peerings(client):
            tag = tagged(pcx.get("Tags"), "vpcpeer:link")
            pid = pcx["VpcPeeringConnectionId"]
            if seen.get(pid) is None:
                seen[pid] = tag
            assert pcx["Status"]["Code"] == "active", pcx
    out = {}
    for pid, tag in seen.items():
        out.setdefault(tag, set()).add(pid)
    return out


def main_table(ec2, vpc):
    (rtb,) = ec2.describe_route_tables(Filters=[
        {"Name": "vpc-id", "Values": [vpc]},
        {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    return rtb


def peer_routes(ec2, vpc, pcx):
    """Destinations of the main table of `vpc` that go through peering `pcx`."""
    return {r["DestinationCidrBlock"] for r in main_table(ec2, vpc)["Routes"]
            if r.get("VpcPeeringConnectionId") == pcx}


def default_group_rules(ec2, vpc):
    """(protocol, from, to, cidr) of the default group's ingress rules from CIDR ranges."""
    (sg,) = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])[
        "SecurityGroups"]
    return {(p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), r["CidrIp"])
            for p in sg["IpPermissions"] for r in p.get("IpRanges", [])}


def dns_attribute(ec2, vpc, attr):
    key = attr[0].upper() + attr[1:]
    return ec2.describe_vpc_attribute(VpcId=vpc, Attribute=attr)[key]["Value"]


def gcp_network(server, project, name):
    return server.gcp(compute_v1.NetworksClient).get(project=project, network=name)


def gcp_network_names(server, project):
    return {n.name for n in server.gcp(compute_v1.NetworksClient).list(project=project)}


def gcp_peering_states(server, project, name):
    return {p.name: p.state for p in gcp_network(server, project, name).peerings}


def az_vnet_names(az, rg):
    """Names of the VNets in resource group `rg` (none when the group does not exist)."""
    try:
        return {v.name for v in az.net.virtual_networks.list(rg)}
    except Exception as e:  # the group itself may be gone (or never made)
        if "ResourceGroupNotFound" in str(e) or "NotFound" in type(e).__name__:
            return set()
        raise


# --- 1. AWS: cross-account, cross-region pair --------------------------------------------------

AWS_PAIR = f"""\
    name: t1
    accounts:
      shop: {{ cloud: aws, account_id: "{ACCOUNT_A}" }}
      data: {{ cloud: aws, account_id: "{ACCOUNT_B}" }}
    networks:
      web: {{ account: shop, region: us-east-1, cidrs: [10.10.0.0/16] }}
      db:  {{ account: data, region: eu-west-1, cidrs: [10.20.0.0/16, 10.21.0.0/16] }}
    links:
      - between: [web, db]
        open: [{{ protocol: tcp, ports: 5432 }}]
        dns_resolution: true
    """


def test_aws_cross_account_cross_region_pair(server, tmp_path):
    path = topo(tmp_path, AWS_PAIR)
    p = ok(cli(server, "plan", path), 2)
    lines = p.stdout.splitlines()
    assert any(line.startswith("+ AWS   peering web-db") for line in lines), p.stdout
    assert any(line.startswith("~ AWS   peering web-db: accept") for line in lines), p.stdout
    m = re.search(r"Plan: (\d+) to add, (\d+) to change, 0 to destroy\.", p.stdout)
    assert m and int(m.group(1)) > 0 and int(m.group(2)) > 0, p.stdout
    add, change = int(m.group(1)), int(m.group(2))
    assert sum(line.startswith("+ ") for line in lines) == add, p.stdout
    assert sum(line.startswith("~ ") for line in lines) == change, p.stdout

    p = apply(server, path)
    assert p.stdout.startswith(f"Apply complete: {add + change} step(s)"), p.stdout
    steps = [line for line in p.stderr.splitlines() if line.startswith("[")]
    assert steps[0].startswith(f"[1/{add + change}] ") and steps[-1].startswith(
        f"[{add + change}/{add + change}] "), p.stderr

    a, b = server.ec2(ACCOUNT_A, "us-east-1"), server.ec2(ACCOUNT_B, "eu-west-1")
    web, db = vpc_named(a, "t1", "web"), vpc_named(b, "t1", "db")
    assert owned_vpcs(b, "t1").keys() == {"db"} and owned_vpcs(a, "t1").keys() == {"web"}
    (pcx,) = live_peerings(a)
    assert [x["VpcPeeringConnectionId"] for x in live_peerings(b)] == [
        pcx["VpcPeeringConnectionId"]]
    pid = pcx["VpcPeeringConnectionId"]
    assert tagged(pcx.get("Tags"), "vpcpeer:link") == "web-db"
    assert tagged(pcx.get("Tags"), "vpcpeer:topology") == "t1"
    for ec2 in (a, b):
        seen = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pid])[
            "VpcPeeringConnections"][0]
        assert seen["Status"]["Code"] == "active"
        assert seen["RequesterVpcInfo"]["VpcId"] == web
        assert seen["RequesterVpcInfo"]["OwnerId"] == ACCOUNT_A
        assert seen["RequesterVpcInfo"]["Region"] == "us-east-1"
        assert seen["AccepterVpcInfo"]["VpcId"] == db
        assert seen["AccepterVpcInfo"]["OwnerId"] == ACCOUNT_B
        assert seen["AccepterVpcInfo"]["Region"] == "eu-west-1"
    # DNS resolution from the peer, each side as its owner sees it.
    req = a.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pid])[
        "VpcPeeringConnections"][0]["RequesterVpcInfo"]["PeeringOptions"]
    acc = b.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pid])[
        "VpcPeeringConnections"][0]["AccepterVpcInfo"]["PeeringOptions"]
    assert req["AllowDnsResolutionFromRemoteVpc"] is True, req
    assert acc["AllowDnsResolutionFromRemoteVpc"] is True, acc
    for ec2, vpc in ((a, web), (b, db)):
        assert dns_attribute(ec2, vpc, "enableDnsSupport") is True
        assert dns_attribute(ec2, vpc, "enableDnsHostnames") is True
    # Routes in the main table on both sides, one for each of the peer's blocks.
    assert peer_routes(a, web, pid) == {"10.20.0.0/16", "10.21.0.0/16"}
    assert peer_routes(b, db, pid) == {"10.10.0.0/16"}
    # The opening in the default group, from each of the peer's blocks.
    assert {("tcp", 5432, 5432, "10.20.0.0/16"), ("tcp", 5432, 5432, "10.21.0.0/16")} <= \
        default_group_rules(a, web)
    assert ("tcp", 5432, 5432, "10.10.0.0/16") in default_group_rules(b, db)

    # An instance on each side: reachable on the opened port, and the audit finds nothing.
    sa = a.create_subnet(VpcId=web, CidrBlock="10.10.1.0/24")["Subnet"]["SubnetId"]
    sb = b.create_subnet(VpcId=db, CidrBlock="10.21.1.0/24")["Subnet"]["SubnetId"]
    ia = a.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sa)["Instances"][0]
    ib = b.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sb)["Instances"][0]
    # Asked as account A, B's instance is named by its address: B's ids are not A's to see (as
    # `reach` documents, and test_reach_cli checks); B asks about A's instance by id.
    for account, region, src, dst in (
            (ACCOUNT_A, "us-east-1", ia["InstanceId"], ib["PrivateIpAddress"]),
            (ACCOUNT_B, "eu-west-1", ib["InstanceId"], ia["PrivateIpAddress"])):
        r = subprocess.run([BIN, "reach", "--endpoint", server.url, "--account", account,
                            "--region", region, "--from", src, "--to", dst, "--protocol", "tcp",
                            "--port", "5432"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0 and r.stdout.startswith("REACHABLE"), (
            account, r.stdout + r.stderr)
    # A port the link did not open is not.
    r = subprocess.run([BIN, "reach", "--endpoint", server.url, "--account", ACCOUNT_A,
                        "--from", ia["InstanceId"], "--to", ib["PrivateIpAddress"],
                        "--protocol", "tcp", "--port", "22"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and r.stdout.startswith("NOT REACHABLE"), r.stdout + r.stderr
    for account in (ACCOUNT_A, ACCOUNT_B):
        r = subprocess.run([BIN, "audit", "--endpoint", server.url, "--account", account],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, (account, r.stdout + r.stderr)


# --- 2. GCP: cross-project pair ----------------------------------------------------------------

GCP_PAIR = """\
    name: t2
    accounts:
      a: { cloud: gcp, project: project-a }
      b: { cloud: gcp, project: project-b }
    networks:
      lake:  { account: a, region: us-central1, cidrs: [10.30.0.0/16] }
      train: { account: b, region: europe-west1, cidrs: [10.40.0.0/16] }
    links:
      - between: [lake, train]
        exchange_custom_routes: true
        open: [{ protocol: tcp, ports: 443 }]
    """


def test_gcp_cross_project_pair(server, tmp_path):
    path = topo(tmp_path, GCP_PAIR)
    ok(cli(server, "plan", path), 2)
    apply(server, path)
    lake = gcp_network(server, "project-a", "lake")
    train = gcp_network(server, "project-b", "train")
    (pa,), (pb,) = lake.peerings, train.peerings
    assert (pa.name, pa.state) == ("t2--lake-train", "ACTIVE")
    assert (pb.name, pb.state) == ("t2--lake-train", "ACTIVE")
    assert pa.network.endswith("projects/project-b/global/networks/train"), pa.network
    assert pb.network.endswith("projects/project-a/global/networks/lake"), pb.network
    assert pa.export_custom_routes and pa.import_custom_routes
    assert pb.export_custom_routes and pb.import_custom_routes
    # The networks were created with their subnetwork in the declared region.
    subs = server.gcp(compute_v1.SubnetworksClient).list(project="project-a", region="us-central1")
    assert [s.ip_cidr_range for s in subs if s.network.endswith("/networks/lake")] == [
        "10.30.0.0/16"]
    fw = {f.name: f for f in server.gcp(compute_v1.FirewallsClient).list(project="project-a")}
    rule = fw["t2--lake-train-a"]
    assert list(rule.source_ranges) == ["10.40.0.0/16"]
    assert [(x.I_p_protocol, list(x.ports)) for x in rule.allowed] == [("tcp", ["443"])]


# --- 3. Azure: cross-subscription global pair --------------------------------------------------

AZURE_PAIR = f"""\
    name: t3
    accounts:
      corp:   {{ cloud: azure, subscription: {S1}, resource_group: net-a }}
      branch: {{ cloud: azure, subscription: {S2}, resource_group: net-b }}
    networks:
      hq:    {{ account: corp, region: westeurope, cidrs: [10.50.0.0/16] }}
      store: {{ account: branch, region: eastus, cidrs: [10.60.0.0/16, 10.61.0.0/24] }}
    links:
      - between: [hq, store]
        allow_forwarded_traffic: true
    """


def test_azure_cross_subscription_global_pair(server, tmp_path):
    path = topo(tmp_path, AZURE_PAIR)
    ok(cli(server, "plan", path), 2)
    apply(server, path)
    a, b = Azure(server, S1), Azure(server, S2)
    hq, store = a.net.virtual_networks.get("net-a", "hq"), b.net.virtual_networks.get(
        "net-b", "store")
    assert hq.location == "westeurope" and store.location == "eastus"
    assert store.address_space.address_prefixes == ["10.60.0.0/16", "10.61.0.0/24"]
    pa = a.peering("net-a", "hq", "t3--hq-store")
    pb = b.peering("net-b", "store", "t3--hq-store")
    assert pa.peering_state == "Connected" and pb.peering_state == "Connected"
    assert pa.remote_virtual_network.id.lower() == store.id.lower()
    assert pb.remote_virtual_network.id.lower() == hq.id.lower()
    assert pa.allow_forwarded_traffic and pb.allow_forwarded_traffic
    assert pa.allow_virtual_network_access and pb.allow_virtual_network_access


# --- 4. Ten networks over the three clouds -----------------------------------------------------

MIXED = f"""\
    name: t4
    accounts:
      a1: {{ cloud: aws, account_id: "{ACCOUNT_A}" }}
      a2: {{ cloud: aws, account_id: "{ACCOUNT_B}" }}
      g1: {{ cloud: gcp, project: project-one }}
      g2: {{ cloud: gcp, project: project-two }}
      z1: {{ cloud: azure, subscription: {S1}, resource_group: mix-a }}
      z2: {{ cloud: azure, subscription: {S2}, resource_group: mix-b }}
    networks:
      aws1: {{ account: a1, region: us-east-1, cidrs: [10.1.0.0/16] }}
      aws2: {{ account: a1, region: eu-west-1, cidrs: [10.2.0.0/16] }}
      aws3: {{ account: a2, region: us-east-1, cidrs: [10.3.0.0/16] }}
      aws4: {{ account: a2, region: eu-west-1, cidrs: [10.4.0.0/16, 10.44.0.0/16] }}
      gcp1: {{ account: g1, region: us-central1, cidrs: [10.5.0.0/16] }}
      gcp2: {{ account: g1, region: europe-west1, cidrs: [10.6.0.0/16] }}
      gcp3: {{ account: g2, region: us-east1, cidrs: [10.7.0.0/16] }}
      az1:  {{ account: z1, region: westeurope, cidrs: [10.8.0.0/16] }}
      az2:  {{ account: z1, region: westeurope, cidrs: [10.9.0.0/16] }}
      az3:  {{ account: z2, region: eastus, cidrs: [10.10.0.0/16] }}
    links:
      - {{ between: [aws1, aws2] }}
      - {{ between: [aws1, aws3], open: [{{ protocol: tcp, ports: 443 }}] }}
      - {{ between: [aws2, aws4], dns_resolution: true }}
      - {{ between: [aws3, aws4] }}
      - {{ between: [gcp1, gcp2] }}
      - {{ between: [gcp1, gcp3], exchange_custom_routes: true }}
      - {{ between: [az1, az2] }}
      - {{ between: [az1, az3], allow_forwarded_traffic: true }}
    """

AWS_PLACES = [(ACCOUNT_A, "us-east-1"), (ACCOUNT_A, "eu-west-1"), (ACCOUNT_B, "us-east-1"),
              (ACCOUNT_B, "eu-west-1")]


def test_mixed_ten_networks_apply_reapply_destroy(server, tmp_path):
    path = topo(tmp_path, MIXED)
    before = plan_json(server, path)
    assert not before["in_sync"] and before["summary"]["destroy"] == 0
    apply(server, path)
    p = ok(cli(server, "apply", path))
    assert p.stdout.startswith("Apply complete: 0 step(s)"), p.stdout
    assert not [line for line in p.stderr.splitlines() if line.startswith("[")], p.stderr
    ok(cli(server, "plan", path), 0)

    # What the clients see after apply.
    ec2 = {place: server.ec2(*place) for place in AWS_PLACES}
    owned = {}
    for place, client in ec2.items():
        for net, ids in owned_vpcs(client, "t4").items():
            assert len(ids) == 1, (net, ids)
            owned[net] = (place, ids[0])
    assert sorted(owned) == ["aws1", "aws2", "aws3", "aws4"]
    links = live_by_link(ec2.values())
    assert {k: len(v) for k, v in links.items()} == {
        "aws1-aws2": 1, "aws1-aws3": 1, "aws2-aws4": 1, "aws3-aws4": 1}, links
    assert gcp_peering_states(server, "project-one", "gcp1") == {
        "t4--gcp1-gcp2": "ACTIVE", "t4--gcp1-gcp3": "ACTIVE"}
    assert gcp_peering_states(server, "project-two", "gcp3") == {"t4--gcp1-gcp3": "ACTIVE"}
    z1, z2 = Azure(server, S1), Azure(server, S2)
    assert az_vnet_names(z1, "mix-a") == {"az1", "az2"} and az_vnet_names(z2, "mix-b") == {"az3"}
    assert {p.name: p.peering_state for p in z1.net.virtual_network_peerings.list(
        "mix-a", "az1")} == {"t4--az1-az2": "Connected", "t4--az1-az3": "Connected"}

    p = ok(cli(server, "destroy", path))
    assert p.stdout.startswith("Destroy complete: "), p.stdout
    for place, client in ec2.items():
        assert owned_vpcs(client, "t4") == {}, place
        assert not live_peerings(client), place
        # Nothing of the topology's address blocks is left either (tags aside).
        cidrs = {v["CidrBlock"] for v in client.describe_vpcs()["Vpcs"]}
        assert not cidrs & {"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"}, cidrs
    assert not gcp_network_names(server, "project-one") & {"gcp1", "gcp2"}
    assert "gcp3" not in gcp_network_names(server, "project-two")
    assert az_vnet_names(z1, "mix-a") == set() and az_vnet_names(z2, "mix-b") == set()

    after = plan_json(server, path)
    assert {s["sign"] for s in after["steps"]} <= {"+", "~"}, after["steps"]
    assert after["summary"]["destroy"] == 0
    assert [s["text"] for s in after["steps"]] == [s["text"] for s in before["steps"]]
    assert after["summary"] == before["summary"]


# --- 5. Drift ----------------------------------------------------------------------------------

DRIFT = f"""\
    name: t5
    accounts:
      shop: {{ cloud: aws, account_id: "{ACCOUNT_A}" }}
      data: {{ cloud: aws, account_id: "{ACCOUNT_B}" }}
      a:    {{ cloud: gcp, project: project-a }}
      b:    {{ cloud: gcp, project: project-b }}
      corp: {{ cloud: azure, subscription: {S1}, resource_group: drift-a }}
      br:   {{ cloud: azure, subscription: {S2}, resource_group: drift-b }}
    networks:
      web:   {{ account: shop, region: us-east-1, cidrs: [10.10.0.0/16] }}
      db:    {{ account: data, region: us-east-1, cidrs: [10.20.0.0/16] }}
      lake:  {{ account: a, region: us-central1, cidrs: [10.30.0.0/16] }}
      train: {{ account: b, region: us-central1, cidrs: [10.40.0.0/16] }}
      hq:    {{ account: corp, region: westeurope, cidrs: [10.50.0.0/16] }}
      store: {{ account: br, region: eastus, cidrs: [10.60.0.0/16] }}
    links:
      - between: [web, db]
      - between: [lake, train]
      - between: [hq, store]
    """


def test_drift_is_reported_and_repaired(server, tmp_path):
    path = topo(tmp_path, DRIFT)
    apply(server, path)
    a = server.ec2(ACCOUNT_A)
    web = vpc_named(a, "t5", "web")
    (pcx,) = live_peerings(a)
    pid = pcx["VpcPeeringConnectionId"]
    rtb = main_table(a, web)["RouteTableId"]
    assert peer_routes(a, web, pid) == {"10.20.0.0/16"}

    # Out of band: the route on one side, GCP's half on lake, Azure's half on store.
    a.delete_route(RouteTableId=rtb, DestinationCidrBlock="10.20.0.0/16")
    server.gcp(compute_v1.NetworksClient).remove_peering(
        project="project-a", network="lake",
        networks_remove_peering_request_resource=compute_v1.NetworksRemovePeeringRequest(
            name="t5--lake-train")).result()
    z2 = Azure(server, S2)
    z2.net.virtual_network_peerings.begin_delete("drift-b", "store", "t5--hq-store").result()
    assert gcp_peering_states(server, "project-b", "train") == {"t5--lake-train": "INACTIVE"}
    assert Azure(server, S1).peering("drift-a", "hq", "t5--hq-store").peering_state == \
        "Disconnected"

    p = ok(cli(server, "plan", path), 2)
    drift = [line for line in p.stdout.splitlines() if "drift" in line]
    assert any(line.startswith("+ AWS   route web") and "10.20.0.0/16" in line
               for line in drift), p.stdout
    assert any(line.startswith("+ GCP   peering lake/t5--lake-train") for line in drift), p.stdout
    assert any(line.startswith("+ Azure peering store/t5--hq-store") for line in drift), p.stdout
    v = plan_json(server, path)
    why = {(s["cloud"], next(iter(s["action"]))): s["why"] for s in v["steps"]}
    drifted = sorted(k for k, w in why.items() if w == "Drift")
    assert [c for c, _ in drifted] == ["Aws", "Azure", "Gcp"], v["steps"]
    assert v["summary"] == counts(v)

    p = apply(server, path)
    assert peer_routes(a, web, pid) == {"10.20.0.0/16"}
    assert [x["VpcPeeringConnectionId"] for x in live_peerings(a)] == [pid]  # the same peering
    assert gcp_peering_states(server, "project-a", "lake") == {"t5--lake-train": "ACTIVE"}
    assert gcp_peering_states(server, "project-b", "train") == {"t5--lake-train": "ACTIVE"}
    assert z2.peering("drift-b", "store", "t5--hq-store").peering_state == "Connected"
    assert Azure(server, S1).peering("drift-a", "hq", "t5--hq-store").peering_state == \
        "Connected"


# --- 6. kill -9 in the middle of an apply ------------------------------------------------------

def mesh(n=8):
    """`n` AWS networks over two accounts and two regions, every pair linked."""
    places = [("a", "us-east-1"), ("a", "eu-west-1"), ("b", "us-east-1"), ("b", "eu-west-1")]
    nets = "".join(
        f"  n{i}: {{ account: {places[i % 4][0]}, region: {places[i % 4][1]}, "
        f"cidrs: [10.{i}.0.0/16] }}\n" for i in range(n))
    links = "".join(f"  - between: [n{i}, n{j}]\n"
                    for i in range(n) for j in range(i + 1, n))
    text = (f"name: t6\naccounts:\n  a: {{ cloud: aws, account_id: \"{ACCOUNT_A}\" }}\n"
            f"  b: {{ cloud: aws, account_id: \"{ACCOUNT_B}\" }}\nnetworks:\n{nets}"
            f"links:\n{links}")
    return text, {f"n{i}-n{j}" for i in range(n) for j in range(i + 1, n)}


def kill_9_at(server, cmd, path, at):
    """Runs `vpcpeer <cmd>` and SIGKILLs it on the first progress line `[k/n]` with k ≥ 5 and
    k ≥ n·at (and k < n); returns that line."""
    killed_at, status, _ = kill_at_progress(
        [BIN, cmd, "-f", path, "--endpoint", server.url],
        lambda k, n: 5 <= k and k >= n * at,
        lambda proc: proc.send_signal(signal.SIGKILL), timeout=30)
    k, n = re.match(r"\[(\d+)/(\d+)\] ", killed_at).groups()
    assert int(k) < int(n), killed_at
    assert status == -signal.SIGKILL
    return killed_at


@pytest.mark.parametrize("at", [0.25, 0.5, 0.75])
def test_kill_9_mid_apply_then_apply_again(server, tmp_path, at):
    """Killed while peerings are requested (1/4), accepted (1/2) or routed (3/4)."""
    text, declared = mesh()
    path = tmp_path / "mesh.yaml"
    path.write_text(text)
    killed_at = kill_9_at(server, "apply", path, at)
    # The apply was cut short: something is still to do.
    left = plan_json(server, path)
    assert not left["in_sync"], left
    kinds = {(s["sign"], next(iter(s["action"])), json.dumps(s["why"])) for s in left["steps"]}
    print(f"killed at {killed_at.strip()}; {len(left['steps'])} step(s) left:", sorted(kinds))

    apply(server, path)
    ec2 = {place: server.ec2(*place) for place in AWS_PLACES}
    vpcs = {}
    for client in ec2.values():
        for net, ids in owned_vpcs(client, "t6").items():
            vpcs.setdefault(net, []).extend(ids)
    assert {k: len(v) for k, v in vpcs.items()} == {f"n{i}": 1 for i in range(8)}, vpcs
    links = live_by_link(ec2.values())
    # One live peering per declared link, and none that is not declared (untagged included).
    assert set(links) == declared, set(links) ^ declared
    assert all(len(ids) == 1 for ids in links.values()), links


# --- 7. Refused topologies ---------------------------------------------------------------------

def all_vpcs(server):
    return {v["VpcId"] for place in AWS_PLACES
            for v in server.ec2(*place).describe_vpcs()["Vpcs"]}


def t7(networks, links=(), more_accounts=""):
    """A topology `t7`: AWS account `a` (and `more_accounts` lines), the network lines, the links."""
    return (f'name: t7\naccounts:\n  a: {{ cloud: aws, account_id: "{ACCOUNT_A}" }}\n'
            + more_accounts + "networks:\n" + "".join(f"  {n}\n" for n in networks)
            + ("links:\n" + "".join(f"  - {link}\n" for link in links) if links else ""))


def net(name, cidr):
    """A network line of account `a` in us-east-1."""
    return f"{name}: {{ account: a, region: us-east-1, cidrs: [{cidr}] }}"


X, Y, Z = net("x", "10.0.0.0/16"), net("y", "10.1.0.0/16"), net("z", "10.2.0.0/16")
REFUSED = {
    "overlap": (t7([X, net("y", "10.0.128.0/20")], ["between: [x, y]"]), "overlap"),
    "cross-cloud": (t7([X, "y: { account: g, region: us-central1, cidrs: [10.1.0.0/16] }"],
                       ["between: [x, y]"], "  g: { cloud: gcp, project: project-a }\n"),
                    "native peering joins networks of one cloud"),
    "unknown network": (t7([X], ["between: [x, nowhere]"]), "nowhere"),
    "transitive expectation": (t7([X, Y, Z], ["between: [x, y]", "between: [y, z]"])
                               + "expect: [[x, z]]\n", "peering is not transitive"),
    "encrypted without gateways": (t7([X, Y], ["{ between: [x, y], type: encrypted }"]),
                                   "needs a gateway in each network, and y has none"),
    "misspelt key": (t7(["x: { account: a, region: us-east-1, cidr: [10.0.0.0/16] }"]),
                     "unknown field `cidr`"),
    "GCP quota": ("name: t7\naccounts:\n  g: { cloud: gcp, project: project-a }\nnetworks:\n"
                  + "".join(f"  n{i}: {{ account: g, region: us-central1, "
                            f"cidrs: [10.{i}.0.0/16] }}\n" for i in range(27))
                  + "links:\n" + "".join(f"  - between: [n0, n{i}]\n" for i in range(1, 27)),
                  "over GCP's quota of 25 peerings per network"),
}


def test_refused_topologies_exit_1_and_create_nothing(server, tmp_path):
    start = all_vpcs(server)
    for case, (text, words) in REFUSED.items():
        path = topo(tmp_path, text, f"{case.replace(' ', '-')}.yaml")
        for cmd in ("plan", "apply"):
            p = cli(server, cmd, path)
            assert p.returncode == 1, (case, cmd, p.stdout + p.stderr)
            assert words in p.stderr, (case, cmd, p.stderr)
            assert "panicked" not in p.stderr
    assert all_vpcs(server) == start
    assert not gcp_network_names(server, "project-a")

    # An existing VPC given by id that does not exist: refused once the cloud is read.
    path = topo(tmp_path, t7([X, "y: { account: a, region: us-east-1, id: vpc-0123456789abcdef0 }"],
                             ["between: [x, y]"]), "missing.yaml")
    for cmd in ("plan", "apply"):
        p = cli(server, cmd, path)
        assert p.returncode == 1, (cmd, p.stdout + p.stderr)
        out = p.stdout + p.stderr  # plan prints it among the plan's lines (`! network y: …`)
        assert "network y: vpc-0123456789abcdef0 not found" in out, (cmd, out)
    assert all_vpcs(server) == start


# --- 8. The JSON plan --------------------------------------------------------------------------

def test_plan_json_before_and_after_apply_and_for_destroy(server, tmp_path):
    path = topo(tmp_path, AWS_PAIR)
    v = plan_json(server, path)
    assert v["in_sync"] is False and v["conflicts"] == []
    assert v["summary"] == counts(v) and v["summary"]["add"] > 0
    assert {s["why"] for s in v["steps"] if isinstance(s["why"], str)} <= {"Missing"}
    for s in v["steps"]:
        assert s["cloud"] == "Aws" and s["sign"] in "+~" and s["text"] and s["reason"], s
        assert isinstance(s["action"], dict) and len(s["action"]) == 1, s
    table = ok(cli(server, "plan", path), 2).stdout
    assert len([x for x in table.splitlines() if x[:2] in ("+ ", "~ ", "- ")]) == len(v["steps"])

    apply(server, path)
    v = plan_json(server, path)
    assert v["in_sync"] is True and v["steps"] == []
    assert v["summary"] == {"add": 0, "change": 0, "destroy": 0}

    d = plan_json(server, path, "--destroy")
    assert d["in_sync"] is False and d["summary"] == counts(d)
    assert d["summary"]["destroy"] == len(d["steps"]) > 0
    assert {s["why"] for s in d["steps"]} == {"Destroy"}


# --- Links and blocks changed in the file ------------------------------------------------------

def test_links_removed_from_the_file_are_removed_on_both_sides(server, tmp_path):
    path = topo(tmp_path, DRIFT)
    apply(server, path)
    a, b = server.ec2(ACCOUNT_A), server.ec2(ACCOUNT_B)
    web, db = vpc_named(a, "t5", "web"), vpc_named(b, "t5", "db")
    (pcx,) = live_peerings(a)
    pid = pcx["VpcPeeringConnectionId"]

    text = textwrap.dedent(DRIFT)
    path.write_text(text[:text.index("links:")])
    p = ok(cli(server, "plan", path), 2)
    signs = {line[:1] for line in p.stdout.splitlines() if line[:2] in ("+ ", "~ ", "- ")}
    assert signs == {"-"}, p.stdout
    assert "no longer declared" in p.stdout
    apply(server, path)

    assert pcx_status(a, pid) == "deleted"
    assert peer_routes(a, web, pid) == set() and peer_routes(b, db, pid) == set()
    assert all_peering_routes(a) == [] and all_peering_routes(b) == []
    assert gcp_peering_states(server, "project-a", "lake") == {}
    assert gcp_peering_states(server, "project-b", "train") == {}
    z1, z2 = Azure(server, S1), Azure(server, S2)
    assert list(z1.net.virtual_network_peerings.list("drift-a", "hq")) == []
    assert list(z2.net.virtual_network_peerings.list("drift-b", "store")) == []
    # The networks stay: they are still declared.
    assert vpc_named(a, "t5", "web") == web and vpc_named(b, "t5", "db") == db
    assert "lake" in gcp_network_names(server, "project-a")
    assert az_vnet_names(z2, "drift-b") == {"store"}
    for account in (ACCOUNT_A, ACCOUNT_B):
        r = subprocess.run([BIN, "audit", "--endpoint", server.url, "--account", account],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stdout + r.stderr


def pcx_status(ec2, pid):
    (p,) = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pid])[
        "VpcPeeringConnections"]
    return p["Status"]["Code"]


def all_peering_routes(ec2):
    """(table, destination, peering, state) of every route through a peering in the account."""
    return [(t["RouteTableId"], r["DestinationCidrBlock"], r["VpcPeeringConnectionId"],
             r["State"]) for t in ec2.describe_route_tables()["RouteTables"]
            for r in t["Routes"] if r.get("VpcPeeringConnectionId")]


def link_rules(ec2):
    """(group, cidr, description) of every ingress range whose description a link set."""
    return [(g["GroupId"], r["CidrIp"], r.get("Description"))
            for g in ec2.describe_security_groups()["SecurityGroups"]
            for p in g["IpPermissions"] for r in p.get("IpRanges", [])
            if (r.get("Description") or "").startswith("vpcpeer:")]


def test_a_peering_deleted_out_of_band_is_replaced_and_routes_follow(server, tmp_path):
    path = topo(tmp_path, AWS_PAIR)
    apply(server, path)
    a, b = server.ec2(ACCOUNT_A, "us-east-1"), server.ec2(ACCOUNT_B, "eu-west-1")
    (old,) = live_peerings(b)
    b.delete_vpc_peering_connection(VpcPeeringConnectionId=old["VpcPeeringConnectionId"])
    p = ok(cli(server, "plan", path), 2)
    assert "+ AWS   peering web-db: request web -> db" in p.stdout, p.stdout
    assert old["VpcPeeringConnectionId"] in p.stdout  # the reason names the ended request
    apply(server, path)
    (new,) = live_peerings(a)
    pid = new["VpcPeeringConnectionId"]
    assert pid != old["VpcPeeringConnectionId"] and new["Status"]["Code"] == "active"
    web, db = vpc_named(a, "t1", "web"), vpc_named(b, "t1", "db")
    # Every route of the link now goes through the new peering, none through the old one.
    assert sorted(d for _, d, _, _ in all_peering_routes(a)) == ["10.20.0.0/16", "10.21.0.0/16"]
    assert {x for _, _, x, _ in all_peering_routes(a) + all_peering_routes(b)} == {pid}
    assert peer_routes(b, db, pid) == {"10.10.0.0/16"} and len(peer_routes(a, web, pid)) == 2
    opts = a.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pid])[
        "VpcPeeringConnections"][0]["RequesterVpcInfo"]["PeeringOptions"]
    assert opts["AllowDnsResolutionFromRemoteVpc"] is True


def test_a_block_added_in_the_file_is_routed_and_opened_on_the_peer(server, tmp_path):
    path = topo(tmp_path, AWS_PAIR)
    apply(server, path)
    path.write_text(textwrap.dedent(AWS_PAIR).replace(
        "cidrs: [10.10.0.0/16]", "cidrs: [10.10.0.0/16, 10.11.0.0/16]"))
    ok(cli(server, "plan", path), 2)
    apply(server, path)
    a, b = server.ec2(ACCOUNT_A, "us-east-1"), server.ec2(ACCOUNT_B, "eu-west-1")
    web, db = vpc_named(a, "t1", "web"), vpc_named(b, "t1", "db")
    (vpc,) = a.describe_vpcs(VpcIds=[web])["Vpcs"]
    assert {c["CidrBlock"] for c in vpc["CidrBlockAssociationSet"]
            if c["CidrBlockState"]["State"] == "associated"} == {"10.10.0.0/16", "10.11.0.0/16"}
    (pcx,) = live_peerings(b)
    assert peer_routes(b, db, pcx["VpcPeeringConnectionId"]) == {"10.10.0.0/16", "10.11.0.0/16"}
    assert {("tcp", 5432, 5432, "10.10.0.0/16"), ("tcp", 5432, 5432, "10.11.0.0/16")} <= \
        default_group_rules(b, db)


def test_a_block_added_in_the_file_is_planned_as_missing_not_drift(server, tmp_path):
    path = topo(tmp_path, AWS_PAIR)
    apply(server, path)
    path.write_text(textwrap.dedent(AWS_PAIR).replace(
        "cidrs: [10.10.0.0/16]", "cidrs: [10.10.0.0/16, 10.11.0.0/16]"))
    v = plan_json(server, path)
    new = [s for s in v["steps"] if "10.11.0.0/16" in s["text"]]
    assert len(new) == 3, v["steps"]  # the block, db's route to it, db's rule from it
    assert [s["why"] for s in new] == ["Missing"] * 3, new


def test_a_network_removed_with_its_link_leaves_nothing_behind(server, tmp_path):
    path = topo(tmp_path, AWS_PAIR)
    apply(server, path)
    text = textwrap.dedent(AWS_PAIR)
    path.write_text(text[:text.index("  db:")] + "links: []\n")
    apply(server, path)
    b = server.ec2(ACCOUNT_B, "eu-west-1")
    assert all_peering_routes(b) == [] and link_rules(b) == []
    r = subprocess.run([BIN, "audit", "--endpoint", server.url, "--account", ACCOUNT_B],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout


@pytest.mark.parametrize("cloud", ["gcp", "azure"])
def test_a_gcp_or_azure_network_removed_with_its_link_is_deleted_with_its_halves(
        server, tmp_path, cloud):
    """The file drops a network and its link: the next apply removes the kept network's half
    (and, on GCP, the link's firewall rules) and deletes the dropped network, found by the
    mark the controller set when it created it (GCP: its description; Azure: its tags)."""
    pair, dropped = {"gcp": (GCP_PAIR, "train"), "azure": (AZURE_PAIR, "store")}[cloud]
    path = topo(tmp_path, pair)
    apply(server, path)
    text = textwrap.dedent(pair)
    path.write_text(text[:text.index(f"  {dropped}:")] + "links: []\n")
    p = ok(cli(server, "plan", path), 2)
    assert re.search(rf"^- .*network {dropped} ", p.stdout, re.M), p.stdout
    apply(server, path)
    if cloud == "gcp":
        assert gcp_network_names(server, "project-b") == set()
        assert list(gcp_network(server, "project-a", "lake").peerings) == []
        for project in ("project-a", "project-b"):
            rules = server.gcp(compute_v1.FirewallsClient).list(project=project)
            assert [f.name for f in rules if f.name.startswith("t2--")] == [], project
    else:
        a, b = Azure(server, S1), Azure(server, S2)
        assert az_vnet_names(b, "net-b") == set()
        assert list(a.net.virtual_network_peerings.list("net-a", "hq")) == []


def test_plan_output_into_a_closed_pipe_is_dropped_quietly(server, tmp_path):
    path = topo(tmp_path, AWS_PAIR)
    for args, status in ((["plan"], 2), (["plan", "--output", "json"], 2), (["apply"], 0)):
        r, w = os.pipe()
        os.close(r)
        try:
            p = subprocess.run([BIN, *args, "-f", str(path), "--endpoint", server.url],
                               stdout=w, stderr=subprocess.PIPE, text=True, timeout=60)
        finally:
            os.close(w)
        assert "panicked" not in p.stderr, (args, p.stderr)
        assert p.returncode == status, (args, p.returncode, p.stderr)


# --- An existing VPC, listed route tables ------------------------------------------------------

def test_existing_vpc_with_listed_route_tables_is_peered_and_kept_by_destroy(server, tmp_path):
    b = server.ec2(ACCOUNT_B)
    vpc = b.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    sub = b.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    listed = b.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    b.associate_route_table(RouteTableId=listed, SubnetId=sub)
    main = main_table(b, vpc)["RouteTableId"]
    path = topo(tmp_path, f"""\
        name: t9
        accounts:
          shop: {{ cloud: aws, account_id: "{ACCOUNT_A}" }}
          data: {{ cloud: aws, account_id: "{ACCOUNT_B}" }}
        networks:
          web: {{ account: shop, region: us-east-1, cidrs: [10.10.0.0/16] }}
          db:  {{ account: data, region: us-east-1, id: {vpc} }}
        links:
          - between: [web, db]
            route_tables: {{ web: all, db: [{listed}] }}
        """)
    apply(server, path)
    (pcx,) = live_peerings(b)
    pid = pcx["VpcPeeringConnectionId"]
    assert [(t, d, x) for t, d, x, _ in all_peering_routes(b)] == [(listed, "10.10.0.0/16", pid)]
    assert main not in {t for t, _, _, _ in all_peering_routes(b)}
    a = server.ec2(ACCOUNT_A)
    assert peer_routes(a, vpc_named(a, "t9", "web"), pid) == {"10.20.0.0/16"}

    p = ok(cli(server, "destroy", path))
    assert p.stdout.startswith("Destroy complete: "), p.stdout
    # The existing VPC stays, with its tables, and without the link's routes; web is gone.
    assert b.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["State"] == "available"
    assert {t["RouteTableId"] for t in b.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]} == {main, listed}
    assert all_peering_routes(b) == [] and all_peering_routes(a) == []
    assert owned_vpcs(a, "t9") == {} and pcx_status(b, pid) == "deleted"


def test_kill_9_mid_destroy_then_destroy_again(server, tmp_path):
    text, _ = mesh()
    path = tmp_path / "mesh.yaml"
    path.write_text(text)
    apply(server, path)
    kill_9_at(server, "destroy", path, 0.5)
    assert not plan_json(server, path, "--destroy")["in_sync"]  # cut short
    p = ok(cli(server, "destroy", path))
    assert p.stdout.startswith("Destroy complete: "), p.stdout
    assert plan_json(server, path, "--destroy")["in_sync"]
    for place in AWS_PLACES:
        client = server.ec2(*place)
        assert owned_vpcs(client, "t6") == {}, place
        assert live_peerings(client) == [] and all_peering_routes(client) == [], place
