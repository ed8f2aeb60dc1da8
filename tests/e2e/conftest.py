"""Shared harness of the end-to-end tests: a real `vpcpeer serve` process on 127.0.0.1 and
real clients (boto3, the aws CLI) pointed at it.

The server binary is VPCPEER_BIN (default: target/debug/vpcpeer, built by scripts/test-all.sh).
One server runs per test session; every test starts from an empty state via /_vpcpeer/reset.
Servers start with `--no-default-vpc` (the suites were written for empty accounts); a test of
the default VPC starts its own with `fresh_server(default_vpc=True)`.
"""

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from types import SimpleNamespace
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import boto3
import botocore.config
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("VPCPEER_BIN", str(ROOT / "target" / "debug" / "vpcpeer"))

ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"
ACCOUNT_C = "333333333333"

HOUR = 3600
DAY = 24 * HOUR


class Server:
    """A running `vpcpeer serve` process."""

    def __init__(self, data_dir, extra_args=(), default_vpc=False):
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        if not default_vpc:
            self.extra_args.append("--no-default-vpc")
        self.proc = None
        self.url = None
        self.https_url = None
        self.cert_path = None

    def start(self):
        args = [BIN, "serve", "--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0",
                "--data-dir", str(self.data_dir)]
        self.proc = subprocess.Popen(
            args + self.extra_args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        m = re.search(r"http://(127\.0\.0\.1:\d+)", line)
        if not m:
            err = self.proc.stderr.read()
            raise RuntimeError(f"server did not start: {line!r} {err!r}")
        self.url = f"http://{m.group(1)}"
        # The HTTPS listener (for Azure's SDK) and its self-signed certificate.
        line = self.proc.stdout.readline()
        m = re.search(r"(https://127\.0\.0\.1:\d+) \(certificate: (.*)\)", line)
        if not m:
            raise RuntimeError(f"server announced no HTTPS listener: {line!r}")
        self.https_url, self.cert_path = m.group(1), m.group(2)
        return self

    def kill9(self):
        """Kills the process without warning (crash simulation)."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()

    # --- admin API ---
    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def reset(self):
        status, _ = self.admin("POST", "/_vpcpeer/reset")
        assert status == 200

    def advance(self, seconds):
        status, body = self.admin("POST", "/_vpcpeer/clock", {"advance_seconds": seconds})
        assert status == 200, body
        return body

    def now(self):
        return self.admin("GET", "/_vpcpeer/clock")[1]["now"]

    def now_ms(self):
        return self.admin("GET", "/_vpcpeer/clock")[1]["now_ms"]

    # --- raw HTTP (no SDK): unsigned or hand-signed requests, odd bodies ---
    def raw(self, body=b"", *, method="POST", path="/", query="", headers=None, account=None,
            region="us-east-1", service="ec2"):
        """Sends one request without any SDK; returns (status, body text).

        `body` may be a dict (form-encoded), str or bytes. With `account`, an Authorization header
        naming that access key (and `region`/`service`) is added; without it the request is unsigned.
        """
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        url = self.url + path + (("?" + query) if query else "")
        req = urllib.request.Request(url, data=body if method != "GET" else None, method=method)
        req.add_header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        if account is not None:
            req.add_header(
                "authorization",
                f"AWS4-HMAC-SHA256 Credential={account}/20260101/{region}/{service}/aws4_request, "
                "SignedHeaders=content-type;host;x-amz-date, Signature=00",
            )
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    # --- clients ---
    def ec2(self, account=ACCOUNT_A, region="us-east-1", validate=True):
        """A boto3 EC2 client of `account`, one attempt per call (no retries: a refusal reaches
        the test as the server sent it); with `validate=False` it sends what botocore would
        refuse locally (out-of-range or malformed values), to reach the server's own checks."""
        return self.boto3("ec2", account, region, config=botocore.config.Config(
            retries={"total_max_attempts": 1}, parameter_validation=validate))

    def gcp(self, client_class):
        """A google-cloud-compute client of `client_class` (e.g. compute_v1.NetworksClient) on
        this server: REST transport, anonymous credentials, `api_endpoint` = the server's
        http:// URL (the REST transport keeps an explicit scheme). See gcp_client()."""
        return gcp_client(client_class, self.url)

    def sts(self, account=ACCOUNT_A, region="us-east-1"):
        return self.boto3("sts", account, region)

    def boto3(self, service, account, region, **kwargs):
        """A boto3 client of `service` on this server, as `account` (the access key id; any
        secret) in `region`; `kwargs` go to boto3.client as they are."""
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=account,
            aws_secret_access_key="secret",
            **kwargs,
        )

    def cli(self, *args, account=ACCOUNT_A, region="us-east-1", check=True):
        """Runs the aws CLI; returns parsed JSON output (or the CompletedProcess if check=False)."""
        env = dict(os.environ)
        env.update(
            AWS_ACCESS_KEY_ID=account,
            AWS_SECRET_ACCESS_KEY="secret",
            AWS_DEFAULT_REGION=region,
            AWS_ENDPOINT_URL=self.url,
            AWS_PAGER="",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        )
        aws = shutil.which("aws") or "aws"
        p = subprocess.run(
            [aws, *args, "--output", "json"], env=env, capture_output=True, text=True
        )
        if not check:
            return p
        assert p.returncode == 0, f"aws {' '.join(args)} failed: {p.stderr}"
        return json.loads(p.stdout) if p.stdout.strip() else {}


