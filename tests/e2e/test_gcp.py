"""GCP VPC Network Peering driven by the real google-cloud-compute client, built as a user would
(REST transport, anonymous credentials, `ClientOptions(api_endpoint=server)` and nothing else):
networks, subnetworks, routes, peering from one side (INACTIVE) then the other (ACTIVE), exchanged
routes, refusals, cross-cloud refusal, and persistence across a restart.

By default peering operations are DONE in the reply, so the SDK's own `.result()` returns or
raises without polling (it would poll compute.googleapis.com). The one-operation-at-a-time rule
and the deadline are tested on servers started with `--limit gcp_peering_op_secs=10`, where
operations are waited for with a GlobalOperationsClient of our own."""

import pytest
from google.api_core import exceptions as gexc
from google.cloud import compute_v1

from conftest import ACCOUNT_A, custom_network

REGION = "us-central1"


def nets(server):
    return server.gcp(compute_v1.NetworksClient)


RUNNING_OPS = ("--limit", "gcp_peering_op_secs=10")
# Operations that outlast any test run: nothing completes by the clock alone.
LONG_OPS = ("--limit", "gcp_peering_op_secs=3600")


def add_peering(server, project, network, name, peer, export=False, imp=False):
    """Calls addPeering; returns the ExtendedOperation (DONE by default, RUNNING until polled
    on a server started with RUNNING_OPS or LONG_OPS)."""
    return nets(server).add_peering(
        project=project, network=network,
        networks_add_peering_request_resource=compute_v1.NetworksAddPeeringRequest(
            network_peering=compute_v1.NetworkPeering(
                name=name, network=peer, exchange_subnet_routes=True,
                export_custom_routes=export, import_custom_routes=imp)),
    )


def remove_peering(server, project, network, name):
    return nets(server).remove_peering(
        project=project, network=network,
        networks_remove_peering_request_resource=compute_v1.NetworksRemovePeeringRequest(
            name=name),
    )


def wait(server, project, op):
    """Waits for a global operation with our own operations client (for RUNNING operations,
    which `.result()` would poll on compute.googleapis.com); raises BadRequest if it failed."""
    done = server.gcp(compute_v1.GlobalOperationsClient).wait(project=project, operation=op.name)
    assert done.status == compute_v1.Operation.Status.DONE
    if done.error.errors:
        raise gexc.BadRequest(done.error.errors[0].message)
    return done


def peerings(server, project, network):
    """{name: (state, stateDetails)} of a network's peerings."""
    n = nets(server).get(project=project, network=network)
    return {p.name: (p.state, p.state_details) for p in n.peerings}


def static_route(server, project, network, name, dest, hop, **kwargs):
    """A static route of `network` to `dest` through the address `hop`."""
    server.gcp(compute_v1.RoutesClient).insert(
        project=project,
        route_resource=compute_v1.Route(name=name, network=network, dest_range=dest,
                                        next_hop_ip=hop, **kwargs),
    ).result()


def exchanged(server, project, network, peering, direction):
    req = compute_v1.ListPeeringRoutesNetworksRequest(
        project=project, network=network, peering_name=peering, direction=direction,
        region=REGION)
    return sorted((r.dest_range, r.type_, r.imported)
                  for r in nets(server).list_peering_routes(request=req))


