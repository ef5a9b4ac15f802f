"""校对 benchmark (run by hand): how long the rules take over a whole issue, and the admin's check endpoint.

    .venv/bin/python bench/proofread.py [--runs 50]

It reports the median and 95th percentile of the wall time of `--runs` runs, and the median CPU time (which
other work on a shared machine does not inflate), in milliseconds:

- rules:    `proofread_article` over every article of the real sample, each demo issue, a 20,000-character
            issue (the demo issues 498–500 together), the same with a fault in every paragraph, and a single
            20,000-character paragraph of faulty text (no rule may backtrack);
- endpoint: the article form's POST to /admin/editorial/article/proofread/ through Django's whole stack
            (session, CSRF, permissions, JSON), for a typical article, for the longest demo article with
            faults, and for a 10,000-character body; with its queries;
- report:   the issue's 校对 report page and the issue page (board, workflow panel with the 校对 line) for
            the 20,000-character issue.

The database part runs in a throw-away SQLite database (nothing in var/ is touched).
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.in_process import setup_django  # noqa: E402  (after the project root is on the path)

SAMPLE = ROOT.parent / "shared" / "samples" / "legacy" / "2020-193.txt"
DEMO = ROOT / "editorial" / "demo" / "issues"


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def line(name: str, size: str, times: list[tuple[float, float]], extra: str = "") -> None:
    """One table row: median and p95 of the wall time, median of the CPU time (which the machine's load spares)."""
    wall, cpu = [each[0] for each in times], [each[1] for each in times]
    print(
        f"| {name} | {size} | {statistics.median(wall):.1f} ms | {percentile(wall, 0.95):.1f} ms "
        f"| {statistics.median(cpu):.1f} ms | {extra} |",
        flush=True,
    )


def clock(action) -> tuple[float, float]:
    """Wall and CPU milliseconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def with_faults(paragraph: str) -> str:
    """A paragraph with typical slips: a half-width comma, a doubled 的, three dots and full-width digits."""
    return paragraph.replace("，", ",", 1).replace("的", "的的", 1).replace("2", "２", 1) + "..."


def issue_articles(path: Path) -> list[tuple[str, str]]:
    from editorial.importers.legacy import parse_legacy

    return [(article.title, article.body) for article in parse_legacy(path.read_bytes()).articles]


def time_rules(articles: list[tuple[str, str]], runs: int) -> tuple[list[tuple[float, float]], int]:
    from editorial.proofreading import proofread_article

    found = sum(len(proofread_article(title, body).findings) for title, body in articles)
    times = [clock(lambda: [proofread_article(title, body) for title, body in articles]) for _ in range(runs)]
    return times, found


def characters(articles) -> int:
    return sum(len(title) + len(body) for title, body in articles)


def bench_rules(runs: int) -> list[tuple[str, str]]:
    print("| rules over | characters | median | p95 | CPU | findings |\n|---|---:|---:|---:|---:|---:|")
    issues = {"2020-193 (the real sample)": issue_articles(SAMPLE)}
    for path in sorted(DEMO.glob("*.txt")):
        issues[f"demo {path.stem}"] = issue_articles(path)
    big = [article for name in ("demo 498", "demo 499", "demo 500") for article in issues[name]]
    issues["20,000-character issue (498–500)"] = big
    faulty = [(title, "\n\n".join(with_faults(paragraph) for paragraph in body.split("\n\n"))) for title, body in big]
    issues["the same, a fault in every paragraph"] = faulty
    sentence = "10月28日,上海技术交易所正式开市...这是全国首创—首创—的的举措“４+X”（上海"
    issues["one 20,000-character faulty paragraph"] = [("", (sentence * (20_000 // len(sentence) + 1))[:20_000])]
    for name, articles in issues.items():
        times, found = time_rules(articles, runs)
        line(name, f"{characters(articles):,}", times, str(found))
    return faulty


def timed_requests(action, runs: int) -> tuple[list[tuple[float, float]], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            times.append(clock(action))
    return times, len(queries.captured_queries)


def bench_admin(faulty: list[tuple[str, str]], runs: int) -> None:
    import datetime

    from django.contrib.auth.models import Group, User
    from django.test import Client

    from editorial import services
    from editorial.models import Article, Publication, Section

    editor = User.objects.create_user("bench-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="编辑"))
    issue = services.issue_create(
        publication=Publication.objects.current(), number=9001, date=datetime.date(2026, 11, 27), user=editor
    )
    sections = list(Section.objects.filter(is_standing=True).order_by("position"))
    for position, (title, body) in enumerate(faulty, start=1):
        Article(
            issue=issue, section=sections[position % len(sections)], position=position, title=title, body=body
        ).save()
    client = Client()
    client.force_login(editor)

    print("\n| request | characters | median | p95 | CPU | queries |\n|---|---:|---:|---:|---:|---:|")
    typical = Article.objects.filter(issue=issue).order_by("position").first()
    longest = max(faulty, key=lambda article: len(article[1]))
    long_body = "\n\n".join([longest[1]] * (10_000 // len(longest[1]) + 1))[:10_000]
    for name, title, body, article in (
        ("check a typical article (saved, with its dismissals)", typical.title, typical.body, typical.pk),
        ("check the longest demo article, with faults", longest[0], longest[1], ""),
        ("check a 10,000-character body", longest[0], long_body, ""),
    ):
        data = {"title": title, "body": body, "article": article}

        def check(data=data):
            response = client.post("/admin/editorial/article/proofread/", data)
            assert response.status_code == 200, response.content

        check()
        times, queries = timed_requests(check, runs)
        line(name, f"{len(body):,}", times, str(queries))

    for name, url in (
        ("issue 校对 report (20,000-character issue)", f"/admin/editorial/issue/{issue.pk}/proofreading/"),
        ("issue page with board and 校对 line (same issue)", f"/admin/editorial/issue/{issue.pk}/change/"),
    ):

        def get(url=url):
            assert client.get(url).status_code == 200

        get()
        times, queries = timed_requests(get, max(5, runs // 5))
        line(name, f"{characters(faulty):,}", times, str(queries))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    options = parser.parse_args()
    if not SAMPLE.is_file():
        sys.exit(f"The legacy sample is missing: {SAMPLE}")
    with tempfile.TemporaryDirectory(prefix="digest-bench-proofread-") as workdir:
        setup_django(Path(workdir), sqlite=True)
        faulty = bench_rules(options.runs)
        bench_admin(faulty, options.runs)


if __name__ == "__main__":
    main()
