"""Smoke test: the harness starts a server and both real clients talk to it."""

from conftest import ACCOUNT_A


def test_boto3_and_cli_see_the_same_vpc(server):
    ec2 = server.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    out = server.cli("ec2", "describe-vpcs", "--vpc-ids", vpc["VpcId"])
    assert out["Vpcs"][0]["CidrBlock"] == "10.0.0.0/16"
    assert server.sts().get_caller_identity()["Account"] == ACCOUNT_A