def test_peer_from_one_side_then_the_other_then_delete_one_side(server):
    a = custom_network(server, "proj-a", "net-a", "10.0.0.0/24")
    b = custom_network(server, "proj-b", "net-b", "10.1.0.0/24")
    static_route(server, "proj-a", a, "to-onprem", "192.168.0.0/16", "10.0.0.50", priority=900)

    op = add_peering(server, "proj-a", "net-a", "a-to-b", b, export=True)
    # DONE in the reply: the plain client's result() needs no polling.
    assert op.status == compute_v1.Operation.Status.DONE
    assert op.result() is None
    assert op.done() and op.operation_type == "addPeering" and op.progress == 100
    (state, details), = peerings(server, "proj-a", "net-a").values()
    assert state == "INACTIVE"
    assert details.endswith("Waiting for peer network to connect.")
    assert exchanged(server, "proj-a", "net-a", "a-to-b", "OUTGOING") == []

    add_peering(server, "proj-b", "net-b", "b-to-a", a, imp=True).result()
    assert peerings(server, "proj-a", "net-a")["a-to-b"][0] == "ACTIVE"
    assert peerings(server, "proj-b", "net-b")["b-to-a"][0] == "ACTIVE"
    assert peerings(server, "proj-b", "net-b")["b-to-a"][1].endswith("Connected.")
    net_b = nets(server).get(project="proj-b", network="net-b")
    assert net_b.peerings[0].peer_mtu == 1460
    assert net_b.peerings[0].network.endswith("/projects/proj-a/global/networks/net-a")

    want_into_b = [("10.0.0.0/24", "SUBNET_PEERING_ROUTE", True),
                   ("192.168.0.0/16", "STATIC_PEERING_ROUTE", True)]
    assert exchanged(server, "proj-b", "net-b", "b-to-a", "INCOMING") == want_into_b
    assert exchanged(server, "proj-a", "net-a", "a-to-b", "OUTGOING") == want_into_b
    # B exports no custom routes: A hears only B's subnet.
    assert exchanged(server, "proj-a", "net-a", "a-to-b", "INCOMING") == [
        ("10.1.0.0/24", "SUBNET_PEERING_ROUTE", True)]

    op = remove_peering(server, "proj-a", "net-a", "a-to-b")
    assert op.status == compute_v1.Operation.Status.DONE
    assert op.result() is None and op.operation_type == "removePeering"
    assert peerings(server, "proj-a", "net-a") == {}
    assert peerings(server, "proj-b", "net-b")["b-to-a"][0] == "INACTIVE"
    assert exchanged(server, "proj-b", "net-b", "b-to-a", "INCOMING") == []


def test_import_without_export_brings_no_custom_routes(server):
    a = custom_network(server, "proj-a", "net-a", "10.0.0.0/24")
    b = custom_network(server, "proj-b", "net-b", "10.1.0.0/24")
    static_route(server, "proj-a", a, "r", "172.16.0.0/12", "10.0.0.9")
    add_peering(server, "proj-a", "net-a", "a-to-b", b).result()
    add_peering(server, "proj-b", "net-b", "b-to-a", a, imp=True).result()
    assert exchanged(server, "proj-b", "net-b", "b-to-a", "INCOMING") == [
        ("10.0.0.0/24", "SUBNET_PEERING_ROUTE", True)]
    # Turning export on later (updatePeering) makes the route flow.
    op = nets(server).update_peering(
        project="proj-a", network="net-a",
        networks_update_peering_request_resource=compute_v1.NetworksUpdatePeeringRequest(
            network_peering=compute_v1.NetworkPeering(name="a-to-b", export_custom_routes=True)),
    )
    assert op.status == compute_v1.Operation.Status.DONE and op.operation_type == "updatePeering"
    assert op.result() is None
    assert ("172.16.0.0/12", "STATIC_PEERING_ROUTE", True) in exchanged(
        server, "proj-b", "net-b", "b-to-a", "INCOMING")


def test_overlapping_ranges_fail_inside_the_operation(server):
    custom_network(server, "proj-a", "net-a", "10.0.0.0/24")
    c = custom_network(server, "proj-c", "net-c", "10.0.0.0/16")
    op = add_peering(server, "proj-a", "net-a", "a-to-c", c)
    # The refusal is the error of the DONE reply; result() raises it without polling.
    assert op.status == compute_v1.Operation.Status.DONE
    with pytest.raises(gexc.BadRequest) as e:
        op.result()
    assert e.value.code == 400
    msg = e.value.errors[0].message
    assert msg.startswith("An IP range in the peer network (10.0.0.0/16) overlaps with an IP "
                          "range in the local network (10.0.0.0/24) allocated by resource "
                          "(projects/proj-a/regions/us-central1/subnetworks/net-a-us-central1)"), msg
    assert op.http_error_status_code == 400 and op.status == compute_v1.Operation.Status.DONE
    assert peerings(server, "proj-a", "net-a") == {}


