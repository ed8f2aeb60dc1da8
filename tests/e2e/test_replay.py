"""The command log, end to end: a workload driven through the real SDKs of all three clouds is
listed by `GET /_vpcpeer/log`, and posting that log to a fresh server (`POST /_vpcpeer/replay`)
rebuilds a world that every SDK describes exactly as on the first server."""

import json

from google.cloud import compute_v1

from conftest import ACCOUNT_A, ACCOUNT_B, DAY, custom_network, make_vpc
from test_azure import S1, Azure

PROJECT = "replay-proj"


def workload(s):
    """A bit of everything, across accounts, clouds and time."""
    a, b = s.ec2(ACCOUNT_A), s.ec2(ACCOUNT_B)
    va = make_vpc(a, "10.0.0.0/16",
                  TagSpecifications=[{"ResourceType": "vpc",
                                      "Tags": [{"Key": "Name", "Value": "a"}]}])["VpcId"]
    vb = make_vpc(b, "10.1.0.0/16")["VpcId"]
    vc = make_vpc(b, "10.2.0.0/16")["VpcId"]
    a.associate_vpc_cidr_block(VpcId=va, CidrBlock="10.50.0.0/16")
    sub = a.create_subnet(VpcId=va, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    sg = a.create_security_group(GroupName="web", Description="web", VpcId=va)["GroupId"]
    a.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": "10.1.0.0/16"}]}])
    a.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1, SubnetId=sub,
                    SecurityGroupIds=[sg])
    igw = a.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    a.attach_internet_gateway(InternetGatewayId=igw, VpcId=va)
    acl = a.create_network_acl(VpcId=va)["NetworkAcl"]["NetworkAclId"]
    a.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                               RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0",
                               PortRange={"From": 443, "To": 443})
    pcx = a.create_vpc_peering_connection(VpcId=va, PeerVpcId=vb, PeerOwnerId=ACCOUNT_B)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    rtb = a.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [va]}])[
        "RouteTables"][0]["RouteTableId"]
    a.create_route(RouteTableId=rtb, DestinationCidrBlock="10.1.0.0/16",
                   VpcPeeringConnectionId=pcx)
    a.create_tags(Resources=[pcx, sg], Tags=[{"Key": "team", "Value": "net"}])
    a.delete_tags(Resources=[sg], Tags=[{"Key": "team"}])
    pending = a.create_vpc_peering_connection(VpcId=va, PeerVpcId=vc, PeerOwnerId=ACCOUNT_B)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    s.advance(8 * DAY)  # the pending request expires
    a.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert pending

    # GCP: two custom networks peered both ways, a firewall and a static route.
    na = custom_network(s, PROJECT, "net-a", "10.10.0.0/20")
    nb = custom_network(s, PROJECT, "net-b", "10.20.0.0/20")
    nets = s.gcp(compute_v1.NetworksClient)
    for net, peer, name in (("net-a", nb, "a-b"), ("net-b", na, "b-a")):
        nets.add_peering(
            project=PROJECT, network=net,
            networks_add_peering_request_resource=compute_v1.NetworksAddPeeringRequest(
                network_peering=compute_v1.NetworkPeering(
                    name=name, network=peer, exchange_subnet_routes=True)),
        ).result()
    s.gcp(compute_v1.FirewallsClient).insert(project=PROJECT, firewall_resource=compute_v1.Firewall(
        name="allow-ssh", network=na, direction="INGRESS", source_ranges=["10.20.0.0/20"],
        allowed=[compute_v1.Allowed(I_p_protocol="tcp", ports=["22"])])).result()

    # Azure: two VNets peered both ways and an NSG.
    az = Azure(s, S1)
    rg = az.group("rg")
    va_ = az.vnet(rg, "vnet-a", ["10.30.0.0/16"], [("web", "10.30.1.0/24")])
    vb_ = az.vnet(rg, "vnet-b", ["10.31.0.0/16"])
    az.peer(rg, "vnet-a", "a-to-b", vb_.id, allow_virtual_network_access=True)
    az.peer(rg, "vnet-b", "b-to-a", va_.id, allow_virtual_network_access=True)
    from azure.mgmt.network.models import NetworkSecurityGroup, SecurityRule
    az.net.network_security_groups.begin_create_or_update(rg, "nsg", NetworkSecurityGroup(
        location="eastus", security_rules=[SecurityRule(
            name="https", priority=100, direction="Inbound", access="Allow", protocol="Tcp",
            source_address_prefix="*", source_port_range="*",
            destination_address_prefix="*", destination_port_range="443")])).result()


