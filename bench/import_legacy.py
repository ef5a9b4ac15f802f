"""Benchmark the legacy import: a folder of generated legacy texts through `import_legacy`, issues per second.

Run by hand (never from the test suite):

    .venv/bin/python bench/import_legacy.py                      # 500 issues into a fresh SQLite file
    .venv/bin/python bench/import_legacy.py --issues 200 --json bench/results/import.json
    .venv/bin/python bench/import_legacy.py --database-url postgres://postgres@127.0.0.1:5432/digest_bench

The texts are composed by the archive generator from the demo issues and written the
way the office's files come: the sample's layout (no indentation), a third of them in
GB18030 and a third with CRLF line endings, page-number lines between some paragraphs
and a paragraph broken by the page now and then. Against a database given with
--database-url the issues are numbered from 900001 and deleted again afterwards.
The target on the 2-core reference machine is at least 50 issues/s on SQLite.
"""

import argparse
import datetime
import io
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_NUMBER_ON_SHARED_DATABASE = 900_001


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    options = parser.parse_args()
    results = measure(issues=options.issues, seed=options.seed, database_url=options.database_url)
    report(results)
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


def measure(*, issues: int, seed: int, database_url: str | None) -> dict:
    """Write `issues` legacy texts, import them with `import_legacy`, and return the numbers (sets Django up)."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    fresh = database_url is None
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digest_cms.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    first_number = 1 if fresh else FIRST_NUMBER_ON_SHARED_DATABASE
    folder = workdir / "legacy"
    started = time.perf_counter()
    files, articles = write_legacy_folder(folder, issues=issues, seed=seed, first_number=first_number)
    generated_in = time.perf_counter() - started

    from editorial.importers.loader import ImportContext

    context = ImportContext.from_db()
    started = time.perf_counter()
    for path in files:
        context.parse(path.read_bytes())
    parse_seconds = time.perf_counter() - started

    out = io.StringIO()
    backends = _BackendCPU(connection)
    cpu_before, children_before = time.process_time(), os.times()
    started = time.perf_counter()
    with backends:
        call_command("import_legacy", str(folder), verbosity=0, stdout=out, stderr=io.StringIO())
    import_seconds = time.perf_counter() - started
    import_cpu = time.process_time() - cpu_before
    server_cpu = backends.seconds
    children_after = os.times()
    parser_cpu = (children_after.children_user - children_before.children_user) + (
        children_after.children_system - children_before.children_system
    )

    from editorial.models import Article, Issue

    imported = Issue.objects.filter(number__gte=first_number, number__lt=first_number + issues)
    imported_issues = imported.count()
    imported_articles = Article.objects.filter(issue__in=imported).count()
    if not fresh:
        _remove(imported)

    results = {
        "benchmark": "legacy import",
        "database": connection.vendor,
        "issues": imported_issues,
        "articles": imported_articles,
        "files_bytes": sum(path.stat().st_size for path in files),
        "generate_seconds": round(generated_in, 3),
        "parse_seconds": round(parse_seconds, 3),
        "parse_issues_per_second": round(len(files) / parse_seconds, 1),
        "import_seconds": round(import_seconds, 3),
        "import_issues_per_second": round(imported_issues / import_seconds, 1),
        "import_articles_per_second": round(imported_articles / import_seconds, 1),
        # CPU time of the writing process and of the parsing worker: what the rate is when both have
        # a core to themselves (the reference machine is shared, so wall-clock rates vary with its load).
        "writer_cpu_ms_per_issue": round(import_cpu / imported_issues * 1000, 2),
        "parser_cpu_ms_per_issue": round(parser_cpu / imported_issues * 1000, 2),
        # The database server's own work (PostgreSQL on this machine: the backend processes of all the
        # import's connections), None when unknown.
        "database_cpu_ms_per_issue": round(server_cpu / imported_issues * 1000, 2) if server_cpu is not None else None,
        "load_average": round(os.getloadavg()[0], 2),
        "target_issues_per_second": 50,
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    assert imported_issues == len(files) and imported_articles == articles, out.getvalue()
    connection.close()
    shutil.rmtree(workdir, ignore_errors=True)
    return results


def _backend_pid(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _server_cpu_seconds(pid: int) -> float | None:
    """CPU time a PostgreSQL backend process has used, when it runs on this machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime, fields 14 and 15 of proc(5), counted from after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _BackendCPU:
    """CPU time of the PostgreSQL backends serving this process's connections, while in the block.

    The import writes through several connections (one per writer thread) that close when it is
    done, taking their backend process with them, so each backend is read every 20 ms while it
    lives: a backend's last few milliseconds before it exits may be missed.
    """

    INTERVAL = 0.02

    def __init__(self, connection):
        self.enabled = connection.vendor == "postgresql"
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()
        if self.enabled:
            pid = _backend_pid(connection)
            if (seconds := _server_cpu_seconds(pid)) is not None:
                self.first[pid] = self.last[pid] = seconds

    def _sample(self) -> None:
        while not self.stop.wait(self.INTERVAL):
            self._read()

    def _read(self) -> None:
        for pid in list(self.first):
            seconds = _server_cpu_seconds(pid)
            if seconds is not None:
                self.last[pid] = seconds

    def __enter__(self):
        from django.db.backends.signals import connection_created

        if self.enabled:
            # A new connection starts at zero: its backend process is new.
            connection_created.connect(self._track_new, weak=False)
            self.sampler = threading.Thread(target=self._sample, daemon=True)
            self.sampler.start()
        return self

    def _track_new(self, sender, connection, **kwargs) -> None:
        pid = _backend_pid(connection)
        self.first[pid] = 0.0
        self.last[pid] = _server_cpu_seconds(pid) or 0.0

    def __exit__(self, *exc_info) -> None:
        from django.db.backends.signals import connection_created

        if self.enabled:
            connection_created.disconnect(self._track_new)
            self.stop.set()
            self.sampler.join()
            self._read()

    @property
    def seconds(self) -> float | None:
        if not self.first:
            return None
        return sum(self.last[pid] - self.first[pid] for pid in self.first)


