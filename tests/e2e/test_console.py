"""The web console (issue 13) in a real browser: headless Chromium driven by Selenium against a
real `vpcpeer serve`, with boto3 changing the world beside it.

- the map and its text list show the networks and peerings boto3 created, nested cloud → account
  → region → network, and the filters narrow both;
- a peering accepted by boto3 changes state (and colour) on the open page, without a reload,
  told by the server's event stream (`GET /_vpcpeer/events`), not by polling; the time from the
  accept to the new colour is measured with the stream and with the polling fallback (figures
  recorded, not asserted);
- the controller panel plans a pasted topology (its `+` steps), applies it with progress, and
  shows the link's status;
- a reach query highlights the hops on the map and lists the blocker with its fix;
- advancing the clock from the page expires a pending request on the map;
- a large estate (1,000 VPCs, 2,000 peerings) is drawn whole; its timings are recorded, not
  asserted.

Needs Debian's `chromium` and `chromium-driver` (scripts/test-all.sh installs them with apt-get;
the tests are skipped, saying so, where they are missing) and `selenium` (requirements.txt).
Screenshots and the measured figures are written to target/e2e-artefacts/console/ (or
$VPCPEER_ARTEFACTS).
"""

import http.client
import json
import os
import random
import re
import shutil
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import ACCOUNT_A, ACCOUNT_B, DAY, ROOT, one_sided_peering, requested_peering

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

ARTEFACTS = Path(os.environ.get("VPCPEER_ARTEFACTS", ROOT / "target" / "e2e-artefacts" / "console"))

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)

GREEN = "rgb(22,163,74)"   # active
AMBER = "rgb(217,119,6)"   # pending
GREY = "rgb(156,163,175)"  # expired, deleted


@pytest.fixture(scope="module")
def driver():
    if not CHROMIUM or not CHROMEDRIVER:
        pytest.skip("headless Chromium is not installed: Debian's chromium and chromium-driver "
                    "packages are needed (scripts/test-all.sh installs them with apt-get)")
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1600,1000", "--no-first-run", "--disable-extensions"):
        opts.add_argument(arg)
    d = webdriver.Chrome(options=opts, service=Service(executable_path=CHROMEDRIVER))
    d.set_script_timeout(120)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    yield d
    d.quit()


def wait_for(d, script, timeout=30, what=None):
    """Runs `script` (a JS expression's body: `return …`) until it gives a truthy value."""
    end = time.monotonic() + timeout
    while True:
        v = d.execute_script(script)
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what or script}")
        time.sleep(0.02)


def open_console(d, server):
    d.get(server.url + "/")
    wait_for(d, "return document.body.dataset.refreshes >= 1", what="the first drawing")
    d.execute_script("window.__sameDocument = 'marker'")


def list_ids(d, list_id, visible_only=True):
    return d.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' li')]"
        ".filter(l => !arguments[1] || !l.hidden).map(l => l.dataset.id)",
        "#" + list_id, visible_only)


def list_text(d, list_id, item):
    return d.execute_script(
        "const li = [...document.querySelectorAll(arguments[0] + ' li')]"
        ".find(l => l.dataset.id === arguments[1]); return li ? li.textContent : null",
        "#" + list_id, item)


def peering_state(d, pcx):
    return d.execute_script(
        "const li = [...document.querySelectorAll('#peering-list li')]"
        ".find(l => l.dataset.id === arguments[0]); return li ? li.dataset.state : null", pcx)


def edge_colour(d, pcx):
    return d.execute_script(
        "const e = vpcpeerConsole.cy.getElementById('peering:' + arguments[0]);"
        "return e.empty() ? null : e.style('line-color').replace(/ /g, '')", pcx)


def shot(d, name):
    d.save_screenshot(str(ARTEFACTS / f"{name}.png"))


def record(name, figures):
    path = ARTEFACTS / "figures.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = figures
    path.write_text(json.dumps(data, indent=2, sort_keys=True))
    print(f"{name}: {json.dumps(figures, sort_keys=True)}")


