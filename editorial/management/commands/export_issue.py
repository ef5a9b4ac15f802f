"""export_issue: write one issue as JSON or legacy text (and any other format in FORMATS)."""

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from editorial import renditions
from editorial.exports import issue_data
from editorial.importers.legacy_format import format_legacy
from editorial.models import Issue, Publication


@dataclass(frozen=True)
class ExportFormat:
    """One output format: what it is called in --help and how it renders an issue (str or bytes)."""

    description: str
    render: Callable[[Issue], str | bytes]


def _json(issue: Issue) -> str:
    return json.dumps(issue_data(issue=issue), ensure_ascii=False, indent=2) + "\n"


def _legacy_format(issue: Issue) -> str:
    return format_legacy(issue_data(issue=issue))


def _rendition(format: renditions.Format) -> Callable[[Issue], bytes]:
    """The issue's cached PDF or Word file (rendered and stored first if this version has none)."""

    def render(issue: Issue) -> bytes:
        try:
            return renditions.issue_rendition(issue=issue, format=format).read()
        except renditions.RenditionError as exc:
            raise CommandError(f"{format.label} 生成失败：{exc}") from exc

    return render


# Add a format by adding an entry: the name is what --format takes.
FORMATS: dict[str, ExportFormat] = {
    "json": ExportFormat("JSON（刊物、期号、日期、状态、栏目和文章）", _json),
    "txt": ExportFormat("旧版纯文本格式（可用 import_legacy 重新导入）", _legacy_format),
    "pdf": ExportFormat("PDF（与网站“下载 PDF”相同的简报版式）", _rendition(renditions.PDF)),
    "docx": ExportFormat("Word 文档（.docx，与网站“下载 Word”相同）", _rendition(renditions.DOCX)),
}


class Command(BaseCommand):
    help = "导出一期期刊。格式：" + "；".join(f"{name}：{fmt.description}" for name, fmt in FORMATS.items())

    def add_arguments(self, parser):
        parser.add_argument("number", type=int, metavar="NUMBER", help="期号，如 193")
        parser.add_argument("--format", choices=sorted(FORMATS), default="json", help="导出格式（默认 json）")
        parser.add_argument("-o", "--output", metavar="FILE", help="写入的文件；不填则输出到标准输出")

    def handle(self, *args, number, format, output, **options):
        issue = (
            Issue.objects.select_related("publication")
            .filter(publication=Publication.objects.current(), number=number)
            .first()
        )
        if issue is None:
            raise CommandError(f"找不到第 {number} 期。")
        content = FORMATS[format].render(issue)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"已导出 {issue.period_label}（{format}）到 {output}")
        elif isinstance(content, str):
            self.stdout.write(content, ending="")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
