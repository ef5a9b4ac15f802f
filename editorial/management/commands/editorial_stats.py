"""editorial_stats: the figures of 信息工作统计 for a year (or a quarter or months of it), as JSON or an Excel file."""

import json
import re

from django.core.management.base import BaseCommand, CommandError

from editorial import statistics_report
from editorial.statistics import Period, work_statistics

MONTH_RANGE = re.compile(r"^(\d{1,2})(?:-(\d{1,2}))?$")


class Command(BaseCommand):
    help = (
        "输出一年（或其中一个季度、几个月）的信息工作统计：出刊期数、稿件、字数、栏目、地区、"
        "长三角城市覆盖、领导批示和被采用。JSON 写到标准输出或 -o 文件；xlsx 必须写到 -o 文件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, metavar="YYYY", help="统计年份")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], help="只统计这一季度")
        scope.add_argument("--months", metavar="M[-N]", help="只统计这几个月，如 3-5 或 7")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json", help="输出格式（默认 json）")
        parser.add_argument("-o", "--output", metavar="FILE", help="写到这个文件（默认标准输出，仅 json）")

    def handle(self, *args, year, quarter, months, format, output, **options):
        period = self._period(year, quarter, months)
        if format == "xlsx" and not output:
            raise CommandError("xlsx 是二进制文件，请用 -o 指定输出文件，如 -o 统计.xlsx。")
        stats = work_statistics(period=period)
        if format == "xlsx":
            content = statistics_report.as_xlsx(stats)
        else:
            content = (json.dumps(statistics_report.as_json(stats), ensure_ascii=False, indent=2) + "\n").encode()
        if not output:
            self.stdout.write(content.decode(), ending="")
            return
        try:
            with open(output, "wb") as handle:
                handle.write(content)
        except OSError as error:
            raise CommandError(f"无法写入 {output}：{error.strerror}") from error
        self.stderr.write(
            f"{period.label}：{stats.issues} 期，{stats.articles} 篇稿件，领导批示 {stats.instructions} 件，"
            f"被采用 {stats.adoptions} 次，已写入 {output}"
        )

    @staticmethod
    def _period(year: int, quarter: int | None, months: str | None) -> Period:
        try:
            if quarter:
                return Period.of_quarter(year, quarter)
            if months:
                match = MONTH_RANGE.match(months.strip())
                if not match:
                    raise ValueError(f"--months 应写成 3-5 或 7 这样的月份，不是“{months}”。")
                first = int(match[1])
                return Period(year, first, int(match[2] or first))
            return Period(year)
        except ValueError as error:
            raise CommandError(str(error)) from error
