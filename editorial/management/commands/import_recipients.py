"""Import the 报/送/发 recipient lists from a CSV file (header 分组,单位,姓名,邮箱): all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from editorial.delivery import recipients

MAX_BYTES = 5 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "从 CSV 文件导入收件人（表头：分组,单位,姓名,邮箱，可再加 启用、排序 两列）。按邮箱识别，"
        "重复导入不会重复登记；任何一行有问题时逐行列出，一行也不写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV 文件（UTF-8 或 Excel 另存的 GBK 均可）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args, file: Path, dry_run=False, **options):
        try:
            if file.stat().st_size > MAX_BYTES:
                raise CommandError(f"{file} 超过 {MAX_BYTES // 1024 // 1024} MB，不像收件人名单。")
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取 {file}：{error.strerror or error}") from error
        sheet = recipients.read_recipient_csv(data)
        if sheet.problems:
            for problem in sheet.problems:
                self.stderr.write(problem)
            raise CommandError(f"{file} 有 {len(sheet.problems)} 处问题，没有导入任何收件人。请改正后重新导入。")
        if dry_run:
            self.stdout.write(f"检查通过：{len(sheet.rows)} 位收件人（未写入）。")
            return
        summary = recipients.recipients_import(rows=sheet.rows)
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {file.name}：新增 {summary.created}，更新 {summary.updated}，未变 {summary.unchanged}。"
            )
        )
