"""Three clouds joined by encrypted links with HA, end to end (issue 12's must-show): an AWS VPC,
a GCP network and an Azure VNet in a triangle of encrypted links (examples/multicloud.yaml with
`detection_time: 60`), each network's gateway with a backup `<gateway>-hagw`.

1. Applied from the file; a workload in each network (boto3 RunInstances, compute_v1
   `instances.insert`, azure-mgmt-compute) behind the firewall a user adds for tcp/443 from the
   other clouds; `vpcpeer reach` across each link is reachable through a `tunnel` hop.
2. For each cloud in turn, its primary gateway stopped through the cloud's own API (`aws ec2
   stop-instances`, GCP `instances.stop`, Azure deallocate): reach names the stopped gateway;
   the emulator's clock moves past the detection time; ONE `vpcpeer controller reconcile --once`
   puts the link's routes on the backups, and reach is reachable through the backup tunnel.
3. Both gateways of a side stopped: reach is blocked naming the gateway the routes lead to,
   reconcile exits 2 and `controller status` shows the links `down`, both gateways named in
   the reasons.
4. A security-group change that blocks the tunnel's outer path: reach
   (`TUNNEL_OUTER_BLOCKED_BY_SG`) and `vpcpeer audit` (`tunnel_outer_blocked`) name the group;
   `plan` shows the rule as drift, `apply` repairs it, and reach is reachable again.
5. `kill -9` of the server in the middle of a three-link failover, restart on the same data dir,
   reconcile again: every link up on the backups, nothing left to do.
6. The same layout through the Aviatrix-compatible `/v2/api` on networks made through each
   cloud's own API: `list_peer_vpc_pairs` shows the three pairs, reach across each is reachable.
"""

import base64
import json
import re
import subprocess
from types import SimpleNamespace

import pytest
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute.models import (
    HardwareProfile,
    NetworkInterfaceReference,
    NetworkProfile,
    OSProfile,
    VirtualMachine,
)
from azure.mgmt.network.models import (
    NetworkInterface,
    NetworkInterfaceIPConfiguration,
    NetworkSecurityGroup,
    SecurityRule,
    SubResource,
    Subnet,
)
from google.cloud import compute_v1

from conftest import ACCOUNT_A, AMI, BIN, ROOT, custom_network, kill_at_progress
from test_azure import SCOPES, Azure, FakeCredential

TOPOLOGY = "multi"
PROJECT = "analytics-prod"
SUB = "00000000-0000-0000-0000-000000000001"
RG = "net"
REGION = "us-central1"
BLOCKS = {"web": "10.10.0.0/16", "lake": "10.30.0.0/16", "hq": "10.50.0.0/16"}
LINKS = ["web-lake", "lake-hq", "hq-web"]
# The gateway secret (base64 of 32 bytes), as the README exports it: fine for a test only.
SECRET = base64.b64encode(bytes(range(32))).decode()


# --- running vpcpeer ---------------------------------------------------------------------------

def vp(server, *args, timeout=120):
    """`vpcpeer ARGS --endpoint <server>`, its output captured."""
    return subprocess.run([BIN, *args, "--endpoint", server.url], capture_output=True,
                          text=True, timeout=timeout)


def ok(p, status=0):
    assert p.returncode == status, f"exit {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    return p


def in_sync(server, path):
    """`vpcpeer plan` finds nothing to do."""
    p = ok(vp(server, "plan", "-f", str(path)))
    assert "No changes" in p.stdout, p.stdout


def reconcile(server, path, status=0):
    """ONE `vpcpeer controller reconcile --once` with JSON output; its answer."""
    p = ok(vp(server, "controller", "reconcile", "--once", str(path), "--output", "json"),
           status)
    return json.loads(p.stdout)


def ha_status(server, path):
    p = vp(server, "controller", "status", str(path), "--output", "json")
    assert p.returncode in (0, 2), p.stderr
    return {link["link"]: link for link in json.loads(p.stdout)["links"]}


