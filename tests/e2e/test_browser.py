"""What a web page could make a browser send to a vpcpeer on 127.0.0.1 (issue 8, security): a
text/plain POST to the admin API, an `<img>` GET of a state-changing EC2 action, any request from
a foreign Origin, and a DNS-rebound Host. Each is refused in the dialect of the path and changes
nothing; the SDKs (which send none of these headers) are untouched, as every other e2e test shows.
"""

import http.client
import json
import re
import urllib.parse

from conftest import ACCOUNT_A, xml_error_code

CRED = urllib.parse.quote(f"{ACCOUNT_A}/20260101/us-east-1/ec2/aws4_request", safe="")


def send(server, method, target, body=b"", headers=None):
    """One request with exactly these headers (Host included when given): (status, text)."""
    host, port = re.match(r"http://([^:]+):(\d+)", server.url).groups()
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = dict(headers or {})
    conn.putrequest(method, target, skip_host="Host" in headers, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    if body or method in ("POST", "PUT"):
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    resp = conn.getresponse()
    text = resp.read().decode("utf-8", "replace")
    conn.close()
    return resp.status, text


def own_host(server):
    return server.url.removeprefix("http://")


def test_text_plain_posts_to_the_admin_api_are_refused(server):
    ec2 = server.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    before = server.now_ms()
    for ctype in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Host": own_host(server)}
        if ctype:
            headers["Content-Type"] = ctype
        status, text = send(server, "POST", "/_vpcpeer/reset", b"{}", headers)
        assert status == 415, text
        assert "application/json" in json.loads(text)["error"]
        status, text = send(server, "POST", "/_vpcpeer/clock",
                            b'{"advance_seconds": 604800}', headers)
        assert status == 415, text
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]] == [vpc]
    assert server.now_ms() - before < 600_000


def test_an_img_tag_cannot_delete_a_vpc(server):
    ec2 = server.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    target = f"/?Action=DeleteVpc&Version=2016-11-15&VpcId={vpc}&X-Amz-Credential={CRED}"
    # What Chrome and Firefox send for <img src="http://127.0.0.1:4650/?Action=DeleteVpc...">.
    headers = {"Host": own_host(server), "Sec-Fetch-Site": "cross-site",
               "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image",
               "Referer": "http://evil.example/"}
    status, text = send(server, "GET", target, headers=headers)
    assert status == 403, text
    assert xml_error_code(text) == "UnauthorizedOperation"
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]] == [vpc]


def test_foreign_origins_and_rebound_hosts_are_refused_in_dialect(server):
    ec2 = server.ec2()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    delete = f"Action=DeleteVpc&Version=2016-11-15&VpcId={vpc}&X-Amz-Credential={CRED}".encode()
    port = server.url.rsplit(":", 1)[1]
    attacks = [
        {"Host": own_host(server), "Origin": "http://evil.example"},
        {"Host": own_host(server), "Origin": "null"},
        {"Host": f"evil.example:{port}"},  # DNS rebinding: the page's own name, now 127.0.0.1
    ]
    for attack in attacks:
        form = dict(attack, **{"Content-Type": "application/x-www-form-urlencoded"})
        status, text = send(server, "POST", "/", delete, form)
        assert status == 403 and xml_error_code(text) == "UnauthorizedOperation", (attack, text)
        js = dict(attack, **{"Content-Type": "application/json"})
        status, text = send(server, "POST", "/compute/v1/projects/p/global/networks",
                            b'{"name": "n"}', js)
        assert status == 403 and json.loads(text)["error"]["errors"][0]["reason"] == "forbidden"
        status, text = send(server, "PUT",
                            "/subscriptions/s/resourcegroups/rg?api-version=2021-04-01",
                            b'{"location": "eastus"}', js)
        assert status == 403 and json.loads(text)["error"]["code"] == "AuthorizationFailed"
        status, text = send(server, "POST", "/_vpcpeer/reset", b"{}", js)
        assert status == 403 and "error" in json.loads(text)
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]] == [vpc]
    # The server's own origin, and localhost, are fine.
    same = {"Host": own_host(server), "Origin": server.url,
            "Content-Type": "application/x-www-form-urlencoded"}
    status, text = send(server, "POST", "/", delete, same)
    assert status == 200, text
    status, _ = send(server, "GET", "/_vpcpeer/health", headers={"Host": f"localhost:{port}"})
    assert status == 200


def test_allow_host_names_another_host(fresh_server):
    s = fresh_server("--allow-host", "vpcpeer.test", "--ephemeral")
    port = s.url.rsplit(":", 1)[1]
    status, _ = send(s, "GET", "/_vpcpeer/health", headers={"Host": f"vpcpeer.test:{port}"})
    assert status == 200
    status, _ = send(s, "GET", "/_vpcpeer/health", headers={"Host": f"other.test:{port}"})
    assert status == 403