def reach_json(server, src, dst, port=443, account=ACCOUNT_A):
    """`vpcpeer reach --output json` from `src` to `dst` on tcp/`port`: its verdict (the exit
    status checked against it: 0 reachable, 1 not)."""
    p = subprocess.run(
        [BIN, "reach", "--endpoint", server.url, "--account", account, "--from", src,
         "--to", dst, "--protocol", "tcp", "--port", str(port), "--output", "json"],
        capture_output=True, text=True, timeout=60)
    assert p.returncode in (0, 1), p.stderr
    v = json.loads(p.stdout)
    assert (p.returncode == 0) == v["reachable"], v
    return v


def kill_at_progress(argv, hit, kill, timeout):
    """Runs `argv` and calls `kill(proc)` on its first stderr progress line `[k/n]` for which
    `hit(k, n)` holds; returns (that line, the process's exit status, all of its stderr).

    stderr goes into a pipe of one page, read a line at a time: the process can run ahead of
    what this has read by at most a page of progress lines before its write blocks. After the
    kill the pipe is read to its end; a process never hit is killed when its output ends."""
    r, w = os.pipe()
    fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen([str(a) for a in argv], stdout=subprocess.DEVNULL, stderr=w)
    os.close(w)
    seen, killed_at = [], None
    with os.fdopen(r, "rb", buffering=0) as err:
        try:
            while line := err.readline().decode():
                seen.append(line)
                m = re.match(r"\[(\d+)/(\d+)\] ", line)
                if m and killed_at is None and hit(int(m.group(1)), int(m.group(2))):
                    kill(proc)
                    killed_at = line
        finally:
            if proc.poll() is None and killed_at is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=timeout)
    assert killed_at, "".join(seen)
    return killed_at, proc.returncode, "".join(seen)


def gcp_client(client_class, url):
    """A google-cloud-compute client on `url`, built exactly as a user would: REST transport,
    anonymous credentials and `ClientOptions(api_endpoint=url)`, nothing else.

    The SDK (1.56) builds the operations client that `ExtendedOperation.result()` polls without
    the caller's client_options, so polling a RUNNING operation would go to
    compute.googleapis.com. vpcpeer's operations are DONE in the reply by default, so `.result()`
    never polls; tests of a server with `gcp_peering_op_secs` > 0 wait with their own
    GlobalOperationsClient instead."""
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials

    return client_class(credentials=AnonymousCredentials(),
                        client_options=ClientOptions(api_endpoint=url), transport="rest")


def custom_network(server, project, name, cidr=None, subnet=None, region="us-central1"):
    """A GCP custom-mode network made with google-cloud-compute; with `cidr`, one subnetwork in
    `region` named `subnet` (default: `{name}-{region}`). Its relative URL."""
    from google.cloud import compute_v1

    server.gcp(compute_v1.NetworksClient).insert(
        project=project,
        network_resource=compute_v1.Network(name=name, auto_create_subnetworks=False),
    ).result()
    url = f"projects/{project}/global/networks/{name}"
    if cidr:
        server.gcp(compute_v1.SubnetworksClient).insert(
            project=project, region=region,
            subnetwork_resource=compute_v1.Subnetwork(
                name=subnet or f"{name}-{region}", network=url, ip_cidr_range=cidr),
        ).result()
    return url


@pytest.fixture(scope="session")
def server_session():
    tmp = tempfile.mkdtemp(prefix="vpcpeer-e2e-")
    s = Server(Path(tmp) / "data").start()
    yield s
    s.stop()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def server(server_session):
    server_session.reset()
    return server_session


@pytest.fixture
def fresh_server(tmp_path):
    """A server of its own (restart tests, custom quotas), started with extra args; with
    `default_vpc=True` its accounts get default VPCs (the others start empty)."""
    servers = []

    def make(*extra_args, data_dir=None, default_vpc=False):
        s = Server(data_dir or (tmp_path / "data"), extra_args, default_vpc).start()
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.stop()


def error_code(excinfo):
    """The EC2 error code of a botocore ClientError."""
    return excinfo.value.response["Error"]["Code"]


