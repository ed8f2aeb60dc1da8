"""`vpcpeer apply --verify`: after the apply, for every link and opening, an instance on each side
reaches one on the other through the server's reachability engine. Two AWS accounts in two
regions, a subnet and an instance each (made with boto3, the user's own): verify says reachable
both ways; a network ACL entry of the user's that denies the port is named as the blocker, with
exit status 2; a link without instances is reported as not checked; destroy stops at a VPC that
still holds the user's instances, with EC2's refusal. On GCP and Azure the endpoints are the
user's VMs (google-cloud-compute) and network interfaces (azure-mgmt-network) in the networks
the topology made, found through each cloud's public API."""

import subprocess

from azure.mgmt.network.models import NetworkSecurityGroup, SecurityRule, Subnet
from google.cloud import compute_v1

from conftest import BIN
from test_azure import S1, S2, Azure

A, B = "111111111111", "222222222222"

TOPOLOGY = f"""
name: verify
accounts:
  one: {{ cloud: aws, account_id: '{A}' }}
  two: {{ cloud: aws, account_id: '{B}' }}
networks:
  web: {{ account: one, region: us-east-1, cidrs: [10.71.0.0/16] }}
  db: {{ account: two, region: eu-west-1, cidrs: [10.72.0.0/16] }}
  spare: {{ account: two, region: eu-west-1, cidrs: [10.73.0.0/16] }}
links:
  - {{ between: [web, db], open: [{{ protocol: tcp, ports: 5432 }}] }}
  - {{ between: [db, spare], open: [{{ protocol: tcp, ports: 22 }}] }}
"""


def cli(server, *args):
    return subprocess.run([BIN, *args, "--endpoint", server.url], capture_output=True,
                          text=True, timeout=120)


def vpc_of(ec2, network):
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:vpcpeer:network", "Values": [network]}])
    (vpc,) = vpcs["Vpcs"]
    return vpc["VpcId"]


def test_apply_verify_reaches_each_way_and_names_a_users_blocker(server, tmp_path):
    topo = tmp_path / "topo.yaml"
    topo.write_text(TOPOLOGY)
    p = cli(server, "apply", "-f", str(topo))
    assert p.returncode == 0, p.stdout + p.stderr
    a, b = server.ec2(A, "us-east-1"), server.ec2(B, "eu-west-1")
    ips = {}
    for ec2, network, cidr in [(a, "web", "10.71.1.0/24"), (b, "db", "10.72.1.0/24")]:
        subnet = ec2.create_subnet(VpcId=vpc_of(ec2, network), CidrBlock=cidr)["Subnet"]
        vm = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                               SubnetId=subnet["SubnetId"])["Instances"][0]
        ips[network] = vm["PrivateIpAddress"]

    p = cli(server, "apply", "--verify", "-f", str(topo))
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    assert any(l.startswith("verify web (i-") and l.endswith(f"-> db ({ips['db']}) tcp/5432: reachable")
               for l in lines), p.stdout
    assert any(l.startswith("verify db (i-") and l.endswith(f"-> web ({ips['web']}) tcp/5432: reachable")
               for l in lines), p.stdout
    assert "verify db -> spare: no instance on both sides, not checked" in lines, p.stdout

    # The user's network ACL in db denies Postgres from web: apply has nothing to change (the
    # ACL is not the topology's), and verify names the blocker.
    acl = b.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc_of(b, "db")]}])["NetworkAcls"][0]
    b.create_network_acl_entry(NetworkAclId=acl["NetworkAclId"], RuleNumber=50, Protocol="6",
                               PortRange={"From": 5432, "To": 5432}, CidrBlock="10.71.0.0/16",
                               RuleAction="deny", Egress=False)
    p = cli(server, "apply", "--verify", "-f", str(topo))
    assert p.returncode == 2, p.stdout + p.stderr
    assert "Apply complete: 0 step(s)" in p.stdout, p.stdout
    bad = [l for l in p.stdout.splitlines() if "NOT reachable" in l]
    assert len(bad) == 1 and bad[0].startswith("verify web (i-"), p.stdout
    assert "SUBNET_ACL_RESTRICTION" in bad[0] and "(rule 50)" in bad[0], bad[0]
    # The user's subnets and instances keep the VPCs: destroy removes what the topology made
    # around them and stops at the VPC with EC2's own refusal.
    p = cli(server, "destroy", "-f", str(topo))
    assert p.returncode == 1, p.stdout + p.stderr
    assert "DeleteVpc" in p.stderr and "DependencyViolation" in p.stderr, p.stderr
    peerings = a.describe_vpc_peering_connections(
        Filters=[{"Name": "tag:vpcpeer:topology", "Values": ["verify"]}])["VpcPeeringConnections"]
    assert peerings and all(x["Status"]["Code"] == "deleted" for x in peerings), peerings


