"""The opt-in fault mode (`/_vpcpeer/faults`) seen by real SDKs: an armed throttle is refused as
the cloud refuses a throttled caller, so a client's own retry logic can be tested; so are a
resource not visible yet (`not_found`) and an operation in progress (`busy`). boto3 without
retries sees `RequestLimitExceeded` (HTTP 503) once and then succeeds; boto3's standard retry mode
retries through two throttles by itself; the Azure SDK retries a 429 `TooManyRequests` (with
`Retry-After: 0`) by itself. Faults are listed with their remaining counts, disarmed by DELETE and
by reset, and a bad arming body is a 400 with the admin API's error JSON."""

import botocore.config
import botocore.exceptions
import pytest

from conftest import (ACCOUNT_A, ACCOUNT_B, custom_network, error_code, error_message, http_status,
                      requested_peering)
from test_azure import Azure, S1


def ec2_attempts(server, total, mode="standard"):
    """A boto3 EC2 client making at most `total` attempts of a call (botocore's
    `total_max_attempts`, which counts the first attempt too; `server.ec2()` makes one)."""
    return server.boto3("ec2", ACCOUNT_A, "us-east-1", config=botocore.config.Config(
        retries={"mode": mode, "total_max_attempts": total}))


def arm(server, face, action, count, fault="throttle"):
    status, body = server.admin("POST", "/_vpcpeer/faults",
                                {"face": face, "action": action, "count": count, "fault": fault})
    assert status == 200, body
    return body


def armed(server):
    status, body = server.admin("GET", "/_vpcpeer/faults")
    assert status == 200, body
    return [(f["face"], f["action"], f["count"]) for f in body["faults"]]


def test_boto3_without_retries_sees_one_throttle_then_succeeds(server):
    ec2 = ec2_attempts(server, 1)  # no retries
    assert arm(server, "aws", "DescribeVpcs", 1) == {
        "faults": [{"action": "DescribeVpcs", "count": 1, "face": "aws", "fault": "throttle"}]}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpcs()
    assert error_code(e) == "RequestLimitExceeded"
    assert error_message(e) == "Request limit exceeded."
    assert http_status(e) == 503
    assert armed(server) == []
    assert ec2.describe_vpcs()["Vpcs"] == []


def test_boto3_standard_retry_mode_retries_through_two_throttles(server):
    ec2 = ec2_attempts(server, 3)
    arm(server, "aws", "CreateVpc", 2)
    answer = ec2.create_vpc(CidrBlock="10.0.0.0/16")
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert armed(server) == []
    # The throttled attempts created nothing: one VPC.
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]] == [answer["Vpc"]["VpcId"]]


def test_boto3_gives_up_when_throttled_past_its_attempts(server):
    ec2 = ec2_attempts(server, 2)
    arm(server, "aws", "CreateVpc", 5)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc(CidrBlock="10.0.0.0/16")
    assert error_code(e) == "RequestLimitExceeded"
    assert e.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert armed(server) == [("aws", "CreateVpc", 3)]
    assert ec2.describe_vpcs()["Vpcs"] == []


def test_azure_sdk_retries_a_throttled_vnet_put_by_itself(server):
    az = Azure(server, S1)
    az.group("rg")
    arm(server, "azure", "Microsoft.Network/virtualNetworks/write", 1)
    vnet = az.vnet("rg", "v", ["10.0.0.0/16"])
    assert vnet.address_space.address_prefixes == ["10.0.0.0/16"]
    assert armed(server) == []
    assert [v.name for v in az.net.virtual_networks.list("rg")] == ["v"]