def test_page_is_served_offline_and_ec2_gets_still_work(server):
    """`GET /` is the page; every asset it names is served by the server itself."""
    host, port = re.match(r"http://([^:]+):(\d+)", server.url).groups()
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/")
    resp = conn.getresponse()
    page = resp.read().decode()
    assert resp.status == 200 and resp.getheader("content-type").startswith("text/html")
    assert "default-src 'none'" in resp.getheader("content-security-policy")
    srcs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert srcs and all(s.startswith("/_vpcpeer/console/") for s in srcs), srcs
    for s in srcs:
        conn.request("GET", s)
        r = conn.getresponse()
        r.read()
        assert r.status == 200, s
    conn.close()
    ec2 = server.ec2()
    ec2.create_vpc(CidrBlock="10.0.0.0/16")
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1


def test_map_lists_the_networks_and_peerings_boto3_created(server, driver):
    a, b = server.ec2(ACCOUNT_A), server.ec2(ACCOUNT_B)
    va = a.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "shop"}]}])["Vpc"]["VpcId"]
    vb = b.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    w2 = server.ec2(ACCOUNT_B, region="eu-west-1")
    vc = w2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    pcx = a.create_vpc_peering_connection(VpcId=va, PeerVpcId=vb, PeerOwnerId=ACCOUNT_B)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    open_console(driver, server)
    assert set(list_ids(driver, "network-list")) == {va, vb, vc}
    assert "10.0.0.0/16" in list_text(driver, "network-list", va)
    assert "(shop)" in list_text(driver, "network-list", va)
    assert list_ids(driver, "peering-list") == [pcx]
    # The vendored fCoSE layout (three scripts) loaded and laid the map out.
    assert driver.execute_script("return vpcpeerConsole.stats.layout") == "fcose"
    assert peering_state(driver, pcx) == "pending-acceptance"
    assert edge_colour(driver, pcx) == AMBER
    # Nested compound nodes: network in region in account in cloud.
    parents = driver.execute_script(
        "return vpcpeerConsole.cy.getElementById(arguments[0]).ancestors().map(n => n.id())", va)
    assert parents == [f"region:aws:{ACCOUNT_A}:us-east-1", f"account:aws:{ACCOUNT_A}", "cloud:aws"]
    ends = driver.execute_script(
        "const e = vpcpeerConsole.cy.getElementById('peering:' + arguments[0]);"
        "return [e.source().id(), e.target().id()]", pcx)
    assert ends == [va, vb]
    shot(driver, "map")
    # Filters narrow the list and the map alike.
    Select(driver.find_element(By.ID, "filter-region")).select_by_value("eu-west-1")
    assert list_ids(driver, "network-list") == [vc]
    assert list_ids(driver, "peering-list") == []
    hidden = driver.execute_script(
        "return vpcpeerConsole.cy.getElementById(arguments[0]).hasClass('filtered')", va)
    assert hidden
    Select(driver.find_element(By.ID, "filter-region")).select_by_value("")
    search = driver.find_element(By.ID, "search")
    search.send_keys("shop")
    assert list_ids(driver, "network-list") == [va]
    assert list_ids(driver, "peering-list") == [pcx], "a peering of a network found is shown"
    search.clear()
    search.send_keys("x")  # clear() sends no input event: type, then erase
    search.send_keys(Keys.BACK_SPACE)
    Select(driver.find_element(By.ID, "filter-account")).select_by_value(f"aws:{ACCOUNT_B}")
    assert set(list_ids(driver, "network-list")) == {vb, vc}


def test_a_peering_accepted_by_boto3_changes_live(server, driver):
    a, b, _, _, pcx = requested_peering(server)
    open_console(driver, server)
    assert peering_state(driver, pcx) == "pending-acceptance"
    t0 = time.monotonic()
    b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    t1 = time.monotonic()
    wait_for(driver, f"return vpcpeerConsole.cy.getElementById('peering:{pcx}')"
             f".style('line-color').replace(/ /g, '') === '{GREEN}'", what="the edge to turn green")
    t2 = time.monotonic()
    assert peering_state(driver, pcx) == "active"
    assert driver.execute_script("return window.__sameDocument") == "marker", "the page reloaded"
    # The event stream told the page: it follows by events, has never polled, and redrew on one.
    live = driver.execute_script("return vpcpeerConsole.stats.live")
    assert live["mode"] == "events" and live["transport"] == "eventsource", live
    assert live["polls"] == 0 and live["errors"] == 0, live
    assert live["event_refreshes"] >= 1, live
    assert driver.execute_script("return vpcpeerConsole.stats.lastChange.cause") == "event"
    shot(driver, "accepted")
    # A new VPC appears too (a node added, laid out), still without a reload.
    vc = b.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    t3 = time.monotonic()
    wait_for(driver, f"return !vpcpeerConsole.cy.getElementById('{vc}').empty()",
             what="the new VPC")
    t4 = time.monotonic()
    record("live_update", {
        "accept_call_ms": round((t1 - t0) * 1000),
        "accepted_to_green_ms": round((t2 - t1) * 1000),
        "vpc_created_to_drawn_ms": round((t4 - t3) * 1000),
        "follows": "events",
    })