def reach(server, src, dst, port=443):
    """`vpcpeer reach --output json` from `src` to `dst` on tcp/`port`."""
    p = vp(server, "reach", "--account", ACCOUNT_A, "--from", src, "--to", dst, "--protocol",
           "tcp", "--port", str(port), "--output", "json", timeout=60)
    assert p.returncode in (0, 1), p.stderr
    v = json.loads(p.stdout)
    assert v["reachable"] == (p.returncode == 0), v
    return v


def tunnels(v, leg="forward"):
    """The tunnel components a verdict's leg crosses."""
    return [h["component"]["id"] for h in v[leg] if h["component"]["kind"] == "tunnel"]


def reachable_through(server, src, dst, tunnel):
    """Reachable from `src` to `dst`, the forward path through exactly `tunnel`."""
    v = reach(server, src, dst)
    assert v["reachable"] is True, json.dumps(v["blockers"], indent=1)
    assert tunnels(v) == [tunnel], tunnels(v)
    return v


def blockers(v):
    return [(b["code"], b["component"]["id"]) for b in v["blockers"]]


def owner(vm):
    """The owner field and value `vpcpeer reach` names VM `vm` by when it hides it from
    another cloud's asker."""
    if vm.startswith("projects/"):
        return "project", PROJECT
    if vm.startswith("/subscriptions/"):
        return "subscription", SUB
    return "account", ACCOUNT_A


def names(v, code, vm):
    """Whether a blocker of verdict `v` has `code` at VM `vm`: by id when the asker may see it,
    else (another cloud's VM) by its kind and owner."""
    field, value = owner(vm)
    return any(b["code"] == code and (
        b["component"]["id"] == vm or (b["component"]["id"] is None
                                       and b["component"]["kind"] == "instance"
                                       and b["component"].get(field) == value))
        for b in v["blockers"])


# --- the three clouds --------------------------------------------------------------------------

def azure(server):
    """azure-mgmt-network/-resource (Azure) and azure-mgmt-compute clients of the subscription."""
    az = Azure(server, SUB)
    az.compute = ComputeManagementClient(
        FakeCredential(), SUB, base_url=server.https_url, connection_verify=server.cert_path,
        credential_scopes=SCOPES)
    return az


def gcp_instances(server):
    return server.gcp(compute_v1.InstancesClient)


def aws_gateway(ec2, name):
    """The instance id of AWS gateway VM `name` (not terminated)."""
    out = ec2.describe_instances(Filters=[
        {"Name": "tag:vpcpeer:gateway", "Values": [name]},
        {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]},
    ])["Reservations"]
    (gw,) = [i["InstanceId"] for r in out for i in r["Instances"]]
    return gw


def gcp_gateway(name, zone):
    return f"projects/{PROJECT}/zones/{zone}/instances/{TOPOLOGY}--{name}"


def azure_vm(name):
    return (f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/"
            f"virtualMachines/{name}")


GATEWAY_ZONES = {"lake-gw": "us-central1-a", "lake-gw-hagw": "us-central1-b"}


def gateway_id(world, name):
    """The id `vpcpeer reach` names gateway VM `name` by, in its cloud."""
    if name.startswith("web-"):
        return aws_gateway(world.ec2, name)
    if name.startswith("lake-"):
        return gcp_gateway(name, GATEWAY_ZONES[name])
    return azure_vm(f"{TOPOLOGY}--{name}")


def stop_gateway(server, world, name):
    """Stops gateway VM `name` through its cloud's own API: `aws ec2 stop-instances`, GCP
    `instances.stop`, Azure deallocate."""
    if name.startswith("web-"):
        server.cli("ec2", "stop-instances", "--instance-ids", aws_gateway(world.ec2, name))
    elif name.startswith("lake-"):
        gcp_instances(server).stop(project=PROJECT, zone=GATEWAY_ZONES[name],
                                   instance=f"{TOPOLOGY}--{name}").result()
    else:
        world.az.compute.virtual_machines.begin_deallocate(RG, f"{TOPOLOGY}--{name}").result()


