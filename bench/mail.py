"""Mail benchmark (run by hand): publishing to 500 recipients, and how fast the outbox drains to a local SMTP server.

    .venv/bin/python bench/mail.py [--recipients 500] [--runs 10] [--articles 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/digest_mail_bench .venv/bin/python bench/mail.py

Without DATABASE_URL it works in a throw-away SQLite database (nothing in var/ is touched); with one, that
database is migrated and filled, so point it at a scratch database. It reports:

- queue:    outbox.queue_issue() for the recipients alone (one bulk insert), median and worst of --runs;
- publish:  the 立即发布 request through the admin (the Django test client, a reviewer logged in),
            with no recipients and with --recipients, the after-commit PDF/Word pre-rendering left out
            (it is the same with or without mail, and measured by bench/pdf.py);
- deliver:  `deliver_due()` sending every queued mail, with the issue's PDF attached, to aiosmtpd running
            in a process of its own on 127.0.0.1 (a port of 20400–20499), as a real mail server would:
            mails per second, the PDF's first render counted apart.
"""

import argparse
import datetime
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.in_process import setup_django  # noqa: E402


def free_port(first: int = 20400, last: int = 20499) -> int:
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {first}–{last}")


# The mail server: aiosmtpd in its own process, writing one line per accepted recipient to a file.
SERVER = """
import asyncio, sys
from aiosmtpd.controller import Controller

class Counter:
    async def handle_DATA(self, server, session, envelope):
        with open(sys.argv[2], "a") as log:
            log.write(" ".join(envelope.rcpt_tos) + "\\n")
        return "250 2.0.0 Ok: queued"

controller = Controller(Counter(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"""


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def line(name: str, times: list[float], extra: str = "") -> None:
    print(f"{name:<22} median {statistics.median(times):8.1f} ms   worst {max(times):8.1f} ms   {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=500)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--articles", type=int, default=20)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-bench-mail-") as workdir:
        os.environ["MEDIA_ROOT"] = str(Path(workdir) / "media")
        setup_django(Path(workdir))
        run(options.recipients, options.runs, options.articles)


def run(count: int, runs: int, size: int) -> None:
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.files.storage import default_storage
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from editorial import renditions, services
    from editorial.delivery import outbox, sending
    from editorial.models import Article, Issue, OutboxMessage, Publication, Recipient, Section

    settings.ALLOWED_HOSTS = ["testserver"]
    # A scratch database: the lists and mails of an earlier run would change the counts.
    OutboxMessage.objects.all().delete()
    Recipient.objects.all().delete()
    suffix = f"{os.getpid()}"
    reviewer = User.objects.create_user(f"bench-chief-{suffix}", is_staff=True, email="chief@example.gov.cn")
    reviewer.groups.add(Group.objects.get(name="审核"))
    sections = list(Section.objects.filter(is_standing=True).order_by("position"))
    publication = Publication.objects.current()
    first = (Issue.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    numbers = iter(range(first, first + 10_000))

    def approved_issue(articles: int) -> Issue:
        issue = services.issue_create(
            publication=publication, number=next(numbers), date=datetime.date(2026, 11, 27), user=reviewer
        )
        for n in range(articles):
            Article(
                issue=issue,
                section=sections[n % len(sections)],
                position=n + 1,
                title=f"长三角一体化示范区推进第{n}项重点工作",
                body="示范区围绕生态绿色和一体化制度创新，推进一批重点项目。\n\n" * 4,
            ).save()
        Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.APPROVED)
        issue.refresh_from_db()
        return issue

    print(f"{connection.vendor}, {count} recipients, issues of {size} articles, {runs} runs\n")

    client = Client()
    client.force_login(reviewer)
    # The after-commit pre-render of PDF and Word is the same with or without mail: left out here.
    renditions.prepare_issue_renditions = lambda *, issue: None
    import editorial.workflow as workflow_module

    workflow_module.renditions.prepare_issue_renditions = renditions.prepare_issue_renditions

    def publish_requests(label: str) -> None:
        times, queries = [], 0
        for _ in range(runs):
            issue = approved_issue(3)
            url = f"/admin/editorial/issue/{issue.pk}/transition/publish/"
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.post(url, {"publish-comment": ""})
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 302, response.status_code
            queries = len(captured.captured_queries)
        line(f"publish ({label})", times, f"{queries} queries")

    publish_requests("0 recipients")
    Recipient.objects.bulk_create(
        Recipient(
            group=("report", "send", "distribute")[n % 3],
            unit=f"第{n}单位",
            name=f"收件人{n}",
            email=f"r{n}@example.gov.cn",
            position=n,
        )
        for n in range(count)
    )
    publish_requests(f"{count} recipients")

    times, cpu_times = [], []
    for _ in range(runs):
        issue = approved_issue(1)
        with transaction.atomic():
            start, cpu = time.perf_counter(), time.process_time()
            queued = outbox.queue_issue(issue=issue, user=reviewer)
            times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() - cpu) * 1000)
            transaction.set_rollback(True)
    line(
        f"queue ({queued} mails)",
        times,
        f"{statistics.median(times) / queued * 1000:.0f} µs a mail; CPU {statistics.median(cpu_times):.0f} ms",
    )

    # Drain: one fresh issue, its mails only.
    OutboxMessage.objects.all().delete()
    issue = approved_issue(size)
    workflow_module.publish(issue=issue, user=reviewer)
    pending = OutboxMessage.objects.filter(state=OutboxMessage.State.QUEUED, kind=OutboxMessage.Kind.ISSUE).count()
    port = free_port()
    received = Path(settings.MEDIA_ROOT).parent / "received.txt"
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), str(received)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert server.stdout.readline().strip() == b"ready"
    settings.EMAIL_BACKEND = "editorial.delivery.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        start = time.perf_counter()
        renditions.issue_rendition(
            issue=Issue.objects.select_related("publication").get(pk=issue.pk), format=renditions.PDF
        )
        render_ms = (time.perf_counter() - start) * 1000
        server_cpu = process_cpu_seconds(server.pid)
        start, cpu = time.perf_counter(), time.process_time()
        result = sending.deliver_due(now=timezone.now())
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        server_cpu = process_cpu_seconds(server.pid) - server_cpu
    finally:
        server.communicate(b"", timeout=30)
    accepted = received.read_text().split() if received.exists() else []
    pdf_kb = default_storage.size(renditions.rendition_name(issue=issue, format=renditions.PDF)) / 1024
    print(f"{'pdf first render':<22} {render_ms:8.1f} ms ({pdf_kb:.0f} KB)")
    print(
        f"{'deliver':<22} {result.sent} mails ({pending} issue mails) in {elapsed:.2f} s = "
        f"{result.sent / elapsed:.0f} mails/s (PDF attached, {settings.MAIL_BATCH_SIZE} per connection); "
        f"the server accepted {len(accepted)}, {len(set(accepted))} different addresses"
    )
    print(
        f"{'  CPU per mail':<22} sender {cpu / result.sent * 1000:.1f} ms, aiosmtpd {server_cpu / result.sent * 1000:.1f} ms"
        f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
