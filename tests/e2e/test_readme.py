"""The README's samples, run verbatim against a real server with the clouds' real clients.

"Verbatim" here means: the text of each block, unchanged, run by bash or Python. What the test
supplies is what a reader's machine supplies:

- the server: the README points every sample at `http://127.0.0.1:4650` through a variable with
  that default (`AWS_ENDPOINT_URL`, `VPCPEER_ENDPOINT`, `VPCPEER_URL`, `VPCPEER_HTTPS`); the test
  sets those variables to its own server, which runs on free ports;
- the clone: the walkthrough runs in the clone's directory and puts `$PWD/target/release` on the
  PATH, where the README's first command (`cargo run --release`) left `vpcpeer`. The test runs it
  in a temporary directory whose `target/release/vpcpeer` is a link to the binary under test
  (VPCPEER_BIN, the debug build), so the README's own PATH line is what finds it.

Every sample runs twice in a row on the same server: the README promises they can be run again on
kept state. The ```text figures of the walkthrough and of the GCP reach example must match what
the commands print, line by line, except for the ids (which differ from run to run).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BIN

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def section(title):
    """The text of the README section (or subsection) headed `title`, up to the next heading of
    the same or a higher level (lines inside fenced blocks are not headings)."""
    lines = README.splitlines(keepends=True)
    fenced = False
    start = level = None
    for n, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
            continue
        m = None if fenced else re.match(r"(#+) (.*)\n", line)
        if not m:
            continue
        if start is None and m.group(2) == title:
            start, level = n + 1, len(m.group(1))
        elif start is not None and len(m.group(1)) <= level:
            return "".join(lines[start:n])
    assert start is not None, f"README has no section {title!r}"
    return "".join(lines[start:])


def blocks(text, lang):
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


@pytest.fixture
def clone(tmp_path):
    """A directory shaped like a clone after the README's first command."""
    d = tmp_path / "clone"
    (d / "target" / "release").mkdir(parents=True)
    (d / "target" / "release" / "vpcpeer").symlink_to(Path(BIN).resolve())
    return d