def aws_workload(server, vpc=None):
    """An instance in 10.10.1.0/24 of `vpc` (default: the topology's web), served by the main
    table the controller routes, in a group admitting tcp/443 from lake and hq."""
    ec2 = server.ec2()
    if vpc is None:
        (found,) = ec2.describe_vpcs(Filters=[
            {"Name": "tag:vpcpeer:network", "Values": ["web"]}])["Vpcs"]
        vpc = found["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.1.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": BLOCKS["lake"]}, {"CidrIp": BLOCKS["hq"]}]}])
    (inst,) = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet,
                                SecurityGroupIds=[sg])["Instances"]
    return inst["InstanceId"]


def gcp_workload(server):
    """An instance in lake's subnetwork, and a firewall rule admitting tcp/443 from web and hq."""
    subnets = [s for s in server.gcp(compute_v1.SubnetworksClient).list(
        project=PROJECT, region=REGION) if s.network.endswith("/networks/lake")]
    (subnet,) = subnets
    server.gcp(compute_v1.FirewallsClient).insert(
        project=PROJECT, firewall_resource=compute_v1.Firewall(
            name="lake-app-443", network=subnet.network, direction="INGRESS", priority=1000,
            allowed=[compute_v1.Allowed(I_p_protocol="tcp", ports=["443"])],
            source_ranges=[BLOCKS["web"], BLOCKS["hq"]], target_tags=["app"])).result()
    zone = "us-central1-a"
    gcp_instances(server).insert(project=PROJECT, zone=zone, instance_resource=compute_v1.Instance(
        name="app", machine_type=f"zones/{zone}/machineTypes/e2-small",
        tags=compute_v1.Tags(items=["app"]),
        network_interfaces=[compute_v1.NetworkInterface(
            subnetwork=f"regions/{REGION}/subnetworks/{subnet.name}")])).result()
    return f"projects/{PROJECT}/zones/{zone}/instances/app"


def azure_workload(server, az, rg=RG, vnet="hq", table=None):
    """A VM in a new subnet 10.50.1.0/24 of `vnet` with an NSG admitting tcp/443 from web and
    lake, and route table `table` (the topology's, as the VNet's other subnets have) if given."""
    nsg = az.net.network_security_groups.begin_create_or_update(rg, "app-nsg", NetworkSecurityGroup(
        location="westeurope", security_rules=[SecurityRule(
            name="app-443", priority=100, direction="Inbound", access="Allow", protocol="Tcp",
            source_address_prefixes=[BLOCKS["web"], BLOCKS["lake"]], source_port_range="*",
            destination_address_prefix="*", destination_port_range="443")])).result()
    subnet = az.net.subnets.begin_create_or_update(rg, vnet, "app", Subnet(
        address_prefix="10.50.1.0/24", network_security_group=SubResource(id=nsg.id),
        route_table=SubResource(id=az.net.route_tables.get(rg, table).id) if table else None,
    )).result()
    nic = az.net.network_interfaces.begin_create_or_update(rg, "app-nic", NetworkInterface(
        location="westeurope", ip_configurations=[NetworkInterfaceIPConfiguration(
            name="ipconfig1", subnet=SubResource(id=subnet.id))])).result()
    vm = az.compute.virtual_machines.begin_create_or_update(rg, "app", VirtualMachine(
        location="westeurope", hardware_profile=HardwareProfile(vm_size="Standard_B2s"),
        os_profile=OSProfile(computer_name="app", admin_username="azureuser"),
        network_profile=NetworkProfile(network_interfaces=[
            NetworkInterfaceReference(id=nic.id, primary=True)]))).result()
    return vm.id


