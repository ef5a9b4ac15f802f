"""Publish the signed-off issues whose scheduled time has come, then send the mails that are due (deliver_mail).

Run it from cron or a timer, or let it loop (`make run`).
"""

from django.core.management.base import BaseCommand

from editorial import workflow
from editorial.delivery import sending
from editorial.formatting import format_time
from editorial.management.repeat import check_every, repeat


class Command(BaseCommand):
    help = (
        "发布定时发布时间已到的已签发期刊，再发送到期的邮件（同 deliver_mail）。可以放心反复运行（例如 cron "
        "每分钟一次），同一期只会发布一次、每封邮件只发一次；加 --every 60 则常驻运行，每 60 秒检查一次。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, metavar="SECONDS", help="常驻运行：每隔 SECONDS 秒检查一次（make run 用它）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只列出到期的期刊，不发布")

    def handle(self, *args, every=None, dry_run=False, verbosity=1, **options):
        check_every(every)
        if every is None:
            self.run_once(dry_run=dry_run, verbosity=verbosity)
            return
        repeat(
            self,
            every=every,
            what="定时发布检查",
            one_round=lambda: self.run_once(dry_run=dry_run, verbosity=verbosity),
        )

    def run_once(self, *, dry_run: bool, verbosity: int) -> None:
        if dry_run:
            due = list(workflow.scheduled_issues_due())
            for issue in due:
                self.stdout.write(f"到期未发布：{issue.period_label}（计划 {format_time(issue.scheduled_at)}）")
            if not due and verbosity >= 1:
                self.stdout.write("没有到期的定时发布。")
            return
        published = workflow.publish_due()
        for issue in published:
            self.stdout.write(self.style.SUCCESS(f"已发布 {issue.period_label}（{format_time(issue.published_at)}）"))
        if not published and verbosity >= 2:
            self.stdout.write("没有到期的定时发布。")
        mail = sending.deliver_due()
        if mail.counts.total() or verbosity >= 2:
            self.stdout.write(f"邮件：{mail.summary()}")
        if mail.stopped:
            self.stderr.write(f"邮件服务器暂时无法使用：{mail.stopped}，未发出的邮件稍后重试。")
