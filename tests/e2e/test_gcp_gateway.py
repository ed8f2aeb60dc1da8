"""GCP instances that can be tunnel gateways, driven by the real google-cloud-compute client:
`canIpForward`, an access config with an external address (ephemeral, or a reserved regional
static address), metadata with its fingerprint (`user-data`), `instances.stop` / `start` (the
run state `vpcpeer reach` reads: a stopped instance is named as the blocker) and
`setMetadata`, which refuses a stale fingerprint with 412 as GCP does."""


import pytest
from google.api_core import exceptions as gexc
from google.cloud import compute_v1

from conftest import custom_network, reach_json

PROJECT = "proj-gw"
REGION = "us-central1"
ZONE = "us-central1-a"


def instances(server):
    return server.gcp(compute_v1.InstancesClient)


def vm(server, name, *, gateway=False, nat_ip=None, user_data=None):
    nic = compute_v1.NetworkInterface(subnetwork=f"regions/{REGION}/subnetworks/gw-net-s")
    if gateway:
        ac = compute_v1.AccessConfig(type_="ONE_TO_ONE_NAT", name="External NAT")
        if nat_ip:
            ac.nat_i_p = nat_ip
        nic.access_configs = [ac]
    body = compute_v1.Instance(
        name=name, machine_type=f"zones/{ZONE}/machineTypes/e2-small",
        can_ip_forward=gateway, network_interfaces=[nic])
    if user_data is not None:
        body.metadata = compute_v1.Metadata(
            items=[compute_v1.Items(key="user-data", value=user_data)])
    op = instances(server).insert(project=PROJECT, zone=ZONE, instance_resource=body)
    op.result()
    return instances(server).get(project=PROJECT, zone=ZONE, instance=name)


@pytest.fixture
def net(server):
    url = custom_network(server, PROJECT, "gw-net", "10.50.0.0/24", subnet="gw-net-s",
                         region=REGION)
    server.gcp(compute_v1.FirewallsClient).insert(
        project=PROJECT, firewall_resource=compute_v1.Firewall(
            name="gw-net-443", network=url, direction="INGRESS", priority=1000,
            allowed=[compute_v1.Allowed(I_p_protocol="tcp", ports=["443"])],
            source_ranges=["10.50.0.0/24"])).result()
    return url


def test_a_gateway_instance_keeps_its_forwarding_address_and_metadata(server, net):
    gw = vm(server, "gw-1", gateway=True, user_data="#vpcpeer-gateway\n[Interface]\n")
    assert gw.can_ip_forward is True
    assert gw.status == "RUNNING"
    (ac,) = gw.network_interfaces[0].access_configs
    assert ac.type_ == "ONE_TO_ONE_NAT" and ac.name == "External NAT"
    assert ac.network_tier == "PREMIUM"
    assert ac.nat_i_p.startswith("35.")
    assert gw.metadata.fingerprint
    assert [(i.key, i.value) for i in gw.metadata.items] == [
        ("user-data", "#vpcpeer-gateway\n[Interface]\n")]
    plain = vm(server, "plain-1")
    assert plain.can_ip_forward is False
    assert not plain.network_interfaces[0].access_configs


def test_stop_start_and_reach_name_the_stopped_gateway(server, net):
    gw = vm(server, "gw-2", gateway=True)
    client = vm(server, "client-2")
    src = f"projects/{PROJECT}/zones/{ZONE}/instances/client-2"
    dst = f"projects/{PROJECT}/zones/{ZONE}/instances/gw-2"
    assert reach_json(server, src, dst)["reachable"] is True

    instances(server).stop(project=PROJECT, zone=ZONE, instance="gw-2").result()
    stopped = instances(server).get(project=PROJECT, zone=ZONE, instance="gw-2")
    assert stopped.status == "TERMINATED"
    # The ephemeral external address is released on stop; the access config stays.
    (ac,) = stopped.network_interfaces[0].access_configs
    assert not ac.nat_i_p
    v = reach_json(server, src, dst)
    assert [(b["code"], b["leg"]) for b in v["blockers"]] == [("BAD_STATE", "forward")]
    (b,) = v["blockers"]
    assert b["component"]["id"] == dst
    assert "gw-2 is TERMINATED" in b["detail"]
    assert b["fix"] == f"start {dst}"

    instances(server).start(project=PROJECT, zone=ZONE, instance="gw-2").result()
    started = instances(server).get(project=PROJECT, zone=ZONE, instance="gw-2")
    assert started.status == "RUNNING"
    assert started.network_interfaces[0].access_configs[0].nat_i_p.startswith("35.")
    assert reach_json(server, src, dst)["reachable"] is True
    assert client.status == "RUNNING" and gw.status == "RUNNING"


def test_set_metadata_needs_the_current_fingerprint(server, net):
    gw = vm(server, "gw-3", gateway=True, user_data="v1")
    old = gw.metadata.fingerprint
    fresh = compute_v1.Metadata(fingerprint=old,
                                items=[compute_v1.Items(key="user-data", value="v2")])
    instances(server).set_metadata(project=PROJECT, zone=ZONE, instance="gw-3",
                                   metadata_resource=fresh).result()
    now = instances(server).get(project=PROJECT, zone=ZONE, instance="gw-3").metadata
    assert now.fingerprint != old
    assert [(i.key, i.value) for i in now.items] == [("user-data", "v2")]
    stale = compute_v1.Metadata(fingerprint=old,
                                items=[compute_v1.Items(key="user-data", value="v3")])
    with pytest.raises(gexc.PreconditionFailed) as e:
        instances(server).set_metadata(project=PROJECT, zone=ZONE, instance="gw-3",
                                       metadata_resource=stale)
    assert e.value.code == 412
    assert "Supplied fingerprint does not match current metadata fingerprint" in str(e.value)
    again = instances(server).get(project=PROJECT, zone=ZONE, instance="gw-3").metadata
    assert [(i.key, i.value) for i in again.items] == [("user-data", "v2")]


def test_a_reserved_static_address_is_in_use_by_its_gateway(server, net):
    addresses = server.gcp(compute_v1.AddressesClient)
    addresses.insert(project=PROJECT, region=REGION,
                     address_resource=compute_v1.Address(name="gw-4-ip")).result()
    reserved = addresses.get(project=PROJECT, region=REGION, address="gw-4-ip")
    assert reserved.status == "RESERVED" and reserved.address_type == "EXTERNAL"
    ip = reserved.address
    gw = vm(server, "gw-4", gateway=True, nat_ip=ip)
    assert gw.network_interfaces[0].access_configs[0].nat_i_p == ip
    in_use = addresses.get(project=PROJECT, region=REGION, address="gw-4-ip")
    assert in_use.status == "IN_USE"
    assert [u.rsplit("/", 1)[-1] for u in in_use.users] == ["gw-4"]
    # Taken: a second gateway cannot name it, and it cannot be released.
    with pytest.raises(gexc.BadRequest):
        vm(server, "gw-4b", gateway=True, nat_ip=ip)
    with pytest.raises(gexc.BadRequest):
        addresses.delete(project=PROJECT, region=REGION, address="gw-4-ip")
    # A static address survives a stop.
    instances(server).stop(project=PROJECT, zone=ZONE, instance="gw-4").result()
    stopped = instances(server).get(project=PROJECT, zone=ZONE, instance="gw-4")
    assert stopped.network_interfaces[0].access_configs[0].nat_i_p == ip
    names = [a.name for a in addresses.list(project=PROJECT, region=REGION)]
    assert "gw-4-ip" in names
