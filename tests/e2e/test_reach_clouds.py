"""`vpcpeer reach` on GCP and Azure networks built with the real SDKs (google-cloud-compute over
REST, azure-mgmt-network over HTTPS), and across clouds: each verdict comes back in its cloud's
own vocabulary (GCP FIREWALL_RULE / NO_ROUTE / PEERING_NOT_ACTIVE, Azure NSG_RULE naming the NSG
and rule), and a query between two clouds is unreachable with CROSS_CLOUD_NO_NATIVE_PATH."""

import json
import subprocess

from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network.models import (
    AddressSpace,
    NetworkInterface,
    NetworkInterfaceIPConfiguration,
    NetworkSecurityGroup,
    SecurityRule,
    SubResource,
    Subnet,
    VirtualNetwork,
    VirtualNetworkPeering,
)
from azure.mgmt.resource.resources import ResourceManagementClient
from google.cloud import compute_v1

from conftest import ACCOUNT_A, BIN, custom_network

REGION = "us-central1"
ZONE = "us-central1-a"
SUB = "11111111-1111-1111-1111-111111111111"


def reach(server, src, dst, port=443, *extra):
    return subprocess.run(
        [BIN, "reach", "--endpoint", server.url, "--account", ACCOUNT_A, "--from", src,
         "--to", dst, "--protocol", "tcp", "--port", str(port), *extra],
        capture_output=True, text=True, timeout=30,
    )


def verdict(server, src, dst, port=443):
    p = reach(server, src, dst, port, "--output", "json")
    assert p.returncode in (0, 1), p.stderr
    v = json.loads(p.stdout)
    assert (p.returncode == 0) == v["reachable"]
    return v


def codes(v):
    return [(b["code"], b["leg"]) for b in v["blockers"]]


# --------------------------------------------------------------------------- GCP

def gcp_network(server, project, name, cidr):
    """A custom-mode network with one subnetwork `{name}-s` (the name gcp_instance uses)."""
    return custom_network(server, project, name, cidr, subnet=f"{name}-s", region=REGION)


def gcp_instance(server, project, name, network, tags=()):
    c = server.gcp(compute_v1.InstancesClient)
    c.insert(project=project, zone=ZONE, instance_resource=compute_v1.Instance(
        name=name, machine_type=f"zones/{ZONE}/machineTypes/e2-micro",
        tags=compute_v1.Tags(items=list(tags)),
        network_interfaces=[compute_v1.NetworkInterface(
            subnetwork=f"regions/{REGION}/subnetworks/{network}-s")]),
    ).result()
    return c.get(project=project, zone=ZONE, instance=name)


def gcp_peer(server, project, network, name, peer):
    server.gcp(compute_v1.NetworksClient).add_peering(
        project=project, network=network,
        networks_add_peering_request_resource=compute_v1.NetworksAddPeeringRequest(
            network_peering=compute_v1.NetworkPeering(
                name=name, network=peer, exchange_subnet_routes=True)),
    ).result()


def gcp_topology(server):
    net_a = gcp_network(server, "proj-a", "net-a", "10.1.0.0/24")
    net_b = gcp_network(server, "proj-b", "net-b", "10.2.0.0/24")
    vm_a = gcp_instance(server, "proj-a", "vm-a", "net-a", tags=["web"])
    vm_b = gcp_instance(server, "proj-b", "vm-b", "net-b", tags=["db"])
    server.gcp(compute_v1.FirewallsClient).insert(project="proj-b", firewall_resource=compute_v1.Firewall(
        name="allow-443", network=net_b, direction="INGRESS", priority=1000,
        allowed=[compute_v1.Allowed(I_p_protocol="tcp", ports=["443"])],
        source_ranges=["10.1.0.0/24"], target_tags=["db"])).result()
    return net_a, net_b, vm_a, vm_b


