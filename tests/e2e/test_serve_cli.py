"""`vpcpeer serve` as a newcomer meets it: HTTPS next to HTTP by default, the certificate at an
absolute path and over HTTP, `--tls-listen off`, and a taken port that fails cleanly — a message
naming the address and the flag, and no data directory left behind."""

import re
import signal
import socket
import subprocess
import urllib.error
import urllib.request

from conftest import BIN


def start(*args, cwd=None):
    """Starts `vpcpeer serve ARGS`; returns the process and its first stdout line."""
    p = subprocess.Popen([BIN, "serve", *args], cwd=cwd, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    return p, p.stdout.readline()


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_https_listens_next_to_http_by_default_and_serves_its_certificate(tmp_path):
    # A relative --data-dir, from another working directory: the printed path is absolute.
    p, line = start("--listen", "127.0.0.1:0", "--data-dir", "rel-data", cwd=tmp_path)
    try:
        http = re.search(r"http://(127\.0\.0\.1:\d+)", line)
        assert http, line + p.stderr.read()
        tls_line = p.stdout.readline()
        m = re.search(r"https://127\.0\.0\.1:(\d+) \(certificate: (/.*)\)$", tls_line.strip())
        assert m, tls_line
        port, cert = int(m.group(1)), m.group(2)
        assert port != 0 and cert == str(tmp_path / "rel-data" / "tls" / "cert.pem"), tls_line
        status, pem = get(f"http://{http.group(1)}/_vpcpeer/tls/cert.pem")
        assert status == 200 and pem == open(cert, "rb").read()
        assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
        # The HTTPS listener presents that certificate.
        import ssl
        ctx = ssl.create_default_context(cafile=cert)
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/_vpcpeer/health", context=ctx,
                                    timeout=10) as r:
            assert r.status == 200
    finally:
        stop(p)


def test_tls_listen_off_serves_http_only(tmp_path):
    p, line = start("--listen", "127.0.0.1:0", "--tls-listen", "off", "--ephemeral")
    try:
        http = re.search(r"http://(127\.0\.0\.1:\d+)", line)
        assert http, line
        status, body = get(f"http://{http.group(1)}/_vpcpeer/tls/cert.pem")
        assert status == 404 and b"--tls-listen off" in body, body
    finally:
        stop(p)


def test_a_taken_port_fails_with_a_hint_and_leaves_no_data_directory(server, tmp_path):
    http_addr = server.url.removeprefix("http://")
    https_addr = server.https_url.removeprefix("https://")
    for args, flag, addr in [
        (["--listen", http_addr], "--listen", http_addr),
        (["--listen", "127.0.0.1:0", "--tls-listen", https_addr], "--tls-listen", https_addr),
    ]:
        data = tmp_path / f"new-{flag.strip('-')}"
        p = subprocess.run([BIN, "serve", *args, "--data-dir", str(data)],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode != 0, p.stdout
        assert f"on {addr} ({flag})" in p.stderr, p.stderr
        assert re.search(r"hint: .*listening on " + re.escape(addr) + r".*" + flag, p.stderr), \
            p.stderr
        assert not data.exists(), f"{data} was created"
    # The default HTTPS port is --listen's port + 1: taken too, the error says so.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with socket.socket() as below:
            try:
                below.bind(("127.0.0.1", port - 1))
            except OSError:
                return  # port - 1 is in use by someone else: nothing to learn here
            below.close()
            data = tmp_path / "new-default"
            p = subprocess.run([BIN, "serve", "--listen", f"127.0.0.1:{port - 1}",
                                "--data-dir", str(data)],
                               capture_output=True, text=True, timeout=30)
        assert p.returncode != 0
        assert f"127.0.0.1:{port} (--tls-listen)" in p.stderr, p.stderr
        assert "--tls-listen off" in p.stderr, p.stderr
        assert not data.exists()
