"""The connection manager under abuse (issue 8, item 5), and the answers hyper gives before any
route runs, in the dialect of the path (item 10).

The flood test starts its own `vpcpeer serve` with an open-file limit of 1024 (soft and hard, so
the server cannot raise it), opens 1,500 connections that send half a request head and 3,000 idle
ones (2,700 that send nothing, 300 kept alive after one request), and checks that health still answers, that an EC2 call still works, and that the
flood is closed (the header timeout is 1 s here). Liveness timeouts only: latency under the flood
is measured by bench/flood.py, not asserted here.
"""

import json
import re
import resource
import selectors
import socket
import subprocess
import time
from pathlib import Path

import boto3
import botocore.config
import pytest

from conftest import BIN

LIVENESS = 20  # seconds; a bound for "eventually", never a performance threshold
SLOW_HEAD = b"GET /_vpcpeer/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
WHOLE_REQUEST = b"GET /_vpcpeer/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def raise_own_fd_limit(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class LimitedServer:
    """`vpcpeer serve --ephemeral` with RLIMIT_NOFILE set to `nofile` (soft and hard), its
    accounts empty (`--no-default-vpc`, as conftest's servers)."""

    def __init__(self, tmp_path, nofile, *args):
        def limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.stderr_path = Path(tmp_path) / "stderr.log"
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--ephemeral", "--listen", "127.0.0.1:0", "--no-default-vpc", *args],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True, preexec_fn=limit,
        )
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert m, f"server did not start: {line!r} {self.stderr_path.read_text()!r}"
        self.addr = ("127.0.0.1", int(m.group(1)))
        self.url = f"http://127.0.0.1:{m.group(1)}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()


@pytest.fixture
def limited(tmp_path):
    servers = []

    def start(nofile, *args):
        s = LimitedServer(tmp_path, nofile, *args)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()


