"""import_legacy: bring legacy plain-text issues into the database, one transaction per file (a file may hold two issues)."""

import functools
import multiprocessing
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_for
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection

from editorial.importers.legacy import LegacyFormatError, ParsedIssue
from editorial.importers.loader import ImportContext, Outcome, load_file, parse_file, plan_import
from editorial.models import Issue
from editorial.text import normalise_for_match

# From this many files on, a second process parses ahead while this one writes to the database,
# and on PostgreSQL this many threads write, each on its own connection: one writer's Python
# work overlaps the other's wait for the database, which alone would leave a core idle.
PARALLEL_FROM = 16
WRITERS = 2
STATUSES = {"published": Issue.Status.PUBLISHED, "draft": Issue.Status.DRAFT}
FAILED = "failed"
SUMMARY_LABELS = {
    Outcome.CREATED: "已导入",
    Outcome.UPDATED: "已更新",
    Outcome.UNCHANGED: "已存在且内容相同（未改动）",
    Outcome.DIFFERENT: "已存在但内容不同（未改动）",
    FAILED: "失败",
}
DRY_RUN_SUMMARY = {
    Outcome.CREATED: "将导入",
    Outcome.UPDATED: "将更新",
    Outcome.UNCHANGED: "已存在且内容相同（不会改动）",
    Outcome.DIFFERENT: "已存在但内容不同（不会改动）",
}
DRY_RUN_LABELS = {
    Outcome.CREATED: "将导入",
    Outcome.UPDATED: "将更新",
    Outcome.UNCHANGED: "已存在，内容相同，不会改动",
    Outcome.DIFFERENT: "已存在，内容与文件不同，不会改动（加 --update 可替换）",
}


def legacy_files(paths: list[str]) -> list[Path]:
    """The files named, and every *.txt below the folders named, each once, in path order."""
    found: dict[Path, None] = {}
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() == ".txt":
                    found[child] = None
        elif path.exists():
            found[path] = None
        else:
            raise CommandError(f"找不到文件或文件夹：{name}")
    return list(found)


