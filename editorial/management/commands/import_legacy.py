"""import_legacy: bring legacy plain-text issues into the database, one transaction per file."""

import functools
import multiprocessing
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from editorial.importers.legacy_text import LegacyFormatError, ParsedIssue
from editorial.importers.loader import ImportContext, Outcome, load_issue, parse_file, plan_import
from editorial.models import Issue

# From this many files on, a second process parses ahead while this one writes to the database.
PARALLEL_FROM = 16
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
        results = []
        for path, parsed, reason in parsed_files(files, context=context):
            results.append(
                self.import_one(
                    path,
                    parsed,
                    reason,
                    context=context,
                    dry_run=dry_run,
                    update=update,
                    status=STATUSES[status],
                    user=actor,
                    verbosity=verbosity,
                )
            )
            self.progress.advance()
        self.progress.clear()
        self.summarise(results, dry_run=dry_run)

    def import_one(self, path: Path, parsed, reason: str, *, context, dry_run, update, status, user, verbosity) -> dict:
        """Import (or check) one parsed file; a bad file is reported in one line and does not stop the batch."""
        row = {"path": path, "number": None, "articles": 0, "encoding": "", "warnings": 0, "outcome": FAILED}
        try:
            if parsed is None:
                raise LegacyFormatError(reason)
            if dry_run:
                plan = plan_import(parsed=parsed, context=context, update=update)
                outcome, label, warnings = plan.outcome, DRY_RUN_LABELS[plan.outcome], plan.all_warnings
            else:
                result = load_issue(
                    parsed=parsed, context=context, user=user, status=status, update=update, source=path.name
                )
                outcome, label, warnings = result.outcome, result.label, result.plan.all_warnings
        except (LegacyFormatError, OSError) as exc:
            self.report(f"{path}：失败：{exc}", style=self.style.ERROR)
            row["reason"] = str(exc)
            return row
        except IntegrityError as exc:
            # Another import of the same number committed between our check and our insert.
            self.report(f"{path}：失败：与同时进行的另一次导入冲突，请重试（{exc}）", style=self.style.ERROR)
            row["reason"] = "与同时进行的另一次导入冲突"
            return row
        row.update(
            number=parsed.meta.number,
            articles=len(parsed.articles),
            encoding=parsed.encoding,
            warnings=len(warnings),
            outcome=outcome,
        )
        if verbosity >= 1:
            style = self.style.WARNING if outcome == Outcome.DIFFERENT else self.style.SUCCESS
            self.report(
                f"{path}：第 {parsed.meta.number} 期（{parsed.meta.date:%Y-%m-%d}），{len(parsed.articles)} 篇稿件，"
                f"{len(parsed.sections)} 个栏目，编码 {parsed.encoding}，警告 {len(warnings)} 条：{label}",
                style=style,
            )
            for notice in warnings:
                self.report(f"    警告：{notice}", style=self.style.WARNING)
            if verbosity >= 2:
                for notice in parsed.repairs:
                    self.report(f"    修复：{notice}")
        return row

    def report(self, line: str, *, style=None) -> None:
        self.progress.clear()
        self.stdout.write(style(line) if style else line)

    def summarise(self, results: list[dict], *, dry_run: bool) -> None:
        counts = dict.fromkeys(SUMMARY_LABELS, 0)
        for row in results:
            counts[row["outcome"]] += 1
        elapsed = self.progress.elapsed
        rate = len(results) / elapsed if elapsed else 0.0
        articles = sum(row["articles"] for row in results if row["outcome"] != FAILED)
        self.stdout.write("")
        self.stdout.write(
            f"{'检查' if dry_run else '导入'}汇总：{len(results)} 个文件，用时 {elapsed:.1f} 秒，{rate:.1f} 期/秒"
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


def parsed_files(files: list[Path], *, context: ImportContext) -> Iterator[tuple[Path, ParsedIssue | None, str]]:
    """(path, parsed issue or None, reason it failed) for each file, in order.

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


def _parse_or_reason(path: Path, **options) -> tuple[ParsedIssue | None, str]:
    try:
        return parse_file(path, **options), ""
    except (LegacyFormatError, OSError) as exc:
        return None, str(exc)


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