def test_with_an_admin_token_the_page_reads_the_stream_with_it(fresh_server, driver, tmp_path):
    """EventSource cannot send the admin token: once the token is typed in, the page reads the
    same event stream with fetch, sending it, and follows changes by events."""
    token = "console-admin-token-0123456789"
    path = tmp_path / "admin-token"
    path.write_text(token + "\n")
    path.chmod(0o600)
    server = fresh_server("--admin-token-file", str(path))
    _, b, _, _, pcx = requested_peering(server)
    driver.get(server.url + "/")
    wait_for(driver, "return !document.getElementById('token-bar').hidden", what="the token bar")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#token-form button").click()
    wait_for(driver, "return document.body.dataset.refreshes >= 1", what="the first drawing")
    wait_for(driver, "const l = vpcpeerConsole.stats.live; return l.mode === 'events'",
             what="the event stream")
    before = driver.execute_script("return vpcpeerConsole.stats.live.event_refreshes")
    b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    wait_for(driver, f"return vpcpeerConsole.cy.getElementById('peering:{pcx}')"
             f".style('line-color').replace(/ /g, '') === '{GREEN}'", what="the edge to turn green")
    live = driver.execute_script("return vpcpeerConsole.stats.live")
    assert live["transport"] == "fetch" and live["mode"] == "events", live
    assert live["event_refreshes"] > before, live
    driver.execute_script("sessionStorage.clear()")


def accept_to_green_ms(d, server, page, samples):
    """Opens `page`, then `samples` times: a peering request (drawn amber), accepted by boto3
    after a pause of 0 to 500 ms; the milliseconds from just before the accept call to the page showing the edge green (the
    page notes the time itself, checking every 2 ms); the peering is deleted after each."""
    a, b = server.ec2(ACCOUNT_A), server.ec2(ACCOUNT_B)
    va = a.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    vb = b.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    d.get(server.url + page)
    wait_for(d, "return document.body.dataset.refreshes >= 1", what="the first drawing")
    out = []
    pause = random.Random(7)
    for _ in range(samples):
        pcx = a.create_vpc_peering_connection(VpcId=va, PeerVpcId=vb, PeerOwnerId=ACCOUNT_B)[
            "VpcPeeringConnection"]["VpcPeeringConnectionId"]
        wait_for(d, f"const e = vpcpeerConsole.cy.getElementById('peering:{pcx}');"
                 f"return e.nonempty() && e.style('line-color').replace(/ /g, '') === '{AMBER}'",
                 what="the request")
        # The accept comes at any moment of the polling cycle, not just after a drawing.
        time.sleep(pause.uniform(0, 0.5))
        t0 = time.time() * 1000
        b.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
        seen = d.execute_async_script("""
            const [id, green, done] = arguments;
            const tick = () => {
              const e = vpcpeerConsole.cy.getElementById('peering:' + id);
              if (e.nonempty() && e.style('line-color').replace(/ /g, '') === green) done(Date.now());
              else setTimeout(tick, 2);
            };
            tick();""", pcx, GREEN)
        out.append(seen - t0)
        a.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    return out