def snapshot(s):
    """What the SDKs describe, as text with the server's own address taken out."""
    out = {}
    for account in (ACCOUNT_A, ACCOUNT_B):
        ec2 = s.ec2(account)
        calls = {
            "vpcs": ec2.describe_vpcs, "subnets": ec2.describe_subnets,
            "route_tables": ec2.describe_route_tables,
            "security_groups": ec2.describe_security_groups,
            "acls": ec2.describe_network_acls, "igws": ec2.describe_internet_gateways,
            "pcxs": ec2.describe_vpc_peering_connections, "instances": ec2.describe_instances,
            "enis": ec2.describe_network_interfaces, "tags": ec2.describe_tags,
        }
        for name, call in calls.items():
            answer = call()
            answer.pop("ResponseMetadata", None)
            out[f"{account}/{name}"] = answer
    gcp = {
        "networks": s.gcp(compute_v1.NetworksClient).list(project=PROJECT),
        "subnetworks": s.gcp(compute_v1.SubnetworksClient).list(project=PROJECT,
                                                                  region="us-central1"),
        "firewalls": s.gcp(compute_v1.FirewallsClient).list(project=PROJECT),
        "routes": s.gcp(compute_v1.RoutesClient).list(project=PROJECT),
    }
    for name, pager in gcp.items():
        out[f"gcp/{name}"] = [type(x).to_dict(x) for x in pager]
    az = Azure(s, S1)
    out["az/vnets"] = [v.as_dict() for v in az.net.virtual_networks.list("rg")]
    out["az/peerings"] = [p.as_dict() for v in ("vnet-a", "vnet-b")
                          for p in az.net.virtual_network_peerings.list("rg", v)]
    out["az/nsgs"] = [n.as_dict() for n in az.net.network_security_groups.list("rg")]
    text = json.dumps(out, sort_keys=True, default=str)
    for url in (s.url, s.https_url):
        text = text.replace(url.split("://", 1)[1], "HOST")
    return text


def test_a_logged_workload_replays_to_the_same_world_on_a_fresh_server(fresh_server, tmp_path):
    one = fresh_server(data_dir=tmp_path / "one")
    workload(one)
    status, log = one.admin("GET", "/_vpcpeer/log?since=0&limit=10000")
    assert status == 200, log
    assert log["entries"] and log["first"] == 1 and log["last"] == len(log["entries"])
    clouds = {next(iter(e["command"])) for e in log["entries"]}
    assert clouds == {"aws", "gcp", "azure"}, clouds

    two = fresh_server(data_dir=tmp_path / "two")
    status, answer = two.admin("POST", "/_vpcpeer/replay", log)
    assert status == 200, answer
    assert answer["applied"] == len(log["entries"])
    # Reads depend on the clock (expiry, visibility windows): bring the second server's clock to
    # the first's.
    two.advance(max(0, (one.now_ms() - two.now_ms()) // 1000))
    assert snapshot(two) == snapshot(one)

    # The second server logged the same commands, and survives a restart with them.
    status, again = two.admin("GET", "/_vpcpeer/log?since=0&limit=10000")
    strip = [{k: e[k] for k in ("account", "at_ms", "command", "ids", "region")}
             for e in log["entries"]]
    assert [{k: e[k] for k in ("account", "at_ms", "command", "ids", "region")}
            for e in again["entries"]] == strip
    before = snapshot(two)
    two.stop()
    three = fresh_server(data_dir=tmp_path / "two")
    three.advance(max(0, (one.now_ms() - three.now_ms()) // 1000))
    assert snapshot(three) == before
