"""Optional authentication (`serve --verify-signatures --credentials FILE`) driven by the real
clients: boto3 and the aws CLI (SigV4, header and presigned forms; STS), google-cloud-compute
with an OAuth token, azure-mgmt-network over HTTPS with a bearer token, and the admin token of
/_vpcpeer/* (also through `vpcpeer reach` and `vpcpeer audit`). A right secret or token passes;
a wrong one fails exactly as the cloud fails. Without the flag nothing changes: the rest of the
e2e suite runs against servers started without it."""

import datetime
import json
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import boto3
import google.auth.exceptions
import botocore
import botocore.config
import botocore.exceptions
import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network.models import AddressSpace, VirtualNetwork
from azure.mgmt.resource.resources import ResourceManagementClient
from google.api_core import exceptions as gexc
from google.api_core.client_options import ClientOptions
from google.cloud import compute_v1
from google.oauth2.credentials import Credentials as GoogleCredentials

from conftest import BIN, Server, cli_error_code, error_code, error_message, http_status

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
AKID = "AKIAVPCPEERALICE"
SECRET = "alice/Secret+Key0123456789"
BOB_AKID = "AKIAVPCPEERBOB"
BOB_SECRET = "bob/secret"
GCP_TOKEN = "ya29.vpcpeer-proj-a"
AZ_TOKEN = "eyJ.vpcpeer-sub-1"
S1 = "11111111-1111-1111-1111-111111111111"
S2 = "22222222-2222-2222-2222-222222222222"
ADMIN = "admin-token-for-e2e-0123456789"
MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.")

CREDENTIALS = {
    "aws": [
        {"access_key_id": AKID, "secret_access_key": SECRET, "account": ACCOUNT},
        {"access_key_id": BOB_AKID, "secret_access_key": BOB_SECRET, "account": OTHER_ACCOUNT},
    ],
    "gcp": [{"token": GCP_TOKEN, "projects": ["proj-a"]}],
    "azure": [{"token": AZ_TOKEN, "subscriptions": [S1], "name": "e2e-client"}],
    "admin_token": ADMIN,
}


@pytest.fixture(scope="module")
def secured():
    """One server with --verify-signatures and the credentials above, for this module."""
    tmp = Path(tempfile.mkdtemp(prefix="vpcpeer-auth-"))
    creds = tmp / "credentials.json"
    creds.write_text(json.dumps(CREDENTIALS))
    creds.chmod(0o600)
    s = Server(tmp / "data", ["--verify-signatures", "--credentials", str(creds)]).start()
    yield s
    s.stop()
    shutil.rmtree(tmp, ignore_errors=True)


def admin(server, method, path, body=None, token=ADMIN):
    """An admin call with (or without) the admin token: (status, JSON)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(server.url + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token is not None:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


@pytest.fixture
def server(secured):
    status, _ = admin(secured, "POST", "/_vpcpeer/reset")
    assert status == 200
    return secured


def ec2(server, akid=AKID, secret=SECRET, region="us-east-1", **config):
    return boto3.client(
        "ec2", endpoint_url=server.url, region_name=region,
        aws_access_key_id=akid, aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"total_max_attempts": 1}, **config),
    )


def sts(server, akid=AKID, secret=SECRET):
    return boto3.client(
        "sts", endpoint_url=server.url, region_name="us-east-1",
        aws_access_key_id=akid, aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )


def get(url):
    """A plain GET: (status, body text)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def signed_at(minutes_ago):
    """Patches botocore's clock to sign as if it were `minutes_ago` minutes earlier."""
    then = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(
        minutes=minutes_ago)
    return mock.patch("botocore.auth.get_current_datetime", return_value=then)


# --- AWS: boto3 and the aws CLI ------------------------------------------------------------------


def test_boto3_with_the_right_secret_passes_as_the_keys_account(server):
    vpc = ec2(server).create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == ACCOUNT
    assert [v["VpcId"] for v in ec2(server).describe_vpcs()["Vpcs"]] == [vpc["VpcId"]]
    # Bob's key is another account, which sees nothing of Alice's.
    assert ec2(server, BOB_AKID, BOB_SECRET).describe_vpcs()["Vpcs"] == []
    # The region is the one the client signs for.
    zones = ec2(server, region="eu-west-1").describe_availability_zones()["AvailabilityZones"]
    assert {z["RegionName"] for z in zones} == {"eu-west-1"}