def test_accept_to_map_latency_with_events_and_with_polling(server, driver):
    """Figures for the README (recorded, not asserted): 20 accepts each way."""
    figures = {}
    for mode, page in (("polling", "/?live=poll"), ("events", "/")):
        server.reset()
        ms = accept_to_green_ms(driver, server, page, 20)
        live = driver.execute_script("return vpcpeerConsole.stats.live")
        assert live["mode"] == mode, live
        ms.sort()
        figures[mode] = {"samples": len(ms), "median_ms": round(ms[len(ms) // 2], 1),
                         "max_ms": round(ms[-1], 1), "min_ms": round(ms[0], 1)}
    figures["poll_interval_ms"] = 500
    record("accept_to_green", figures)


def inspector(d):
    """What the inspector shows: its id, facts, and per table its kind, id and rows."""
    return d.execute_script("""
        const box = document.getElementById('inspect-result');
        const facts = {};
        const dts = box.querySelectorAll('dt');
        for (const dt of dts) facts[dt.textContent] = dt.nextElementSibling.textContent;
        const tables = [...box.querySelectorAll('table')].map(t => ({
            kind: t.dataset.kind, id: t.dataset.id || null,
            rows: [...t.querySelectorAll('tr')].slice(1).map(r => ({
                cells: [...r.children].map(c => c.textContent), flag: r.dataset.flag || null})),
        }));
        return {id: box.dataset.id || null, facts, tables};
    """)


def click_item(d, list_id, item):
    d.execute_script(
        "[...document.querySelectorAll(arguments[0] + ' li')]"
        ".find(l => l.dataset.id === arguments[1]).click()", "#" + list_id, item)


def test_the_inspector_shows_tables_flags_a_blackhole_and_who_may_accept(server, driver):
    s = one_sided_peering(server)
    vc = s.b.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    pending = s.a.create_vpc_peering_connection(VpcId=s.va, PeerVpcId=vc,
                                                PeerOwnerId=ACCOUNT_B)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    open_console(driver, server)
    # A pending request: who may accept it, and until when (the emulator's clock).
    click_item(driver, "peering-list", pending)
    wait_for(driver, f"return document.getElementById('inspect-result').dataset.id === '{pending}'",
             what="the pending request in the inspector")
    facts = inspector(driver)["facts"]
    assert facts["State"] == "pending-acceptance"
    assert facts["May accept"].startswith(f"account {ACCOUNT_B} in us-east-1"), facts
    assert facts["Expires"].startswith("20"), facts
    # A VPC: its route tables, groups and ACLs; the route to the peering is active.
    click_item(driver, "network-list", s.va)
    wait_for(driver, f"return document.getElementById('inspect-result').dataset.id === '{s.va}'",
             what="the VPC in the inspector")
    seen = inspector(driver)
    assert seen["facts"]["CIDRs"] == "10.0.0.0/16"
    kinds = {t["kind"] for t in seen["tables"]}
    assert {"route-table", "security-group", "network-acl"} <= kinds, kinds
    table = next(t for t in seen["tables"] if t["id"] == s.rtb_a)
    row = next(r for r in table["rows"] if r["cells"][0] == "10.1.0.0/16")
    assert row["cells"][1:] == [s.pcx, "active"] and row["flag"] is None, row
    # Deleting the peering (boto3, another client) turns that route into a blackhole, flagged
    # in the open inspector without a click.
    s.b.delete_vpc_peering_connection(VpcPeeringConnectionId=s.pcx)
    wait_for(driver, "return document.querySelector('#inspect-result tr.flagged') !== null",
             what="the blackhole flag")
    table = next(t for t in inspector(driver)["tables"] if t["id"] == s.rtb_a)
    row = next(r for r in table["rows"] if r["cells"][0] == "10.1.0.0/16")
    assert row["flag"] == "blackhole" and row["cells"][2] == "blackhole", row
    shot(driver, "inspector")


def test_a_reach_query_highlights_the_hops_and_lists_the_blocker(server, driver):
    s = one_sided_peering(server)
    ia, ib = s.ia["InstanceId"], s.ib["InstanceId"]
    ip_b = s.ib["PrivateIpAddress"]
    open_console(driver, server)
    driver.find_element(By.ID, "reach-from").send_keys(ia)
    driver.find_element(By.ID, "reach-to").send_keys(ip_b)
    port = driver.find_element(By.ID, "reach-port")
    port.clear()
    port.send_keys("443")
    driver.find_element(By.ID, "reach-go").click()
    wait_for(driver, "return document.getElementById('reach-verdict')", what="the verdict")
    assert driver.find_element(By.ID, "reach-verdict").text == "Not reachable"
    blockers = driver.find_elements(By.CSS_SELECTOR, "#reach-blockers li")
    codes = [li.get_attribute("data-code") for li in blockers]
    assert codes == ["NO_ROUTE_TO_DESTINATION"], [li.text for li in blockers]
    assert "return" in blockers[0].text and "Fix:" in blockers[0].text
    hops = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#reach-hops li")]
    assert any(h.startswith("forward: instance " + ia) for h in hops), hops
    assert any(f"peering-connection {s.pcx}" in h for h in hops), hops
    lit = driver.execute_script(
        "return vpcpeerConsole.cy.$('.hop').map(e => e.id()).sort()")
    assert s.va in lit and f"peering:{s.pcx}" in lit, lit
    blocked = driver.execute_script(
        "return vpcpeerConsole.cy.$('.blocked').map(e => e.id())")
    assert blocked == [s.vb], "B's route table (hidden from A) is shown by its VPC"
    # With subnets and instances drawn, the instance itself is lit.
    driver.find_element(By.ID, "show-members").click()
    wait_for(driver, f"return vpcpeerConsole.cy.getElementById('{ia}').hasClass('hop')",
             what="the instance lit")
    shot(driver, "reach")
    # Fixing the return route turns the verdict green.
    s.b.create_route(RouteTableId=s.rtb_b, DestinationCidrBlock="10.0.0.0/16",
                     VpcPeeringConnectionId=s.pcx)
    driver.find_element(By.ID, "reach-go").click()
    wait_for(driver, "const v = document.getElementById('reach-verdict');"
             "return v && v.textContent === 'Reachable'", what="reachable")
    assert driver.find_elements(By.CSS_SELECTOR, "#reach-blockers li") == []
    driver.find_element(By.ID, "show-members").click()


def test_audit_findings_show_on_the_map_and_the_matrix_asks_reach(server, driver):
    s = one_sided_peering(server)
    ia, ib = s.ia["InstanceId"], s.ib["InstanceId"]
    open_console(driver, server)
    # The audit names the one-sided route; a click lights its resources on the map.
    driver.find_element(By.ID, "audit-go").click()
    wait_for(driver, "return document.querySelector('#audit-findings li')", what="findings")
    items = driver.find_elements(By.CSS_SELECTOR, "#audit-findings li")
    checks = [li.get_attribute("data-check") for li in items]
    assert "missing_return_route" in checks, [li.text for li in items]
    finding = items[checks.index("missing_return_route")]
    assert "fix:" in finding.text
    finding.click()
    lit = wait_for(driver, "const l = vpcpeerConsole.cy.$('.finding').map(e => e.id()).sort();"
                           "return l.length ? l : null", what="the finding on the map")
    assert s.vb in lit and f"peering:{s.pcx}" in lit, lit
    shot(driver, "audit")
    # The matrix: A's instance reaches nothing over tcp/443 (no return route), and neither does
    # B's; a cell's click asks reach for that pair and names the blocker.
    driver.find_element(By.ID, "matrix-go").click()
    wait_for(driver, "return document.querySelector('.matrix-table td[data-from]')",
             what="the matrix")
    cells = driver.execute_script(
        "return [...document.querySelectorAll('.matrix-table td[data-from]')]"
        ".map(td => [td.dataset.from, td.dataset.to, td.className])")
    assert [ia, ib, "no"] in cells and [ib, ia, "no"] in cells, cells
    driver.execute_script(
        "document.querySelector(`.matrix-table td[data-from='${arguments[0]}']"
        "[data-to='${arguments[1]}']`).click()", ia, ib)
    wait_for(driver, "return document.getElementById('reach-verdict')", what="the verdict")
    # B's instance is another account's: reach is asked for its private address.
    assert driver.find_element(By.ID, "reach-to").get_attribute("value") == \
        s.ib["PrivateIpAddress"]
    assert driver.find_element(By.ID, "reach-verdict").text == "Not reachable"
    codes = [li.get_attribute("data-code")
             for li in driver.find_elements(By.CSS_SELECTOR, "#reach-blockers li")]
    assert codes == ["NO_ROUTE_TO_DESTINATION"], codes
    shot(driver, "matrix")


def test_advancing_the_clock_expires_a_pending_request_on_the_map(server, driver):
    a, _, _, _, pcx = requested_peering(server)
    open_console(driver, server)
    before = driver.find_element(By.ID, "clock").get_attribute("data-ms")
    assert "expires" in list_text(driver, "peering-list", pcx)
    Select(driver.find_element(By.ID, "advance-seconds")).select_by_value(str(8 * DAY))
    driver.find_element(By.ID, "advance").click()
    wait_for(driver, f"return vpcpeerConsole.cy.getElementById('peering:{pcx}')"
             ".data('state') === 'expired'", what="the request to expire")
    assert peering_state(driver, pcx) == "expired"
    assert edge_colour(driver, pcx) == GREY
    after = driver.find_element(By.ID, "clock").get_attribute("data-ms")
    assert int(after) - int(before) >= 8 * DAY * 1000
    assert server.now_ms() >= int(after)
    assert driver.execute_script("return window.__sameDocument") == "marker"
    shot(driver, "expired")
    # boto3 agrees.
    state = a.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])[
        "VpcPeeringConnections"][0]["Status"]["Code"]
    assert state == "expired"