def test_reach_gcp_peering_states_and_firewall_rules(server):
    net_a, net_b, vm_a, vm_b = gcp_topology(server)
    a = f"projects/proj-a/zones/{ZONE}/instances/vm-a"
    b = f"projects/proj-b/zones/{ZONE}/instances/vm-b"
    b_ip = vm_b.network_interfaces[0].network_i_p

    # Not peered at all.
    v = verdict(server, a, b)
    assert codes(v) == [("NO_ROUTE", "forward"), ("NO_PEERING_PATH", "forward"),
                        ("NO_ROUTE", "return")]

    # One side only: INACTIVE.
    gcp_peer(server, "proj-a", "net-a", "a-b", net_b)
    v = verdict(server, a, b)
    assert codes(v) == [("NO_ROUTE", "forward"), ("PEERING_NOT_ACTIVE", "forward"),
                        ("NO_ROUTE", "return")]
    (pna,) = [x for x in v["blockers"] if x["code"] == "PEERING_NOT_ACTIVE"]
    assert pna["component"] == {"kind": "peering-connection",
                                "id": f"{net_a}/peerings/a-b"}
    assert "INACTIVE" in pna["detail"]

    # Both sides: ACTIVE, and the tag-targeted allow admits tcp/443 (the selfLink works too).
    gcp_peer(server, "proj-b", "net-b", "b-a", net_a)
    v = verdict(server, vm_a.self_link, b_ip)
    assert v["reachable"] is True and v["blockers"] == []
    kinds = [(h["component"]["kind"], (h["rule"] or {}).get("rule")) for h in v["forward"]]
    # proj-b's rule, asked from proj-a: what it did (allow, priority), not its name.
    assert ("firewall-rule", None) in kinds
    (fw,) = [h for h in v["forward"]
             if h["component"]["kind"] == "firewall-rule" and h["rule"]["direction"] == "ingress"]
    assert fw["component"]["project"] == "proj-b" and fw["rule"]["action"] == "allow"
    assert fw["rule"]["priority"] == 1000 and "allow-443" not in json.dumps(v)
    assert ("peering-connection", None) in kinds
    assert v["return"][-1]["component"]["id"] == a

    # Port 22: only the implied deny-ingress rule matches.
    v = verdict(server, a, b, port=22)
    assert codes(v) == [("FIREWALL_RULE", "forward")]
    assert v["blockers"][0]["component"] == {
        "kind": "firewall-rule", "id": None, "project": "proj-b",
        "label": "firewall-rule (project proj-b)"}
    p = reach(server, a, b, 22)
    assert p.returncode == 1
    assert "FIREWALL_RULE (forward path) at firewall-rule (project proj-b)" in p.stdout, p.stdout
    a_ip = vm_a.network_interfaces[0].network_i_p
    assert (f"fix: its owner (project proj-b) must add an ingress firewall rule allowing tcp:22 "
            f"from {a_ip}/32 to network net-b" in p.stdout), p.stdout
    # The other way round, proj-b is the caller: its own hops by path, proj-a's hidden.
    v = verdict(server, b, a_ip, port=22)
    assert v["forward"][0]["component"]["id"] == b
    assert v["blockers"][0]["component"]["project"] == "proj-a", v
    assert "vm-a" not in json.dumps(v), v


# --------------------------------------------------------------------------- Azure

