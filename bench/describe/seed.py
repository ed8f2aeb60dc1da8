"""Seeds the state bench/describe.sh measures, through boto3, into any EC2 endpoint (vpcpeer or
moto), and prints the ids the requests need as JSON on stdout.

The state: 60 pairs of VPCs (120 VPCs, distinct /24s of 10.0.0.0/8), one peering connection per
pair: the first 30 accepted (active), then 10 rejected, and the last 20 left pending-acceptance
(EC2 allows at most 25 outstanding requests per account); in each active
pair both main route tables route to the other VPC's block through the peering; every VPC carries
two tags. Account 111111111111 (the access key id), region us-east-1.

usage: python seed.py ENDPOINT
"""

import json
import sys

import boto3

PAIRS = 60
ACTIVE = 30
REJECTED = 10


def main() -> None:
    endpoint = sys.argv[1]
    ec2 = boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="111111111111",
        aws_secret_access_key="bench",
    )
    pcx_ids, vpc_ids = [], []
    for i in range(PAIRS):
        pair = []
        for side in range(2):
            n = 2 * i + side
            cidr = f"10.{n // 256}.{n % 256}.0/24"
            vpc = ec2.create_vpc(
                CidrBlock=cidr,
                TagSpecifications=[
                    {
                        "ResourceType": "vpc",
                        "Tags": [
                            {"Key": "Name", "Value": f"bench-{n}"},
                            {"Key": "pair", "Value": str(i)},
                        ],
                    }
                ],
            )["Vpc"]
            pair.append((vpc["VpcId"], cidr))
            vpc_ids.append(vpc["VpcId"])
        (a, a_cidr), (b, b_cidr) = pair
        pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]
        pcx_id = pcx["VpcPeeringConnectionId"]
        pcx_ids.append(pcx_id)
        if i < ACTIVE:
            ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
            for vpc, peer_cidr in ((a, b_cidr), (b, a_cidr)):
                table = ec2.describe_route_tables(
                    Filters=[
                        {"Name": "vpc-id", "Values": [vpc]},
                        {"Name": "association.main", "Values": ["true"]},
                    ]
                )["RouteTables"][0]["RouteTableId"]
                ec2.create_route(
                    RouteTableId=table,
                    DestinationCidrBlock=peer_cidr,
                    VpcPeeringConnectionId=pcx_id,
                )
        elif i < ACTIVE + REJECTED:
            ec2.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
    json.dump(
        {
            # An active peering in the middle of the table: its two main route tables route to it.
            "route_pcx": pcx_ids[ACTIVE // 2],
            # The VPC whose tag CreateTags overwrites.
            "tag_vpc": vpc_ids[PAIRS],
            "active": ACTIVE,
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