def test_a_wrong_secret_fails_as_aws_fails(server):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2(server, secret="not-the-secret").create_vpc(CidrBlock="10.0.0.0/16")
    assert error_code(e) == "SignatureDoesNotMatch"
    assert http_status(e) == 403
    assert error_message(e) == MISMATCH
    assert ec2(server).describe_vpcs()["Vpcs"] == []


def test_an_unknown_key_is_auth_failure(server):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2(server, akid="AKIANOBODYKNOWS", secret=SECRET).describe_vpcs()
    assert error_code(e) == "AuthFailure"
    assert http_status(e) == 401
    assert error_message(e) == "AWS was not able to validate the provided access credentials"
    # A 12-digit key id names no account once signatures are verified.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2(server, akid=ACCOUNT, secret=SECRET).describe_vpcs()
    assert error_code(e) == "AuthFailure"


def test_an_unsigned_request_is_missing_authentication_token(server):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2(server, signature_version=botocore.UNSIGNED).describe_vpcs()
    assert error_code(e) == "MissingAuthenticationToken"
    assert http_status(e) == 401
    # The cross-site form of issue 8: an unsigned GET carrying only a credential scope.
    status, body = get(server.url + "/?Action=DeleteVpc&VpcId=vpc-1&Version=2016-11-15"
                       f"&X-Amz-Credential={ACCOUNT}%2F20260101%2Fus-east-1%2Fec2%2Faws4_request")
    assert status == 401, body
    assert "<Code>MissingAuthenticationToken</Code>" in body


def test_clock_skew_beyond_15_minutes_is_request_expired(server):
    with signed_at(10):
        assert ec2(server).describe_vpcs()["Vpcs"] == []
    with signed_at(20), pytest.raises(botocore.exceptions.ClientError) as e:
        ec2(server).describe_vpcs()
    assert error_code(e) == "RequestExpired"
    assert http_status(e) == 400
    assert error_message(e) == "Request has expired."
    # The emulator's own clock moving a week ahead changes nothing: signatures are checked
    # against the wall clock.
    status, _ = admin(server, "POST", "/_vpcpeer/clock", {"advance_seconds": 7 * 86400})
    assert status == 200
    assert ec2(server).describe_vpcs()["Vpcs"] == []


def test_a_presigned_url_works_until_it_expires(server):
    client = ec2(server)
    vpc = client.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    url = client.generate_presigned_url("describe_vpcs", Params={"VpcIds": [vpc]},
                                        ExpiresIn=300, HttpMethod="GET")
    assert "X-Amz-Signature=" in url
    status, body = get(url)
    assert status == 200, body
    assert f"<vpcId>{vpc}</vpcId>" in body
    # Signed 10 minutes ago for 60 seconds: expired.
    with signed_at(10):
        old = client.generate_presigned_url("describe_vpcs", ExpiresIn=60, HttpMethod="GET")
    status, body = get(old)
    assert status == 400, body
    assert "<Code>RequestExpired</Code>" in body
    # Any change to what was signed breaks the signature.
    status, body = get(url.replace(vpc, "vpc-0123456789abcdef0"))
    assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in body, body


def test_aws_cli_right_and_wrong_secrets(server):
    env_base = dict(os.environ, AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=server.url,
                    AWS_PAGER="", AWS_CONFIG_FILE=os.devnull,
                    AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_ACCESS_KEY_ID=AKID)
    aws = shutil.which("aws") or "aws"

    def run(secret, *args):
        env = dict(env_base, AWS_SECRET_ACCESS_KEY=secret)
        return subprocess.run([aws, *args, "--output", "json"], env=env, capture_output=True,
                              text=True)

    p = run(SECRET, "ec2", "create-vpc", "--cidr-block", "10.9.0.0/16")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Vpc"]["OwnerId"] == ACCOUNT
    p = run(SECRET, "sts", "get-caller-identity")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Account"] == ACCOUNT
    assert cli_error_code(run("wrong", "ec2", "describe-vpcs")) == "SignatureDoesNotMatch"
    assert cli_error_code(run("wrong", "sts", "get-caller-identity")) == "SignatureDoesNotMatch"


