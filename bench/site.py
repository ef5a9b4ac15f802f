"""Reader-site benchmark (run by hand): issue page and search latency, and issue page throughput vs a static file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/digest_bench .venv/bin/python bench/site.py
    ... bench/site.py --skip-generate          # reuse the archive already in that database
    ... bench/site.py --json bench/results/site.json

Against a PostgreSQL database (never SQLite, never var/): migrates it, fills it with
`manage.py generate_archive --issues 500` (about 11,000 articles; the command runs ANALYZE)
unless --skip-generate, then starts gunicorn with the project's gunicorn.conf.py as production
runs it (DEBUG off, manifest static files served by WhiteNoise, access log to a file) and
measures over HTTP:

- latency (median and p95, sequential keep-alive requests) of /issues/<n>/ — cold (first
  request for an issue: rendered, stored in the page cache) and cached — and of
  /search/?q=… for a few queries, cold (a search nobody made before: ranked and rendered)
  and cached (the same URL again);
- requests/second under `wrk` at 16 connections of a cached issue page and of a static file
  of the same size served by the same gunicorn + WhiteNoise (median of alternating runs),
  and their ratio. Workers are not recycled during the runs (`--max-requests 0`):
  --recycle-workers keeps gunicorn.conf.py's recycling. --stamp-max-age-ms sets
  READER_STAMP_MAX_AGE_MS (default 0 here: stamps read on every request).

`bench/run.py` (`make bench`) composes the same functions with the legacy import, the admin,
the PDF and memory into one table. The machine is shared: the load average is printed with
the numbers, and results taken under load read slower than they are.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import (  # noqa: E402  (after the path is set)
    DEFAULT_CACHE_URL,
    Client,
    Gunicorn,
    SharedCache,
    cpu_per_request,
    manage,
    production_env,
    shell,
)

# Words the generated archive holds in a few hundred to a few thousand articles, one- to four-character terms.
SEARCHES = ["人工智能", "长三角", "集成电路 上海", "养老 服务", "营商环境", "5G", "数据", "港"]
FILTERED_SEARCHES = [{"q": "人工智能", "region": "shanghai"}, {"region": "zhejiang", "year": "2020"}]
STATIC_TWIN = "bench-static.html"
ANALYZE = "from django.db import connection; connection.cursor().execute('ANALYZE')"


def require_postgresql() -> str:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database for the benchmark (it is migrated and filled).")
    return database_url


def require_wrk() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run `make setup` (Debian package wrk).")


def prepare_database(env: dict, *, issues: int, generate: bool) -> bool:
    """Migrate, generate the archive when asked, collect static files; True if the archive was generated now."""
    manage("migrate", "--no-input", "-v0", env=env)
    if generate:
        manage("generate_archive", "--issues", str(issues), env=env)
    else:
        # Fresh statistics, as autovacuum gathers them in production (this server runs without it).
        shell(ANALYZE, env=env)
    manage("collectstatic", "--no-input", "-v0", env=env)
    return generate


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


def issue_numbers(client: Client) -> list[int]:
    """The published issue numbers on the archive's first page, newest first."""
    return [int(n) for n in re.findall(rb'href="/issues/(\d+)/"', client.get("/issues/")[2])]


def measure_page(client: Client, path: str, *, runs: int, meter=None) -> dict:
    """Latency of one page requested again and again (the first request is left out: it may render).

    `meter` (a ServerCpu) adds the server's CPU per request.
    """
    elapsed, status, _ = client.get(path)
    if status != 200:
        raise SystemExit(f"{path} answered {status}.")
    before = meter() if meter else None
    result = {"first_ms": round(elapsed, 1), **summary([client.get(path)[0] for _ in range(runs)])}
    if meter:
        result.update(cpu_per_request(meter, before, runs))
    return result


def measure_rendered_page(client: Client, path: str, *, runs: int, forget_pages, meter=None) -> dict:
    """Latency of a cached page when it has to be rendered: the stored pages are forgotten before each request."""

    def rendered():
        forget_pages()
        return client.get(path)

    elapsed, status, _ = rendered()
    if status != 200:
        raise SystemExit(f"{path} answered {status}.")
    before = meter() if meter else None
    result = {"first_ms": round(elapsed, 1), **summary([rendered()[0] for _ in range(runs)])}
    if meter:
        result.update(cpu_per_request(meter, before, runs))
    return result


def measure_issue_pages(client: Client, numbers: list[int], *, sampled: int) -> dict:
    cold, cached = [], []
    for number in numbers[:sampled]:
        elapsed, status, _ = client.get(f"/issues/{number}/")
        assert status == 200, status
        cold.append(elapsed)
        for _ in range(4):
            cached.append(client.get(f"/issues/{number}/")[0])
    return {"cold": summary(cold), "cached": summary(cached)}