def test_a_boto3_waiter_waits_out_a_peering_not_visible_yet(server):
    """Eventual consistency as AWS shows it right after a create: the new peering is not found
    for a while. boto3's `vpc_peering_connection_exists` waiter retries on
    `InvalidVpcPeeringConnectionID.NotFound`; an accept without retries sees the error once."""
    a, b, _, _, pcx = requested_peering(server)
    arm(server, "aws", "DescribeVpcPeeringConnections", 2, "not_found")
    b.get_waiter("vpc_peering_connection_exists").wait(
        VpcPeeringConnectionIds=[pcx], WaiterConfig={"Delay": 0, "MaxAttempts": 5})
    assert armed(server) == []
    arm(server, "aws", "AcceptVpcPeeringConnection", 1, "not_found")
    no_retries = server.boto3("ec2", ACCOUNT_B, "us-east-1", config=botocore.config.Config(
        retries={"mode": "standard", "total_max_attempts": 1}))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        no_retries.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert (http_status(e), error_code(e)) == (400, "InvalidVpcPeeringConnectionID.NotFound")
    assert error_message(e) == f"The vpcPeeringConnection ID '{pcx}' does not exist"
    accepted = no_retries.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert accepted["VpcPeeringConnection"]["Status"]["Code"] == "provisioning"


def test_gcp_and_azure_clients_see_an_operation_in_progress(server):
    """`busy`: google-cloud-compute meets GCP's 400 "peering operation in progress" and the
    Azure SDK ARM's 409 `AnotherOperationInProgress`; neither SDK retries them by itself (the
    caller must), and the next call goes through."""
    from google.api_core import exceptions as gexc
    from google.cloud import compute_v1

    a = custom_network(server, "proj-busy-a", "a", "10.10.0.0/16")
    b = custom_network(server, "proj-busy-b", "b", "10.20.0.0/16")
    nets = server.gcp(compute_v1.NetworksClient)
    request = compute_v1.NetworksAddPeeringRequest(
        network_peering=compute_v1.NetworkPeering(name="a-b", network=b,
                                                  exchange_subnet_routes=True))
    arm(server, "gcp", "compute.networks.addPeering", 1, "busy")
    with pytest.raises(gexc.BadRequest) as e:
        nets.add_peering(project="proj-busy-a", network="a",
                         networks_add_peering_request_resource=request)
    assert "peering operation in progress" in str(e.value)
    nets.add_peering(project="proj-busy-a", network="a",
                     networks_add_peering_request_resource=request).result()
    assert [p.name for p in nets.get(project="proj-busy-a", network="a").peerings] == ["a-b"]

    from azure.core.exceptions import HttpResponseError

    az = Azure(server, S1)
    az.group("rg")
    arm(server, "azure", "Microsoft.Network/virtualNetworks/write", 1, "busy")
    with pytest.raises(HttpResponseError) as e:
        az.vnet("rg", "v", ["10.0.0.0/16"])
    assert (e.value.status_code, e.value.error.code) == (409, "AnotherOperationInProgress")
    assert az.vnet("rg", "v", ["10.0.0.0/16"]).address_space.address_prefixes == ["10.0.0.0/16"]
    assert armed(server) == []


def test_delete_and_reset_disarm(server):
    arm(server, "aws", "CreateVpc", 2)
    arm(server, "gcp", "compute.networks.addPeering", 1)
    assert armed(server) == [("aws", "CreateVpc", 2), ("gcp", "compute.networks.addPeering", 1)]
    status, body = server.admin("DELETE", "/_vpcpeer/faults")
    assert (status, body) == (200, {"faults": []})
    arm(server, "aws", "CreateVpc", 2)
    server.reset()
    assert armed(server) == []
    server.ec2().create_vpc(CidrBlock="10.0.0.0/16")


@pytest.mark.parametrize("body, needle", [
    ({"face": "oracle", "action": "CreateVpc", "count": 1, "fault": "throttle"}, "oracle"),
    ({"face": "aws", "action": "CreateVpc", "count": 1, "fault": "explode"}, "explode"),
    ({"face": "aws", "action": "CreateVpc", "count": 0, "fault": "throttle"}, "count"),
    ({"face": "aws", "action": "NoSuchAction", "count": 1, "fault": "throttle"}, "NoSuchAction"),
    ({"face": "aws", "action": "CreateVpc", "count": 1, "fault": "busy"}, "EC2 has no"),
])
def test_bad_arming_bodies_are_400_admin_errors(server, body, needle):
    status, answer = server.admin("POST", "/_vpcpeer/faults", body)
    assert status == 400, answer
    assert needle in answer["error"]
    assert armed(server) == []
