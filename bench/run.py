"""`make bench`: the whole benchmark in one command, against PostgreSQL, printed as one table.

    make bench                  # 500 issues
    ISSUES=5000 make bench      # ten times the archive
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/digest_bench .venv/bin/python bench/run.py [--issues N] [--json FILE]

1. The database in DATABASE_URL (default postgres://postgres@127.0.0.1:5432/digest_bench, or
   digest_bench_<N> for another size) is created if missing, migrated and, if it holds no archive
   yet, filled by `generate_archive --issues N --seed 1` (500 issues: about 11,000 articles;
   5,000: about 112,000; the command runs ANALYZE). A database holding another number of
   published issues is refused: the figures would not be those of the size asked for.
2. Legacy import rate: bench/import_legacy.py imports 500 generated legacy texts into that
   database (numbered from 900001, removed afterwards) and into a fresh SQLite file.
3. gunicorn starts as in production: DEBUG off, `collectstatic` with WhiteNoise's manifest
   storage, the Redis cache in CACHE_URL (default redis://127.0.0.1:6379/10, flushed first),
   gunicorn.conf.py unchanged (workers, threads, recycling; access log to a file).
4. Over HTTP, sequential keep-alive requests timed on the client: issue pages (first request
   and cached), the home page, the archive list (rendered: a URL never asked before), five
   searches with one- to four-character terms (cold: a search never made before; and cached),
   the admin's article list (plain, searching, filtered) and issue list signed in as an
   administrator, the PDF of issues never rendered before (cold) and again (cached); then
   `wrk` at 16 connections on an issue page and on a static file of the same size, and
   the workers' memory after all that.

The numbers go to the terminal as a Markdown table (the README's Performance section keeps the latest)
and to bench/results/bench-<time>.json; bench/compare.py puts two runs side by side with the growth
of each request. The machine has two cores and is shared: the load average before and after is part
of the result.
"""

import argparse
import datetime
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import server, site  # noqa: E402  (the project root must be on the path first)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/digest_bench"
DEFAULT_ISSUES = 500
RESULTS = ROOT / "bench" / "results"
# One to four characters a term; hits range from a few hundred to a few thousand articles.
SEARCHES = ["港", "数据", "长三角", "人工智能", "养老 服务"]
ADMIN_USERNAME = "bench-admin"
ADMIN_LIST = "/admin/editorial/article/"
ADMIN_ISSUE_LIST = "/admin/editorial/issue/"
ARCHIVE_LIST = "/issues/"
TARGETS = {
    "import_issues_per_second": 50,
    "search_p95_ms": 100,
    "issue_to_static_ratio": 0.5,
    "admin_list_p95_ms": 300,
}
ENSURE_ADMIN = """
import os
from django.contrib.auth.models import Group, User
user, _ = User.objects.get_or_create(username="{username}")
user.is_staff = True
user.set_password(os.environ["BENCH_ADMIN_PASSWORD"])
user.save()
user.groups.add(Group.objects.get(name="管理员"))
"""
ARCHIVE_SIZE = """
from editorial.models import Article, Issue
print(Issue.objects.published().count(), Article.objects.published().count(), Article.objects.count())
"""


def ensure_database(database_url: str) -> bool:
    """Create the benchmark's PostgreSQL database if it does not exist; True when it was created."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def ensure_archive(env: dict, *, issues: int) -> dict:
    """Migrate; generate the archive when the database has none; the archive's size."""
    server.manage("migrate", "--no-input", "-v0", env=env)
    published, _, _ = map(int, server.shell(ARCHIVE_SIZE, env=env).split())
    generated = False
    if published == 0:
        server.manage("generate_archive", "--issues", str(issues), "--seed", "1", env=env)
        generated = True
    elif published != issues:
        raise SystemExit(
            f"The database holds {published} published issues, not {issues}: "
            "drop it (or point DATABASE_URL elsewhere) and run again."
        )
    else:
        # Fresh statistics, as autovacuum gathers them in production (this server runs without it).
        server.shell(site.ANALYZE, env=env)
    published, articles_published, articles = map(int, server.shell(ARCHIVE_SIZE, env=env).split())
    return {
        "issues": published,
        "published_articles": articles_published,
        "articles": articles,
        "generated_now": generated,
    }


