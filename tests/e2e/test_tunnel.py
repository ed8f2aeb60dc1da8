"""Encrypted tunnels between `vpcpeer-gateway` instances, driven through the real clients: two
VPCs in two regions (no peering), each with a public subnet (internet gateway and route), a
gateway instance of the built-in gateway image (found by DescribeImages) whose rendered
configuration travels in its user data (boto3 encodes `UserData` for RunInstances itself, the
aws CLI too), an Elastic IP, its source/destination check off and a group admitting the
tunnel's UDP from the other gateway's address; each workload table routes the other VPC to its
gateway. `vpcpeer reach` between the workloads says reachable, hop by hop through the tunnel;
`aws ec2 stop-instances` on a gateway makes it name TUNNEL_GATEWAY_NOT_RUNNING. Also the user
data attribute (DescribeInstanceAttribute, ModifyInstanceAttribute only while stopped) and the
16 KB limit."""

import base64
import json
import os
import subprocess

from conftest import ACCOUNT_A, BIN, fails, two_tier_vpc
from gateway_config import public_key, render, test_x25519_rfc7748_vectors  # noqa: F401


def gateway_image(ec2):
    images = ec2.describe_images(Filters=[{"Name": "name", "Values": ["vpcpeer-gateway"]}])[
        "Images"]
    assert len(images) == 1, images
    assert images[0]["ImageOwnerAlias"] == "vpcpeer"
    return images[0]["ImageId"]


def side(ec2, n):
    """VPC 10.n.0.0/16: public 10.n.1.0/24 (main table 0/0 → igw), workload 10.n.2.0/24 (own
    table); a gateway group admitting tcp/443 from 10/8."""
    ids = two_tier_vpc(ec2, n, "gw", "gateway", "10.0.0.0/8")
    eip = ec2.allocate_address(Domain="vpc")
    return dict(vpc=ids["vpc"], public=ids["public"], workload=ids["private"], rtb=ids["rtb"],
                sg=ids["sg"], eip=eip["AllocationId"], ip=eip["PublicIp"])


def reach(server, src, dst):
    p = subprocess.run(
        [BIN, "reach", "--endpoint", server.url, "--account", ACCOUNT_A, "--from", src,
         "--to", dst, "--protocol", "tcp", "--port", "443", "--output", "json"],
        capture_output=True, text=True, timeout=30)
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)