def applied(server, tmp_path):
    """examples/multicloud.yaml with `detection_time: 60`, applied with `vpcpeer apply -f`, and
    a workload in each network. A namespace of the file, the clients and the workloads."""
    path = tmp_path / "multicloud.yaml"
    path.write_text((ROOT / "examples" / "multicloud.yaml").read_text() + "detection_time: 60\n")
    p = ok(vp(server, "apply", "-f", str(path)))
    assert p.stdout.startswith("Apply complete: "), p.stdout
    in_sync(server, path)
    world = SimpleNamespace(path=path, ec2=server.ec2(), az=azure(server))
    world.web = aws_workload(server)
    world.lake = gcp_workload(server)
    world.hq = azure_workload(server, world.az, table=f"{TOPOLOGY}--hq-rt")
    return world


@pytest.fixture
def world(server, tmp_path, monkeypatch):
    monkeypatch.setenv("VPCPEER_GATEWAY_SECRET", SECRET)
    return applied(server, tmp_path)


# --- 1. applied from a file, reachable across each link ----------------------------------------

def test_applied_from_a_file_each_link_is_reachable_through_its_tunnel(server, world):
    # The gateways' own firewalls admit their network (the controller's rule, not the test's).
    groups = world.ec2.describe_security_groups(Filters=[
        {"Name": "tag:vpcpeer:gateway", "Values": ["web-gw"]}])["SecurityGroups"]
    inner = [r["CidrIp"] for g in groups for p in g["IpPermissions"] if p["IpProtocol"] == "-1"
             for r in p["IpRanges"]]
    assert inner == [BLOCKS["web"]], groups
    rules = {f.name: f for f in server.gcp(compute_v1.FirewallsClient).list(project=PROJECT)}
    own = [f for f in rules.values() if f.name.startswith(f"{TOPOLOGY}--lake-gw")
           and list(f.source_ranges) == [BLOCKS["lake"]]]
    assert own and all([a.I_p_protocol for a in f.allowed] == ["all"] for f in own), rules

    for src, dst, tunnel in (
            (world.web, world.lake, "web-gw->lake-gw"),
            (world.lake, world.web, "lake-gw->web-gw"),
            (world.lake, world.hq, "lake-gw->hq-gw"),
            (world.hq, world.lake, "hq-gw->lake-gw"),
            (world.hq, world.web, "hq-gw->web-gw"),
            (world.web, world.hq, "web-gw->hq-gw")):
        v = reachable_through(server, src, dst, tunnel)
        assert v["forward"][0]["component"]["id"] == src, v["forward"][0]
        # The reply comes back through the same tunnel.
        assert tunnels(v, "return") == [tunnel]


# --- 2. each cloud's primary stopped through its own API: one reconcile fails over ---------------

# Each network's primary gateway; its workload; the other end of each of its two links, with the
# far network's gateway; and the link between the other two networks (left on its primaries).
SIDES = {
    "web-gw": ("web", [("lake", "lake-gw"), ("hq", "hq-gw")], ("lake", "hq", "lake-gw->hq-gw")),
    "lake-gw": ("lake", [("web", "web-gw"), ("hq", "hq-gw")], ("hq", "web", "hq-gw->web-gw")),
    "hq-gw": ("hq", [("web", "web-gw"), ("lake", "lake-gw")], ("web", "lake", "web-gw->lake-gw")),
}