def measure_searches(client: Client, queries: list, *, runs: int, forget_pages, meter=None) -> dict:
    """Per query (a string, or a dict of parameters): hits, cold latency (ranked and rendered) and cached.

    `forget_pages` drops the stored pages before each cold request; `meter` (a ServerCpu) adds the
    server's CPU per cold search.
    """
    searches = {}
    for query in queries:
        params = query if isinstance(query, dict) else {"q": query}
        label = " ".join(f"{key}={value}" for key, value in params.items())
        before = meter() if meter else None
        cold = []
        for _ in range(runs):
            forget_pages()
            cold.append(client.get(search_path(params))[0])
        cost = cpu_per_request(meter, before, runs) if meter else {}
        client.get(search_path(params))
        warm = [client.get(search_path(params))[0] for _ in range(runs)]
        body = client.get(search_path(params))[2]
        # An exact count, or (beyond what a search ranks) an estimate: 共找到约 <strong>17,000</strong> 篇.
        found = re.search(r"共找到(约)? <strong>([\d,]+)</strong> 篇", body.decode())
        searches[label] = {
            "hits": int(found.group(2).replace(",", "")) if found else 0,
            "hits_estimated": bool(found and found.group(1)),
            "cold": {**summary(cold), **cost},
            "cached": summary(warm),
        }
    return searches


def write_static_twin(var_dir: Path, size: int) -> str:
    """A static file of `size` bytes for WhiteNoise to serve (it scans STATIC_ROOT when a worker starts)."""
    (var_dir / "static" / STATIC_TWIN).write_text("<!DOCTYPE html>" + "x" * (size - 15))
    return f"/static/{STATIC_TWIN}"


def wrk(url: str, seconds: int) -> float:
    output = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not match or "Non-2xx" in output:
        raise SystemExit(f"wrk on {url} failed:\n{output}")
    return float(match.group(1))


def measure_throughput(client: Client, *, issue_path: str, static_path: str, rounds: int, duration: int) -> dict:
    """wrk at 16 connections on the issue page and on the static file, alternating rounds, medians and their ratio."""
    base = f"http://127.0.0.1:{client.connection.port}"
    for _ in range(50):  # every worker has the page in its cache before the clock starts
        client.get(issue_path)
    # Alternating rounds, so a change in the machine's load (it is shared) hits both alike.
    issue_runs, static_runs = [], []
    for _ in range(rounds):
        static_runs.append(wrk(base + static_path, duration))
        issue_runs.append(wrk(base + issue_path, duration))
    issue_rps, static_rps = statistics.median(issue_runs), statistics.median(static_runs)
    return {
        "issue_rps_runs": issue_runs,
        "static_rps_runs": static_runs,
        "issue_rps": issue_rps,
        "static_rps": static_rps,
        "ratio": round(issue_rps / static_rps, 3),
    }


def measure(client: Client, options, *, forget_pages) -> dict:
    numbers = issue_numbers(client)
    if len(numbers) < 40:
        raise SystemExit("The archive has fewer than 40 published issues: run without --skip-generate.")
    results: dict = {"load_average_before": os.getloadavg()}
    results["issue_page"] = measure_issue_pages(client, numbers, sampled=options.issues_sampled)
    results["search"] = measure_searches(
        client, [*SEARCHES, *FILTERED_SEARCHES], runs=options.searches, forget_pages=forget_pages
    )
    results["search_cold_p95_worst_ms"] = max(value["cold"]["p95_ms"] for value in results["search"].values())
    issue_path = f"/issues/{numbers[len(numbers) // 2]}/"
    results["issue_page_bytes"] = len(client.get(issue_path)[2])
    throughput = measure_throughput(
        client,
        issue_path=issue_path,
        static_path=f"/static/{STATIC_TWIN}",
        rounds=options.rounds,
        duration=options.duration,
    )
    results.update(
        wrk_issue_rps_runs=throughput["issue_rps_runs"],
        wrk_static_rps_runs=throughput["static_rps_runs"],
        wrk_issue_rps=throughput["issue_rps"],
        wrk_static_rps=throughput["static_rps"],
        ratio_issue_to_static=throughput["ratio"],
    )
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
        help="keep gunicorn.conf.py's max_requests (workers restart cold every ~20,000 requests)",
    )
    parser.add_argument(
        "--stamp-max-age-ms",
        type=int,
        default=0,
        help="READER_STAMP_MAX_AGE_MS for the server (default 0: stamps read on every request)",
    )
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    options = parser.parse_args()

    require_postgresql()
    require_wrk()
    var_dir = Path(tempfile.mkdtemp(prefix="bench-site-"))
    cache = SharedCache(os.environ.get("CACHE_URL") or DEFAULT_CACHE_URL)
    cache.flush()
    env = production_env(
        port=options.port,
        var_dir=var_dir,
        cache_url=cache.url,
        READER_STAMP_MAX_AGE_MS=str(options.stamp_max_age_ms),
    )
    try:
        prepare_database(env, issues=options.issues, generate=not options.skip_generate)
        server = Gunicorn(env, port=options.port, log=var_dir / "gunicorn.log", recycle_workers=options.recycle_workers)
        with server:
            # A static file the size of an issue page, served by the same WhiteNoise (restart so it is found).
            client = Client(options.port)
            numbers = issue_numbers(client)
            size = len(client.get(f"/issues/{numbers[len(numbers) // 2]}/")[2]) if numbers else 60_000
            write_static_twin(var_dir, size)
            server.restart()
            results = measure(Client(options.port), options, forget_pages=cache.forget_pages)
        results["workers_recycled"] = options.recycle_workers
        results["reader_stamp_max_age_ms"] = options.stamp_max_age_ms
    finally:
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
