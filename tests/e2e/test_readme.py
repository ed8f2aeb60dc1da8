"""The README walkthrough, run verbatim against a real server with the real aws CLI."""

import os
import re
import shutil
import subprocess
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
