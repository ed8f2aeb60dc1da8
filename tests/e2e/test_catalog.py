"""The catalogue area with boto3 and the aws CLI: key pairs (create both types, import,
describe, delete; the keys are real: `ssh-keygen -y` derives the public key AWS shows),
launch templates (create, versions, describe, launch from one into the default VPC without a
subnet, the request winning, delete), DescribeInstanceTypes/-Offerings, DescribeImages,
DescribeRegions (AllRegions) and DescribeAvailabilityZones (names and ids), and the error
fidelity answers of issue 11 (point 3)."""

import os
import shutil
import subprocess

import pytest

from conftest import ACCOUNT_B, cli_error_code, fails

AMI = "ami-0abcdef1234567890"


def derive_public_key(tmp_path, material):
    """`ssh-keygen -y` of a private key: its public key line (type and base64)."""
    path = tmp_path / "key"
    path.write_text(material + "\n")
    os.chmod(path, 0o600)
    out = subprocess.run(
        [shutil.which("ssh-keygen") or "ssh-keygen", "-y", "-f", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout
    return " ".join(out.split()[:2])


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
@pytest.mark.parametrize("key_type", ["rsa", "ed25519"])
def test_created_keys_are_real_keys(server, tmp_path, key_type):
    ec2 = server.ec2()
    made = ec2.create_key_pair(KeyName=f"k-{key_type}", KeyType=key_type)
    assert made["KeyPairId"].startswith("key-")
    described = ec2.describe_key_pairs(KeyNames=[made["KeyName"]], IncludePublicKey=True)
    pair = described["KeyPairs"][0]
    assert pair["KeyFingerprint"] == made["KeyFingerprint"]
    assert pair["KeyType"] == key_type
    derived = derive_public_key(tmp_path, made["KeyMaterial"])
    assert pair["PublicKey"].startswith(derived)


def test_key_pairs_with_boto3(server):
    ec2 = server.ec2()
    ec2.create_key_pair(
        KeyName="deploy",
        KeyType="ed25519",
        TagSpecifications=[{"ResourceType": "key-pair", "Tags": [{"Key": "team", "Value": "net"}]}],
    )
    fails("InvalidKeyPair.Duplicate", ec2.create_key_pair, KeyName="deploy")
    line = b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea me@host"
    imported = ec2.import_key_pair(KeyName="laptop", PublicKeyMaterial=line)
    assert imported["KeyFingerprint"].endswith("=")
    fails("InvalidKey.Format", ec2.import_key_pair, KeyName="bad", PublicKeyMaterial=b"not a key")
    names = {k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]}
    assert names == {"deploy", "laptop"}
    tagged = ec2.describe_key_pairs(Filters=[{"Name": "tag:team", "Values": ["net"]}])["KeyPairs"]
    assert [k["KeyName"] for k in tagged] == ["deploy"]
    fp = ec2.describe_key_pairs(Filters=[{"Name": "fingerprint", "Values": [imported["KeyFingerprint"]]}])
    assert [k["KeyName"] for k in fp["KeyPairs"]] == ["laptop"]
    fails("InvalidKeyPair.NotFound", ec2.describe_key_pairs, KeyNames=["nope"])
    ec2.delete_key_pair(KeyName="deploy")
    ec2.delete_key_pair(KeyName="deploy")  # idempotent, as AWS
    ec2.delete_key_pair(KeyPairId=imported["KeyPairId"])
    assert ec2.describe_key_pairs()["KeyPairs"] == []


def test_key_pairs_with_the_cli(server, tmp_path):
    made = server.cli("ec2", "create-key-pair", "--key-name", "cli-key", "--key-type", "ed25519")
    assert made["KeyMaterial"].startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    pub = tmp_path / "id.pub"
    pub.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea x\n")
    imported = server.cli("ec2", "import-key-pair", "--key-name", "from-file",
                          "--public-key-material", f"fileb://{pub}")
    assert imported["KeyName"] == "from-file"
    listed = server.cli("ec2", "describe-key-pairs")["KeyPairs"]
    assert sorted(k["KeyName"] for k in listed) == ["cli-key", "from-file"]
    p = server.cli("ec2", "describe-key-pairs", "--key-names", "missing", check=False)
    assert cli_error_code(p) == "InvalidKeyPair.NotFound"
    server.cli("ec2", "delete-key-pair", "--key-name", "cli-key")
    p = server.cli("ec2", "run-instances", "--image-id", AMI, "--key-name", "cli-key", check=False)
    assert p.returncode != 0


def test_launch_template_into_the_default_vpc(fresh_server):
    server = fresh_server(default_vpc=True)
    ec2 = server.ec2()
    ec2.create_key_pair(KeyName="ops", KeyType="ed25519")
    lt = ec2.create_launch_template(
        LaunchTemplateName="web",
        VersionDescription="first",
        LaunchTemplateData={
            "ImageId": AMI,
            "InstanceType": "t3.micro",
            "KeyName": "ops",
            "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "role", "Value": "web"}]}],
        },
    )["LaunchTemplate"]
    assert lt["LaunchTemplateId"].startswith("lt-")
    assert (lt["DefaultVersionNumber"], lt["LatestVersionNumber"]) == (1, 1)
    fails("InvalidLaunchTemplateName.AlreadyExistsException", ec2.create_launch_template,
          LaunchTemplateName="web", LaunchTemplateData={"ImageId": AMI})
    v2 = ec2.create_launch_template_version(
        LaunchTemplateId=lt["LaunchTemplateId"], SourceVersion="1",
        LaunchTemplateData={"InstanceType": "t3.small"},
    )["LaunchTemplateVersion"]
    assert v2["VersionNumber"] == 2
    assert v2["LaunchTemplateData"]["ImageId"] == AMI
    # No subnet anywhere: the launch goes to the default VPC, with the template's data.
    run = ec2.run_instances(MinCount=1, MaxCount=1,
                            LaunchTemplate={"LaunchTemplateName": "web"})
    i = run["Instances"][0]
    assert (i["InstanceType"], i["ImageId"], i["KeyName"]) == ("t3.micro", AMI, "ops")
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    assert i["VpcId"] == default_vpc["VpcId"]
    assert {"Key": "role", "Value": "web"} in i["Tags"]
    # The request wins over $Latest.
    run = ec2.run_instances(MinCount=1, MaxCount=1, InstanceType="m5.large",
                            LaunchTemplate={"LaunchTemplateId": lt["LaunchTemplateId"],
                                            "Version": "$Latest"})
    assert run["Instances"][0]["InstanceType"] == "m5.large"
    described = ec2.describe_instances(Filters=[{"Name": "key-name", "Values": ["ops"]}])
    assert sum(len(r["Instances"]) for r in described["Reservations"]) == 2
    versions = ec2.describe_launch_template_versions(LaunchTemplateName="web")["LaunchTemplateVersions"]
    assert sorted(v["VersionNumber"] for v in versions) == [1, 2]
    fails("InvalidLaunchTemplateId.VersionNotFound", ec2.run_instances, MinCount=1, MaxCount=1,
          LaunchTemplate={"LaunchTemplateName": "web", "Version": "9"})
    fails("InvalidLaunchTemplateName.NotFoundException", ec2.run_instances, MinCount=1,
          MaxCount=1, LaunchTemplate={"LaunchTemplateName": "nope"})
    # The CLI sees the same templates, and deletes one.
    listed = server.cli("ec2", "describe-launch-templates")["LaunchTemplates"]
    assert [t["LaunchTemplateName"] for t in listed] == ["web"]
    server.cli("ec2", "delete-launch-template", "--launch-template-name", "web")
    p = server.cli("ec2", "delete-launch-template", "--launch-template-name", "web", check=False)
    assert cli_error_code(p) == "InvalidLaunchTemplateName.NotFoundException"


def test_instance_types_offerings_and_images(server):
    ec2 = server.ec2()
    pages = ec2.get_paginator("describe_instance_types").paginate(
        Filters=[{"Name": "instance-type", "Values": ["t3.*"]}], PaginationConfig={"PageSize": 5})
    types = [t["InstanceType"] for page in pages for t in page["InstanceTypes"]]
    assert sorted(types) == sorted(["t3.nano", "t3.micro", "t3.small", "t3.medium", "t3.large",
                                    "t3.xlarge", "t3.2xlarge"])
    micro = ec2.describe_instance_types(InstanceTypes=["t2.micro"])["InstanceTypes"][0]
    assert micro["VCpuInfo"]["DefaultVCpus"] == 1 and micro["MemoryInfo"]["SizeInMiB"] == 1024
    fails("InvalidInstanceType", ec2.describe_instance_types, InstanceTypes=["t9.huge"])
    zones = ec2.describe_instance_type_offerings(
        LocationType="availability-zone-id",
        Filters=[{"Name": "instance-type", "Values": ["t3.micro"]}])["InstanceTypeOfferings"]
    assert sorted(z["Location"] for z in zones) == [f"use1-az{n}" for n in range(1, 7)]
    cli = server.cli("ec2", "describe-instance-types", "--instance-types", "m5.large")
    assert cli["InstanceTypes"][0]["NetworkInfo"]["MaximumNetworkInterfaces"] == 3
    images = ec2.describe_images(Owners=["amazon"], Filters=[
        {"Name": "name", "Values": ["al2023-ami-*"]},
        {"Name": "architecture", "Values": ["arm64"]}])["Images"]
    assert len(images) == 1 and images[0]["State"] == "available"
    # Image ids differ per region.
    fails("InvalidAMIID.NotFound", server.ec2(region="us-west-2").describe_images,
          ImageIds=[images[0]["ImageId"]])
    fails("InvalidAMIID.NotFound", ec2.describe_images, ImageIds=["ami-0123456789abcdef0"])
    ubuntu = server.cli("ec2", "describe-images", "--owners", "099720109477")["Images"]
    assert len(ubuntu) == 2
    # An unknown instance type is refused at launch; a real one outside the catalogue is not.
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    fails("InvalidParameterValue", ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1,
          SubnetId=subnet, InstanceType="t2.micr")
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, InstanceType="c6i.large")