@pytest.mark.parametrize("gateway", [
    "web-gw",
    "lake-gw",
    "hq-gw",
])
def test_a_stopped_primary_fails_over_in_one_reconcile(server, world, gateway):
    own, far, untouched = SIDES[gateway]
    primary = gateway_id(world, gateway)
    stop_gateway(server, world, gateway)
    for other, _ in far:
        v = reach(server, getattr(world, own), getattr(world, other))
        assert v["reachable"] is False
        assert ("TUNNEL_GATEWAY_NOT_RUNNING", primary) in blockers(v), v["blockers"]
        # From the far side the stopped gateway is the far end of the tunnel: named there too
        # (by kind and owner: it is another cloud's VM).
        v = reach(server, getattr(world, other), getattr(world, own))
        assert v["reachable"] is False
        assert names(v, "TUNNEL_GATEWAY_NOT_RUNNING", primary), v["blockers"]

    server.advance(61)
    out = reconcile(server, world.path)
    links = {link["link"]: link for link in out["links"]}
    moved = {link for link in LINKS if own in link.split("-")}
    assert {k for k, v in links.items() if v["active"] == "backup"} == moved, links
    assert all(v["status"] == "up" for v in links.values()), links
    failovers = [e for e in out["events"] if e["kind"] == "failover"]
    assert sorted(e["link"] for e in failovers) == sorted(moved), out["events"]
    assert all(f"{gateway} is not running" in e["reason"] for e in failovers), failovers

    for other, other_gw in far:
        reachable_through(server, getattr(world, own), getattr(world, other),
                          f"{gateway}-hagw->{other_gw}-hagw")
        reachable_through(server, getattr(world, other), getattr(world, own),
                          f"{other_gw}-hagw->{gateway}-hagw")
    a, b, tunnel = untouched
    reachable_through(server, getattr(world, a), getattr(world, b), tunnel)
    # The routes stay on the backups: the file's plan agrees (failback is off).
    in_sync(server, world.path)


# --- 3. both gateways of a side down ------------------------------------------------------------

def test_both_gateways_of_a_side_down_is_blocked_with_a_clear_reason(server, world):
    for name in ("lake-gw", "lake-gw-hagw"):
        stop_gateway(server, world, name)
    v = reach(server, world.web, world.lake)
    assert v["reachable"] is False
    assert names(v, "TUNNEL_GATEWAY_NOT_RUNNING", gateway_id(world, "lake-gw")), v["blockers"]
    # Asked from lake itself, its own primary (where its routes lead) is named by id.
    v = reach(server, world.lake, world.web)
    assert ("TUNNEL_GATEWAY_NOT_RUNNING", gateway_id(world, "lake-gw")) in blockers(v), \
        v["blockers"]
    server.advance(61)
    out = reconcile(server, world.path, status=2)
    assert [e for e in out["events"] if e["kind"] == "failover"] == [], out["events"]
    status = ha_status(server, world.path)
    for name in ("web-lake", "lake-hq"):
        link = status[name]
        assert (link["status"], link["active"]) == ("down", "primary"), link
        assert "lake-gw is not running" in link["primary"]["reason"], link
        assert "lake-gw-hagw is not running" in link["backup"]["reason"], link
    assert status["hq-web"]["status"] == "up"
    # Still blocked, by the same gateway: the routes stayed where they were.
    v = reach(server, world.hq, world.lake)
    assert names(v, "TUNNEL_GATEWAY_NOT_RUNNING", gateway_id(world, "lake-gw")), v["blockers"]


# --- 4. a security-group change that blocks the outer path --------------------------------------

def test_a_security_group_change_blocking_the_outer_path_is_caught_and_repaired(server, world):
    (group,) = world.ec2.describe_security_groups(Filters=[
        {"Name": "tag:vpcpeer:gateway", "Values": ["web-gw"]}])["SecurityGroups"]
    (tunnel_rule,) = [p for p in group["IpPermissions"] if p["IpProtocol"] == "udp"]
    assert (tunnel_rule["FromPort"], tunnel_rule["ToPort"]) == (51820, 51820)
    world.ec2.revoke_security_group_ingress(GroupId=group["GroupId"],
                                            IpPermissions=[tunnel_rule])
    for src, dst in ((world.lake, world.web), (world.web, world.hq)):
        v = reach(server, src, dst)
        assert v["reachable"] is False
        assert ("TUNNEL_OUTER_BLOCKED_BY_SG", group["GroupId"]) in blockers(v), v["blockers"]
    # The audit finds it too: an error naming the group and the gateways of each tunnel.
    web_gw = aws_gateway(world.ec2, "web-gw")
    found = tunnel_findings(server, status=1)
    assert {f["resources"][0] for f in found} == {group["GroupId"]}, found
    far = {r for f in found for r in f["resources"][1:]}
    assert web_gw in far and gateway_id(world, "lake-gw") in far and \
        gateway_id(world, "hq-gw") in far, found
    assert all(f["severity"] == "error" and "udp/51820" in f["fix"] for f in found), found

    p = ok(vp(server, "plan", "-f", str(world.path)), 2)
    assert re.search(r"^~ AWS   firewall of gateway web-gw: .*# drift", p.stdout, re.M), p.stdout
    ok(vp(server, "apply", "-f", str(world.path)))
    in_sync(server, world.path)
    assert tunnel_findings(server) == []
    reachable_through(server, world.lake, world.web, "lake-gw->web-gw")
    reachable_through(server, world.web, world.hq, "web-gw->hq-gw")