def connect(addr, payload=b""):
    """A connection that may stay in the server's accept queue (non-blocking connect)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.connect_ex(addr)
    if payload:
        sel = selectors.DefaultSelector()
        sel.register(s, selectors.EVENT_WRITE)
        sel.select(timeout=LIVENESS)
        sel.close()
        try:
            s.send(payload)
        except OSError:
            pass  # already closed by the server: that is allowed
    return s


def request(addr, raw, timeout=LIVENESS):
    """Sends `raw` on a new connection and reads the answer until the server closes or a whole
    Content-Length body is in: (status, head, body bytes)."""
    with socket.create_connection(addr, timeout=timeout) as s:
        s.sendall(raw)
        buf = b""
        while True:
            head_end = buf.find(b"\r\n\r\n")
            if head_end >= 0:
                head = buf[:head_end].decode("latin-1")
                m = re.search(r"(?im)^content-length:\s*(\d+)", head)
                if m and len(buf) >= head_end + 4 + int(m.group(1)):
                    break
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    head = head.decode("latin-1")
    status = int(head.split(" ", 2)[1]) if head.startswith("HTTP/1.") else None
    return status, head, body


def health(addr):
    return request(addr, b"GET /_vpcpeer/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Connection: close\r\n\r\n")[0]


def wait_all_closed(socks, within=LIVENESS):
    """How many of `socks` the server has not closed within `within` seconds."""
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    open_ = len(socks)
    deadline = time.monotonic() + within
    while open_ and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            try:
                data = key.fileobj.recv(65536)
            except (ConnectionResetError, BlockingIOError, OSError):
                data = b""
            if not data:
                sel.unregister(key.fileobj)
                open_ -= 1
    sel.close()
    return open_


def test_flood_at_the_file_limit_leaves_health_and_ec2_answering(limited):
    if raise_own_fd_limit(16384) < 6000:
        pytest.skip("this process cannot open the 4,500 connections of the flood")
    s = limited(1024, "--header-timeout", "1", "--idle-timeout", "2")
    slow, idle = [], []
    try:
        for i in range(4500):
            if i % 3 == 0:
                slow.append(connect(s.addr, SLOW_HEAD))
            elif i % 15 == 1:
                # Kept alive after one whole request: idle between requests.
                idle.append(connect(s.addr, WHOLE_REQUEST))
            else:
                idle.append(connect(s.addr))
            if i % 1500 == 1499:
                # Mid-flood: a new, well-behaved client is served.
                assert health(s.addr) == 200
        assert health(s.addr) == 200
        # An EC2 call with the real SDK works too.
        client = boto3.client("ec2", endpoint_url=s.url, region_name="us-east-1",
                              aws_access_key_id="111111111111", aws_secret_access_key="x",
                              config=botocore.config.Config(retries={"total_max_attempts": 1}))
        vpc = client.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        assert [v["VpcId"] for v in client.describe_vpcs()["Vpcs"]] == [vpc]
        # Every flood connection is closed: the slow and silent ones by the header timeout
        # (or earlier, to make room), none held for good.
        assert wait_all_closed(slow) == 0
        assert wait_all_closed(idle) == 0
        assert health(s.addr) == 200
        assert s.proc.poll() is None, s.stderr_path.read_text()
    finally:
        for sock in slow + idle:
            sock.close()


def test_slow_heads_are_closed_after_the_header_timeout(limited):
    s = limited(1024, "--header-timeout", "1")
    socks = [connect(s.addr, SLOW_HEAD) for _ in range(20)]
    try:
        # Far below the cap: nothing is evicted, so only the header timeout closes these.
        assert health(s.addr) == 200
        assert wait_all_closed(socks) == 0
    finally:
        for sock in socks:
            sock.close()


def test_out_of_file_descriptors_does_not_stop_the_server(limited):
    """A cap set above the file limit: accept fails with EMFILE, the loop backs off and makes
    room instead of spinning or dying."""
    raise_own_fd_limit(4096)
    s = limited(128, "--max-connections", "100000", "--header-timeout", "5")
    socks = [connect(s.addr) for _ in range(400)]
    try:
        assert health(s.addr) == 200
        assert s.proc.poll() is None
        assert health(s.addr) == 200
    finally:
        for sock in socks:
            sock.close()
    assert "accepting a connection failed" in s.stderr_path.read_text()


# --- hyper's own refusals, in dialect ---------------------------------------------------------


def parse_dialect(path, status, body):
    """Checks `body` is an error document of the face of `path`; returns its code."""
    if path.startswith("/_vpcpeer"):
        return json.loads(body)["error"]
    if path.startswith("/compute"):
        v = json.loads(body)
        assert v["error"]["code"] == status
        return v["error"]["errors"][0]["reason"]
    if path.startswith("/subscriptions"):
        return json.loads(body)["error"]["code"]
    text = body.decode()
    assert text.startswith("<?xml"), text
    return re.search(r"<Code>([^<]*)</Code>", text).group(1)


PATHS = ["/", "/compute/v1/projects/p/global/networks", "/subscriptions/s/resourcegroups",
         "/_vpcpeer/health"]


def address(url):
    host, port = re.match(r"http://([^:]+):(\d+)", url).groups()
    return host, int(port)


def test_a_100kb_query_is_414_in_dialect(server):
    addr = address(server.url)
    for path in PATHS:
        for size in (20_000, 100_000, 1_000_000):
            raw = (f"GET {path}?x={'a' * size} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").encode()
            status, head, body = request(addr, raw)
            assert status == 414, (path, size, head)
            code = parse_dialect(path, 414, body)
            assert code, (path, size)
            if path == "/":
                assert code == "RequestURITooLong"


def test_oversized_headers_are_431_in_dialect(server):
    addr = address(server.url)
    for path in PATHS:
        big = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {'a' * 70_000}\r\n\r\n"
        many = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
            f"X-{i}: a\r\n" for i in range(150)) + "\r\n"
        for raw in (big, many):
            status, head, body = request(addr, raw.encode())
            assert status == 431, (path, head)
            code = parse_dialect(path, 431, body)
            if path == "/":
                assert code == "RequestHeaderFieldsTooLarge"
    # A request line that is not HTTP at all: 400, as EC2 XML (the face of `/`).
    status, _, body = request(addr, b"\x16\x03\x01 garbage\r\n\r\n")
    assert status == 400
    assert parse_dialect("/", 400, body) == "MalformedQueryString"
    # The server still serves.
    assert health(addr) == 200