def raw_ec2(conn, account, region, params):
    """One unsigned EC2 Query request on a kept-alive connection; the response text."""
    body = urllib.parse.urlencode({**params, "Version": "2016-11-15"})
    conn.request("POST", "/", body=body, headers={
        "content-type": "application/x-www-form-urlencoded",
        "authorization": f"AWS4-HMAC-SHA256 Credential={account}/20260101/{region}/ec2/"
                         "aws4_request, SignedHeaders=host, Signature=00"})
    r = conn.getresponse()
    text = r.read().decode()
    assert r.status == 200, text
    return text


def test_a_large_estate_is_drawn_whole(fresh_server, driver):
    """1,000 VPCs (10 accounts, 2 regions) and 2,000 active peerings: the list names them all
    and the map holds them all. The time of the first drawing and of a change's appearance are
    recorded (figures.json), not asserted."""
    server = fresh_server("--limit", "vpcs_per_region=off",
                          "--limit", "active_peerings_per_vpc=off",
                          "--limit", "outstanding_peering_requests=off")
    host, port = re.match(r"http://([^:]+):(\d+)", server.url).groups()
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    accounts = [f"{100000000000 + k}" for k in range(10)]
    regions = ["us-east-1", "eu-west-1"]
    vpcs = {r: [] for r in regions}
    t0 = time.monotonic()
    for j in range(1000):
        account, region = accounts[j % 10], regions[(j // 10) % 2]
        text = raw_ec2(conn, account, region, {
            "Action": "CreateVpc", "CidrBlock": f"10.{j >> 8}.{j & 255}.0/24"})
        vpcs[region].append((account, re.search(r"<vpcId>(vpc-[0-9a-f]+)</vpcId>", text)[1]))
    n = 500
    for k in range(2000):
        region = regions[k % 2]
        j = k // 2
        rnd = (2 * j) // n
        x = (2 * j) % n
        y = (x + 1 + 2 * rnd) % n
        (acc_a, va), (acc_b, vb) = vpcs[region][x], vpcs[region][y]
        text = raw_ec2(conn, acc_a, region, {
            "Action": "CreateVpcPeeringConnection", "VpcId": va, "PeerVpcId": vb,
            "PeerOwnerId": acc_b})
        pcx = re.search(r"<vpcPeeringConnectionId>(pcx-[0-9a-f]+)<", text)[1]
        raw_ec2(conn, acc_b, region, {"Action": "AcceptVpcPeeringConnection",
                                      "VpcPeeringConnectionId": pcx})
    seeded = time.monotonic() - t0
    t1 = time.monotonic()
    driver.get(server.url + "/")
    wait_for(driver, "return document.body.dataset.refreshes >= 1", timeout=600,
             what="the first drawing")
    t2 = time.monotonic()
    first = driver.execute_script("return vpcpeerConsole.stats.firstRender")
    assert len(list_ids(driver, "network-list")) == 1000
    assert len(list_ids(driver, "peering-list")) == 2000
    assert first["edges"] == 2000
    shot(driver, "large")
    # Interactive: a search narrows 3,000 rows and the map at once.
    t3 = time.monotonic()
    driver.find_element(By.ID, "search").send_keys(vpcs["us-east-1"][0][1])
    shown = list_ids(driver, "network-list")
    t4 = time.monotonic()
    assert vpcs["us-east-1"][0][1] in shown
    # A change on the server (one more peering request) reaches the map.
    (acc_a, va), (acc_b, vb) = vpcs["us-east-1"][0], vpcs["us-east-1"][250]
    t5 = time.monotonic()
    text = raw_ec2(conn, acc_a, "us-east-1", {
        "Action": "CreateVpcPeeringConnection", "VpcId": va, "PeerVpcId": vb,
        "PeerOwnerId": acc_b})
    pcx = re.search(r"<vpcPeeringConnectionId>(pcx-[0-9a-f]+)<", text)[1]
    wait_for(driver, f"return !vpcpeerConsole.cy.getElementById('peering:{pcx}').empty()",
             timeout=120, what="the new peering")
    t6 = time.monotonic()
    conn.close()
    record("large_estate", {
        "vpcs": 1000, "peerings": 2000, "seed_s": round(seeded, 1),
        "page_load_to_first_drawing_ms": round((t2 - t1) * 1000),
        "first_render_in_page": first,
        "search_ms": round((t4 - t3) * 1000),
        "change_to_map_ms": round((t6 - t5) * 1000),
    })


CONTROLLER_TOPOLOGY = f"""\
name: console
accounts:
  shop: {{ cloud: aws, account_id: "{ACCOUNT_A}" }}
networks:
  web: {{ account: shop, region: us-east-1, cidrs: [10.30.0.0/16] }}
  db: {{ account: shop, region: us-east-1, cidrs: [10.31.0.0/16] }}
links:
  - between: [web, db]
    open: [{{ protocol: tcp, ports: 5432 }}]
"""


def controller_items(d, list_id):
    return d.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' li')]"
        ".map(l => ({sign: l.dataset.sign || null, text: l.textContent, link: l.dataset.link || null,"
        " up: l.dataset.up || null, cls: l.className}))", "#" + list_id)