class FakeCredential:
    """A TokenCredential whose token the emulator accepts without looking at it."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("fake-token", 4_102_444_800)

    def get_token_info(self, *scopes, options=None):
        return AccessTokenInfo("fake-token", 4_102_444_800)


def azure_clients(server):
    kw = dict(base_url=server.https_url, connection_verify=server.cert_path,
              credential_scopes=["https://management.azure.com/.default"])
    return (NetworkManagementClient(FakeCredential(), SUB, **kw),
            ResourceManagementClient(FakeCredential(), SUB, **kw))


def azure_topology(server):
    net, rm = azure_clients(server)
    rm.resource_groups.create_or_update("rg", {"location": "eastus"})
    vnets = {}
    for name, space, subnet in (("vnet-a", "10.10.0.0/16", "10.10.1.0/24"),
                                ("vnet-b", "10.20.0.0/16", "10.20.1.0/24")):
        vnets[name] = net.virtual_networks.begin_create_or_update("rg", name, VirtualNetwork(
            location="eastus", address_space=AddressSpace(address_prefixes=[space]),
            subnets=[Subnet(name="default", address_prefix=subnet)])).result()
    nics = {}
    for name, vnet in (("nic-a", "vnet-a"), ("nic-b", "vnet-b")):
        nics[name] = net.network_interfaces.begin_create_or_update("rg", name, NetworkInterface(
            location="eastus", ip_configurations=[NetworkInterfaceIPConfiguration(
                name="ipconfig1", subnet=Subnet(id=vnets[vnet].subnets[0].id))])).result()
    return net, vnets, nics


def az_peer(net, vnet, name, remote):
    net.virtual_network_peerings.begin_create_or_update("rg", vnet, name, VirtualNetworkPeering(
        remote_virtual_network=SubResource(id=remote.id),
        allow_virtual_network_access=True)).result()


def test_reach_azure_peering_and_the_nsg_rule_that_decided(server):
    net, vnets, nics = azure_topology(server)
    a, b = nics["nic-a"].id, nics["nic-b"].id

    az_peer(net, "vnet-a", "a-to-b", vnets["vnet-b"])
    v = verdict(server, a, b)
    assert codes(v) == [("NO_ROUTE", "forward"), ("PEERING_NOT_ACTIVE", "forward"),
                        ("NO_ROUTE", "return")]
    assert "Initiated" in v["blockers"][1]["detail"]

    az_peer(net, "vnet-b", "b-to-a", vnets["vnet-a"])
    # ARM ids are case-insensitive.
    v = verdict(server, a.lower(), b.upper().replace("/SUBSCRIPTIONS/", "/subscriptions/"))
    assert v["reachable"] is True, v["blockers"]
    targets = [(h["rule"] or {}).get("target") for h in v["forward"]]
    assert "VNetPeering" in targets

    nsg = net.network_security_groups.begin_create_or_update("rg", "nsg-b", NetworkSecurityGroup(
        location="eastus", security_rules=[SecurityRule(
            name="deny-443", priority=100, direction="Inbound", access="Deny", protocol="Tcp",
            source_address_prefix="*", source_port_range="*",
            destination_address_prefix="*", destination_port_range="443")])).result()
    nic_b = nics["nic-b"]
    nic_b.network_security_group = NetworkSecurityGroup(id=nsg.id)
    net.network_interfaces.begin_create_or_update("rg", "nic-b", nic_b).result()

    v = verdict(server, a, b)
    assert codes(v) == [("NSG_RULE", "forward")]
    blocker = v["blockers"][0]
    assert blocker["component"]["kind"] == "network-security-group"
    assert "nsg-b/deny-443" in blocker["detail"]
    p = reach(server, a, b)
    assert p.returncode == 1
    assert "ingress nsg-b/deny-443 (priority 100) deny" in p.stdout, p.stdout
    # Another port passes the NSG's default AllowVnetInBound (VirtualNetwork includes the peer).
    v = verdict(server, a, b, port=8080)
    assert v["reachable"] is True, v["blockers"]
    rules = [(h["rule"] or {}).get("rule") for h in v["forward"]]
    assert "AllowVnetInBound" in rules


# --------------------------------------------------------------------------- across clouds

def test_reach_across_clouds_is_never_a_guess(server):
    gcp_topology(server)
    _, _, nics = azure_topology(server)
    a = f"projects/proj-a/zones/{ZONE}/instances/vm-a"
    for src, dst in ((a, nics["nic-a"].id), (nics["nic-b"].id, a)):
        p = reach(server, src, dst, 443, "--output", "json")
        assert p.returncode == 1, p.stderr
        v = json.loads(p.stdout)
        assert codes(v) == [("CROSS_CLOUD_NO_NATIVE_PATH", "forward")]
        assert "encrypted peering through gateways" in v["blockers"][0]["detail"]
    p = reach(server, a, "projects/proj-a/zones/us-central1-a/instances/missing")
    assert p.returncode == 2
    assert "unknown instance" in p.stderr
