"""Soak and fault run (by hand, `make soak`): load without errors or memory growth, and a PostgreSQL outage survived.

    .venv/bin/python security/soak.py                       # PostgreSQL database digest_hard_soak, port 8301
    .venv/bin/python security/soak.py --duration 20 --skip-generate --json security/results/soak.json

Against PostgreSQL (the local cluster 15/main): creates the database afresh, migrates it, fills it
with `generate_archive` (--skip-generate reuses the last run's), and starts gunicorn with the project's
gunicorn.conf.py as production runs it (DEBUG off, WhiteNoise, manifest static files), workers
never recycled during the run. Then:

1. Load: after a warm-up, `wrk` for --duration seconds (60) at 32 connections on an issue page,
   the home page and a search, one after the other. Every response must be a 2xx, and each
   worker's resident memory may grow by at most 10% from after the warm-up to the end.
2. Outage: while `wrk` drives the issue page and a probe requests the home page and a search
   every 100 ms, PostgreSQL is stopped (`pg_ctlcluster --skip-systemctl-redirect 15 main stop`)
   for --outage seconds, then started again. During the outage every answer must be a 503 page
   (no hang, no 500 traceback) within the database connect timeout; afterwards the same worker
   processes (same pids) must answer 200 again.

Stopping the cluster interrupts everyone using it: the run waits (up to --quiet-wait seconds) until
no other database on the cluster has an active query, so colleagues' test runs are not cut off.
Exit status 0 when every check passes; the figures are printed and, with --json, written to a file.
"""

import argparse
import http.client
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import Gunicorn, manage, production_env  # noqa: E402  (the project root must be on the path first)

CLUSTER = ("15", "main")
CONNECTIONS = 32
MAX_GROWTH = 0.10
SEARCH = "/search/?q=" + urllib.parse.quote("长三角")
STATUS_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) codes = {} end
function response(status, headers, body) codes[status] = (codes[status] or 0) + 1 end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("codes")) do io.write(string.format("status %d %d\\n", code, count)) end
  end
  io.write(string.format("latency_max_ms %.1f\\n", latency.max / 1000))
end
"""


def psql(command: str) -> None:
    subprocess.run(["psql", "-U", "postgres", "-h", "127.0.0.1", "-c", command], capture_output=True)


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, float, bytes]:
    """(status, seconds, body) of one GET; status 0 when the connection failed or timed out."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        return response.status, time.monotonic() - started, body
    except OSError:
        return 0, time.monotonic() - started, b""
    finally:
        connection.close()


def rss_kib(server: Gunicorn) -> dict[int, int]:
    """Each worker's resident memory, KiB."""
    found = {}
    for pid in server.worker_pids():
        match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        found[pid] = int(match.group(1))
    return found


def wrk(port: int, path: str, *, seconds: int, script: Path) -> dict:
    """One wrk run: requests/s, status counts, non-2xx, socket errors, max latency."""
    output = subprocess.run(
        [
            "wrk",
            "-t4",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    statuses: dict[int, int] = {}
    for code, count in re.findall(r"^status (\d+) (\d+)$", output, re.M):
        statuses[int(code)] = statuses.get(int(code), 0) + int(count)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "path": path,
        "seconds": seconds,
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "statuses": statuses,
        "non_2xx": sum(count for code, count in statuses.items() if not 200 <= code < 300),
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
        "latency_max_ms": float(re.search(r"^latency_max_ms ([\d.]+)$", output, re.M).group(1)),
    }


def pg_ctl(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", *CLUSTER, action, *(["-m", "fast"] if action == "stop" else [])],
        check=True,
    )


def wait_for_quiet_cluster(database: str, *, limit: float) -> float:
    """Wait until no other database on the cluster runs a query; return the seconds waited."""
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
        f"AND datname IS NOT NULL AND datname <> '{database}'"
    )
    started = time.monotonic()
    while time.monotonic() - started < limit:
        busy = subprocess.run(
            ["psql", "-U", "postgres", "-h", "127.0.0.1", "-Atc", query], capture_output=True, text=True
        )
        if busy.returncode == 0 and busy.stdout.strip() == "0":
            return time.monotonic() - started
        time.sleep(1)
    return time.monotonic() - started


