"""The PostgreSQL store (`vpcpeer serve --store postgres://…`): every answered request survives
`kill -9`, a reset too, a second server on the same database is refused, and an outage of the
database fails writes whole (nothing of them visible) until the server reconnects.

Needs a PostgreSQL server: VPCPEER_TEST_PG_URL (scripts/test-all.sh starts a throwaway cluster and
sets it). Each test gets a database of its own, created and dropped with `psql`.
"""

import glob
import os
import shutil
import subprocess
import time
import urllib.parse
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT_A, ACCOUNT_B, BIN, DAY, error_code, http_status, make_vpc, pcx_of

PG_URL = os.environ.get("VPCPEER_TEST_PG_URL", "")

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="VPCPEER_TEST_PG_URL is unset (scripts/test-all.sh starts PostgreSQL)"
)


def psql_bin():
    found = shutil.which("psql") or sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    if isinstance(found, list):
        found = found[-1] if found else None
    assert found, "psql not found (install the postgresql package)"
    return found


def psql(url, sql):
    p = subprocess.run([psql_bin(), url, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def with_db(url, db):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + db))


@pytest.fixture
def pg_db():
    """The URL of a new, empty database, dropped after the test."""
    db = "vpcpeer_e2e_" + uuid.uuid4().hex[:12]
    psql(PG_URL, f"CREATE DATABASE {db}")
    yield with_db(PG_URL, db)
    psql(PG_URL, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def snapshot(server):
    """Everything both accounts can see, in a comparable form."""
    out = {}
    for account in (ACCOUNT_A, ACCOUNT_B):
        ec2 = server.ec2(account)
        out[account] = {
            "vpcs": sorted((v["VpcId"], v["CidrBlock"],
                            tuple(sorted((t["Key"], t["Value"]) for t in v.get("Tags", []))))
                           for v in ec2.describe_vpcs()["Vpcs"]),
            "pcxs": sorted((p["VpcPeeringConnectionId"], p["Status"]["Code"],
                            p["RequesterVpcInfo"]["VpcId"], p["AccepterVpcInfo"]["VpcId"])
                           for p in ec2.describe_vpc_peering_connections()[
                               "VpcPeeringConnections"]),
        }
    return out


def test_state_on_postgres_survives_kill9(fresh_server, tmp_path, pg_db):
    s = fresh_server("--store", pg_db, data_dir=tmp_path / "a")
    a, b = s.ec2(ACCOUNT_A), s.ec2(ACCOUNT_B)
    va = make_vpc(a, "10.0.0.0/16",
                  TagSpecifications=[{"ResourceType": "vpc",
                                      "Tags": [{"Key": "Name", "Value": "a"}]}])["VpcId"]
    vb = make_vpc(b, "10.1.0.0/16")["VpcId"]
    pcx = a.create_vpc_peering_connection(VpcId=va, PeerVpcId=vb, PeerOwnerId=ACCOUNT_B)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    s.kill9()

    # A new server, with another data directory: the state comes from PostgreSQL.
    s = fresh_server("--store", pg_db, data_dir=tmp_path / "b")
    assert pcx_of(s.ec2(ACCOUNT_B), pcx)["Status"]["Code"] == "pending-acceptance"
    s.ec2(ACCOUNT_B).accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    before = snapshot(s)
    assert before[ACCOUNT_A]["pcxs"] == [(pcx, "active", va, vb)]
    assert [v[0] for v in before[ACCOUNT_A]["vpcs"]] == [va]
    s.kill9()

    s = fresh_server("--store", pg_db, data_dir=tmp_path / "c")
    assert snapshot(s) == before
    (v,) = s.ec2(ACCOUNT_A).describe_vpcs(VpcIds=[va])["Vpcs"]
    assert v["Tags"] == [{"Key": "Name", "Value": "a"}]
    # Fresh ids do not collide with the stored ones.
    vc = make_vpc(s.ec2(ACCOUNT_A), "10.9.0.0/16")["VpcId"]
    assert vc not in {va, vb}
    # Nothing went to the embedded store.
    for d in ("a", "b", "c"):
        assert not (tmp_path / d / "vpcpeer.db").exists()
    # The records are PostgreSQL rows.
    assert int(psql(pg_db, "SELECT count(*) FROM vpcpeer_records WHERE tbl = 'vpc'")) == 3


def test_clock_and_reset_on_postgres_survive_kill9(fresh_server, tmp_path, pg_db):
    s = fresh_server("--store", pg_db, data_dir=tmp_path / "a")
    make_vpc(s.ec2())
    before = s.now_ms()
    s.advance(3 * DAY)
    s.kill9()
    s = fresh_server("--store", pg_db, data_dir=tmp_path / "a")
    assert s.now_ms() >= before + 3 * DAY * 1000
    assert len(s.ec2().describe_vpcs()["Vpcs"]) == 1
    s.reset()
    s.kill9()
    s = fresh_server("--store", pg_db, data_dir=tmp_path / "a")
    assert s.ec2().describe_vpcs()["Vpcs"] == []
    assert s.now_ms() < before + 3 * DAY * 1000
    assert s.admin("GET", "/_vpcpeer/health")[1]["resources"] == 0


def test_a_second_server_on_the_same_database_is_refused(fresh_server, tmp_path, pg_db):
    first = fresh_server("--store", pg_db, data_dir=tmp_path / "a")
    va = make_vpc(first.ec2())["VpcId"]
    with pytest.raises(RuntimeError) as e:
        fresh_server("--store", pg_db, data_dir=tmp_path / "b")
    assert "in use by another vpcpeer server" in str(e.value)
    # The first server is unharmed, and once it is gone the database can be opened again.
    assert [v["VpcId"] for v in first.ec2().describe_vpcs()["Vpcs"]] == [va]
    first.kill9()
    second = fresh_server("--store", pg_db, data_dir=tmp_path / "b")
    assert [v["VpcId"] for v in second.ec2().describe_vpcs()["Vpcs"]] == [va]


def test_store_flag_is_refused_with_ephemeral_and_other_schemes(pg_db):
    p = subprocess.run([BIN, "serve", "--listen", "127.0.0.1:0", "--ephemeral", "--store", pg_db],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert "cannot be used with" in p.stderr
    p = subprocess.run([BIN, "serve", "--listen", "127.0.0.1:0", "--store", "mysql://x@h/db"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert "postgres://" in p.stderr
    # The environment variable is the same flag.
    env = dict(os.environ, VPCPEER_STORE=pg_db)
    p = subprocess.run([BIN, "serve", "--listen", "127.0.0.1:0", "--ephemeral"],
                       capture_output=True, text=True, timeout=30, env=env)
    assert p.returncode != 0
    assert "cannot be used with" in p.stderr


def db_name(url):
    return urllib.parse.urlsplit(url).path.lstrip("/")


def terminate_sessions(db):
    """Ends the vpcpeer server's PostgreSQL session(s) on `db`, waiting until they are gone."""
    return int(psql(PG_URL, "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
                            f"WHERE datname = '{db}' AND application_name = 'vpcpeer'"))


def vpc_ids(ec2):
    return sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"])


def wait_for_health(server, want, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        status, body = server.admin("GET", "/_vpcpeer/health")
        if body["status"] == want:
            return status
        assert time.monotonic() < deadline, f"health stayed {body} instead of {want}"
        time.sleep(0.1)


def test_a_postgres_outage_fails_writes_whole_and_the_server_recovers(fresh_server, tmp_path,
                                                                      pg_db):
    """The reproduction of the issue: during an outage a write answers 500 and is not visible
    afterwards; health is degraded while the database is away and ok again once it is back,
    without a write; a session killed while idle costs nothing; a restart shows exactly the
    acknowledged state."""
    db = db_name(pg_db)
    s = fresh_server("--store", pg_db, data_dir=tmp_path / "a")
    ec2 = s.ec2()
    acknowledged = [make_vpc(ec2, "10.0.0.0/16")["VpcId"]]

    # The server's session is terminated while idle: the next write reconnects and succeeds.
    assert terminate_sessions(db) == 1
    acknowledged.append(make_vpc(ec2, "10.1.0.0/16")["VpcId"])
    # Two VPCs with their main route table, default group and default ACL, and the region's
    # default DHCP option set (made with its first VPC).
    assert s.admin("GET", "/_vpcpeer/health") == (200, {"status": "ok", "resources": 9})

    # An outage: the database refuses connections and the session is gone.
    psql(PG_URL, f"ALTER DATABASE {db} ALLOW_CONNECTIONS false")
    try:
        assert terminate_sessions(db) == 1
        with pytest.raises(ClientError) as e:
            ec2.create_vpc(CidrBlock="10.2.0.0/16")
        assert error_code(e) == "InternalError"
        assert http_status(e) == 500
        # Not visible: memory is what the store holds.
        assert vpc_ids(ec2) == sorted(acknowledged)
        with pytest.raises(ClientError) as e:
            ec2.create_tags(Resources=[acknowledged[0]], Tags=[{"Key": "k", "Value": "v"}])
        assert error_code(e) == "InternalError"
        assert ec2.describe_vpcs(VpcIds=[acknowledged[0]])["Vpcs"][0].get("Tags", []) == []
        status, body = s.admin("POST", "/_vpcpeer/clock", {"advance_seconds": 60})
        assert (status, body) == (500, {"error": "internal error"})
        assert s.admin("GET", "/_vpcpeer/health")[0] == 503
        assert wait_for_health(s, "degraded") == 503
    finally:
        psql(PG_URL, f"ALTER DATABASE {db} ALLOW_CONNECTIONS true")

    # Back: health returns to ok by itself (the server pings the store), and writes go on.
    assert wait_for_health(s, "ok") == 200
    acknowledged.append(make_vpc(ec2, "10.2.0.0/16")["VpcId"])
    assert vpc_ids(ec2) == sorted(acknowledged)
    s.kill9()

    s = fresh_server("--store", pg_db, data_dir=tmp_path / "b")
    assert vpc_ids(s.ec2()) == sorted(acknowledged)
    assert s.ec2().describe_vpcs(VpcIds=[acknowledged[0]])["Vpcs"][0].get("Tags", []) == []