GCP_AZURE = f"""
name: verify2
accounts:
  lake: {{ cloud: gcp, project: verify-lake }}
  train: {{ cloud: gcp, project: verify-train }}
  corp: {{ cloud: azure, subscription: {S1}, resource_group: net-a }}
  branch: {{ cloud: azure, subscription: {S2}, resource_group: net-b }}
networks:
  lake: {{ account: lake, region: us-central1, cidrs: [10.81.0.0/16] }}
  train: {{ account: train, region: europe-west1, cidrs: [10.82.0.0/16] }}
  hq: {{ account: corp, region: westeurope, cidrs: [10.83.0.0/16] }}
  store: {{ account: branch, region: eastus, cidrs: [10.84.0.0/16] }}
links:
  - {{ between: [lake, train], open: [{{ protocol: tcp, ports: 443 }}] }}
  - {{ between: [hq, store], open: [{{ protocol: tcp, ports: 8080 }}] }}
"""


def test_apply_verify_on_gcp_vms_and_azure_network_interfaces(server, tmp_path):
    topo = tmp_path / "topo.yaml"
    topo.write_text(GCP_AZURE)
    p = cli(server, "apply", "-f", str(topo))
    assert p.returncode == 0, p.stdout + p.stderr
    vms = server.gcp(compute_v1.InstancesClient)
    ips = {}
    for project, network, zone in [("verify-lake", "lake", "us-central1-a"),
                                   ("verify-train", "train", "europe-west1-b")]:
        region = zone.rsplit("-", 1)[0]
        vms.insert(project=project, zone=zone, instance_resource=compute_v1.Instance(
            name=f"{network}-vm", machine_type=f"zones/{zone}/machineTypes/e2-micro",
            network_interfaces=[compute_v1.NetworkInterface(
                subnetwork=f"regions/{region}/subnetworks/{network}-0")])).result()
        vm = vms.get(project=project, zone=zone, instance=f"{network}-vm")
        ips[network] = vm.network_interfaces[0].network_i_p
    for sub, rg, vnet, prefix in [(S1, "net-a", "hq", "10.83.1.0/24"),
                                  (S2, "net-b", "store", "10.84.1.0/24")]:
        az = Azure(server, sub)
        subnet = az.net.subnets.begin_create_or_update(
            rg, vnet, "apps", Subnet(address_prefix=prefix)).result()
        location = az.net.virtual_networks.get(rg, vnet).location
        nic = az.nic(rg, f"{vnet}-nic", subnet.id, location=location)
        ips[vnet] = nic.ip_configurations[0].private_ip_address

    p = cli(server, "apply", "--verify", "-f", str(topo))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Apply complete: 0 step(s)" in p.stdout, p.stdout
    lines = p.stdout.splitlines()
    for src, dst, port, prefix in [
            ("lake", "train", 443, "projects/verify-lake/zones/us-central1-a/instances/lake-vm"),
            ("train", "lake", 443, "projects/verify-train/zones/europe-west1-b/instances/train-vm"),
            ("hq", "store", 8080, "/subscriptions/"),
            ("store", "hq", 8080, "/subscriptions/")]:
        want = f"-> {dst} ({ips[dst]}) tcp/{port}: reachable"
        assert any(l.startswith(f"verify {src} ({prefix}") and l.endswith(want)
                   for l in lines), (src, dst, p.stdout)

    # The user's NSG on store's interface denies 8080 from hq: verify names the rule by its
    # priority (the query is hq's, and reach does not name another subscription's resources).
    az = Azure(server, S2)
    nsg = az.net.network_security_groups.begin_create_or_update("net-b", "store-nsg", NetworkSecurityGroup(
        location="eastus", security_rules=[SecurityRule(
            name="deny-hq", priority=100, direction="Inbound", access="Deny", protocol="Tcp",
            source_address_prefix="10.83.0.0/16", source_port_range="*",
            destination_address_prefix="*", destination_port_range="8080")])).result()
    nic = az.net.network_interfaces.get("net-b", "store-nic")
    nic.network_security_group = NetworkSecurityGroup(id=nsg.id)
    az.net.network_interfaces.begin_create_or_update("net-b", "store-nic", nic).result()
    p = cli(server, "apply", "--verify", "-f", str(topo))
    assert p.returncode == 2, p.stdout + p.stderr
    bad = [l for l in p.stdout.splitlines() if "NOT reachable" in l]
    assert len(bad) == 1 and bad[0].startswith("verify hq ("), p.stdout
    assert "NSG_RULE" in bad[0] and "(priority 100) denies inbound tcp" in bad[0], bad[0]