def test_two_gateways_carry_traffic_until_one_is_stopped(server):
    east, west = server.ec2(region="us-east-1"), server.ec2(region="us-west-2")
    e, w = side(east, 10), side(west, 20)
    ke, kw = os.urandom(32), os.urandom(32)
    east_text = render("east-gw", ke, [dict(name="west-gw", public=public_key(kw),
                                            endpoint=f"{w['ip']}:51820",
                                            allowed=["10.20.0.0/16"])])
    west_text = render("west-gw", kw, [dict(name="east-gw", public=public_key(ke),
                                            endpoint=f"{e['ip']}:51820",
                                            allowed=["10.10.0.0/16"])])
    # East through boto3 (it base64-encodes UserData), west through the aws CLI (likewise).
    egw = east.run_instances(ImageId=gateway_image(east), MinCount=1, MaxCount=1,
                             SubnetId=e["public"], SecurityGroupIds=[e["sg"]],
                             UserData=east_text)["Instances"][0]["InstanceId"]
    wgw = server.cli("ec2", "run-instances", "--image-id", gateway_image(west), "--count", "1",
                     "--subnet-id", w["public"], "--security-group-ids", w["sg"],
                     "--user-data", west_text, region="us-west-2")["Instances"][0]["InstanceId"]
    # The user data comes back as it was given, base64 on the wire.
    got = east.describe_instance_attribute(InstanceId=egw, Attribute="userData")["UserData"]
    assert base64.b64decode(got["Value"]).decode() == east_text
    got = server.cli("ec2", "describe-instance-attribute", "--instance-id", wgw, "--attribute",
                     "userData", region="us-west-2")["UserData"]
    assert base64.b64decode(got["Value"]).decode() == west_text
    for ec2, s, gw, other in [(east, e, egw, w), (west, w, wgw, e)]:
        ec2.modify_instance_attribute(InstanceId=gw, SourceDestCheck={"Value": False})
        ec2.associate_address(AllocationId=s["eip"], InstanceId=gw)
        ec2.authorize_security_group_ingress(GroupId=s["sg"], IpPermissions=[
            {"IpProtocol": "udp", "FromPort": 51820, "ToPort": 51820,
             "IpRanges": [{"CidrIp": f"{other['ip']}/32"}]}])
    east.create_route(RouteTableId=e["rtb"], DestinationCidrBlock="10.20.0.0/16",
                      InstanceId=egw)
    west.create_route(RouteTableId=w["rtb"], DestinationCidrBlock="10.10.0.0/16",
                      InstanceId=wgw)
    app = east.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                             SubnetId=e["workload"])["Instances"][0]["InstanceId"]
    web_sg = west.create_security_group(GroupName="web", Description="web", VpcId=w["vpc"])[
        "GroupId"]
    west.authorize_security_group_ingress(GroupId=web_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "10.10.0.0/16"}]}])
    web = west.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                             SubnetId=w["workload"], SecurityGroupIds=[web_sg])[
        "Instances"][0]["InstanceId"]

    v = reach(server, app, web)
    assert v["reachable"] is True, v["blockers"]
    kinds = [h["component"]["kind"] for h in v["forward"]]
    ids = [h["component"]["id"] for h in v["forward"]]
    assert "tunnel" in kinds, kinds
    order = [ids.index(app), ids.index(egw), kinds.index("tunnel"), ids.index(wgw),
             ids.index(web)]
    assert order == sorted(order), list(zip(kinds, ids))
    assert "tunnel" in [h["component"]["kind"] for h in v["return"]]

    # The user data changes only while the instance is stopped.
    fails("IncorrectInstanceState", west.modify_instance_attribute, InstanceId=wgw,
          UserData={"Value": west_text.encode()})

    # Stopping the far gateway through the aws CLI: the tunnel carries nothing.
    server.cli("ec2", "stop-instances", "--instance-ids", wgw, region="us-west-2")
    v = reach(server, app, web)
    assert v["reachable"] is False
    codes = [(b["code"], b["leg"]) for b in v["blockers"]]
    assert ("TUNNEL_GATEWAY_NOT_RUNNING", "forward") in codes, codes
    blocker = next(b for b in v["blockers"] if b["code"] == "TUNNEL_GATEWAY_NOT_RUNNING")
    assert blocker["component"]["id"] == wgw
    assert blocker["fix"] == f"start {wgw}", blocker["fix"]

    # Stopped: the user data can change (here: a key that no longer matches), and starting it
    # again brings the tunnel up only as far as the keys allow.
    wrong = render("west-gw", kw, [dict(name="east-gw", public=public_key(os.urandom(32)),
                                        endpoint=f"{e['ip']}:51820",
                                        allowed=["10.10.0.0/16"])])
    west.modify_instance_attribute(InstanceId=wgw, UserData={"Value": wrong.encode()})
    west.start_instances(InstanceIds=[wgw])
    v = reach(server, app, web)
    assert [b["code"] for b in v["blockers"]] == ["TUNNEL_KEY_MISMATCH"], v["blockers"]


def test_user_data_limit_and_empty_attribute(server):
    ec2 = server.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    fails("InvalidParameterValue", ec2.run_instances, ImageId="ami-12345678", MinCount=1,
          MaxCount=1, SubnetId=subnet, UserData="x" * (16 * 1024 + 1))
    i = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet,
                          UserData="x" * (16 * 1024))["Instances"][0]["InstanceId"]
    got = ec2.describe_instance_attribute(InstanceId=i, Attribute="userData")["UserData"]
    assert base64.b64decode(got["Value"]) == b"x" * (16 * 1024)
    plain = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                              SubnetId=subnet)["Instances"][0]["InstanceId"]
    assert ec2.describe_instance_attribute(InstanceId=plain, Attribute="userData")[
        "UserData"] == {}
