"""Statistics benchmark (run by hand): 信息工作统计 for a year of the 500-issue generated archive.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/digest_stats_bench .venv/bin/python bench/work_statistics.py
    .venv/bin/python bench/work_statistics.py --year 2020 --runs 30

The database in DATABASE_URL is migrated and, when it holds no issue, filled with
`generate_archive --issues 500 --seed 1` (11,344 articles, 2015–2024); when it holds no instruction,
about one article in twelve gets a leader's instruction and one in six an adoption or two (seeded,
dated in the weeks after the issue, recorded through `editorial.achievements`). Point it at a
scratch database. Without DATABASE_URL it works in a throw-away SQLite database.

It reports, median and p95 of `--runs` (with the number of queries of the last run):

- figures:  `work_statistics()` for the year — every figure, the selector alone;
- page:     GET /admin/statistics/?year=… as a reviewer, server time (figures, six SVG charts, template);
- quarter:  the same page for the year's third quarter;
- xlsx:     the spreadsheet download;
- docx:     the Word report (figures, six PNG charts, the lists of records).

Besides the wall time, each row gives the CPU time per run of this process (the app) and of its PostgreSQL
backend (read from /proc), which do not depend on what else the machine runs; the rest is waiting.

Target: the page for a year in ≤ 300 ms.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.in_process import setup_django  # noqa: E402  (after the project root is on the path)

LEVEL_WEIGHTS = {"国家级领导": 1, "省级领导": 6, "厅局级领导": 10, "其他": 3}
ADOPTERS = [
    "浙江省人民政府办公厅《浙江信息》",
    "浙江省委办公厅《浙江通报》",
    "国务院办公厅《政务信息专报》",
    "上海市人民政府办公厅《上海信息》",
    "长三角区域合作办公室《长三角动态》",
]
LEADERS = ["王某某", "李某某", "张某某", "刘某某", "陈某某", "杨某某", "赵某某", "黄某某"]
TITLES = ["省长", "副省长", "常务副省长", "秘书长", "厅长", "副主任", ""]
GISTS = [
    "此件反映的情况值得重视，请省发展改革委研究借鉴。",
    "请相关部门结合我省实际，抓好学习借鉴。",
    "经验做法很好，可在全省推广。",
    "请商务厅牵头，会同有关部门提出具体举措。",
    "阅。请有关方面关注后续进展。",
]


def ensure_archive() -> None:
    from django.core.management import call_command

    from editorial.models import Issue

    if not Issue.objects.exists():
        print("generating the archive (generate_archive --issues 500 --seed 1) …", flush=True)
        call_command("generate_archive", issues=500, seed=1, verbosity=0)


def seed_records(seed: int = 1) -> tuple[int, int]:
    """Instructions on about 1 article in 12, adoptions on about 1 in 6, through the services (as 系统)."""
    from django.db import transaction

    from editorial import achievements
    from editorial.models import Adoption, Article, Instruction, LeaderLevel

    if Instruction.objects.exists():
        return Instruction.objects.count(), Adoption.objects.count()
    rng = random.Random(seed)
    levels = {level.name: level for level in LeaderLevel.objects.all()}
    names = [name for name in LEVEL_WEIGHTS if name in levels]
    weights = [LEVEL_WEIGHTS[name] for name in names]
    articles = list(Article.objects.published().order_by("pk").values_list("pk", "issue__date"))
    print(f"recording instructions and adoptions on {len(articles):,} articles …", flush=True)
    with transaction.atomic():
        for pk, date in articles:
            if rng.random() < 1 / 12:
                for _ in range(1 if rng.random() < 0.8 else 2):
                    achievements.instruction_save(
                        instruction=Instruction(
                            article_id=pk,
                            leader=rng.choice(LEADERS),
                            leader_title=rng.choice(TITLES),
                            level=levels[rng.choices(names, weights)[0]],
                            date=date + datetime.timedelta(days=rng.randint(3, 45)),
                            gist=rng.choice(GISTS),
                        ),
                        user=None,
                    )
            if rng.random() < 1 / 6:
                for _ in range(1 if rng.random() < 0.7 else 2):
                    achievements.adoption_save(
                        adoption=Adoption(
                            article_id=pk,
                            adopted_by=rng.choice(ADOPTERS),
                            date=date + datetime.timedelta(days=rng.randint(2, 30)),
                            note=rng.choice(["全文采用", "摘要采用", "综合采用", ""]),
                        ),
                        user=None,
                    )
    return Instruction.objects.count(), Adoption.objects.count()


def timed(action, runs: int) -> tuple[list[float], float, float, int]:
    """Run `action` `runs` times: the wall times (ms); this process's and PostgreSQL's CPU per run (ms, averaged
    over the runs: /proc counts in ticks of 10 ms); and the last run's queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.server import process_cpu_seconds

    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    times = []
    app_before = time.process_time()
    database_before = process_cpu_seconds(backend) if backend else 0.0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000)
    app = (time.process_time() - app_before) * 1000 / runs
    database = ((process_cpu_seconds(backend) - database_before) * 1000 / runs) if backend else float("nan")
    return times, app, database, len(queries.captured_queries)


def report(name: str, times: list[float], app: float, database: float, queries: int) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"| {name:<34} | {statistics.median(times):8.1f} ms | {p95:8.1f} ms | {max(times):8.1f} ms "
        f"| {app:6.1f} + {database:5.1f} ms | {queries:3d} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-bench-statistics-") as workdir:
        setup_django(Path(workdir))
        run(options.year, options.runs)


def run(year: int, runs: int) -> None:
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client

    from editorial.models import Adoption, Article, Instruction, Issue
    from editorial.statistics import Period, work_statistics

    ensure_archive()
    instructions, adoptions = seed_records()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    stats = work_statistics(period=Period(year))
    print(
        f"\n{connection.vendor}, {Issue.objects.count():,} issues, {Article.objects.count():,} articles, "
        f"{instructions:,} instructions, {adoptions:,} adoptions in all; {year}: {stats.issues} issues, "
        f"{stats.articles:,} articles, {stats.instructions} instructions, {stats.adoptions} adoptions; "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )
    reviewer, _ = User.objects.get_or_create(username="bench-statistics-reviewer", defaults={"is_staff": True})
    reviewer.groups.add(Group.objects.get(name="审核"))
    client = Client()
    client.force_login(reviewer)

    def get(url: str):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            b"".join(response.streaming_content) if response.streaming else response.content

        return fetch

    print(
        "| measure                            |   median    |    p95      |   worst     | CPU: app + database | queries |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    report("figures: work_statistics(year)", *timed(lambda: work_statistics(period=Period(year)), runs))
    report("page: /admin/statistics/ (year)", *timed(get(f"/admin/statistics/?year={year}&scope=year"), runs))
    report("page: third quarter", *timed(get(f"/admin/statistics/?year={year}&scope=q3"), runs))
    report("xlsx: figures.xlsx (year)", *timed(get(f"/admin/statistics/figures.xlsx?year={year}"), max(3, runs // 5)))
    report("docx: report.docx (year)", *timed(get(f"/admin/statistics/report.docx?year={year}"), max(3, runs // 5)))
    print(f"\n(instructions: {Instruction.objects.count():,}, adoptions: {Adoption.objects.count():,})")


if __name__ == "__main__":
    main()
