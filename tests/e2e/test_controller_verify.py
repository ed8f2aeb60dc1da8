"""`vpcpeer apply --verify`: after the apply, for every link and opening, an instance on each side
reaches one on the other through the server's reachability engine. Two AWS accounts in two
regions, a subnet and an instance each (made with boto3, the user's own): verify says reachable
both ways; a network ACL entry of the user's that denies the port is named as the blocker, with
exit status 2; a link without instances is reported as not checked; destroy stops at a VPC that
still holds the user's instances, with EC2's refusal."""

import subprocess

from conftest import BIN

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
