"""Azure VNet peering driven by the real `azure-mgmt-network` / `azure-mgmt-resource` SDKs over
HTTPS (the server's self-signed certificate is passed as `connection_verify`; any bearer token
is accepted)."""

import json
import ssl
import urllib.error
import urllib.request

import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network.models import (
    AddressSpace,
    NetworkInterface,
    NetworkInterfaceIPConfiguration,
    NetworkSecurityGroup,
    Route,
    RouteTable,
    SecurityRule,
    SubResource,
    Subnet,
    VirtualNetwork,
    VirtualNetworkGateway,
    VirtualNetworkGatewayIPConfiguration,
    VirtualNetworkGatewaySku,
    VirtualNetworkPeering,
)
from azure.mgmt.resource.resources import ResourceManagementClient

from conftest import ACCOUNT_A

S1 = "11111111-1111-1111-1111-111111111111"
S2 = "22222222-2222-2222-2222-222222222222"
SCOPES = ["https://management.azure.com/.default"]


class FakeCredential:
    """A TokenCredential whose token the emulator accepts without looking at it."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("fake-token", 4_102_444_800)

    def get_token_info(self, *scopes, options=None):
        return AccessTokenInfo("fake-token", 4_102_444_800)


class Azure:
    """SDK clients of one subscription against a running server."""

    def __init__(self, server, subscription):
        kw = dict(base_url=server.https_url, connection_verify=server.cert_path,
                  credential_scopes=SCOPES)
        self.sub = subscription
        self.net = NetworkManagementClient(FakeCredential(), subscription, **kw)
        self.rm = ResourceManagementClient(FakeCredential(), subscription, **kw)

    def group(self, name, location="eastus"):
        self.rm.resource_groups.create_or_update(name, {"location": location})
        return name

    def vnet(self, rg, name, prefixes, subnets=(), location="eastus"):
        body = VirtualNetwork(
            location=location,
            address_space=AddressSpace(address_prefixes=list(prefixes)),
            subnets=[Subnet(name=n, address_prefix=p) for n, p in subnets],
        )
        return self.net.virtual_networks.begin_create_or_update(rg, name, body).result()

    def peer(self, rg, vnet, name, remote_id, **flags):
        body = VirtualNetworkPeering(remote_virtual_network=SubResource(id=remote_id), **flags)
        return self.net.virtual_network_peerings.begin_create_or_update(rg, vnet, name, body).result()

    def peering(self, rg, vnet, name):
        return self.net.virtual_network_peerings.get(rg, vnet, name)

    def nic(self, rg, name, subnet_id, location="eastus"):
        body = NetworkInterface(location=location, ip_configurations=[
            NetworkInterfaceIPConfiguration(name="ipconfig1", subnet=Subnet(id=subnet_id))])
        return self.net.network_interfaces.begin_create_or_update(rg, name, body).result()

    def routes(self, rg, nic):
        """Effective routes of a NIC as {prefix: (nextHopType, state, source)}."""
        result = self.net.network_interfaces.begin_get_effective_route_table(rg, nic).result()
        out = {}
        for r in result.value:
            for p in r.address_prefix:
                out.setdefault(p, []).append((text(r.next_hop_type), text(r.state), text(r.source)))
        return out


def text(v):
    """An SDK enum member or a plain string, as the string on the wire."""
    return getattr(v, "value", v)


def code_of(excinfo):
    return excinfo.value.error.code


@pytest.fixture
def az(server):
    return Azure(server, S1)


def two_vnets(az):
    """vnet-a 10.0/16 and vnet-b 10.1/16 with a subnet and a NIC each."""
    rg = az.group("rg")
    a = az.vnet(rg, "vnet-a", ["10.0.0.0/16"], [("web", "10.0.1.0/24")])
    b = az.vnet(rg, "vnet-b", ["10.1.0.0/16"], [("db", "10.1.1.0/24")])
    az.nic(rg, "nic-a", a.subnets[0].id)
    az.nic(rg, "nic-b", b.subnets[0].id)
    return rg, a, b


def hop(routes, prefix):
    return [h for h, state, _ in routes.get(prefix, []) if state == "Active"]


def test_peer_both_sides_routes_overlap_and_delete(az):
    rg, a, b = two_vnets(az)
    nic = az.net.network_interfaces.get(rg, "nic-a")
    assert nic.ip_configurations[0].private_ip_address == "10.0.1.4"

    p = az.peer(rg, "vnet-a", "a-to-b", b.id, allow_virtual_network_access=True)
    assert p.peering_state == "Initiated"
    assert p.remote_address_space.address_prefixes == ["10.1.0.0/16"]
    assert "10.1.0.0/16" not in az.routes(rg, "nic-a")

    p = az.peer(rg, "vnet-b", "b-to-a", a.id)
    assert p.peering_state == "Connected"
    assert az.peering(rg, "vnet-a", "a-to-b").peering_state == "Connected"
    assert az.peering(rg, "vnet-a", "a-to-b").peering_sync_level == "FullyInSync"

    # Route exchange: each NIC sees the other VNet's prefix through the peering.
    ra, rb = az.routes(rg, "nic-a"), az.routes(rg, "nic-b")
    assert hop(ra, "10.0.0.0/16") == ["VnetLocal"]
    assert hop(ra, "10.1.0.0/16") == ["VNetPeering"]
    assert hop(rb, "10.0.0.0/16") == ["VNetPeering"]
    assert hop(ra, "0.0.0.0/0") == ["Internet"]

    # The VNet lists its links inline.
    vnet = az.net.virtual_networks.get(rg, "vnet-a")
    assert [l.name for l in vnet.virtual_network_peerings] == ["a-to-b"]

    # Overlap refused, with the overlapping prefixes named; nothing created.
    c = az.vnet(rg, "vnet-c", ["10.0.128.0/17"])
    with pytest.raises(HttpResponseError) as e:
        az.peer(rg, "vnet-a", "a-to-c", c.id)
    assert e.value.status_code == 400
    assert code_of(e) == "VnetAddressSpacesOverlap"
    assert "Overlapping address prefixes: 10.0.128.0/17" in e.value.error.message
    assert [l.name for l in az.net.virtual_network_peerings.list(rg, "vnet-a")] == ["a-to-b"]

    # Delete one side: the other goes Disconnected and the routes go away.
    az.net.virtual_network_peerings.begin_delete(rg, "vnet-a", "a-to-b").result()
    with pytest.raises(ResourceNotFoundError):
        az.peering(rg, "vnet-a", "a-to-b")
    assert az.peering(rg, "vnet-b", "b-to-a").peering_state == "Disconnected"
    assert "10.0.0.0/16" not in az.routes(rg, "nic-b")


def test_remote_peering_is_disconnected_until_recreated(az):
    rg, a, b = two_vnets(az)
    az.peer(rg, "vnet-a", "a-to-b", b.id)
    az.peer(rg, "vnet-b", "b-to-a", a.id)
    az.net.virtual_network_peerings.begin_delete(rg, "vnet-a", "a-to-b").result()

    with pytest.raises(HttpResponseError) as e:
        az.peer(rg, "vnet-a", "a-to-b", b.id)
    assert code_of(e) == "RemotePeeringIsDisconnected"
    assert "Disconnected state" in e.value.error.message

    # Updating the disconnected side re-arms it; then the other side connects.
    assert az.peer(rg, "vnet-b", "b-to-a", a.id).peering_state == "Initiated"
    assert az.peer(rg, "vnet-a", "a-to-b", b.id).peering_state == "Connected"
    assert az.peering(rg, "vnet-b", "b-to-a").peering_state == "Connected"

    # The remote VNet deleted: the surviving link is Disconnected.
    az.net.network_interfaces.begin_delete(rg, "nic-b").result()
    az.net.virtual_networks.begin_delete(rg, "vnet-b").result()
    assert az.peering(rg, "vnet-a", "a-to-b").peering_state == "Disconnected"


def test_validation_errors(az):
    rg, a, b = two_vnets(az)
    az.peer(rg, "vnet-a", "a-to-b", b.id)
    with pytest.raises(HttpResponseError) as e:
        az.peer(rg, "vnet-a", "again", b.id)
    assert code_of(e) == "AnotherPeeringAlreadyReferencesRemoteVnet"
    d = az.vnet(rg, "vnet-d", ["10.4.0.0/16"])
    with pytest.raises(HttpResponseError) as e:
        az.peer(rg, "vnet-a", "a-to-b", d.id)
    assert code_of(e) == "ChangingRemoteVirtualNetworkNotAllowed"
    with pytest.raises(HttpResponseError) as e:
        az.peer(rg, "vnet-a", "bad name!", d.id)
    assert code_of(e) == "InvalidResourceName"
    with pytest.raises(ResourceNotFoundError) as e:
        az.net.virtual_networks.get("no-such-rg", "vnet-a")
    assert code_of(e) == "ResourceGroupNotFound"
    with pytest.raises(ResourceNotFoundError) as e:
        az.net.virtual_networks.get(rg, "no-such-vnet")
    assert code_of(e) == "ResourceNotFound"
    # A third VNet overlapping a VNet already peered with the remote.
    e2 = az.vnet(rg, "vnet-e", ["10.0.0.0/24"])
    az.peer(rg, "vnet-b", "b-to-a", a.id)
    with pytest.raises(HttpResponseError) as e:
        az.peer(rg, "vnet-e", "e-to-b", b.id)
    assert code_of(e) == "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet"


def test_cross_cloud_peering_is_refused(server, az):
    rg = az.group("rg")
    az.vnet(rg, "vnet-a", ["10.0.0.0/16"])
    vpc = server.ec2(ACCOUNT_A).create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    for remote in [vpc, "projects/p/global/networks/net-b"]:
        with pytest.raises(HttpResponseError) as e:
            az.peer(rg, "vnet-a", "to-other-cloud", remote)
        assert e.value.status_code == 400
        assert code_of(e) == "InvalidRemoteVirtualNetwork"
        assert "cross-cloud links need encrypted peering through gateways" in e.value.error.message
    assert list(az.net.virtual_network_peerings.list(rg, "vnet-a")) == []


def test_cross_subscription_and_global_peering(server, az):
    rg, a, _ = two_vnets(az)
    other = Azure(server, S2)
    rg2 = other.group("rg-eu", "westeurope")
    eu = other.vnet(rg2, "vnet-eu", ["10.8.0.0/16"], [("s", "10.8.0.0/24")], location="westeurope")
    other.nic(rg2, "nic-eu", eu.subnets[0].id, location="westeurope")

    assert az.peer(rg, "vnet-a", "a-to-eu", eu.id).peering_state == "Initiated"
    assert other.peer(rg2, "vnet-eu", "eu-to-a", a.id).peering_state == "Connected"
    assert hop(az.routes(rg, "nic-a"), "10.8.0.0/16") == ["VNetGlobalPeering"]
    assert hop(other.routes(rg2, "nic-eu"), "10.0.0.0/16") == ["VNetGlobalPeering"]


def gateway(az, rg, vnet_name):
    vnet = az.net.virtual_networks.get(rg, vnet_name)
    subnet = next(s for s in vnet.subnets if s.name == "GatewaySubnet")
    body = VirtualNetworkGateway(
        location="eastus", gateway_type="Vpn", vpn_type="RouteBased",
        sku=VirtualNetworkGatewaySku(name="VpnGw1", tier="VpnGw1"),
        ip_configurations=[VirtualNetworkGatewayIPConfiguration(
            name="default", subnet=SubResource(id=subnet.id))],
    )
    return az.net.virtual_network_gateways.begin_create_or_update(rg, f"{vnet_name}-gw", body).result()


def test_gateway_transit(az):
    rg = az.group("rg")
    hub = az.vnet(rg, "hub", ["10.0.0.0/16"], [("GatewaySubnet", "10.0.255.0/27")])
    spoke = az.vnet(rg, "spoke", ["10.1.0.0/16"])

    with pytest.raises(HttpResponseError) as e:
        az.peer(rg, "spoke", "spoke-to-hub", hub.id, use_remote_gateways=True)
    assert code_of(e) == "RemoteVnetHasNoGateways"
    assert "does not have any gateways" in e.value.error.message

    gw = gateway(az, rg, "hub")
    assert gw.gateway_type == "Vpn"
    az.peer(rg, "hub", "hub-to-spoke", spoke.id)
    with pytest.raises(HttpResponseError) as e:
        az.peer(rg, "spoke", "spoke-to-hub", hub.id, use_remote_gateways=True)
    assert code_of(e) == "RemotePeeringDoesNotAllowGatewayTransit"

    az.peer(rg, "hub", "hub-to-spoke", spoke.id, allow_gateway_transit=True)
    p = az.peer(rg, "spoke", "spoke-to-hub", hub.id, use_remote_gateways=True)
    assert (p.peering_state, p.use_remote_gateways) == ("Connected", True)
    with pytest.raises(HttpResponseError) as e:
        az.net.virtual_network_gateways.begin_delete(rg, "hub-gw").result()
    assert code_of(e) == "GatewayInUseByPeering"


def test_address_space_change_and_sync(az):
    rg, a, b = two_vnets(az)
    az.peer(rg, "vnet-a", "a-to-b", b.id)
    az.peer(rg, "vnet-b", "b-to-a", a.id)

    # Grow A's address space: allowed while peered, and leaves the links out of sync.
    a = az.vnet(rg, "vnet-a", ["10.0.0.0/16", "10.7.0.0/16"], [("web", "10.0.1.0/24")])
    assert az.peering(rg, "vnet-a", "a-to-b").peering_sync_level == "RemoteNotInSync"
    stale = az.peering(rg, "vnet-b", "b-to-a")
    assert stale.peering_sync_level == "LocalNotInSync"
    assert stale.remote_address_space.address_prefixes == ["10.0.0.0/16"]
    assert stale.remote_virtual_network_address_space.address_prefixes == ["10.0.0.0/16", "10.7.0.0/16"]
    assert "10.7.0.0/16" not in az.routes(rg, "nic-b")

    # An overlapping new prefix is refused.
    with pytest.raises(HttpResponseError) as e:
        az.vnet(rg, "vnet-a", ["10.0.0.0/16", "10.1.128.0/24"], [("web", "10.0.1.0/24")])
    assert code_of(e) == "VnetAddressSpacesOverlap"

    # Sync the stale side.
    body = VirtualNetworkPeering(remote_virtual_network=SubResource(id=a.id))
    p = az.net.virtual_network_peerings.begin_create_or_update(
        rg, "vnet-b", "b-to-a", body, sync_remote_address_space="true").result()
    assert p.peering_sync_level == "FullyInSync"
    assert az.peering(rg, "vnet-a", "a-to-b").peering_sync_level == "FullyInSync"
    assert hop(az.routes(rg, "nic-b"), "10.7.0.0/16") == ["VNetPeering"]


def test_nsg_and_user_defined_routes(az):
    rg, a, b = two_vnets(az)
    az.peer(rg, "vnet-a", "a-to-b", b.id)
    az.peer(rg, "vnet-b", "b-to-a", a.id)
    nsg = az.net.network_security_groups.begin_create_or_update(rg, "web-nsg", NetworkSecurityGroup(
        location="eastus", security_rules=[SecurityRule(
            name="https-from-b", priority=100, direction="Inbound", access="Allow", protocol="Tcp",
            source_address_prefix="10.1.0.0/16", source_port_range="*",
            destination_address_prefix="*", destination_port_range="443")])).result()
    assert [r.name for r in nsg.security_rules] == ["https-from-b"]
    assert "DenyAllInBound" in [r.name for r in nsg.default_security_rules]
    rt = az.net.route_tables.begin_create_or_update(rg, "rt-a", RouteTable(
        location="eastus", routes=[Route(name="to-b-via-nva", address_prefix="10.1.0.0/16",
                                         next_hop_type="VirtualAppliance",
                                         next_hop_ip_address="10.0.1.10")])).result()
    az.net.subnets.begin_create_or_update(rg, "vnet-a", "web", Subnet(
        address_prefix="10.0.1.0/24", network_security_group=SubResource(id=nsg.id),
        route_table=SubResource(id=rt.id))).result()
    routes = az.routes(rg, "nic-a")["10.1.0.0/16"]
    assert ("VNetPeering", "Invalid", "Default") in routes
    assert ("VirtualAppliance", "Active", "User") in routes
    with pytest.raises(HttpResponseError) as e:
        az.net.network_security_groups.begin_delete(rg, "web-nsg").result()
    assert code_of(e) == "InUseNetworkSecurityGroupCannotBeDeleted"


def test_peerings_survive_a_restart(fresh_server, tmp_path):
    s = fresh_server(data_dir=tmp_path / "data")
    az = Azure(s, S1)
    rg, a, b = two_vnets(az)
    az.peer(rg, "vnet-a", "a-to-b", b.id)
    az.peer(rg, "vnet-b", "b-to-a", a.id)
    s.kill9()
    s = fresh_server(data_dir=tmp_path / "data")
    az = Azure(s, S1)
    assert az.peering(rg, "vnet-a", "a-to-b").peering_state == "Connected"
    assert hop(az.routes(rg, "nic-a"), "10.1.0.0/16") == ["VNetPeering"]
    az.net.virtual_network_peerings.begin_delete(rg, "vnet-b", "b-to-a").result()
    s.stop()
    s = fresh_server(data_dir=tmp_path / "data")
    assert Azure(s, S1).peering(rg, "vnet-a", "a-to-b").peering_state == "Disconnected"


def raw(server, method, path, body=None):
    ctx = ssl.create_default_context(cafile=server.cert_path)
    req = urllib.request.Request(server.https_url + path, data=body, method=method,
                                 headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def test_arm_request_errors(server, az):
    rg = az.group("rg")
    path = f"/subscriptions/{S1}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/v"
    status, body = raw(server, "GET", path)
    assert (status, body["error"]["code"]) == (400, "MissingApiVersionParameter")
    status, body = raw(server, "PUT", path + "?api-version=2024-05-01", b"{oops")
    assert (status, body["error"]["code"]) == (400, "InvalidRequestFormat")
    # The same API is on the plain HTTP listener too.
    req = urllib.request.Request(server.url + path + "?api-version=2024-05-01")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 404
