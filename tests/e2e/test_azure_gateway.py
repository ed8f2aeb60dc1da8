"""An Azure VM that can be a gateway, driven by the real `azure-mgmt-network` and
`azure-mgmt-compute` SDKs over HTTPS: a public IP address attached to a NIC with IP forwarding,
a VM with custom data (which ARM never returns), its power operations through Azure's own API
(deallocate, powerOff, start) with the instance view after each, what they do to the public
IP's address, and `vpcpeer reach` naming the deallocated VM until it is started again."""

import base64

import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.exceptions import HttpResponseError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute.models import (
    HardwareProfile,
    NetworkInterfaceReference,
    NetworkProfile,
    OSProfile,
    VirtualMachine,
)
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network.models import (
    AddressSpace,
    NetworkInterface,
    NetworkInterfaceIPConfiguration,
    PublicIPAddress,
    PublicIPAddressSku,
    SubResource,
    Subnet,
    VirtualNetwork,
)
from azure.mgmt.resource.resources import ResourceManagementClient

from conftest import reach_json

SUB = "11111111-1111-1111-1111-111111111111"
SCOPES = ["https://management.azure.com/.default"]
CONFIG = "#vpcpeer-gateway v1\n[Interface]\nName = az-gw\nListenPort = 51820\n"