def test_sts_get_caller_identity_is_the_files_account(server):
    me = sts(server).get_caller_identity()
    assert me["Account"] == ACCOUNT
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert sts(server, BOB_AKID, BOB_SECRET).get_caller_identity()["Account"] == OTHER_ACCOUNT
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts(server, secret="wrong").get_caller_identity()
    assert (error_code(e), http_status(e)) == ("SignatureDoesNotMatch", 403)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts(server, akid="AKIANOBODYKNOWS").get_caller_identity()
    assert (error_code(e), http_status(e)) == ("InvalidClientTokenId", 403)
    assert error_message(e) == "The security token included in the request is invalid."
    with signed_at(20), pytest.raises(botocore.exceptions.ClientError) as e:
        sts(server).get_caller_identity()
    assert (error_code(e), http_status(e)) == ("SignatureDoesNotMatch", 403)
    assert error_message(e).startswith("Signature expired: ")
    assert error_message(e).endswith(" - 15 min.)")


# --- GCP: google-cloud-compute with an OAuth token -----------------------------------------------


def networks(server, token):
    creds = GoogleCredentials(token)
    return compute_v1.NetworksClient(credentials=creds, transport="rest",
                                     client_options=ClientOptions(api_endpoint=server.url))


def test_gcp_token_grants_its_project_only(server):
    good = networks(server, GCP_TOKEN)
    good.insert(project="proj-a", network_resource=compute_v1.Network(
        name="net-a", auto_create_subnetworks=False)).result()
    assert [n.name for n in good.list(project="proj-a")] == ["net-a"]
    with pytest.raises(gexc.Forbidden) as e:
        list(good.list(project="proj-b"))
    assert e.value.code == 403
    assert "Required 'compute.networks.list' permission for 'projects/proj-b'" in e.value.message
    with pytest.raises(gexc.Forbidden):
        good.insert(project="proj-b", network_resource=compute_v1.Network(
            name="net-b", auto_create_subnetworks=False))
    # A wrong token: the server answers 401, on which google-auth tries to refresh the token,
    # which a bare access token cannot: the SDK raises RefreshError, as it does against Google.
    with pytest.raises(google.auth.exceptions.RefreshError):
        list(networks(server, "ya29.wrong").list(project="proj-a"))
    status, headers, body = raw_gcp(server, "projects/proj-a/global/networks", "ya29.wrong")
    assert status == 401
    assert body["error"]["status"] == "UNAUTHENTICATED"
    assert body["error"]["message"].startswith("Request had invalid authentication credentials.")
    assert body["error"]["errors"][0]["reason"] == "authError"
    assert "invalid_token" in headers["www-authenticate"]
    status, _, body = raw_gcp(server, "projects/proj-a/global/networks", None)
    assert status == 401
    assert body["error"]["errors"][0]["reason"] == "required"
    # Anonymous credentials (what the unauthenticated suite uses) send no token: the 401 makes
    # google-auth try to refresh them, which it cannot.
    from conftest import gcp_client
    with pytest.raises(google.auth.exceptions.InvalidOperation):
        list(gcp_client(compute_v1.NetworksClient, server.url).list(project="proj-a"))


def raw_gcp(server, path, token):
    """A GET under /compute/v1/ with an optional bearer token: (status, headers, JSON)."""
    req = urllib.request.Request(f"{server.url}/compute/v1/{path}")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read())


# --- Azure: azure-mgmt-network over HTTPS with a bearer token -------------------------------------


class Token:
    """A TokenCredential that hands out a fixed token."""

    def __init__(self, token):
        self.token = token

    def get_token(self, *scopes, **kwargs):
        return AccessToken(self.token, 4_102_444_800)

    def get_token_info(self, *scopes, options=None):
        return AccessTokenInfo(self.token, 4_102_444_800)


def azure(server, sub, token):
    kw = dict(base_url=server.https_url, connection_verify=server.cert_path,
              credential_scopes=["https://management.azure.com/.default"])
    return (ResourceManagementClient(Token(token), sub, **kw),
            NetworkManagementClient(Token(token), sub, **kw))


def test_azure_token_grants_its_subscription_only(server):
    rm, net = azure(server, S1, AZ_TOKEN)
    rm.resource_groups.create_or_update("rg1", {"location": "eastus"})
    v = net.virtual_networks.begin_create_or_update("rg1", "vnet1", VirtualNetwork(
        location="eastus", address_space=AddressSpace(address_prefixes=["10.0.0.0/16"]))).result()
    assert v.name == "vnet1"
    rm2, _ = azure(server, S2, AZ_TOKEN)
    with pytest.raises(HttpResponseError) as e:
        rm2.resource_groups.create_or_update("rg1", {"location": "eastus"})
    assert e.value.status_code == 403
    assert e.value.error.code == "AuthorizationFailed"
    assert "'Microsoft.Resources/subscriptions/resourceGroups/write'" in e.value.error.message
    _, bad = azure(server, S1, "eyJ.wrong")
    with pytest.raises(ClientAuthenticationError) as e:
        bad.virtual_networks.get("rg1", "vnet1")
    assert e.value.status_code == 401
    assert e.value.error.code == "InvalidAuthenticationToken"