def tunnel_findings(server, status=None):
    """The `tunnel_outer_blocked` findings of `vpcpeer audit --output json` (its exit status
    `status`, when given)."""
    p = vp(server, "audit", "--output", "json")
    assert p.returncode in (0, 1) if status is None else p.returncode == status, p.stderr
    return [f for f in json.loads(p.stdout)["findings"] if f["check"] == "tunnel_outer_blocked"]


# --- 5. kill -9 of the server in the middle of a failover ---------------------------------------

def reconcile_until_killed(server, path, at_step):
    """Runs `vpcpeer controller reconcile --once` and SIGKILLs the *server* on the progress line
    `[at_step/n]` (at_step < n); returns (that line, the reconcile's exit status, its stderr)."""
    line, status, seen = kill_at_progress(
        [BIN, "controller", "reconcile", "--once", path, "--endpoint", server.url],
        lambda k, n: k == at_step, lambda _proc: server.kill9(), timeout=300)
    assert at_step < int(re.match(r"\[\d+/(\d+)\] ", line)[1]), line
    return line, status, seen


def test_kill_9_of_the_server_mid_failover_then_reconcile_converges(fresh_server, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setenv("VPCPEER_GATEWAY_SECRET", SECRET)
    server = fresh_server()
    world = applied(server, tmp_path)
    for name in ("web-gw", "lake-gw", "hq-gw"):
        stop_gateway(server, world, name)
    # A pass sees the three primary tunnels down (the controller, running, would have), and
    # nothing moves before the detection time.
    out = reconcile(server, world.path, status=2)
    assert {(link["status"], link["active"]) for link in out["links"]} == {("down", "primary")}
    server.advance(61)
    killed_at, status, stderr = reconcile_until_killed(server, world.path, 3)
    assert status == 1, stderr
    print(f"server killed at {killed_at.strip()}")

    server = fresh_server(data_dir=server.data_dir)
    out = reconcile(server, world.path)
    assert {(link["link"], link["status"], link["active"]) for link in out["links"]} == {
        (name, "up", "backup") for name in LINKS}, out["links"]
    again = reconcile(server, world.path)
    assert again["steps"] == 0, again
    in_sync(server, world.path)
    world.ec2 = server.ec2()
    world.az = azure(server)
    for src, dst, tunnel in ((world.web, world.lake, "web-gw-hagw->lake-gw-hagw"),
                             (world.lake, world.hq, "lake-gw-hagw->hq-gw-hagw"),
                             (world.hq, world.web, "hq-gw-hagw->web-gw-hagw")):
        reachable_through(server, src, dst, tunnel)


# --- 6. the same layout through the Aviatrix-compatible API -------------------------------------

def avx(server, **fields):
    """One `/v2/api` action, which must succeed; its answer."""
    status, text = server.raw(fields, path="/v2/api")
    assert status == 200, text
    v = json.loads(text)
    assert v["return"] is True, (fields, v)
    return v


def aws_network(server):
    """web as a user makes it through EC2: 10.10.0.0/16, two public subnets (internet gateway,
    main table 0.0.0.0/0 to it) for the gateway and its backup. (vpc id, subnet ids)."""
    ec2 = server.ec2()
    vpc = ec2.create_vpc(CidrBlock=BLOCKS["web"])["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=block, AvailabilityZone=zone)[
        "Subnet"]["SubnetId"] for block, zone in (("10.10.255.0/28", "us-east-1a"),
                                                  ("10.10.254.0/28", "us-east-1b"))]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    (main,) = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"]
    ec2.create_route(RouteTableId=main["RouteTableId"], DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=igw)
    return vpc, subnets


