"""Send the mails that are due from the outbox, once, and exit: run it from a timer (or let it loop with --every)."""

from django.core.management.base import BaseCommand, CommandError

from editorial.delivery import sending
from editorial.management.repeat import check_every, repeat


class Command(BaseCommand):
    help = (
        "发送发件箱中到期的邮件（期刊报送、更正、撤回通知、编辑部通知），发完即退出。可以放心反复或同时运行，"
        "每封邮件只发一次；邮件服务器连不上时，邮件留在队列中稍后重试。加 --every 60 则常驻运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, metavar="N", help="本次最多发送 N 封")
        parser.add_argument("--every", type=int, metavar="SECONDS", help="常驻运行：每隔 SECONDS 秒发送一次")

    def handle(self, *args, limit=None, every=None, verbosity=1, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit 必须是正整数。")
        check_every(every)
        if every is None:
            run = self.run_once(limit=limit, verbosity=verbosity)
            if run.stopped:
                raise CommandError(f"邮件服务器暂时无法使用（{run.stopped}），未发出的邮件留在队列中，稍后自动重试。")
            return
        repeat(self, every=every, what="邮件发送", one_round=lambda: self.run_once(limit=limit, verbosity=verbosity))

    def run_once(self, *, limit: int | None, verbosity: int) -> sending.DeliveryRun:
        run = sending.deliver_due(limit=limit)
        if run.counts.total() or verbosity >= 2:
            self.stdout.write(f"邮件：{run.summary()}")
        if run.stopped:
            self.stderr.write(f"邮件服务器暂时无法使用：{run.stopped}")
        return run
