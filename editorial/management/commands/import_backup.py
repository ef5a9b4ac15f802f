"""import_backup (also import_archive, its first name): restore a folder written by export_backup into an empty database, all of it or nothing."""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from editorial.backup import BackupError, read_backup, restore_backup


class Command(BaseCommand):
    help = (
        "从 export_backup 导出的目录恢复全部期刊、报头、栏目、来源地区和待编稿件。"
        "只恢复到空数据库（新建数据库并运行 migrate 之后）；要么全部恢复，要么什么都不写。"
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR", help="export_backup 导出的目录")
        parser.add_argument("--check", action="store_true", help="只检查备份是否完整可用，不写入数据库")
        parser.add_argument("--user", help="记在历史版本和流转记录里的操作人（用户名），可不填")

    def handle(self, *args, folder, check, user, **options):
        started = time.monotonic()
        try:
            backup = read_backup(Path(folder))
        except BackupError as exc:
            raise CommandError(f"备份有问题，未写入任何内容：\n{exc}") from exc
        summary = (
            f"{len(backup.issues)} 期（{backup.article_count} 篇稿件）、{len(backup.pool)} 篇待编稿件、"
            f"{len(backup.sections)} 个栏目、{len(backup.regions)} 个来源地区"
        )
        if check:
            self.stdout.write(self.style.SUCCESS(f"备份完好（导出于 {backup.exported_at}）：{summary}。"))
            return
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"找不到用户“{user}”，未写入任何内容。")
        try:
            restore_backup(backup=backup, user=actor)
        except BackupError as exc:
            raise CommandError(f"未恢复任何内容：\n{exc}") from exc
        except IntegrityError as exc:
            raise CommandError(f"备份内容违反了数据库的约束，未恢复任何内容：{exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"已恢复 {summary}，用时 {time.monotonic() - started:.1f} 秒。"))