def measure_import(*, database_url: str | None, issues: int) -> dict:
    """bench/import_legacy.py in its own process (it sets Django up for its database)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as output:
        command = [sys.executable, str(ROOT / "bench" / "import_legacy.py"), "--issues", str(issues)]
        command += ["--json", output.name]
        if database_url:
            command += ["--database-url", database_url]
        # As production runs it: DEBUG off (no query log kept in memory).
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env.update(DEBUG="0", SECRET_KEY=server.TEST_SECRET_KEY, ALLOWED_HOSTS="localhost")
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"The import benchmark failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(Path(output.name).read_text())


def measure_admin(client: server.Client, *, runs: int, meter) -> dict:
    """The admin's article list (page 1 of 50 articles), searched and filtered, and its issue list."""
    found = client.get(ADMIN_LIST)
    if found[1] != 200:
        raise SystemExit(f"The admin's article list answered {found[1]}.")
    return {
        "issues": site.measure_page(client, ADMIN_ISSUE_LIST, runs=runs, meter=meter),
        "list": site.measure_page(client, ADMIN_LIST, runs=runs, meter=meter),
        "search": site.measure_page(client, ADMIN_LIST + "?q=" + urllib.parse.quote("长三角"), runs=runs, meter=meter),
        "filtered": site.measure_page(
            client, ADMIN_LIST + "?placement=published&region=shanghai", runs=runs, meter=meter
        ),
    }


def measure_pdf(client: server.Client, numbers: list[int], *, cold: int, cached: int) -> dict:
    """Issues' PDFs: the first request renders and stores each (cold), later ones come from storage."""
    cold_times, sizes = [], []
    for number in numbers[:cold]:
        elapsed, response, content = client.request("GET", f"/issues/{number}.pdf")
        if response.status != 200 or response.getheader("X-Rendition") != "rendered":
            raise SystemExit(f"/issues/{number}.pdf: HTTP {response.status}, {response.getheader('X-Rendition')}.")
        cold_times.append(elapsed)
        sizes.append(len(content))
    path = f"/issues/{numbers[0]}.pdf"
    cached_times = []
    for _ in range(cached):
        elapsed, response, _ = client.request("GET", path)
        assert response.getheader("X-Rendition") == "cached"
        cached_times.append(elapsed)
    return {"cold": site.summary(cold_times), "cached": site.summary(cached_times), "kb": round(max(sizes) / 1024)}