class Command(BaseCommand):
    help = (
        "导入旧版纯文本期刊。PATH 可以是文件或文件夹（导入其下所有 .txt）。"
        "已存在的期号不会改动，除非加 --update；--dry-run 只检查、不写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="旧版文本文件或文件夹")
        parser.add_argument("--dry-run", action="store_true", help="只解析和报告，不写入数据库")
        parser.add_argument("--update", action="store_true", help="期号已存在时，用文件内容原地替换该期的稿件")
        parser.add_argument(
            "--status", choices=sorted(STATUSES), default="published", help="新导入期刊的状态（默认 published）"
        )
        parser.add_argument("--user", help="记在流转记录里的操作人（用户名），可不填")

    def handle(self, *args, paths, dry_run, update, status, user, verbosity, **options):
        files = legacy_files(paths)
        if not files:
            raise CommandError("没有找到任何 .txt 文件。")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"找不到用户“{user}”。")
        try:
            context = ImportContext.from_db()
        except LegacyFormatError as exc:
            raise CommandError(str(exc)) from exc
        self.progress = _Progress(total=len(files), stream=sys.stderr)
        # Sections earlier files of a dry run would create: the import creates them once, and says so once.
        self.planned_sections: set[str] = set()
        import_one = functools.partial(
            self.import_one,
            context=context,
            dry_run=dry_run,
            update=update,
            status=STATUSES[status],
            user=actor,
            verbosity=verbosity,
        )
        items = parsed_files(files, context=context)
        if not dry_run and writes_in_parallel(len(files)):
            outcomes = written_in_parallel(items, import_one, context=context)
        else:
            outcomes = (import_one(*item) for item in items)
        results = []
        for rows, lines in outcomes:
            for line in lines:
                self.report(line)
            results += rows
            self.progress.advance()
        self.progress.clear()
        self.summarise(results, dry_run=dry_run)

    def import_one(
        self, path: Path, issues, reason: str, *, context, dry_run, update, status, user, verbosity
    ) -> tuple[list[dict], list[str]]:
        """Import (or check) one parsed file: a summary row per issue and the output lines (styled).

        A bad file is reported in one line, writes nothing, and does not stop the batch.
        """
        failed = {"path": path, "number": None, "articles": 0, "encoding": "", "warnings": 0, "outcome": FAILED}
        try:
            if issues is None:
                raise LegacyFormatError(reason)
            if dry_run:
                plans = []
                for parsed in issues:
                    plans.append(
                        plan_import(parsed=parsed, context=context, update=update, created_before=self.planned_sections)
                    )
                    if plans[-1].outcome in (Outcome.CREATED, Outcome.UPDATED):
                        self.planned_sections.update(plans[-1].new_sections)
                done = [(plan.outcome, DRY_RUN_LABELS[plan.outcome], plan.all_warnings) for plan in plans]
            else:
                results = load_file(
                    issues=issues, context=context, user=user, status=status, update=update, source=path.name
                )
                done = [(result.outcome, result.label, result.plan.all_warnings) for result in results]
        except (LegacyFormatError, OSError) as exc:
            return [{**failed, "reason": str(exc)}], [self.style.ERROR(f"{path}：失败：{exc}")]
        except IntegrityError as exc:
            # Another import of the same number committed between our check and our insert.
            reason = "与同时进行的另一次导入冲突"
            return [{**failed, "reason": reason}], [self.style.ERROR(f"{path}：失败：{reason}，请重试（{exc}）")]
        rows, lines = [], []
        for parsed, (outcome, label, warnings) in zip(issues, done, strict=True):
            rows.append(
                {
                    "path": path,
                    "number": parsed.meta.number,
                    "articles": len(parsed.articles),
                    "encoding": parsed.encoding,
                    "warnings": len(warnings),
                    "outcome": outcome,
                }
            )
            if verbosity >= 1:
                lines += self.describe(
                    path, parsed, outcome=outcome, label=label, warnings=warnings, verbosity=verbosity
                )
        return rows, lines

    def describe(self, path: Path, parsed: ParsedIssue, *, outcome, label, warnings, verbosity) -> list[str]:
        """The lines reporting one issue of a file: what it holds and what happened, then its notices."""
        style = self.style.WARNING if outcome == Outcome.DIFFERENT else self.style.SUCCESS
        lines = [
            style(
                f"{path}：第 {parsed.meta.number} 期（{parsed.meta.date:%Y-%m-%d}），{len(parsed.articles)} 篇稿件，"
                f"{len(parsed.sections)} 个栏目，编码 {parsed.encoding}，警告 {len(warnings)} 条：{label}"
            )
        ]
        lines += [self.style.WARNING(f"    警告：{notice}") for notice in warnings]
        if parsed.distribution:
            lines.append(f"    报送记录：{' / '.join(parsed.distribution.splitlines())}")
        if verbosity >= 2:
            lines += [f"    修复：{notice}" for notice in parsed.repairs]
        return lines

    def report(self, line: str, *, style=None) -> None:
        self.progress.clear()
        self.stdout.write(style(line) if style else line)

    def summarise(self, results: list[dict], *, dry_run: bool) -> None:
        counts = dict.fromkeys(SUMMARY_LABELS, 0)
        for row in results:
            counts[row["outcome"]] += 1
        elapsed = self.progress.elapsed
        files = len({row["path"] for row in results})
        issues = sum(1 for row in results if row["outcome"] != FAILED)
        rate = issues / elapsed if elapsed else 0.0
        articles = sum(row["articles"] for row in results if row["outcome"] != FAILED)
        self.stdout.write("")
        self.stdout.write(
            f"{'检查' if dry_run else '导入'}汇总：{files} 个文件（{issues} 期），用时 {elapsed:.1f} 秒，{rate:.1f} 期/秒"
        )
        for outcome, label in SUMMARY_LABELS.items():
            self.stdout.write(
                f"  {counts[outcome]:>6}  {label if not dry_run or outcome == FAILED else DRY_RUN_SUMMARY[outcome]}"
            )
        self.stdout.write(f"  {articles:>6}  篇稿件")
        failed = [row for row in results if row["outcome"] == FAILED]
        for row in failed:
            self.stdout.write(self.style.ERROR(f"  失败：{row['path']}：{row['reason']}"))
        if failed or counts[Outcome.DIFFERENT]:
            raise CommandError(
                f"{counts[FAILED]} 个文件未能导入，{counts[Outcome.DIFFERENT]} 个文件与已有期刊内容不同（未改动）。"
            )