def fails(code, call, *args, **kwargs):
    """Asserts that `call(*args, **kwargs)` fails with EC2 error `code` and HTTP 400; returns the
    message."""
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(*args, **kwargs)
    assert error_code(e) == code, e.value.response["Error"]
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error_message(e)


def http_status(excinfo):
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def error_message(excinfo):
    """The EC2 error message of a botocore ClientError."""
    return excinfo.value.response["Error"]["Message"]


def xml_error_code(body):
    """The first `<Code>` of an EC2 (or STS) error document, or None."""
    m = re.search(r"<Code>([^<]*)</Code>", body)
    return m.group(1) if m else None


def cli_error_code(proc):
    """The error code the aws CLI printed for a failed call (`An error occurred (Code) ...`)."""
    assert proc.returncode != 0, f"expected the aws CLI to fail: {proc.stdout}"
    m = re.search(r"An error occurred \(([^)]+)\)", proc.stderr)
    assert m, proc.stderr
    return m.group(1)


def make_vpc(ec2, cidr="10.0.0.0/16", **kwargs):
    """Creates a VPC and returns its description."""
    return ec2.create_vpc(CidrBlock=cidr, **kwargs)["Vpc"]


def new_vpc_id(ec2, cidr="10.0.0.0/16", **kwargs):
    """Creates a VPC and returns its id."""
    return make_vpc(ec2, cidr, **kwargs)["VpcId"]


def unvalidated_ec2(server, account=ACCOUNT_A, region="us-east-1"):
    """A boto3 client that sends out-of-range values instead of refusing them client-side."""
    return server.ec2(account, region, validate=False)


def pcx_of(ec2, pcx_id):
    """DescribeVpcPeeringConnections of one id, as the caller of `ec2` sees it."""
    out = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx_id])
    (pcx,) = out["VpcPeeringConnections"]
    return pcx


def pcx_state(ec2, pcx_id):
    return pcx_of(ec2, pcx_id)["Status"]["Code"]


def visible_ids(ec2):
    """Ids of every peering connection the caller of `ec2` can list."""
    out = ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
    return {p["VpcPeeringConnectionId"] for p in out}


AMI = "ami-0123456789abcdef0"


def vpc_with_instance(ec2, cidr, subnet_cidr):
    """A VPC with one subnet and one instance; returns (vpc id, main route table id, instance)."""
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr)["Subnet"]["SubnetId"]
    inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sub)["Instances"][0]
    rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]
    return vpc, rtb["RouteTableId"], inst


def two_tier_vpc(ec2, n, group, description, admit):
    """VPC 10.n.0.0/16: public 10.n.1.0/24 (main table: 0/0 → an attached igw), private
    10.n.2.0/24 (its own table), and a group `group` admitting tcp/443 from `admit`. Returns a
    dict of ids: vpc, public, private, igw, main, rtb, sg."""
    vpc = ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{n}.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{n}.2.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=private)
    sg = ec2.create_security_group(GroupName=group, Description=description, VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": admit}]}])
    return dict(vpc=vpc, public=public, private=private, igw=igw, main=main, rtb=rtb, sg=sg)


def requested_peering(server):
    """Account A's 10.0/16 has asked to peer with account B's 10.1/16 (pending acceptance).
    Returns (A's client, B's client, A's VPC, B's VPC, the peering's id)."""
    a, b = server.ec2(ACCOUNT_A), server.ec2(ACCOUNT_B)
    va = a.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    vb = b.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    pcx = a.create_vpc_peering_connection(VpcId=va, PeerVpcId=vb, PeerOwnerId=ACCOUNT_B)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    return a, b, va, vb, pcx


def one_sided_peering(server):
    """Account A's 10.0/16 peered with account B's 10.1/16, with an instance in each. Only A
    routes to B, and B's instance admits tcp/443 from A's VPC, so the request gets there but the
    reply has no way back. Returns a namespace of clients and ids."""
    a, b = server.ec2(ACCOUNT_A), server.ec2(ACCOUNT_B)
    va, rtb_a, ia = vpc_with_instance(a, "10.0.0.0/16", "10.0.1.0/24")
    vb, rtb_b, ib = vpc_with_instance(b, "10.1.0.0/16", "10.1.1.0/24")
    pcx = a.create_vpc_peering_connection(VpcId=va, PeerVpcId=vb, PeerOwnerId=ACCOUNT_B)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    a.create_route(RouteTableId=rtb_a, DestinationCidrBlock="10.1.0.0/16",
                   VpcPeeringConnectionId=pcx)
    b.authorize_security_group_ingress(
        GroupId=ib["SecurityGroups"][0]["GroupId"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                        "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}],
    )
    return SimpleNamespace(a=a, b=b, va=va, vb=vb, rtb_a=rtb_a, rtb_b=rtb_b, ia=ia, ib=ib,
                           pcx=pcx)