def measure_server(gunicorn: server.Gunicorn, options) -> dict:
    client = server.Client(options.port)
    meter = server.ServerCpu(gunicorn, options.database_name)
    numbers = site.issue_numbers(client)
    results: dict = {}
    results["issue_page"] = site.measure_issue_pages(client, numbers, sampled=options.issues_sampled)
    results["home"] = site.measure_page(client, "/", runs=options.runs, meter=meter)
    results["archive_list"] = site.measure_rendered_page(
        client, ARCHIVE_LIST, runs=options.runs, forget_pages=options.forget_pages, meter=meter
    )
    results["search"] = site.measure_searches(
        client, SEARCHES, runs=options.runs, forget_pages=options.forget_pages, meter=meter
    )

    admin = server.Client(options.port)
    admin.login(ADMIN_USERNAME, options.admin_password)
    results["admin"] = measure_admin(admin, runs=options.runs, meter=meter)

    # Issues nobody has asked for yet in this run (the bench's storage folder starts empty).
    results["pdf"] = measure_pdf(client, numbers[-options.pdf_issues :], cold=options.pdf_issues, cached=options.runs)

    issue_path = f"/issues/{numbers[len(numbers) // 2]}/"
    results["issue_page_bytes"] = len(client.get(issue_path)[2])
    results["wrk"] = site.measure_throughput(
        client,
        issue_path=issue_path,
        static_path=f"/static/{site.STATIC_TWIN}",
        rounds=options.rounds,
        duration=options.duration,
    )
    results["memory"] = gunicorn.memory()
    results["reconnections"] = client.reconnections + admin.reconnections
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--issues", type=int, default=DEFAULT_ISSUES, help="the archive's size, generated when the database has none"
    )
    parser.add_argument("--import-issues", type=int, default=500, help="legacy texts imported (0: skip)")
    parser.add_argument("--port", type=int, default=8201)
    parser.add_argument("--runs", type=int, default=30, help="requests per latency measurement")
    parser.add_argument("--issues-sampled", type=int, default=40, help="issue pages timed")
    parser.add_argument("--pdf-issues", type=int, default=4, help="PDFs rendered cold")
    parser.add_argument("--duration", type=int, default=5, help="seconds of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating wrk runs of each (median reported)")
    parser.add_argument(
        "--json", type=Path, help="where to write the numbers (default bench/results/bench-<time>.json)"
    )
    options = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or default_database_url(options.issues)
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database for the benchmark (it is migrated and filled).")
    site.require_wrk()
    cache = server.SharedCache(os.environ.get("CACHE_URL") or server.DEFAULT_CACHE_URL)
    cache.flush()
    cache_url = cache.url
    started = datetime.datetime.now()
    results: dict = {
        "date": started.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "database": urllib.parse.urlsplit(database_url)._replace(netloc="…").geturl(),
        "cache": cache_url,
        "load_average_before": os.getloadavg(),
        "targets": TARGETS,
    }
    results["database_created"] = ensure_database(database_url)
    var_dir = Path(tempfile.mkdtemp(prefix="bench-run-"))
    os.environ["DATABASE_URL"] = database_url
    env = server.production_env(port=options.port, var_dir=var_dir, cache_url=cache_url)
    results["archive"] = ensure_archive(env, issues=options.issues)
    size = results["archive"]
    print(f"archive: {size['issues']} published issues, {size['articles']} articles")

    if options.import_issues:
        print("legacy import …")
        results["import"] = {
            "postgresql": measure_import(database_url=database_url, issues=options.import_issues),
            "sqlite": measure_import(database_url=None, issues=options.import_issues),
        }

    server.manage("collectstatic", "--no-input", "-v0", env=env)
    options.admin_password = secrets.token_urlsafe(16)
    options.forget_pages = cache.forget_pages
    options.database_name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    server.shell(
        ENSURE_ADMIN.format(username=ADMIN_USERNAME), env={**env, "BENCH_ADMIN_PASSWORD": options.admin_password}
    )
    print("server …")
    gunicorn = server.Gunicorn(env, port=options.port, log=var_dir / "gunicorn.log")
    try:
        with gunicorn:
            page_size = len(server.Client(options.port).get(f"/issues/{size['issues'] // 2}/")[2])
            site.write_static_twin(var_dir, page_size)
            gunicorn.restart()
            results["gunicorn"] = gunicorn_settings(env)
            results.update(measure_server(gunicorn, options))
    finally:
        log = var_dir / "gunicorn.log"
        results["server_log_lines"] = len(log.read_text(errors="replace").splitlines()) if log.exists() else 0
        subprocess.run(["rm", "-rf", str(var_dir)], check=False)
    results["load_average_after"] = os.getloadavg()
    results["seconds"] = round(time.time() - started.timestamp())

    print()
    print(table(results))
    path = options.json or RESULTS / f"bench-{started:%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nnumbers: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


def default_database_url(issues: int) -> str:
    """digest_bench for the usual 500 issues, digest_bench_<N> for another size (each size keeps its archive)."""
    return DEFAULT_DATABASE_URL if issues == DEFAULT_ISSUES else f"{DEFAULT_DATABASE_URL}_{issues}"