def test_two_auto_mode_networks_never_peer(server):
    for p, n in (("proj-a", "auto-a"), ("proj-b", "auto-b")):
        nets(server).insert(project=p, network_resource=compute_v1.Network(
            name=n, auto_create_subnetworks=True)).result()
    subs = list(server.gcp(compute_v1.SubnetworksClient).list(project="proj-a", region=REGION))
    assert [(s.name, s.ip_cidr_range) for s in subs] == [("auto-a", "10.128.0.0/20")]
    with pytest.raises(gexc.BadRequest) as e:
        add_peering(server, "proj-a", "auto-a", "a-b",
                    "projects/proj-b/global/networks/auto-b").result()
    assert "overlaps" in e.value.errors[0].message
    # A custom network outside 10.128.0.0/9 peers with an auto-mode one.
    custom_network(server, "proj-c", "custom", "10.0.0.0/24")
    add_peering(server, "proj-a", "auto-a", "a-c", "projects/proj-c/global/networks/custom").result()
    assert peerings(server, "proj-a", "auto-a")["a-c"][0] == "INACTIVE"


def test_zero_duration_operations_never_overlap(server):
    a = custom_network(server, "proj-a", "net-a", "10.0.0.0/24")
    b = custom_network(server, "proj-b", "net-b", "10.1.0.0/24")
    first = add_peering(server, "proj-a", "net-a", "a-to-b", b)
    # Nobody polled `first`, yet the peer's add right after is not "in progress"-refused.
    second = add_peering(server, "proj-b", "net-b", "b-to-a", a)
    assert first.result() is None and second.result() is None
    assert peerings(server, "proj-a", "net-a")["a-to-b"][0] == "ACTIVE"
    assert server.gcp(compute_v1.GlobalOperationsClient).get(
        project="proj-a", operation=first.name).status == compute_v1.Operation.Status.DONE


def test_one_peering_operation_at_a_time_and_the_ten_second_deadline(fresh_server):
    server = fresh_server(*RUNNING_OPS)
    a = custom_network(server, "proj-a", "net-a", "10.0.0.0/24")
    b = custom_network(server, "proj-b", "net-b", "10.1.0.0/24")
    first = add_peering(server, "proj-a", "net-a", "a-to-b", b)
    assert first.status == compute_v1.Operation.Status.RUNNING
    # Nothing is applied while it runs.
    assert peerings(server, "proj-a", "net-a") == {}
    with pytest.raises(gexc.BadRequest) as e:
        add_peering(server, "proj-b", "net-b", "b-to-a", a)
    # The SDK prefixes the server's message with the method and URL.
    assert e.value.message.endswith(": There is a peering operation in progress on the local or "
                                    "peer network. Try again later.")
    assert e.value.errors[0]["reason"] == "badRequest"
    # Nobody polls `first`; once the clock passes insertTime + 10 s, any request completes it.
    server.advance(10)
    assert peerings(server, "proj-a", "net-a")["a-to-b"][0] == "INACTIVE"
    wait(server, "proj-b", add_peering(server, "proj-b", "net-b", "b-to-a", a))
    assert peerings(server, "proj-a", "net-a")["a-to-b"][0] == "ACTIVE"
    done = server.gcp(compute_v1.GlobalOperationsClient).get(project="proj-a",
                                                              operation=first.name)
    assert done.status == compute_v1.Operation.Status.DONE and not done.error.errors


def test_with_running_operations_a_refusal_is_the_error_of_the_finished_operation(fresh_server):
    server = fresh_server(*RUNNING_OPS)
    custom_network(server, "proj-a", "net-a", "10.0.0.0/24")
    c = custom_network(server, "proj-c", "net-c", "10.0.0.0/16")
    op = add_peering(server, "proj-a", "net-a", "a-to-c", c)
    assert op.status == compute_v1.Operation.Status.RUNNING and not op.error.errors
    with pytest.raises(gexc.BadRequest) as e:
        wait(server, "proj-a", op)
    assert "overlaps" in e.value.message
    assert peerings(server, "proj-a", "net-a") == {}


def test_duplicate_peer_and_self_peering_are_refused(server):
    a = custom_network(server, "proj-a", "net-a", "10.0.0.0/24")
    b = custom_network(server, "proj-b", "net-b", "10.1.0.0/24")
    add_peering(server, "proj-a", "net-a", "a-to-b", b).result()
    with pytest.raises(gexc.BadRequest) as e:
        add_peering(server, "proj-a", "net-a", "again", b).result()
    assert e.value.errors[0].message == (
        "There is already a peering a-to-b with the same network. Select another network.")
    with pytest.raises(gexc.BadRequest) as e:
        add_peering(server, "proj-a", "net-a", "me", a)
    assert e.value.errors[0]["reason"] == "invalid"


