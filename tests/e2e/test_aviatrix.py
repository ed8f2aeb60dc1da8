"""The Aviatrix-compatible API (`/v2/api`) against a real server, driven the way Aviatrix
automation drives a controller (form posts, a CID), with boto3 for what the user makes in the
cloud (two VPCs with public subnets, an instance in each) and `vpcpeer reach` for the verdict.

A gateway with its HA backup in each VPC and an encrypted HA peering, all through `/v2/api`:
then `list_peer_vpc_pairs` shows the pair `active`, EC2 shows the gateways' instances and the
routes to them, `vpcpeer reach` finds the instances reachable through the tunnel, and after
`unpeer_vpc_pair` the routes are gone and the path is not. A server of its own: the Aviatrix
state outlives `/_vpcpeer/reset`.
"""

import base64
import json

from conftest import ACCOUNT_A, reach_json


def avx(server, **fields):
    status, text = server.raw(fields, path="/v2/api")
    assert status == 200, text
    return json.loads(text)


def ok(server, **fields):
    v = avx(server, **fields)
    assert v["return"] is True, (fields, v)
    return v


def public_vpc(ec2, cidr, blocks):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=b, AvailabilityZone=z)["Subnet"]["SubnetId"]
               for b, z in zip(blocks, ["us-east-1a", "us-east-1b", "us-east-1a"])]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rtb = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    return vpc, subnets, rtb


def instance(ec2, vpc, subnet, peer_block):
    group = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}],
    )["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": peer_block}]}])
    return ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1,
                             MaxCount=1, SubnetId=subnet)["Instances"][0]


def test_encrypted_ha_peering_through_v2_api_carries_traffic(fresh_server, monkeypatch):
    monkeypatch.setenv("VPCPEER_GATEWAY_SECRET", base64.b64encode(bytes(32)).decode())
    server = fresh_server()
    ec2 = server.ec2()
    vpc1, subs1, rtb1 = public_vpc(ec2, "10.1.0.0/16", ["10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/24"])
    vpc2, subs2, _ = public_vpc(ec2, "10.2.0.0/16", ["10.2.0.0/24", "10.2.1.0/24", "10.2.2.0/24"])
    a = instance(ec2, vpc1, subs1[2], "10.2.0.0/16")
    b = instance(ec2, vpc2, subs2[2], "10.1.0.0/16")

    assert avx(server, action="list_accounts", CID="x") == {
        "return": False, "reason": "CID is invalid or expired."}
    cid = ok(server, action="login", username="admin", password="secret")["CID"]
    ok(server, action="setup_account_profile", CID=cid, account_name="aws-main", cloud_type="1",
       aws_account_number=ACCOUNT_A, aws_iam="true")
    for gw, vpc, subs in (("app-gw", vpc1, subs1), ("db-gw", vpc2, subs2)):
        ok(server, action="connect_container", CID=cid, cloud_type="1", account_name="aws-main",
           gw_name=gw, vpc_id=vpc, vpc_reg="us-east-1", gw_size="t3.small", subnet=subs[0],
           zone="us-east-1a")
        ok(server, action="create_peering_ha_gateway", CID=cid, gw_name=gw,
           peering_ha_subnet=subs[1], peering_ha_zone="us-east-1b")
    dup = avx(server, action="peer_vpc_pair", CID=cid, vpc_name1="app-gw", vpc_name2="app-gw")
    assert dup["return"] is False, dup
    ok(server, action="peer_vpc_pair", CID=cid, vpc_name1="app-gw", vpc_name2="db-gw",
       ha_enabled="yes")
    again = avx(server, action="peer_vpc_pair", CID=cid, vpc_name1="db-gw", vpc_name2="app-gw")
    assert "already exists" in again["reason"], again

    (pair,) = ok(server, action="list_peer_vpc_pairs", CID=cid)["results"]["pair_list"]
    assert (pair["vpc_name1"], pair["vpc_name2"], pair["peering_state"],
            pair["peering_ha_status"], pair["enable_ha"]) == (
        "app-gw", "db-gw", "active", "active", "yes"), pair
    info = ok(server, action="get_gateway_info", CID=cid, gw_name="db-gw")["results"]
    assert info["gw_state"] == "up" and info["peering_ha_gw_name"] == "db-gw-hagw", info

    # EC2 shows the gateways (two primaries, two backups) beside the two instances, and vpc1's
    # table sends vpc2's block to a gateway instance.
    running = [i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]
               if i["State"]["Name"] == "running"]
    assert len(running) == 6, running
    public = {i.get("PublicIpAddress") for i in running}
    assert info["public_ip"] in public, (info, public)
    routes = ec2.describe_route_tables(RouteTableIds=[rtb1])["RouteTables"][0]["Routes"]
    (to_b,) = [r for r in routes if r.get("DestinationCidrBlock") == "10.2.0.0/16"]
    assert to_b.get("InstanceId", "").startswith("i-"), to_b

    # The gateways' security groups admit the tunnel from their peers and every protocol from
    # their own VPC (the traffic they forward), as Aviatrix's gateway groups do: reachable as
    # soon as the peering is made.
    gateways = [i for i in running if i["InstanceId"] not in (a["InstanceId"], b["InstanceId"])]
    for g in {sg["GroupId"] for i in gateways for sg in i["SecurityGroups"]}:
        (group,) = ec2.describe_security_groups(GroupIds=[g])["SecurityGroups"]
        inner = [p for p in group["IpPermissions"] if p["IpProtocol"] == "-1"]
        assert [r["CidrIp"] for p in inner for r in p["IpRanges"]] in (["10.1.0.0/16"],
                                                                       ["10.2.0.0/16"]), group
    verdict = reach_json(server, a["InstanceId"], f"{b['PrivateIpAddress']}@{vpc2}")
    assert verdict["reachable"] is True, json.dumps(verdict, indent=1)
    assert any(h["component"]["kind"] == "tunnel" for h in verdict["forward"]), verdict["forward"]

    ok(server, action="unpeer_vpc_pair", CID=cid, vpc_name1="db-gw", vpc_name2="app-gw")
    assert ok(server, action="list_peer_vpc_pairs", CID=cid)["results"]["pair_list"] == []
    routes = ec2.describe_route_tables(RouteTableIds=[rtb1])["RouteTables"][0]["Routes"]
    assert not [r for r in routes if r.get("DestinationCidrBlock") == "10.2.0.0/16"], routes
    verdict = reach_json(server, a["InstanceId"], f"{b['PrivateIpAddress']}@{vpc2}")
    assert verdict["reachable"] is False, json.dumps(verdict, indent=1)
