"""export_backup (also export_archive, its first name): every issue, the masthead, sections, regions and the pool as a folder of JSON files (a backup)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from editorial.backup import BackupError, export_backup


class Command(BaseCommand):
    help = (
        "把全部期刊（每期一个 JSON 文件，格式同 export_issue --format json）、报头、栏目、来源地区和待编稿件"
        "导出到一个新目录，可用 import_backup 恢复。用户、历史版本和流转记录不在其中，请用 pg_dump 备份。"
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR", help="导出到的目录：不存在或为空")

    def handle(self, *args, folder, verbosity, **options):
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if verbosity >= 2:
                self.stderr.write(f"已导出 {done}/{total} 期")

        try:
            result = export_backup(folder=Path(folder), progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出 {result.issues} 期（{result.articles} 篇稿件）和 {result.pool} 篇待编稿件到 {result.folder}，"
                f"用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