class FakeCredential:
    """A TokenCredential whose token the emulator accepts without looking at it."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("fake-token", 4_102_444_800)

    def get_token_info(self, *scopes, options=None):
        return AccessTokenInfo("fake-token", 4_102_444_800)


@pytest.fixture
def clients(server):
    kw = dict(base_url=server.https_url, connection_verify=server.cert_path,
              credential_scopes=SCOPES)
    rm = ResourceManagementClient(FakeCredential(), SUB, **kw)
    net = NetworkManagementClient(FakeCredential(), SUB, **kw)
    compute = ComputeManagementClient(FakeCredential(), SUB, **kw)
    return rm, net, compute


def power(compute, rg, vm):
    statuses = compute.virtual_machines.instance_view(rg, vm).statuses
    codes = [s.code for s in statuses]
    assert "ProvisioningState/succeeded" in codes, codes
    state = [s for s in statuses if s.code.startswith("PowerState/")]
    assert len(state) == 1, codes
    return state[0].code, state[0].display_status


def nic_body(subnet_id, public_ip_id=None, forwarding=False):
    return NetworkInterface(
        location="eastus",
        enable_ip_forwarding=forwarding,
        ip_configurations=[NetworkInterfaceIPConfiguration(
            name="ipconfig1", subnet=SubResource(id=subnet_id),
            public_ip_address=PublicIPAddress(id=public_ip_id) if public_ip_id else None)],
    )


def vm_body(nic_id, custom_data=None):
    return VirtualMachine(
        location="eastus",
        hardware_profile=HardwareProfile(vm_size="Standard_B2s"),
        os_profile=OSProfile(computer_name="gw", admin_username="azureuser",
                             custom_data=custom_data),
        network_profile=NetworkProfile(network_interfaces=[
            NetworkInterfaceReference(id=nic_id, primary=True)]),
    )


def test_gateway_vm_public_ip_custom_data_and_power(server, clients):
    rm, net, compute = clients
    rg = "rg-gw"
    rm.resource_groups.create_or_update(rg, {"location": "eastus"})
    vnet = net.virtual_networks.begin_create_or_update(rg, "hub", VirtualNetwork(
        location="eastus", address_space=AddressSpace(address_prefixes=["10.60.0.0/16"]),
        subnets=[Subnet(name="gw", address_prefix="10.60.1.0/24"),
                 Subnet(name="app", address_prefix="10.60.2.0/24")],
    )).result()
    gw_subnet, app_subnet = (s.id for s in vnet.subnets)

    # A Basic public IP is Dynamic: no address until a NIC takes it.
    pip = net.public_ip_addresses.begin_create_or_update(rg, "gw-ip", PublicIPAddress(
        location="eastus", sku=PublicIPAddressSku(name="Basic"),
        public_ip_allocation_method="Dynamic", tags={"role": "gateway"},
    )).result()
    assert (pip.public_ip_allocation_method, pip.ip_address) == ("Dynamic", None)
    # A Standard one must be Static, as ARM refuses otherwise.
    with pytest.raises(HttpResponseError) as e:
        net.public_ip_addresses.begin_create_or_update(rg, "bad", PublicIPAddress(
            location="eastus", sku=PublicIPAddressSku(name="Standard"),
            public_ip_allocation_method="Dynamic")).result()
    assert e.value.error.code == "StandardSkuPublicIPAddressesMustBeStatic"
    fixed = net.public_ip_addresses.begin_create_or_update(rg, "fixed-ip", PublicIPAddress(
        location="eastus", sku=PublicIPAddressSku(name="Standard"),
        public_ip_allocation_method="Static")).result()
    assert fixed.ip_address.startswith("20.4"), fixed.ip_address

    # The gateway's NIC: IP forwarding and the public IP, which now has an address and names
    # the NIC's IP configuration.
    gw_nic = net.network_interfaces.begin_create_or_update(
        rg, "gw-nic", nic_body(gw_subnet, pip.id, forwarding=True)).result()
    assert gw_nic.enable_ip_forwarding is True
    assert gw_nic.ip_configurations[0].public_ip_address.id == pip.id
    pip = net.public_ip_addresses.get(rg, "gw-ip")
    assert pip.ip_address and pip.ip_address.startswith("20.4"), pip.ip_address
    assert pip.ip_configuration.id == gw_nic.ip_configurations[0].id
    address = pip.ip_address
    # One NIC at a time, and not deleted while in use.
    with pytest.raises(HttpResponseError) as e:
        net.network_interfaces.begin_create_or_update(
            rg, "other-nic", nic_body(app_subnet, pip.id)).result()
    assert e.value.error.code == "PublicIPAddressInUse"
    with pytest.raises(HttpResponseError) as e:
        net.public_ip_addresses.begin_delete(rg, "gw-ip").result()
    assert e.value.error.code == "PublicIPAddressCannotBeDeleted"
    assert sorted(p.name for p in net.public_ip_addresses.list(rg)) == ["fixed-ip", "gw-ip"]
    assert sorted(p.name for p in net.public_ip_addresses.list_all()) == ["fixed-ip", "gw-ip"]

    # The gateway VM boots with its tunnel configuration as custom data; GET never shows it.
    custom = base64.b64encode(CONFIG.encode()).decode()
    gw = compute.virtual_machines.begin_create_or_update(
        rg, "gw", vm_body(gw_nic.id, custom)).result()
    assert gw.os_profile is None or gw.os_profile.custom_data is None
    assert compute.virtual_machines.get(rg, "gw").network_profile.network_interfaces[0].id == gw_nic.id
    app_nic = net.network_interfaces.begin_create_or_update(
        rg, "app-nic", nic_body(app_subnet)).result()
    app = compute.virtual_machines.begin_create_or_update(rg, "app", vm_body(app_nic.id)).result()
    assert power(compute, rg, "gw") == ("PowerState/running", "VM running")
    assert reach_json(server, app.id, gw.id)["reachable"]

    # Deallocated through Azure's own API: the instance view says so, the Dynamic address is
    # released (the Static one elsewhere stays), and reach names the VM.
    compute.virtual_machines.begin_deallocate(rg, "gw").result()
    assert power(compute, rg, "gw") == ("PowerState/deallocated", "VM deallocated")
    assert net.public_ip_addresses.get(rg, "gw-ip").ip_address is None
    assert net.public_ip_addresses.get(rg, "fixed-ip").ip_address == fixed.ip_address
    v = reach_json(server, app.id, gw.id)
    assert not v["reachable"]
    [b] = v["blockers"]
    assert b["code"] == "INSTANCE_NOT_RUNNING", b
    assert b["component"]["id"].endswith("/virtualMachines/gw") and "deallocated" in b["detail"], b
    assert b["fix"].startswith("start "), b
    # powerOff of a deallocated VM is refused, as ARM refuses it.
    with pytest.raises(HttpResponseError) as e:
        compute.virtual_machines.begin_power_off(rg, "gw").result()
    assert e.value.error.code == "OperationNotAllowed"
    expanded = compute.virtual_machines.get(rg, "gw", expand="instanceView")
    assert "PowerState/deallocated" in [s.code for s in expanded.instance_view.statuses]

    # Started again: running, an address again (the lowest free: the one it had), reachable.
    compute.virtual_machines.begin_start(rg, "gw").result()
    assert power(compute, rg, "gw") == ("PowerState/running", "VM running")
    assert net.public_ip_addresses.get(rg, "gw-ip").ip_address == address
    assert reach_json(server, app.id, gw.id)["reachable"]

    # Powered off: stopped, the address kept, and not reachable.
    compute.virtual_machines.begin_power_off(rg, "gw").result()
    assert power(compute, rg, "gw") == ("PowerState/stopped", "VM stopped")
    assert net.public_ip_addresses.get(rg, "gw-ip").ip_address == address
    assert reach_json(server, app.id, gw.id)["blockers"][0]["code"] == "INSTANCE_NOT_RUNNING"
