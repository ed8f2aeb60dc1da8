#!/usr/bin/env python3
"""Health latency under a slow-connection flood at the file limit (issue 8, item 5).

Starts `vpcpeer serve --ephemeral` with RLIMIT_NOFILE set to --nofile (soft and hard, so the
server cannot raise it; its default connection cap is then nofile - 64 - nofile/16), and a
flooder process that keeps --slow connections sending half a request head (one more header byte
every second) and --idle connections that send nothing, re-opening every one the server closes.
Meanwhile this process probes `GET /_vpcpeer/health`, each on a new connection (the hard case: it
has to be accepted past the flood), and prints the latency of the probes (connect to last byte)
as p50/p90/p99/max, with how many flood connections the server closed.

It prints figures and checks nothing (no timing thresholds in tests). Run it on a release build:

    cargo build --release -p vpcpeer
    python3 bench/flood.py                      # 1,500 slow + 3,000 idle, 1,000 probes

Everything goes to 127.0.0.1; the run is bounded by the number of probes.
"""

import argparse
import multiprocessing
import os
import re
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLOW_HEAD = b"GET /_vpcpeer/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def default_bin():
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "vpcpeer"
        if p.exists():
            return str(p)
    return "vpcpeer"


def raise_fd_limit(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def open_conn(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.connect_ex(addr)
    return s


def flood(addr, n_slow, n_idle, stop, stats):
    """Keeps n_slow + n_idle connections open against `addr` until `stop` is set."""
    raise_fd_limit(n_slow + n_idle + 1024)
    sel = selectors.DefaultSelector()
    conns = {}  # socket -> [kind, bytes sent of the head, connected]

    def add(kind):
        s = open_conn(addr)
        conns[s] = [kind, 0, False]
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)

    for i in range(n_slow + n_idle):
        add("slow" if i < n_slow else "idle")
    last_trickle = time.monotonic()
    opened = n_slow + n_idle
    closed = 0
    while not stop.is_set():
        for key, events in sel.select(timeout=0.05):
            s = key.fileobj
            kind, sent, connected = conns[s]
            if events & selectors.EVENT_READ:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(s)
                    s.close()
                    del conns[s]
                    closed += 1
                    add(kind)
                    opened += 1
                    continue
            if events & selectors.EVENT_WRITE and not connected:
                conns[s][2] = True
                if kind == "slow":
                    try:
                        s.send(SLOW_HEAD)
                    except OSError:
                        pass
                sel.modify(s, selectors.EVENT_READ)
        if time.monotonic() - last_trickle >= 1.0:
            last_trickle = time.monotonic()
            for s, (kind, _, connected) in list(conns.items()):
                if kind == "slow" and connected:
                    try:
                        s.send(b"a")
                    except OSError:
                        pass
    stats["opened"] = opened
    stats["closed_by_server"] = closed
    for s in conns:
        s.close()


def probe(addr):
    """One health request on a new connection: latency in ms, or None on failure."""
    t0 = time.perf_counter()
    try:
        with socket.create_connection(addr, timeout=10) as s:
            s.sendall(b"GET /_vpcpeer/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Connection: close\r\n\r\n")
            buf = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
    except OSError:
        return None
    if not buf.startswith(b"HTTP/1.1 200"):
        return None
    return (time.perf_counter() - t0) * 1000


def pct(sorted_ms, p):
    i = min(len(sorted_ms) - 1, max(0, round(p / 100 * len(sorted_ms)) - 1))
    return sorted_ms[i]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=default_bin())
    ap.add_argument("--nofile", type=int, default=1024)
    ap.add_argument("--slow", type=int, default=1500)
    ap.add_argument("--idle", type=int, default=3000)
    ap.add_argument("--probes", type=int, default=1000)
    ap.add_argument("--interval", type=float, default=0.01, help="seconds between probes")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds of flood before probing")
    args = ap.parse_args()

    nofile = args.nofile

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    log = tempfile.NamedTemporaryFile(prefix="vpcpeer-flood-", suffix=".log", delete=False)
    server = subprocess.Popen([args.bin, "serve", "--ephemeral", "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=log, text=True, preexec_fn=limit)
    line = server.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not m:
        sys.exit(f"server did not start: {line!r}")
    addr = ("127.0.0.1", int(m.group(1)))
    manager = multiprocessing.Manager()
    stats = manager.dict()
    stop = multiprocessing.Event()
    flooder = multiprocessing.Process(target=flood, args=(addr, args.slow, args.idle, stop, stats))
    try:
        flooder.start()
        time.sleep(args.warmup)
        fds = len(os.listdir(f"/proc/{server.pid}/fd"))
        ms, failed = [], 0
        started = time.monotonic()
        for _ in range(args.probes):
            r = probe(addr)
            if r is None:
                failed += 1
            else:
                ms.append(r)
            time.sleep(args.interval)
        elapsed = time.monotonic() - started
        fds_end = len(os.listdir(f"/proc/{server.pid}/fd"))
    finally:
        stop.set()
        flooder.join(timeout=30)
        server.terminate()
        server.wait(timeout=15)
    ms.sort()
    print(f"binary: {args.bin}")
    print(f"server RLIMIT_NOFILE {nofile}; open fds in the server: {fds} after warm-up, "
          f"{fds_end} at the end")
    print(f"flood: {args.slow} slow-head + {args.idle} idle connections kept up; "
          f"{stats.get('opened', 0)} opened, {stats.get('closed_by_server', 0)} closed by the "
          f"server over {args.warmup + elapsed:.1f} s")
    if ms:
        print(f"health probes (new connection each): {len(ms)} answered, {failed} failed; "
              f"p50 {pct(ms, 50):.2f} ms, p90 {pct(ms, 90):.2f} ms, p99 {pct(ms, 99):.2f} ms, "
              f"max {ms[-1]:.2f} ms, mean {statistics.mean(ms):.2f} ms")
    else:
        print(f"health probes: none answered ({failed} failed)")
    print(f"server log: {log.name}")


if __name__ == "__main__":
    main()
