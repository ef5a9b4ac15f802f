"""校对 from the command line: a plain-text file (one paragraph per line) or a stored issue.

    python manage.py proofread draft.txt                 # file:line:column: rule message → suggestion
    python manage.py proofread draft.txt --format json   # [{"line", "column", "length", "rule", "message", "suggestion"}]
    python manage.py proofread --issue 193               # every article of 第193期, its headline as line 0

Lines and columns count from 1, columns and lengths in characters. For an issue, `line` is the paragraph's
number within its article (0 for the headline) and each finding names its `article`; findings an editor
dismissed in the admin are left out. Exit status: 0 when nothing is found, 1 when something is, 2 when the
input cannot be read.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...importers.legacy import LegacyFormatError, decode
from ...models import Issue
from ...proofreading import Located, proofread_text
from ...proofreading.reports import issue_report

MAX_BYTES = 10 * 1024 * 1024


class FindingsFound(SystemExit):
    """Exit status 1: the check ran and found something (as linters do)."""

    def __init__(self):
        super().__init__(1)


class Command(BaseCommand):
    help = "按 GB/T 15834-2011、GB/T 15835-2011 校对一个纯文本文件（每行一段）或一期要讯。"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="纯文本文件，每行一段（UTF-8 或 GB18030）。")
        parser.add_argument("--issue", type=int, metavar="NUMBER", help="校对库中这一期的全部稿件。")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）。")

    def handle(self, *args, path=None, issue=None, format="text", **options):
        if (path is None) == (issue is None):
            raise CommandError("请给出一个文件路径，或用 --issue 指定期号（二者选一）。", returncode=2)
        found = self.check_file(path) if path is not None else self.check_issue(issue)
        if format == "json":
            self.stdout.write(json.dumps([row for row, _ in found], ensure_ascii=False, indent=2))
        else:
            self.write_text(found, source=path)
        if found:
            raise FindingsFound

    def check_file(self, name: str) -> list[tuple[dict, tuple[str, int, int]]]:
        file = Path(name)
        if not file.is_file():
            raise CommandError(f"找不到文件：{name}", returncode=2)
        data = file.read_bytes()
        if len(data) > MAX_BYTES:
            raise CommandError(f"文件过大：超过 {MAX_BYTES // 1024 // 1024} MB。", returncode=2)
        try:
            text, _ = decode(data)
        except LegacyFormatError as refusal:
            raise CommandError(f"{name}：{refusal.message}", returncode=2) from refusal
        if "\x00" in text:
            raise CommandError(f"{name}：不是文本文件。", returncode=2)
        lines = text.removeprefix("\ufeff").splitlines()
        # Each line is a paragraph; its indentation stays out of the check but counts in the columns.
        indents = [len(line) - len(line.lstrip()) for line in lines]
        found = []
        for finding in proofread_text([line.strip() for line in lines]):
            at = indents[finding.paragraph] + finding.offset
            row = _row(line=finding.paragraph + 1, column=at + 1, finding=finding)
            found.append((row, (lines[finding.paragraph], at, finding.length)))
        return found

    def check_issue(self, number: int) -> list[tuple[dict, tuple[str, int, int]]]:
        issue = Issue.objects.filter(number=number).first()
        if issue is None:
            raise CommandError(f"没有第{number}期。", returncode=2)
        found = []
        for report in issue_report(issue).articles:
            for each in report.findings:
                row = {"article": report.article.title, **_located_row(each)}
                found.append((row, (each.paragraph, each.finding.offset, each.finding.length)))
        return found

    def write_text(self, found, *, source: str | None) -> None:
        article = None
        for row, (text, at, length) in found:
            if "article" in row and row["article"] != article:
                article = row["article"]
                self.stdout.write(self.style.MIGRATE_HEADING(f"《{article}》"))
            if source:
                where = f"{source}:{row['line']}:{row['column']}"
            else:
                where = f"标题:{row['column']}" if row["line"] == 0 else f"第{row['line']}段:{row['column']}"
            fix = "" if row["suggestion"] is None else f" → {_shown(row['suggestion'])}"
            self.stdout.write(f"{where}: {row['rule']} {row['message']}{fix}")
            self.stdout.write(
                f"    {text[max(0, at - 12) : at]}【{text[at : at + length]}】{text[at + length : at + length + 12]}"
            )
        certain = sum(1 for row, _ in found if row["suggestion"] is not None)
        if found:
            self.stdout.write(f"共 {len(found)} 处（其中 {certain} 处有确定的改法）。")
        else:
            self.stdout.write("未发现问题。")


def _row(*, line: int, column: int, finding) -> dict:
    return {
        "line": line,
        "column": column,
        "length": finding.length,
        "rule": finding.rule,
        "message": finding.message,
        "suggestion": finding.suggestion,
    }


def _located_row(each: Located) -> dict:
    return _row(line=each.line, column=each.finding.offset + 1, finding=each.finding)


def _shown(suggestion: str) -> str:
    if suggestion == "":
        return "（删去）"
    if not suggestion.strip():
        return "（一个空格）"
    return f"“{suggestion}”"