def test_the_controller_panel_plans_applies_and_shows_the_link(server, driver):
    open_console(driver, server)
    # A topology that is not one: the panel lists the problems.
    driver.execute_script(
        "const t = document.getElementById('ctl-topology'); t.value = arguments[0];"
        "t.dispatchEvent(new Event('input'))",
        CONTROLLER_TOPOLOGY.replace("between: [web, db]", "between: [web, nowhere]"))
    driver.find_element(By.ID, "ctl-plan").click()
    wait_for(driver, "return document.getElementById('ctl-plan-result').dataset.state === 'error'",
             what="the refusal")
    problems = driver.execute_script(
        "return [...document.querySelectorAll('#ctl-plan-result .ctl-problems li')]"
        ".map(l => l.textContent)")
    assert any("nowhere" in p for p in problems), problems
    # Pasted (typed into the box): the plan is all additions, coloured as such.
    box = driver.find_element(By.ID, "ctl-topology")
    box.clear()
    box.send_keys(CONTROLLER_TOPOLOGY)
    driver.find_element(By.ID, "ctl-plan").click()
    wait_for(driver, "return document.getElementById('ctl-plan-result').dataset.state === 'changes'",
             what="the plan")
    steps = controller_items(driver, "ctl-steps")
    signs = {s["sign"] for s in steps}
    assert "+" in signs and "-" not in signs and "!" not in signs, steps
    added = [s["text"] for s in steps if s["sign"] == "+"]
    assert any("VPC web" in t for t in added) and any("VPC db" in t for t in added), added
    assert any("peering web-db" in t for t in added), added
    assert all(s["cls"] == "sign-add" for s in steps if s["sign"] == "+"), steps
    summary = driver.find_element(By.CSS_SELECTOR, "#ctl-plan-result .summary").text
    assert summary.startswith(f"Plan: {len(added)} to add"), summary
    shot(driver, "controller-plan")
    # Apply: progress, then the link's status, and the map draws what it made.
    driver.find_element(By.ID, "ctl-apply").click()
    wait_for(driver, "return document.getElementById('ctl-apply-result').dataset.state === 'done'",
             timeout=120, what="the apply")
    lines = [x["text"] for x in controller_items(driver, "ctl-progress-lines")]
    assert any(x.startswith("[1/") for x in lines), lines
    wait_for(driver, "return document.querySelector('#ctl-links li[data-link]')", what="the status")
    (link,) = controller_items(driver, "ctl-links")
    assert link["link"] == "web-db" and link["up"] == "true", link
    assert "active" in link["text"] and "pcx-" in link["text"], link
    timeline = controller_items(driver, "ctl-timeline")
    assert timeline and "No health events" in timeline[0]["text"], timeline
    wait_for(driver, "return vpcpeerConsole.cy.edges().some(e => e.data('cat') === 'active')",
             what="the peering on the map")
    driver.execute_script("document.getElementById('controller').scrollIntoView()")
    shot(driver, "controller")
    # Planned again: in sync.
    driver.find_element(By.ID, "ctl-plan").click()
    wait_for(driver, "return document.getElementById('ctl-plan-result').dataset.state === 'in-sync'",
             what="the plan in sync")
