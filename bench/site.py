"""Reader-site benchmark (run by hand): issue page and search latency, and issue page throughput vs a static file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/digest_bench .venv/bin/python bench/site.py
    ... bench/site.py --skip-generate          # reuse the archive already in that database
    ... bench/site.py --json bench/results/site.json

Against a PostgreSQL database (never SQLite, never var/): migrates it, fills it with
`manage.py generate_archive --issues 500` (about 11,000 articles) unless --skip-generate,
runs ANALYZE (the planner's statistics, which autovacuum keeps in production), then starts gunicorn with the project's gunicorn.conf.py as production runs it (DEBUG off,
manifest static files served by WhiteNoise, access log off) and measures over HTTP:

- latency (median and p95, sequential keep-alive requests) of /issues/<n>/ — cold (first
  request for an issue: rendered, stored in the page cache) and cached — and of
  /search/?q=… for a few queries, cold (a search nobody made before: ranked and rendered)
  and cached (the same URL again);
- requests/second under `wrk` at 16 connections of a cached issue page and of a static file
  of the same size served by the same gunicorn + WhiteNoise (median of alternating runs),
  and their ratio. Workers are not
  recycled during the runs (`--max-requests 0`; gunicorn.conf.py restarts each after ~2,000
  requests, every few seconds at wrk's pace): --recycle-workers measures with recycling.
  --stamp-max-age-ms 1000 lets readers' issue pages reuse their stamps for a second.

Targets on the project's 2-core machine: search p95 ≤ 100 ms; the issue page at least 50 %
of the static file's requests/second. The machine is shared: the load average is printed
with the numbers, and results taken under load read slower than they are.
"""

import argparse
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Words the generated archive holds in a few hundred to a few thousand articles, one- to four-character terms.
SEARCHES = ["人工智能", "长三角", "集成电路 上海", "养老 服务", "营商环境", "5G", "数据", "港"]
FILTERED_SEARCHES = [{"q": "人工智能", "region": "shanghai"}, {"region": "zhejiang", "year": "2020"}]


def run(args: list[str], env: dict) -> None:
    subprocess.run(args, cwd=ROOT, env=env, check=True)


def manage(*args: str, env: dict) -> None:
    run([PYTHON, "manage.py", *args], env)


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode}); see its output above.")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 20 s.")


