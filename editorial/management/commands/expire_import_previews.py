"""Delete spreadsheet import previews never confirmed: run it from cron, e.g. hourly (editorial/previews.py)."""

from django.core.management.base import BaseCommand

from editorial.previews import PREVIEW_MAX_AGE, expire_previews


class Command(BaseCommand):
    help = "删除超过一小时仍未确认的表格导入预览（上传后等待确认的表格文件）。可以放心反复运行，例如 cron 每小时一次。"

    def handle(self, *args, verbosity=1, **options):
        deleted = expire_previews()
        if deleted or verbosity >= 2:
            hours = PREVIEW_MAX_AGE.total_seconds() / 3600
            self.stdout.write(f"已删除 {deleted} 份超过 {hours:g} 小时未确认的表格导入预览。")