@pytest.mark.parametrize("peer,cloud", [
    ("vpc-0a1b2c3d4e5f60718", "an AWS network"),
    ("/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
     "an Azure network"),
    ("https://example.com/networks/x", "not a Google Cloud network"),
])
def test_peering_with_another_cloud_is_refused(server, peer, cloud):
    custom_network(server, "proj-a", "net-a", "10.0.0.0/24")
    with pytest.raises(gexc.BadRequest) as e:
        add_peering(server, "proj-a", "net-a", "x", peer)
    assert e.value.errors[0]["reason"] == "invalid"
    assert f"is {cloud}" in e.value.message
    assert "Cross-cloud links need encrypted peering through gateways" in e.value.message


def test_aws_face_refuses_gcp_and_azure_peers(server):
    ec2 = server.ec2(ACCOUNT_A)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for peer in ("projects/proj-b/global/networks/net-b",
                 "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"):
        with pytest.raises(Exception) as e:
            ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer)
        err = e.value.response["Error"]
        assert err["Code"] == "InvalidParameterValue", err
        assert "encrypted peering through gateways" in err["Message"]
    assert ec2.describe_vpc_peering_connections()["VpcPeeringConnections"] == []


def test_errors_come_back_in_the_sdk_exception_types(server):
    custom_network(server, "proj-a", "net-a")
    with pytest.raises(gexc.NotFound) as e:
        nets(server).get(project="proj-a", network="nope")
    assert e.value.message.endswith(
        ": The resource 'projects/proj-a/global/networks/nope' was not found")
    with pytest.raises(gexc.Conflict) as e:
        custom_network(server, "proj-a", "net-a")
    assert e.value.errors[0]["reason"] == "alreadyExists"
    with pytest.raises(gexc.BadRequest):
        remove_peering(server, "proj-a", "net-a", "never-added")