def test_regions_and_zones(server):
    ec2 = server.ec2()
    regions = ec2.describe_regions(AllRegions=True)["Regions"]
    assert len(regions) == 34
    status = {r["RegionName"]: r["OptInStatus"] for r in regions}
    assert status["us-east-1"] == "opt-in-not-required"
    assert status["af-south-1"] == "opted-in"
    cli = server.cli("ec2", "describe-regions", "--filters", "Name=opt-in-status,Values=opted-in")
    assert "us-east-1" not in [r["RegionName"] for r in cli["Regions"]]
    zones = ec2.describe_availability_zones(AllAvailabilityZones=True)["AvailabilityZones"]
    assert [(z["ZoneName"], z["ZoneId"]) for z in zones] == [
        (f"us-east-1{letter}", f"use1-az{n}") for n, letter in enumerate("abcdef", 1)]
    tokyo = server.cli("ec2", "describe-availability-zones", region="ap-northeast-1")
    assert [z["ZoneId"] for z in tokyo["AvailabilityZones"]] == ["apne1-az4", "apne1-az1", "apne1-az2"]


def test_error_fidelity(server):
    ec2 = server.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for n in range(1, 5):
        ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock=f"10.{n}.0.0/16")
    msg = fails("CidrLimitExceeded", ec2.associate_vpc_cidr_block, VpcId=vpc, CidrBlock="10.9.0.0/16")
    assert msg == f"This network {vpc} has met its maximum number of allowed CIDRs: 5"
    fails("InvalidGroupId.Malformed", ec2.describe_security_group_rules,
          Filters=[{"Name": "group-id", "Values": ["bogus"]}])
    p = server.cli("ec2", "describe-security-group-rules", "--filters",
                   "Name=group-id,Values=bogus", check=False)
    assert cli_error_code(p) == "InvalidGroupId.Malformed"
    peer = server.ec2(account=ACCOUNT_B, region="us-west-2")
    peer_vpc = peer.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    pcx = ec2.create_vpc_peering_connection(
        VpcId=vpc, PeerVpcId=peer_vpc, PeerOwnerId=ACCOUNT_B, PeerRegion="us-west-2",
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    wrong = server.ec2(account=ACCOUNT_B, region="us-east-1")
    msg = fails("OperationNotPermitted", wrong.reject_vpc_peering_connection,
                VpcPeeringConnectionId=pcx)
    assert msg.startswith("Incorrect region (us-east-1)")
    peer.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)