# --- the admin token -----------------------------------------------------------------------------


def test_admin_endpoints_need_the_admin_token(server):
    for method, path, body in [("POST", "/_vpcpeer/reset", None),
                               ("GET", "/_vpcpeer/clock", None),
                               ("POST", "/_vpcpeer/clock", {"advance_seconds": 1}),
                               ("POST", "/_vpcpeer/audit", {})]:
        status, out = admin(server, method, path, body, token=None)
        assert status == 401, (path, out)
        assert "admin token" in out["error"]
        status, _ = admin(server, method, path, body, token="x" * 30)
        assert status == 401, path
        status, out = admin(server, method, path, body)
        assert status == 200, (path, out)
    status, out = admin(server, "GET", "/_vpcpeer/health", token=None)
    assert status == 200 and out["status"] == "ok"


def test_reach_and_audit_send_the_admin_token(server):
    env = {k: v for k, v in os.environ.items() if k != "VPCPEER_ADMIN_TOKEN"}
    base = ["--endpoint", server.url, "--output", "json"]
    p = subprocess.run([BIN, "audit", *base], env=env, capture_output=True, text=True)
    assert p.returncode == 2
    assert "admin token" in p.stderr and "HTTP 401" in p.stderr
    p = subprocess.run([BIN, "audit", *base, "--admin-token", ADMIN], env=env,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["findings"] == []
    client = ec2(server)
    vpc = client.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sub = client.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    a, b = [i["InstanceId"] for i in client.run_instances(
        ImageId="ami-0123456789abcdef0", MinCount=2, MaxCount=2, SubnetId=sub)["Instances"]]
    reach = [BIN, "reach", *base, "--account", ACCOUNT, "--from", a, "--to", b,
             "--protocol", "tcp", "--port", "22"]
    p = subprocess.run(reach, env=env, capture_output=True, text=True)
    assert p.returncode == 2 and "HTTP 401" in p.stderr, p.stderr
    p = subprocess.run(reach, env=dict(env, VPCPEER_ADMIN_TOKEN=ADMIN), capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["reachable"] is True


def test_listening_beyond_loopback_needs_an_admin_token(tmp_path):
    args = [BIN, "serve", "--ephemeral", "--listen", "0.0.0.0:0"]
    env = {k: v for k, v in os.environ.items() if k != "VPCPEER_ADMIN_TOKEN"}
    p = subprocess.run(args, env=env, capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert "refusing to listen on 0.0.0.0:0 without an admin token" in p.stderr
    assert "--admin-token-file" in p.stderr
    token = tmp_path / "admin-token"
    token.write_text(ADMIN + "\n")
    proc = subprocess.Popen(args + ["--admin-token-file", str(token)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "vpcpeer listening on http://0.0.0.0:" in line, proc.stderr.read()
        port = line.split("http://0.0.0.0:")[1].split()[0]
        s = Server(tmp_path)
        s.url = f"http://127.0.0.1:{port}"
        assert admin(s, "POST", "/_vpcpeer/reset", token=None)[0] == 401
        assert admin(s, "POST", "/_vpcpeer/reset")[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_readme_credentials_example_works(tmp_path):
    """The credentials file shown in README "Security" starts a server and signs as documented."""
    import re
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Security", 1)[1]
    example = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    creds = tmp_path / "credentials.json"
    creds.write_text(json.dumps(example))
    creds.chmod(0o600)
    s = Server(tmp_path / "data", ["--verify-signatures", "--credentials", str(creds)]).start()
    try:
        key = example["aws"][0]
        me = sts(s, key["access_key_id"], key["secret_access_key"]).get_caller_identity()
        assert me["Account"] == key["account"]
        assert admin(s, "GET", "/_vpcpeer/clock", token=example["admin_token"])[0] == 200
        assert admin(s, "GET", "/_vpcpeer/clock", token=None)[0] == 401
    finally:
        s.stop()