def shell_env(server, clone):
    env = dict(os.environ)
    env.update(AWS_ENDPOINT_URL=server.url, VPCPEER_ENDPOINT=server.url,
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    env.pop("AWS_PROFILE", None)
    aws = shutil.which("aws")
    assert aws, "the aws CLI is needed (tests/e2e/requirements.txt)"
    # Nothing else named vpcpeer may be found first: only the README's PATH line adds it.
    path = [p for p in env["PATH"].split(os.pathsep)
            if not (Path(p) / "vpcpeer").exists() or Path(p) == clone / "target" / "release"]
    env["PATH"] = os.pathsep.join([str(Path(aws).parent), *path])
    return env


def run_bash(script, cwd, env):
    return subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


ID = re.compile(r"\b(i|eni|sg|sgr|acl|rtb|pcx|vpc|subnet)-[0-9a-f]{8,17}\b")


def run_section(server, clone, title, runs, examples=False):
    """Runs the one bash block of the README section `title` in `clone` against `server`, `runs`
    times on the same server (with the repository's `examples/` copied in first, if asked);
    each run must exit 0. Returns the section's text and each run's stdout."""
    text = section(title)
    (script,) = blocks(text, "bash")
    if examples:
        shutil.copytree(ROOT / "examples", clone / "examples")
    env = shell_env(server, clone)
    outs = []
    for run in range(1, runs + 1):
        p = run_bash(script, clone, env)
        assert p.returncode == 0, f"run {run}:\n{p.stdout}\n{p.stderr}"
        outs.append(p.stdout)
    return text, outs


def shape(text):
    """Lines with ids replaced by their prefix and runs of blanks collapsed (column widths follow
    the ids' lengths)."""
    return [re.sub(r"\s+", " ", ID.sub(r"\1-…", line)).strip() for line in text.splitlines()]


def assert_figure_printed(figure, out):
    """Every line of `figure` (but `…`) appears in `out`, in order, ids aside."""
    want = [l for l in shape(figure) if l and l != "…"]
    got = [l for l in shape(out) if l]
    pos = 0
    for line in want:
        try:
            pos = got.index(line, pos) + 1
        except ValueError:
            pytest.fail(f"README figure line not printed (in order):\n{line}\n\noutput:\n{out}")


def test_readme_walkthrough_runs_verbatim_twice_and_prints_its_figures(server, clone):
    text = section("Walkthrough (aws CLI)")
    script = "\n".join(blocks(text, "bash"))
    assert "vpcpeer reach" in script and "run-instances" in script and "vpcpeer audit" in script
    # No literal resource id in the commands: every id comes from the script's own variables.
    assert not ID.search(re.sub(r"#.*", "", script)), ID.search(script)
    env = shell_env(server, clone)
    seen = []
    for run in (1, 2):
        p = run_bash(script, clone, env)
        assert p.returncode == 0, f"run {run}:\n{p.stdout}\n{p.stderr}"
        out = p.stdout
        lines = [l.strip() for l in out.splitlines() if l.strip()]
        assert "pending-acceptance" in lines
        assert "refused: A is not the accepter" in lines
        assert "OperationNotPermitted" in p.stderr
        assert "provisioning" in lines
        assert re.search(r"^active\s+10\.0\.0\.0/16\s+10\.1\.0\.0/16$", out, re.M), out
        assert re.search(r"^10\.1\.0\.0/16\s+active$", out, re.M), out
        assert re.search(r"^failed\s+Overlapping CIDR range$", out, re.M), out
        m = re.search(r"^A: (i-\w+) 10\.0\.1\.4  B: (i-\w+) 10\.1\.1\.4$", out, re.M)
        assert m, out
        i_a, i_b = m.groups()
        seen.append(i_a)
        # Reachable, then not (the return path), then reachable again after the repair.
        verdicts = re.findall(r"^((?:NOT )?REACHABLE): (\S+) -> (\S+) \(tcp/443\)$", out, re.M)
        assert verdicts == [("REACHABLE", i_a, "10.1.1.4"), ("NOT REACHABLE", i_a, "10.1.1.4"),
                            ("NOT REACHABLE", i_b, "10.0.1.4"),
                            ("REACHABLE", i_a, "10.1.1.4")], out
        assert lines[-1] == f"REACHABLE: {i_a} -> 10.1.1.4 (tcp/443)", out
        assert lines.count("exit status 1") == 3, out  # A's reach, B's reach, the audit
        a_view = out[out.index(f"NOT REACHABLE: {i_a}"):out.index(f"NOT REACHABLE: {i_b}")]
        b_view = out[out.index(f"NOT REACHABLE: {i_b}"):out.index("SEVERITY")]
        assert ("1. NO_ROUTE_TO_DESTINATION (return path) at route-table (account 222222222222, "
                "vpc-") in a_view, a_view
        fix = re.search(r"fix: add a route 10\.0\.0\.0/16 → (pcx-\w+) to (rtb-\w+)", b_view)
        assert fix, b_view
        pcx, rtb_b = fix.groups()
        assert (f"fix: its owner (account 222222222222) must add a route 10.0.0.0/16 → {pcx} to "
                "route-table (account 222222222222, vpc-") in a_view, a_view
        # A does not see B's table or instance by id; B sees them.
        assert rtb_b not in a_view and i_b not in a_view.split("\n", 1)[1], a_view
        assert "missing_return_route" in out and rtb_b in out[out.index("SEVERITY"):]
        assert "0 of 2 ordered pairs reachable." in lines and "A  NO_ROUTE_TO_DESTINATION" in lines
        if run == 1:
            for figure in blocks(text, "text"):
                assert_figure_printed(figure, out)
    assert seen[0] != seen[1]


def gcp_sample():
    (code,) = blocks(section("GCP (google-cloud-compute)"), "python")
    return code


def test_readme_gcp_sample_runs_twice_then_reach_prints_its_figure(server, clone):
    env = dict(os.environ, VPCPEER_URL=server.url)
    for run in (1, 2):
        p = subprocess.run([sys.executable, "-c", gcp_sample()], env=env, cwd=clone,
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, f"run {run}:\n{p.stdout}\n{p.stderr}"
        out = p.stdout
        assert "A after one side: [('a-to-b', 'INACTIVE')]" in out, out
        assert "A after both sides: [('a-to-b', 'ACTIVE')]" in out, out
        assert "B imports: [('10.0.0.0/24', 'SUBNET_PEERING_ROUTE')]" in out, out
        assert re.search(r"^refused: An IP range in the peer network \(10\.0\.0\.0/16\) overlaps",
                         out, re.M), out
        assert re.search(r"^cross-cloud: .*encrypted peering through gateways", out, re.M), out
        assert "B after A left: [('b-to-a', 'INACTIVE')]" in out, out
        assert "B after A came back: [('b-to-a', 'ACTIVE')]" in out, out
        assert "vm-a 10.0.0.2" in out and "vm-b 10.1.0.2" in out, out
    # The reach example that follows the sample, with vpcpeer on the PATH as the walkthrough
    # put it there.
    text = section("GCP and Azure endpoints")
    (script,) = blocks(text, "bash")
    env = shell_env(server, clone)
    env["PATH"] = str(clone / "target" / "release") + os.pathsep + env["PATH"]
    p = run_bash(script, clone, env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.rstrip().endswith("exit status 1"), p.stdout
    # Below the headline (the caller's own arguments), proj-b's instance is not named.
    body = p.stdout.split("\n", 1)[1]
    assert "proj-b/zones" not in body and "firewall-rule (project proj-b)" in body, body
    for figure in blocks(text, "text"):
        assert_figure_printed(figure, p.stdout)


def azure_sample():
    (code,) = blocks(section("Azure (azure-mgmt-network)"), "python")
    return code


def test_readme_azure_sample_runs_twice_from_any_directory(server, tmp_path):
    # No certificate path is given: the sample fetches the certificate from the server.
    env = dict(os.environ, VPCPEER_URL=server.url, VPCPEER_HTTPS=server.https_url)
    env.pop("VPCPEER_CERT", None)
    for run in (1, 2):
        p = subprocess.run([sys.executable, "-c", azure_sample()], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, f"run {run}:\n{p.stdout}\n{p.stderr}"
        lines = p.stdout.splitlines()
        assert lines[:4] == ["nic-a 10.0.1.4", "a-to-b Initiated", "b-to-a Connected",
                             "a-to-b Connected"], p.stdout
        assert "route 10.0.0.0/16 VnetLocal" in lines, p.stdout
        assert "route 10.1.0.0/16 VNetPeering" in lines, p.stdout
        assert "refused VnetAddressSpacesOverlap" in lines, p.stdout
        assert lines[-2:] == ["b-to-a Disconnected", "demo deleted True"], p.stdout


def test_readme_controller_section_runs_twice_and_prints_its_plan(server, clone):
    """The controller block, in a clone that has the example topology, against the test server:
    plan (exit 2), apply, plan (exit 0), destroy — twice, and the figure is what it prints."""
    text, outs = run_section(server, clone, "Controller (plan, apply, destroy)", 2, examples=True)
    for out in outs:
        for figure in blocks(text, "text"):
            assert_figure_printed(figure, out)


def test_readme_multicloud_plan_prints_its_figure(server, clone):
    """The multicloud block: the plan of examples/multicloud.yaml against an empty server."""
    text, (out,) = run_section(server, clone, "Multicloud encrypted peering", 1, examples=True)
    (figure,) = blocks(text, "text")
    assert_figure_printed(figure, out)


def test_readme_aviatrix_block_runs_twice_and_prints_its_figure(server, clone):
    """The Aviatrix block: login, an account, the list — twice (the second setup is refused as
    a duplicate, and the list is the same)."""
    text, outs = run_section(server, clone, "Aviatrix-compatible API", 2)
    (figure,) = blocks(text, "text")
    for run, out in enumerate(outs, 1):
        assert figure.strip() in out.splitlines(), out
        assert ("already exists" in out) == (run == 2), out


def test_readme_failover_block_runs_twice_fails_over_and_back(server, clone):
    """The failover block: apply, stop the primary through EC2 (down, exit 2), advance the
    emulator's clock, one pass fails over, start it, fail back — twice on the same server. The
    figure's lines are printed, but for the times (the emulator's clock) and the route table
    ids."""
    text, outs = run_section(server, clone, "Failover you can watch", 2, examples=True)
    for run, out in enumerate(outs, 1):
        assert "primary tunnel: down since" in out and ": east-gw is not running" in out, out
        assert "exit status 2" in out, out
        (figure,) = blocks(text, "text")
        times = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
        shown = [times.sub("T", line) for line in out.splitlines()]
        for line in figure.splitlines():
            line = re.sub(r"down for \d+ s", "down for N s", times.sub("T", line))
            assert any(re.sub(r"down for \d+ s", "down for N s", s) == line for s in shown), \
                f"run {run}: {line!r} not printed:\n{out}"
        # Then back on the primaries, and the state file beside the topology says so.
        active = [line for line in out.splitlines() if line.startswith("  active: ")]
        assert active[-1] == "  active: primary — east-gw (east) ↔ west-gw (west)", out
        assert "failback: east-gw-hagw ↔ west-gw-hagw → east-gw ↔ west-gw" in out, out
        assert (clone / "examples" / "failover.ha-state.json").exists()


def test_readme_multicloud_failover_block_runs_twice_and_prints_its_figure(server, clone):
    """The multicloud failover block: apply the three-cloud example, a workload in AWS and one
    in GCP, reach across the encrypted link, lake's primary stopped through Compute, the clock
    moved on, one pass onto the backups, reach through them. The figure is the first run's; the
    second run (the primary still stopped, the links on the backups) succeeds too."""
    text, (first, second) = run_section(server, clone, "Failover across clouds", 2, examples=True)
    (figure,) = blocks(text, "text")
    assert_figure_printed(figure, first)
    assert "tunnel web-gw-hagw->lake-gw-hagw" in first, first
    assert "NOT REACHABLE" not in second, second


def test_readme_fault_mode_block_runs_and_prints_its_figure(server, clone):
    text, (out,) = run_section(server, clone, "Fault mode: testing your retries", 1)
    (figure,) = blocks(text, "text")
    assert out.splitlines() == figure.splitlines(), out


def test_readme_admin_posts_send_json_and_work(fresh_server):
    """Every `curl -X POST` in the README sends a JSON content type, and works as written once
    its URL is the test server's (the only change made to it). A server of its own: one of them
    moves the clock."""
    server = fresh_server()
    posts = re.findall(r"curl -X POST[^`\n]*", README)
    assert len(posts) >= 2, posts
    for cmd in posts:
        assert "-H 'Content-Type: application/json'" in cmd, cmd
        cmd = cmd.split("  #")[0].replace("http://127.0.0.1:4650", server.url)
        p = subprocess.run(["bash", "-c", f"set -euo pipefail; {cmd} --fail-with-body -sS"],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, f"{cmd}: {p.stdout} {p.stderr}"
    assert server.admin("GET", "/_vpcpeer/health")[0] == 200


def test_readme_tunnel_block_runs_twice_reachable_then_blocked(server, clone):
    """The tunnel block: reachable through the tunnel, then TUNNEL_GATEWAY_NOT_RUNNING once the
    far gateway is stopped — twice on the same server."""
    _, outs = run_section(server, clone, "Encrypted tunnels (gateway VMs)", 2)
    for out in outs:
        verdicts = re.findall(r"^((?:NOT )?REACHABLE): ", out, re.M)
        assert verdicts == ["REACHABLE", "NOT REACHABLE"], out
        assert "tunnel east-gw->west-gw" in out, out
        assert "TUNNEL_GATEWAY_NOT_RUNNING (forward path)" in out, out
        assert out.strip().endswith("exit status 1"), out


def test_every_readme_shell_and_python_block_is_run_by_a_test():
    """A new runnable block must be run here, or listed below with the reason it is not."""
    run_here = (blocks(section("Walkthrough (aws CLI)"), "bash")
                + blocks(section("GCP and Azure endpoints"), "bash")
                + blocks(section("Controller (plan, apply, destroy)"), "bash")
                + blocks(section("Multicloud encrypted peering"), "bash")
                + blocks(section("Fault mode: testing your retries"), "bash")
                + blocks(section("Encrypted tunnels (gateway VMs)"), "bash")
                + blocks(section("Aviatrix-compatible API"), "bash")
                + blocks(section("Failover you can watch"), "bash")
                + blocks(section("Failover across clouds"), "bash")
                + [gcp_sample(), azure_sample()])
    not_run = {
        # The opening block: builds and starts the server the samples talk to (the tests build
        # and start their own), and runs every test (CI runs exactly it: .ci/run).
        "cargo run --release -p vpcpeer -- serve",
        # Run above (test_readme_admin_posts_send_json_and_work), with the test server's URL.
        "curl -X POST -H 'Content-Type: application/json' http://127.0.0.1:4650/_vpcpeer/reset",
    }
    for lang in ("bash", "sh", "python", "console", "shell"):
        for b in blocks(README, lang):
            assert b in run_here or any(b.startswith(x) for x in not_run), \
                f"README {lang} block run by no test:\n{b}"


def test_readme_and_code_docs_name_only_files_of_the_repository():
    texts = {"README.md": README}
    for p in (ROOT / "crates").rglob("*.rs"):
        if "target" not in p.parts:
            texts[str(p.relative_to(ROOT))] = p.read_text()
    path = re.compile(r"`((?:[\w.-]+/)+[\w.-]+\.(?:md|rs|py|sh|toml|txt))`")
    for name, text in texts.items():
        for rel in path.findall(text):
            here = ROOT / name
            candidates = [ROOT / rel, here.parent / rel,
                          *(parent / rel for parent in here.parents)]
            assert any(c.exists() for c in candidates), f"{name} names {rel}, not in the repository"
