"""Workflow benchmark (run by hand): how long editors wait on the compose board and the workflow buttons.

    .venv/bin/python bench/workflow.py [--runs 20] [--articles 60]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/digest_workflow_bench .venv/bin/python bench/workflow.py

Without DATABASE_URL it works in a throw-away SQLite database (nothing in var/ is touched); with one,
that database is migrated and filled, so point it at a scratch database. It reports, for an issue of
`--articles` articles (median and worst of `--runs`, with the number of queries):

- arrange: saving a new order from the compose board (the whole issue reversed: every position moves);
- save:    saving an article's edited body from its form (version check, one history version, stamp);
- page:    the issue's admin page with board, pool and log, rendered for a reviewer (server time);
- publish: 签发 then 立即发布 on a fresh issue;
- due:     `publish_due()` publishing 50 scheduled issues at once.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.in_process import setup_django  # noqa: E402  (after the project root is on the path)


def timed(action, runs: int) -> tuple[list[float], int]:
    """Run `action` `runs` times; return the times in ms and the queries of the last run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000)
    return times, len(queries.captured_queries)


def report(name: str, times: list[float], queries: int) -> None:
    print(f"{name:<8} median {statistics.median(times):7.1f} ms   worst {max(times):7.1f} ms   {queries:3d} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--articles", type=int, default=60)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-bench-workflow-") as workdir:
        setup_django(Path(workdir))
        run(options.runs, options.articles)


def run(runs: int, size: int) -> None:
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from editorial import services, workflow
    from editorial.models import Article, Issue, Publication, Section

    suffix = f"{os.getpid()}"
    editor = User.objects.create_user(f"bench-editor-{suffix}", is_staff=True)
    editor.groups.add(Group.objects.get(name="编辑"))
    reviewer = User.objects.create_user(f"bench-reviewer-{suffix}", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="审核"))
    sections = list(Section.objects.filter(is_standing=True).order_by("position"))
    publication = Publication.objects.current()
    first_number = (Issue.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    numbers = iter(range(first_number, first_number + 10_000))

    def new_issue(status=Issue.Status.DRAFT, articles=0) -> Issue:
        issue = services.issue_create(
            publication=publication, number=next(numbers), date=datetime.date(2026, 11, 27), user=editor
        )
        for n in range(articles):
            article = Article(
                issue=issue,
                section=sections[n % len(sections)],
                position=n + 1,
                title=f"长三角一体化示范区推进第{n}项重点工作",
                body="示范区围绕生态绿色和一体化制度创新，推进一批重点项目。\n\n" * 4,
            )
            article.save()
        Issue.objects.filter(pk=issue.pk).update(status=status)
        issue.refresh_from_db()
        return issue

    print(f"{connection.vendor}, issue of {size} articles, {runs} runs\n")
    issue = new_issue(articles=size)

    def arrange():
        layout = services.issue_layout(issue)
        services.issue_arrange(issue=issue, user=editor, layout=[(s, ids[::-1]) for s, ids in layout[::-1]])

    report("arrange", *timed(arrange, runs))

    article = Article.objects.filter(issue=issue).first()

    def save():
        article.refresh_from_db()
        article.body += "补充一句。"
        services.article_save(article=article, user=editor, expected_version=article.version)

    report("save", *timed(save, runs))

    client = Client()
    client.force_login(reviewer)
    url = f"/admin/editorial/issue/{issue.pk}/change/"
    client.get(url)

    def page():
        assert client.get(url).status_code == 200

    report("page", *timed(page, runs))

    ready = [new_issue(status=Issue.Status.IN_REVIEW, articles=3) for _ in range(runs)]
    queue = iter(ready)

    def publish():
        each = next(queue)
        workflow.approve(issue=each, user=reviewer)
        workflow.publish(issue=each, user=reviewer)

    report("publish", *timed(publish, runs))

    due = [new_issue(status=Issue.Status.APPROVED, articles=1) for _ in range(50)]
    Issue.objects.filter(pk__in=[each.pk for each in due]).update(
        scheduled_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    times, queries = timed(workflow.publish_due, 1)
    print(f"due      50 issues in {times[0]:7.1f} ms ({times[0] / 50:.1f} ms each, {queries} queries)")


if __name__ == "__main__":
    main()