def parsed_files(
    files: list[Path], *, context: ImportContext
) -> Iterator[tuple[Path, tuple[ParsedIssue, ...] | None, str]]:
    """(path, its parsed issues or None, reason it failed) for each file, in order.

    Parsing is pure, so for a large batch a forked worker process parses ahead while this
    process writes; the worker never touches the database.
    """
    parse = functools.partial(
        _parse_or_reason,
        catalogue=context.catalogue,
        known_sections=context.known_sections(),
        max_bytes=context.max_bytes,
    )
    if len(files) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        for path in files:
            yield (path, *parse(path))
        return
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        for path, outcome in zip(files, pool.map(parse, files, chunksize=8), strict=True):
            yield (path, *outcome)


def _parse_or_reason(path: Path, **options) -> tuple[tuple[ParsedIssue, ...] | None, str]:
    try:
        return parse_file(path, **options), ""
    except (LegacyFormatError, OSError) as exc:
        return None, str(exc)


def writes_in_parallel(file_count: int) -> bool:
    """Whether a batch this large is written by WRITERS connections at once.

    Only on PostgreSQL (SQLite lets one connection write at a time), and never inside a caller's
    transaction: the writers' own connections would commit outside it.
    """
    return connection.vendor == "postgresql" and file_count >= PARALLEL_FROM and not connection.in_atomic_block


def written_in_parallel(items, import_one: Callable, *, context: ImportContext) -> Iterator[tuple[dict, list[str]]]:
    """import_one's results for `items` in their order, the files imported by WRITERS threads at once.

    What a serial run would do is kept: files sharing a number are imported one after the
    other in order (the second finds the first's issue), and a file naming a section the database
    does not have yet is imported alone, after the files before it and before those after it.
    """
    known = {normalise_for_match(name) for name in context.known_sections()}
    pending: deque[tuple[Future, set[int]]] = deque()
    with _Writers(WRITERS) as writers:
        try:
            for path, issues, reason in items:
                numbers = {parsed.meta.number for parsed in issues or ()}
                alone = any(
                    normalise_for_match(section.name) not in known
                    for parsed in issues or ()
                    for section in parsed.sections
                )
                wait_for([future for future, others in pending if alone or numbers & others])
                future = writers.submit(import_one, path, issues, reason)
                pending.append((future, numbers))
                if alone:
                    wait_for([future])
                    known = {normalise_for_match(name) for name in context.known_sections()}
                while pending and (pending[0][0].done() or len(pending) > 2 * WRITERS):
                    yield pending.popleft()[0].result()
            while pending:
                yield pending.popleft()[0].result()
        finally:
            for future, _ in pending:
                future.cancel()


class _Writers:
    """Threads running submitted calls, each with its own database connection, closed when it stops."""

    def __init__(self, count: int):
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.threads = [threading.Thread(target=self._work, name=f"import-writer-{n}") for n in range(count)]

    def __enter__(self) -> "_Writers":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()

    def submit(self, function: Callable, *args) -> Future:
        future: Future = Future()
        self.jobs.put((future, function, args))
        return future

    def _work(self) -> None:
        try:
            while (job := self.jobs.get()) is not None:
                future, function, args = job
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(function(*args))
                    except BaseException as exc:
                        future.set_exception(exc)
        finally:
            connection.close()


class _Progress:
    """done/total and rate on one self-rewriting line, only when stderr is a terminal."""

    def __init__(self, *, total: int, stream):
        self.total = total
        self.done = 0
        self.stream = stream
        self.started = time.monotonic()
        self.shown = False
        self.enabled = stream.isatty()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def advance(self) -> None:
        self.done += 1
        if self.enabled:
            rate = self.done / self.elapsed if self.elapsed else 0.0
            self.stream.write(f"\r\033[K[{self.done}/{self.total}] {rate:.1f} 期/秒")
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False
