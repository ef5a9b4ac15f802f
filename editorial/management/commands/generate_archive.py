"""generate_archive: a deterministic archive of realistic published issues, for demos and benchmarks."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from editorial import services
from editorial.demo.generator import FIRST_DATE, GenerationError, generate_archive
from editorial.models import Article, Issue, IssueSection


class Command(BaseCommand):
    help = (
        "生成 N 期演示存档（已发布，每周一期，每期 15–30 篇，文字取自演示期刊）。"
        "同一个 --seed 总是生成相同的内容；期号已存在时不写入任何内容。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--issues", type=int, required=True, metavar="N", help="生成多少期")
        parser.add_argument("--seed", type=int, default=0, metavar="S", help="随机种子（默认 0）")
        parser.add_argument("--first-number", type=int, default=1, metavar="NUMBER", help="第一期的期号（默认 1）")
        parser.add_argument(
            "--first-date",
            type=datetime.date.fromisoformat,
            default=FIRST_DATE,
            metavar="YYYY-MM-DD",
            help=f"第一期的出刊日期（默认 {FIRST_DATE:%Y-%m-%d}），以后每期加一周",
        )
        parser.add_argument(
            "--status", choices=[Issue.Status.PUBLISHED, Issue.Status.DRAFT], default=Issue.Status.PUBLISHED
        )

    def handle(self, *args, issues, seed, first_number, first_date, status, **options):
        if issues < 1:
            raise CommandError("--issues 必须是正整数。")
        if first_number < 1:
            raise CommandError("--first-number 必须是正整数。")
        started = time.monotonic()
        try:
            planned, articles = generate_archive(
                issues=issues, seed=seed, first_number=first_number, first_date=first_date, status=status
            )
        except GenerationError as exc:
            raise CommandError(str(exc)) from exc
        services.analyze_tables(Issue, IssueSection, Article, Article.regions.through)
        elapsed = time.monotonic() - started
        first, last = planned[0], planned[-1]
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {len(planned)} 期（第 {first.number}–{last.number} 期，{first.date:%Y-%m-%d} 至 "
                f"{last.date:%Y-%m-%d}），{articles} 篇稿件，用时 {elapsed:.1f} 秒。"
            )
        )