class Client:
    """Sequential keep-alive requests, timed on the client."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str) -> tuple[float, int, bytes]:
        start = time.perf_counter()
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        body = response.read()
        return (time.perf_counter() - start) * 1000, response.status, body


def summary(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
    }


def search_path(params: dict) -> str:
    return "/search/?" + urllib.parse.urlencode(params)


def wrk(url: str, seconds: int) -> float:
    output = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not match or "Non-2xx" in output:
        raise SystemExit(f"wrk on {url} failed:\n{output}")
    return float(match.group(1))


def measure(port: int, options) -> dict:
    client = Client(port)
    numbers = [int(n) for n in re.findall(rb'href="/issues/(\d+)/"', client.get("/issues/")[2])]
    if len(numbers) < 40:
        raise SystemExit("The archive has fewer than 40 published issues: run without --skip-generate.")
    results: dict = {"load_average_before": os.getloadavg()}

    cold, cached = [], []
    for number in numbers[: options.issues_sampled]:
        elapsed, status, _ = client.get(f"/issues/{number}/")
        assert status == 200, status
        cold.append(elapsed)
        for _ in range(4):
            cached.append(client.get(f"/issues/{number}/")[0])
    results["issue_page"] = {"cold": summary(cold), "cached": summary(cached)}

    searches = {}
    counter = itertools.count()
    for query in [*SEARCHES, *FILTERED_SEARCHES]:
        params = query if isinstance(query, dict) else {"q": query}
        label = " ".join(f"{key}={value}" for key, value in params.items())
        # An extra parameter nobody sends makes each request a search never made before (no cache).
        cold = [client.get(search_path({**params, "bench": next(counter)}))[0] for _ in range(options.searches)]
        client.get(search_path(params))
        warm = [client.get(search_path(params))[0] for _ in range(options.searches)]
        status, body = client.get(search_path(params))[1:]
        found = re.search(r"共找到 <strong>(\d+)</strong> 篇", body.decode())
        searches[label] = {"hits": int(found.group(1)) if found else 0, "cold": summary(cold), "cached": summary(warm)}
    results["search"] = searches
    every_cold = [value["cold"]["p95_ms"] for value in searches.values()]
    results["search_cold_p95_worst_ms"] = max(every_cold)

    issue_url = f"http://127.0.0.1:{port}/issues/{numbers[len(numbers) // 2]}/"
    issue_body = client.get(urllib.parse.urlsplit(issue_url).path)[2]
    results["issue_page_bytes"] = len(issue_body)
    for _ in range(50):  # every worker has the page in its cache before the clock starts
        client.get(urllib.parse.urlsplit(issue_url).path)
    # Alternating rounds, so a change in the machine's load (it is shared) hits both alike.
    issue_runs, static_runs = [], []
    for _ in range(options.rounds):
        static_runs.append(wrk(f"http://127.0.0.1:{port}/static/bench-static.html", options.duration))
        issue_runs.append(wrk(issue_url, options.duration))
    results["wrk_issue_rps_runs"] = issue_runs
    results["wrk_static_rps_runs"] = static_runs
    results["wrk_issue_rps"] = statistics.median(issue_runs)
    results["wrk_static_rps"] = statistics.median(static_runs)
    results["ratio_issue_to_static"] = round(results["wrk_issue_rps"] / results["wrk_static_rps"], 3)
    results["load_average_after"] = os.getloadavg()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=500, help="issues to generate (default 500)")
    parser.add_argument("--skip-generate", action="store_true", help="use the archive already in the database")
    parser.add_argument("--port", type=int, default=8193)
    parser.add_argument("--duration", type=int, default=5, help="seconds of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating wrk runs of each (median reported)")
    parser.add_argument("--issues-sampled", type=int, default=40, help="issue pages timed")
    parser.add_argument("--searches", type=int, default=20, help="requests per search and kind")
    parser.add_argument(
        "--recycle-workers",
        action="store_true",
        help="keep gunicorn.conf.py's max_requests (workers restart cold every ~2,000 requests)",
    )
    parser.add_argument(
        "--stamp-max-age-ms",
        type=int,
        default=0,
        help="READER_STAMP_MAX_AGE_MS for the server (default 0: stamps read on every request)",
    )
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    options = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database for the benchmark (it is migrated and filled).")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run `make setup` (Debian package wrk).")
    var_dir = Path(tempfile.mkdtemp(prefix="bench-site-"))
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{options.port}",
        "READER_STAMP_MAX_AGE_MS": str(options.stamp_max_age_ms),
    }
    env.pop("CACHE_URL", None)
    manage("migrate", "--no-input", "-v0", env=env)
    if not options.skip_generate:
        manage("generate_archive", "--issues", str(options.issues), env=env)
    # Fresh statistics, as autovacuum gathers them after a bulk load in production (some servers run without it).
    manage("shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')", env=env)
    manage("collectstatic", "--no-input", "-v0", env=env)

    gunicorn = [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null"]
    if not options.recycle_workers:
        # gunicorn.conf.py recycles a worker after ~2,000 requests; under wrk's load that is every few
        # seconds, and each fresh worker starts cold. Steady state is measured unless asked otherwise.
        gunicorn += ["--max-requests", "0"]
    gunicorn.append("digest_cms.wsgi")
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_until_up(options.port, server)
        # A static file the size of an issue page, served by the same WhiteNoise (restart so it is found).
        client = Client(options.port)
        numbers = [int(n) for n in re.findall(rb'href="/issues/(\d+)/"', client.get("/issues/")[2])]
        size = len(client.get(f"/issues/{numbers[len(numbers) // 2]}/")[2]) if numbers else 60_000
        (var_dir / "static" / "bench-static.html").write_text("<!DOCTYPE html>" + "x" * (size - 15))
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, start_new_session=True)
        wait_until_up(options.port, server)
        results = measure(options.port, options)
        results["workers_recycled"] = options.recycle_workers
        results["reader_stamp_max_age_ms"] = options.stamp_max_age_ms
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)

    print(json.dumps(results, ensure_ascii=False, indent=2))
    issue = results["issue_page"]
    print(
        f"\nissue page: cold median {issue['cold']['median_ms']} ms / p95 {issue['cold']['p95_ms']} ms; "
        f"cached median {issue['cached']['median_ms']} ms / p95 {issue['cached']['p95_ms']} ms"
    )
    for label, numbers in results["search"].items():
        print(
            f"search {label} ({numbers['hits']} hits): cold median {numbers['cold']['median_ms']} ms / "
            f"p95 {numbers['cold']['p95_ms']} ms; cached p95 {numbers['cached']['p95_ms']} ms"
        )
    print(
        f"wrk -c16: issue page {results['wrk_issue_rps']:.0f} req/s, static file of {results['issue_page_bytes']} bytes "
        f"{results['wrk_static_rps']:.0f} req/s, ratio {results['ratio_issue_to_static']:.2f} (target ≥ 0.50)"
    )
    print(f"worst search p95 (cold): {results['search_cold_p95_worst_ms']} ms (target ≤ 100)")
    print(
        f"workers recycled: {results['workers_recycled']}; "
        f"READER_STAMP_MAX_AGE_MS: {results['reader_stamp_max_age_ms']}"
    )
    print(f"load average before/after: {results['load_average_before']} / {results['load_average_after']}")
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