def outage(server: Gunicorn, *, database: str, seconds: float, quiet_wait: float, script: Path) -> dict:
    """wrk and a probe through a PostgreSQL stop and start; what the site answered before, during and after."""
    pids_before = sorted(server.worker_pids())
    probes: list[tuple[float, str, int, float, bool]] = []
    phase = {"name": "before"}
    stop_probe = threading.Event()

    def probe():
        while not stop_probe.is_set():
            for path in ("/", SEARCH):
                status, took, body = get(server.port, path)
                probes.append((time.monotonic(), phase["name"], status, took, b"Traceback" in body))
            time.sleep(0.1)

    waited = wait_for_quiet_cluster(database, limit=quiet_wait)
    load_seconds = int(seconds) + 25
    load: dict = {}
    loader = threading.Thread(
        target=lambda: load.update(
            wrk(server.port, "/issues/" + server.issue + "/", seconds=load_seconds, script=script)
        )
    )
    prober = threading.Thread(target=probe)
    loader.start()
    prober.start()
    time.sleep(5)
    phase["name"] = "outage"
    stopped_at = time.monotonic()
    pg_ctl("stop")
    time.sleep(seconds)
    phase["name"] = "restarting"
    pg_ctl("start")
    started_at = time.monotonic()
    recovered_at = None
    while time.monotonic() - started_at < 60:
        if get(server.port, "/")[0] == 200:
            recovered_at = time.monotonic()
            break
        time.sleep(0.1)
    phase["name"] = "after"
    loader.join()
    time.sleep(1)
    stop_probe.set()
    prober.join()
    during = [p for p in probes if p[1] == "outage" and p[0] > stopped_at + 0.5]
    after = [p for p in probes if p[1] == "after"]
    return {
        "waited_for_quiet_cluster_s": round(waited, 1),
        "outage_s": seconds,
        "probe_statuses_during": sorted({p[2] for p in during}),
        "probe_requests_during": len(during),
        "probe_max_latency_during_ms": round(max((p[3] for p in during), default=0) * 1000, 1),
        "probe_median_latency_during_ms": round(statistics.median([p[3] for p in during]) * 1000, 1)
        if during
        else None,
        "tracebacks": sum(p[4] for p in probes),
        "recovered_after_start_s": round(recovered_at - started_at, 2) if recovered_at else None,
        "probe_statuses_after": sorted({p[2] for p in after}),
        "wrk": load,
        "same_workers": sorted(server.worker_pids()) == pids_before,
        "worker_pids": pids_before,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/digest_hard_soak")
    parser.add_argument("--port", type=int, default=8301)
    parser.add_argument("--issues", type=int, default=200)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--outage", type=float, default=10.0)
    parser.add_argument("--quiet-wait", type=float, default=120.0)
    parser.add_argument("--skip-outage", action="store_true")
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run `make system-packages`.")
    if not options.database_url.startswith("postgres"):
        raise SystemExit("The soak runs against PostgreSQL (the outage stops the local cluster).")
    database = options.database_url.rsplit("/", 1)[-1]
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    script = workdir / "statuses.lua"
    script.write_text(STATUS_SCRIPT)
    env = production_env(
        port=options.port,
        var_dir=workdir,
        DATABASE_URL=options.database_url,
        GUNICORN_WORKERS="4",
        GUNICORN_ACCESS_LOG=str(workdir / "access.log"),
        GUNICORN_LOG_LEVEL="warning",
        GUNICORN_PROC_NAME=f"digest-soak-{options.port}",
    )
    if not options.skip_generate:
        psql(f"DROP DATABASE IF EXISTS {database}")
    psql(f"CREATE DATABASE {database}")
    manage("migrate", "--no-input", "-v", "0", env=env)
    if not options.skip_generate:
        manage("generate_archive", "--issues", str(options.issues), env=env)
    manage("collectstatic", "--no-input", "-v", "0", env=env)
    results: dict = {"connections": CONNECTIONS, "duration_s": options.duration, "load": [], "memory": {}}
    with Gunicorn(env, port=options.port, log=workdir / "gunicorn.log", recycle_workers=False) as server:
        home = get(options.port, "/")[2].decode()
        server.issue = re.search(r'href="/issues/(\d+)/"', home).group(1)
        paths = [f"/issues/{server.issue}/", "/", SEARCH]
        for path in paths:
            wrk(options.port, path, seconds=options.warmup, script=script)
        before = rss_kib(server)
        for path in paths:
            run = wrk(options.port, path, seconds=options.duration, script=script)
            results["load"].append(run)
            print(
                f"{path}: {run['requests_per_second']:.0f} req/s, statuses {run['statuses']}, "
                f"socket errors {run['socket_errors']}, max {run['latency_max_ms']} ms",
                flush=True,
            )
        after = rss_kib(server)
        growth = {pid: (after[pid] - before[pid]) / before[pid] for pid in before if pid in after}
        results["memory"] = {
            "rss_after_warmup_kib": before,
            "rss_after_load_kib": after,
            "max_growth_percent": round(max(growth.values()) * 100, 2),
            "same_workers": sorted(before) == sorted(after),
        }
        print(
            f"worker RSS after warm-up {before} KiB, after load {after} KiB, "
            f"max growth {results['memory']['max_growth_percent']}%",
            flush=True,
        )
        if not options.skip_outage:
            results["outage"] = outage(
                server, database=database, seconds=options.outage, quiet_wait=options.quiet_wait, script=script
            )
            print(json.dumps(results["outage"], ensure_ascii=False, indent=2), flush=True)
    checks = {
        "zero non-2xx under load": all(run["non_2xx"] == 0 and run["socket_errors"] == 0 for run in results["load"]),
        "worker memory growth within 10%": results["memory"]["max_growth_percent"] <= MAX_GROWTH * 100
        and results["memory"]["same_workers"],
    }
    if "outage" in results:
        found = results["outage"]
        checks.update(
            {
                "only 503 during the outage": found["probe_statuses_during"] == [503],
                "503 answered fast (under 5 s)": found["probe_max_latency_during_ms"] < 5000,
                "no traceback": found["tracebacks"] == 0,
                "200 again after the restart": found["probe_statuses_after"] == [200],
                "same worker processes": found["same_workers"],
            }
        )
    results["checks"] = checks
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