def gunicorn_settings(env: dict) -> dict:
    """Workers, threads and recycling as gunicorn.conf.py sets them for this environment."""
    code = (
        "import runpy, json; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps({k: c.get(k) for k in ('workers', 'threads', 'max_requests', 'preload_app', 'timeout')}))"
    )
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(results: dict) -> str:
    """The results as one Markdown table: measure, median, p95, target."""
    rows = []

    def row(measure: str, median: str, p95: str = "", target: str = "", numbers: dict | None = None) -> None:
        cpu = (
            f"{numbers['app_cpu_ms']:.0f} + {numbers['database_cpu_ms']:.0f} ms"
            if numbers and "app_cpu_ms" in numbers
            else ""
        )
        rows.append(f"| {measure} | {median} | {p95} | {cpu} | {target} |")

    for database, numbers in results.get("import", {}).items():
        rate = numbers["import_issues_per_second"]
        row(
            f"legacy import, {database} ({numbers['issues']} issues, {numbers['articles']:,} articles)",
            f"{rate:.1f} issues/s",
            "",
            f"≥ {TARGETS['import_issues_per_second']} issues/s: {_met(rate >= TARGETS['import_issues_per_second'])}",
        )
    issue = results["issue_page"]
    row("`/issues/<n>/` first request (rendered)", ms(issue["cold"]["median_ms"]), ms(issue["cold"]["p95_ms"]))
    row("`/issues/<n>/` cached", ms(issue["cached"]["median_ms"]), ms(issue["cached"]["p95_ms"]))
    row("`/` home (cached)", ms(results["home"]["median_ms"]), ms(results["home"]["p95_ms"]), numbers=results["home"])
    archive_list = results["archive_list"]
    row(
        "`/issues/` archive list (rendered)",
        ms(archive_list["median_ms"]),
        ms(archive_list["p95_ms"]),
        numbers=archive_list,
    )
    for label, numbers in results["search"].items():
        query = label.removeprefix("q=")
        p95 = numbers["cold"]["p95_ms"]
        hits = f"{'约 ' if numbers.get('hits_estimated') else ''}{numbers['hits']:,} hits"
        row(
            f"`/search/?q={query}` ({hits}), new search",
            ms(numbers["cold"]["median_ms"]),
            ms(p95),
            f"p95 ≤ {TARGETS['search_p95_ms']} ms: {_met(p95 <= TARGETS['search_p95_ms'])}",
            numbers=numbers["cold"],
        )
    cached_search = max(numbers["cached"]["p95_ms"] for numbers in results["search"].values())
    row("`/search/` same URL again (worst of the five)", "", ms(cached_search))
    admin = results["admin"]
    articles = results["archive"]["articles"]
    p95 = admin["list"]["p95_ms"]
    row(
        f"admin article list ({articles:,} articles, as administrator)",
        ms(admin["list"]["median_ms"]),
        ms(p95),
        f"p95 ≤ {TARGETS['admin_list_p95_ms']} ms: {_met(p95 <= TARGETS['admin_list_p95_ms'])}",
        numbers=admin["list"],
    )
    row(
        "admin article list, searching 长三角",
        ms(admin["search"]["median_ms"]),
        ms(admin["search"]["p95_ms"]),
        numbers=admin["search"],
    )
    row(
        "admin article list, filtered: published, 上海",
        ms(admin["filtered"]["median_ms"]),
        ms(admin["filtered"]["p95_ms"]),
        numbers=admin["filtered"],
    )
    row(
        f"admin issue list ({results['archive']['issues']:,} issues)",
        ms(admin["issues"]["median_ms"]),
        ms(admin["issues"]["p95_ms"]),
        numbers=admin["issues"],
    )
    wrk = results["wrk"]
    ratio = wrk["ratio"]
    row("wrk -c16: issue page", f"{wrk['issue_rps']:,.0f} req/s")
    row(
        f"wrk -c16: static file of the same size ({results['issue_page_bytes'] / 1000:.1f} kB)",
        f"{wrk['static_rps']:,.0f} req/s",
    )
    row(
        "wrk -c16: issue page ÷ static file",
        f"{ratio:.2f}",
        "",
        f"≥ {TARGETS['issue_to_static_ratio']:.2f}: {_met(ratio >= TARGETS['issue_to_static_ratio'])}",
    )
    pdf = results["pdf"]
    row(
        f"PDF, first request (rendered; {pdf['cold']['n']} issues, ≤ {pdf['kb']} KB)",
        seconds(pdf["cold"]["median_ms"]),
        f"max {seconds(pdf['cold']['max_ms'])}",
    )
    row("PDF, cached (from storage)", ms(pdf["cached"]["median_ms"]), ms(pdf["cached"]["p95_ms"]))
    memory = results["memory"]
    rss = ", ".join(f"{worker['rss_mb']:.0f}" for worker in memory["workers"])
    row(
        f"gunicorn worker RSS after the run ({len(memory['workers'])} workers)",
        f"{rss} MB",
        "",
        f"PSS of all workers {memory['worker_pss_mb_sum']:.0f} MB; master {memory['master']['rss_mb']:.0f} MB",
    )
    settings = results["gunicorn"]
    before = " ".join(f"{load:.2f}" for load in results["load_average_before"])
    after = " ".join(f"{load:.2f}" for load in results["load_average_after"])
    header = [
        f"{results['date']} · {results['machine']['cpus']} cores · load average {before} before, {after} after · "
        f"{results['archive']['issues']} published issues · gunicorn {settings['workers']} workers × "
        f"{settings['threads']} threads, Redis cache, DEBUG off",
        "",
        "| measure | median | p95 | server CPU per request (app + database) | target |",
        "|---|---:|---:|---:|---|",
    ]
    return "\n".join(header + rows)


def ms(value: float) -> str:
    return f"{value:,.1f} ms"


def seconds(value_ms: float) -> str:
    return f"{value_ms / 1000:.2f} s"


if __name__ == "__main__":
    sys.exit(main())
