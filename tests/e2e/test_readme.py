"""The README walkthrough, run verbatim against a real server with the real aws CLI."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def walkthrough_script():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Walkthrough (aws CLI)", 1)[1]
    m = re.search(r"```bash\n(.*?)```", section, re.S)
    assert m, "README walkthrough has no bash block"
    return m.group(1)


def test_readme_walkthrough_runs_and_ends_failed(server):
    script = "set -euo pipefail\n" + walkthrough_script()
    env = dict(os.environ)
    env.update(AWS_ENDPOINT_URL=server.url, AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    env["PATH"] = str(Path(shutil.which("aws")).parent) + os.pathsep + env["PATH"]
    p = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    lines = [l.strip() for l in p.stdout.splitlines() if l.strip()]
    assert "pending-acceptance" in lines
    assert "refused: A is not the accepter" in lines
    assert "OperationNotPermitted" in p.stderr
    assert "provisioning" in lines
    assert re.search(r"^active\s+10\.0\.0\.0/16\s+10\.1\.0\.0/16$", p.stdout, re.M), p.stdout
    assert re.search(r"^10\.1\.0\.0/16\s+active$", p.stdout, re.M), p.stdout
    assert re.search(r"^failed\s+Overlapping CIDR range$", p.stdout, re.M), p.stdout


def gcp_script():
    text = (ROOT / "README.md").read_text()
    section = text.split("## GCP (google-cloud-compute)", 1)[1]
    m = re.search(r"```python\n(.*?)```", section, re.S)
    assert m, "README GCP section has no python block"
    return m.group(1)


def test_readme_gcp_script_runs_with_google_cloud_compute(server):
    env = dict(os.environ, VPCPEER_URL=server.url)
    p = subprocess.run([sys.executable, "-c", gcp_script()], env=env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout
    assert "A after one side: [('a-to-b', 'INACTIVE')]" in out, out
    assert "A after both sides: [('a-to-b', 'ACTIVE')]" in out, out
    assert "B imports: [('10.0.0.0/24', 'SUBNET_PEERING_ROUTE')]" in out, out
    assert re.search(r"^refused: An IP range in the peer network \(10\.0\.0\.0/16\) overlaps",
                     out, re.M), out
    assert re.search(r"^cross-cloud: .*encrypted peering through gateways", out, re.M), out
    assert "B after A left: [('b-to-a', 'INACTIVE')]" in out, out


def azure_script():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Azure (azure-mgmt-network)", 1)[1]
    m = re.search(r"```python\n(.*?)```", section, re.S)
    assert m, "README Azure section has no python block"
    return m.group(1)


def test_readme_azure_walkthrough_runs(server):
    env = dict(os.environ, VPCPEER_HTTPS=server.https_url, VPCPEER_CERT=server.cert_path)
    p = subprocess.run([sys.executable, "-c", azure_script()], env=env, capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    assert lines[:4] == ["nic-a 10.0.1.4", "a-to-b Initiated", "b-to-a Connected",
                         "a-to-b Connected"], p.stdout
    assert "route 10.0.0.0/16 VnetLocal" in lines, p.stdout
    assert "route 10.1.0.0/16 VNetPeering" in lines, p.stdout
    assert "refused VnetAddressSpacesOverlap" in lines, p.stdout
    assert lines[-1] == "b-to-a Disconnected", p.stdout