def test_the_same_layout_through_the_aviatrix_api(fresh_server, monkeypatch):
    monkeypatch.setenv("VPCPEER_GATEWAY_SECRET", SECRET)
    server = fresh_server()
    az = azure(server)
    # The networks, through each cloud's own API, and a workload in each.
    vpc, (gw_subnet, ha_subnet) = aws_network(server)
    custom_network(server, PROJECT, "lake", BLOCKS["lake"], subnet="lake-s", region=REGION)
    az.group(RG, location="westeurope")
    az.vnet(RG, "hq", [BLOCKS["hq"]], [("gw", "10.50.255.0/28"), ("gw-ha", "10.50.254.0/28")],
            location="westeurope")
    web, lake, hq = aws_workload(server, vpc), gcp_workload(server), azure_workload(server, az)

    cid = avx(server, action="login", username="admin", password="secret")["CID"]
    for fields in (dict(account_name="aws-shop", cloud_type="1", aws_account_number=ACCOUNT_A,
                        aws_iam="true"),
                   dict(account_name="gcp-analytics", cloud_type="4",
                        gcloud_project_id=PROJECT),
                   dict(account_name="azure-corp", cloud_type="8", arm_subscription_id=SUB,
                        arm_resource_group=RG)):
        avx(server, action="setup_account_profile", CID=cid, **fields)
    for gw, cloud, account, vpc_id, region, size, subnet, zone, ha_subnet_, ha_zone in (
            ("web-gw", "1", "aws-shop", vpc, "us-east-1", "t3.small", gw_subnet, "us-east-1a",
             ha_subnet, "us-east-1b"),
            ("lake-gw", "4", "gcp-analytics", "lake", REGION, "e2-small", "lake-s",
             "us-central1-a", "lake-s", "us-central1-b"),
            ("hq-gw", "8", "azure-corp", f"hq:{RG}", "westeurope", "Standard_B2s", "gw", None,
             "gw-ha", None)):
        fields = dict(CID=cid, cloud_type=cloud, account_name=account, gw_name=gw,
                      vpc_id=vpc_id, vpc_reg=region, gw_size=size, subnet=subnet)
        if zone:
            fields["zone"] = zone
        avx(server, action="connect_container", **fields)
        ha = dict(CID=cid, gw_name=gw, peering_ha_subnet=ha_subnet_)
        if ha_zone:
            ha["peering_ha_zone"] = ha_zone
        avx(server, action="create_peering_ha_gateway", **ha)
    for a, b in (("web-gw", "lake-gw"), ("lake-gw", "hq-gw"), ("hq-gw", "web-gw")):
        avx(server, action="peer_vpc_pair", CID=cid, vpc_name1=a, vpc_name2=b,
            ha_enabled="yes")

    pairs = avx(server, action="list_peer_vpc_pairs", CID=cid)["results"]["pair_list"]
    assert sorted((p["vpc_name1"], p["vpc_name2"], p["peering_state"], p["peering_ha_status"])
                  for p in pairs) == [
        ("hq-gw", "web-gw", "active", "active"), ("lake-gw", "hq-gw", "active", "active"),
        ("web-gw", "lake-gw", "active", "active")], pairs
    for src, dst, tunnel in ((web, lake, "web-gw->lake-gw"), (lake, web, "lake-gw->web-gw"),
                             (lake, hq, "lake-gw->hq-gw"), (hq, lake, "hq-gw->lake-gw"),
                             (hq, web, "hq-gw->web-gw"), (web, hq, "web-gw->hq-gw")):
        reachable_through(server, src, dst, tunnel)