def _remove(imported) -> None:
    """Leave a shared database as it was: the imported issues, all that hangs on them (history too), no dead rows.

    Plain DELETEs without signals: deleting through the ORM would first write a history row for every article.
    """
    from django.db import connection, transaction

    from editorial.models import Article, Issue, IssueSection, IssueTransition

    HistoricalArticle = Article.history.model
    issue_ids = list(imported.values_list("pk", flat=True))
    article_ids = list(Article.objects.filter(issue_id__in=issue_ids).values_list("pk", flat=True))
    doomed = [
        HistoricalArticle.regions.model.objects.filter(history__id__in=article_ids),
        HistoricalArticle.objects.filter(id__in=article_ids),
        Issue.history.model.objects.filter(id__in=issue_ids),
        Article.regions.through.objects.filter(article_id__in=article_ids),
        Article.objects.filter(pk__in=article_ids),
        IssueTransition.objects.filter(issue_id__in=issue_ids),
        IssueSection.objects.filter(issue_id__in=issue_ids),
        Issue.objects.filter(pk__in=issue_ids),
    ]
    with transaction.atomic():
        for queryset in doomed:
            queryset._raw_delete(queryset.db)
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(queryset.model._meta.db_table) for queryset in doomed)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {tables}")


def report(results: dict) -> None:
    print(
        f"生成 {results['issues']} 个旧版文本（{results['files_bytes'] / 1024 / 1024:.1f} MB，{results['articles']} 篇）"
        f"用时 {results['generate_seconds']:.1f} 秒"
    )
    print(f"{'数据库':<10}{results['database']}")
    print(f"{'只解析':<10}{results['parse_seconds']:>8.2f} 秒  {results['parse_issues_per_second']:>8.1f} 期/秒")
    print(
        f"{'导入':<10}{results['import_seconds']:>8.2f} 秒  {results['import_issues_per_second']:>8.1f} 期/秒"
        f"  {results['import_articles_per_second']:>8.0f} 篇/秒（目标 ≥ 50 期/秒）"
    )
    print(
        f"{'CPU':<10}写库进程 {results['writer_cpu_ms_per_issue']:.1f} ms/期，解析进程 "
        f"{results['parser_cpu_ms_per_issue']:.1f} ms/期（各占一核时约 "
        f"{1000 / max(results['writer_cpu_ms_per_issue'], results['parser_cpu_ms_per_issue']):.0f} 期/秒）"
    )
    if results["database_cpu_ms_per_issue"] is not None:
        print(f"{'数据库CPU':<8}{results['database_cpu_ms_per_issue']:.1f} ms/期（PostgreSQL 后端进程）")
    print(f"{'负载':<10}{results['load_average']}（1 分钟平均；机器忙时墙钟速率偏低）")


def write_legacy_folder(folder: Path, *, issues: int, seed: int, first_number: int) -> tuple[list[Path], int]:
    """Generated issues as legacy text files, written the way the office's archive comes."""
    from editorial.demo.generator import load_bank, places_from_db, plan_archive
    from editorial.importers.legacy_format import format_legacy
    from editorial.importers.regions import catalogue_from_db
    from editorial.models import Publication, Section

    publication = Publication.objects.current()
    planned = plan_archive(
        issues=issues,
        seed=seed,
        bank=load_bank(catalogue=catalogue_from_db()),
        places=places_from_db(),
        sections=list(Section.objects.filter(is_standing=True).values_list("name", flat=True)),
        first_number=first_number,
    )
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    files = []
    for plan in planned:
        sections: dict[str, list[dict]] = {}
        for article in plan.articles:
            sections.setdefault(article.section, []).append(
                {"title": article.title, "page": article.page, "paragraphs": list(article.paragraphs)}
            )
        text = format_legacy(
            {
                "publication": publication.title,
                "office": publication.office,
                "number": plan.number,
                "date": plan.date.isoformat(),
                "sections": [{"name": name, "articles": articles} for name, articles in sections.items()],
            }
        )
        text = "\n".join(_as_the_office_writes(line, rng) for line in text.split("\n"))
        if plan.number % 3 == 1:
            text = text.replace("\n", "\r\n")
        path = folder / f"{plan.date.year}-{plan.number}.txt"
        path.write_bytes(text.encode("gb18030" if plan.number % 3 == 0 else "utf-8"))
        files.append(path)
    return files, sum(len(plan.articles) for plan in planned)


def _as_the_office_writes(line: str, rng: random.Random) -> str:
    """A paragraph line without indentation; sometimes a page number after it, sometimes split by the page."""
    if not line.startswith("\u3000"):
        return line
    line = line.lstrip("\u3000")
    roll = rng.random()
    if roll < 0.08 and len(line) > 40 and "，" in line[10:-10]:
        cut = line.index("，", 10) + 1
        return f"{line[:cut]}\n\n— {rng.randint(2, 20)} —\n\n{line[cut:]}"
    if roll < 0.15:
        return f"{line}\n\n- {rng.randint(2, 20)} -"
    return line


if __name__ == "__main__":
    sys.exit(main())