def test_instances_get_internal_ips_and_firewalls_list(server):
    net = custom_network(server, "proj-a", "net-a", "10.0.0.0/29")
    inst = server.gcp(compute_v1.InstancesClient)
    ips = []
    for name in ("vm-1", "vm-2", "vm-3", "vm-4"):
        inst.insert(project="proj-a", zone="us-central1-a", instance_resource=compute_v1.Instance(
            name=name, machine_type="zones/us-central1-a/machineTypes/e2-micro",
            network_interfaces=[compute_v1.NetworkInterface(
                subnetwork="regions/us-central1/subnetworks/net-a-us-central1")]),
        ).result()
        ips.append(inst.get(project="proj-a", zone="us-central1-a",
                            instance=name).network_interfaces[0].network_i_p)
    assert ips == ["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]
    # What `gcloud compute instances list` reads: the aggregated list, by zone.
    by_zone = {scope: [i.name for i in scoped.instances]
               for scope, scoped in inst.aggregated_list(project="proj-a") if scoped.instances}
    assert by_zone == {"zones/us-central1-a": ["vm-1", "vm-2", "vm-3", "vm-4"]}
    subs = {scope: [s.name for s in scoped.subnetworks] for scope, scoped in
            server.gcp(compute_v1.SubnetworksClient).aggregated_list(project="proj-a")
            if scoped.subnetworks}
    assert subs == {"regions/us-central1": ["net-a-us-central1"]}
    with pytest.raises(gexc.BadRequest):
        inst.insert(project="proj-a", zone="us-central1-a", instance_resource=compute_v1.Instance(
            name="vm-5", machine_type="e2-micro",
            network_interfaces=[compute_v1.NetworkInterface(network=net)]))
    fw = server.gcp(compute_v1.FirewallsClient)
    fw.insert(project="proj-a", firewall_resource=compute_v1.Firewall(
        name="allow-ssh", network=net, direction="INGRESS",
        allowed=[compute_v1.Allowed(I_p_protocol="tcp", ports=["22"])],
        source_ranges=["10.1.0.0/16"])).result()
    (rule,) = fw.list(project="proj-a")
    assert (rule.name, rule.allowed[0].I_p_protocol, list(rule.allowed[0].ports),
            list(rule.source_ranges)) == ("allow-ssh", "tcp", ["22"], ["10.1.0.0/16"])


def test_gcp_state_and_running_operations_survive_a_crash(fresh_server, tmp_path):
    s = fresh_server(*LONG_OPS, data_dir=tmp_path / "data")
    a = custom_network(s, "proj-a", "net-a", "10.0.0.0/24")
    b = custom_network(s, "proj-b", "net-b", "10.1.0.0/24")
    wait(s, "proj-a", add_peering(s, "proj-a", "net-a", "a-to-b", b))
    running = add_peering(s, "proj-b", "net-b", "b-to-a", a)
    assert running.status == compute_v1.Operation.Status.RUNNING
    s.kill9()
    s = fresh_server(*LONG_OPS, data_dir=tmp_path / "data")
    assert peerings(s, "proj-b", "net-b") == {}, "still running after the restart"
    ops = s.gcp(compute_v1.GlobalOperationsClient)
    op = ops.get(project="proj-b", operation=running.name)
    assert op.status == compute_v1.Operation.Status.DONE and not op.error.errors
    assert peerings(s, "proj-a", "net-a")["a-to-b"][0] == "ACTIVE"
    assert peerings(s, "proj-b", "net-b")["b-to-a"][0] == "ACTIVE"
    listed = [o.operation_type for o in ops.list(project="proj-a")]
    assert listed.count("insert") == 1 and listed.count("addPeering") == 1


def test_peerings_per_network_quota_is_configurable(fresh_server):
    s = fresh_server("--limit", "gcp_peerings_per_network=1")
    custom_network(s, "proj-a", "hub", "10.0.0.0/24")
    b = custom_network(s, "proj-b", "b", "10.1.0.0/24")
    c = custom_network(s, "proj-c", "c", "10.2.0.0/24")
    add_peering(s, "proj-a", "hub", "hub-b", b).result()
    with pytest.raises(gexc.Forbidden) as e:
        add_peering(s, "proj-a", "hub", "hub-c", c).result()
    assert e.value.errors[0].message.startswith("Quota 'PEERINGS_PER_NETWORK' exceeded. Limit: 1.0")
    assert list(peerings(s, "proj-a", "hub")) == ["hub-b"]


def test_firewall_patch_and_subnetwork_expand_through_the_sdk(server):
    a = custom_network(server, "proj-a", "net-a", "10.0.0.0/24")
    b = custom_network(server, "proj-b", "net-b", "10.1.0.0/24")
    fw = server.gcp(compute_v1.FirewallsClient)
    fw.insert(project="proj-a", firewall_resource=compute_v1.Firewall(
        name="from-b", network=a, allowed=[compute_v1.Allowed(I_p_protocol="icmp")],
        source_ranges=["10.1.0.0/24"])).result()
    fw.patch(project="proj-a", firewall="from-b", firewall_resource=compute_v1.Firewall(
        priority=100, disabled=True)).result()
    rule = fw.get(project="proj-a", firewall="from-b")
    assert (rule.priority, rule.disabled, list(rule.source_ranges)) == (100, True, ["10.1.0.0/24"])

    add_peering(server, "proj-a", "net-a", "a-to-b", b).result()
    add_peering(server, "proj-b", "net-b", "b-to-a", a).result()
    subs = server.gcp(compute_v1.SubnetworksClient)

    def expand(range_):
        return subs.expand_ip_cidr_range(
            project="proj-a", region=REGION, subnetwork="net-a-us-central1",
            subnetworks_expand_ip_cidr_range_request_resource=(
                compute_v1.SubnetworksExpandIpCidrRangeRequest(ip_cidr_range=range_)))

    with pytest.raises(gexc.BadRequest) as e:
        expand("10.0.0.0/15")  # would swallow B's 10.1.0.0/24 across the active peering
    assert "active peering 'a-to-b'" in e.value.message
    expand("10.0.0.0/23").result()
    assert subs.get(project="proj-a", region=REGION,
                    subnetwork="net-a-us-central1").ip_cidr_range == "10.0.0.0/23"
    assert ("10.0.0.0/23", "SUBNET_PEERING_ROUTE", True) in exchanged(
        server, "proj-b", "net-b", "b-to-a", "INCOMING")
