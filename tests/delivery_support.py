"""What the 报送 tests share: a real SMTP server (aiosmtpd) on a free port, recipients, a published issue, one render."""

import asyncio
import email
import email.policy
import logging
import socket
import threading
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache

from editorial import renditions, workflow
from editorial.models import Issue, Recipient
from tests.factories import make_article, make_issue, make_user

# aiosmtpd logs every SMTP command at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Received:
    """One message as the server took it: the envelope and the bytes."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


class Mailbox:
    """The server's handler: keeps what it accepts; refuses addresses, DATA or answers late as a test asks."""

    def __init__(self):
        self.received: list[Received] = []
        self.refused_addresses: dict[str, str] = {}
        self.data_replies: list[str] = []  # replies for the next DATA commands, e.g. "451 4.7.1 Greylisted"
        self.always_reply = ""  # a refusal for every DATA
        self.late_answers: list[float] = []  # seconds to wait before answering the next accepted DATA commands
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.refused_addresses.get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            refusal = self.always_reply or (self.data_replies.pop(0) if self.data_replies else "")
            if refusal:
                return refusal
            self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.content))
            number = len(self.received)
            delay = self.late_answers.pop(0) if self.late_answers else 0
        if delay:
            await asyncio.sleep(delay)
        return f"250 2.0.0 Ok: queued as TEST{number:04d}"

    def recipients(self) -> list[str]:
        return [address for received in self.received for address in received.rcpt_tos]


class SmtpServer:
    """aiosmtpd on 127.0.0.1 at a port of its own; stop() and start() again on the same port for an outage."""

    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server, and the settings that send to it through the project's SMTP backend."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "editorial.delivery.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def storage(settings, tmp_path):
    """Renditions go to a fresh folder, never into var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "storage"},
        },
    }
    settings.SITE_URL = "https://digest.example.gov.cn"
    settings.DEFAULT_FROM_EMAIL = "浙江省人民政府驻上海办事处 <digest@zjsh.example.gov.cn>"
    cache.clear()
    return tmp_path / "storage"


_RENDERED: dict[str, bytes] = {}


@pytest.fixture
def render_once(monkeypatch, storage):
    """A real PDF, rendered once for the whole run (about a second) and reused: what is tested here is the mail.

    Each render request still stores the file under the issue version's own name, as the real one does.
    """
    calls = []
    real = renditions.render

    def render(*, issue, format):
        calls.append(issue.pk)
        if format.extension not in _RENDERED:
            _RENDERED[format.extension] = real(issue=issue, format=format)
        return _RENDERED[format.extension]

    monkeypatch.setattr(renditions, "render", render)
    return calls


RECIPIENTS = [
    (Recipient.Group.REPORT, "浙江省人民政府办公厅", "张三", "zhangsan@zj.example.gov.cn"),
    (Recipient.Group.SEND, "浙江省发展和改革委员会", "李四", "lisi@fgw.example.gov.cn"),
    (Recipient.Group.DISTRIBUTE, "办事处综合处", "", "office@zjsh.example.gov.cn"),
]


def make_recipients(rows=RECIPIENTS) -> list[Recipient]:
    return [
        Recipient.objects.create(group=group, unit=unit, name=name, email=address, position=index)
        for index, (group, unit, name, address) in enumerate(rows, start=1)
    ]


def many_recipients(count: int, *, start: int = 0) -> list[Recipient]:
    return Recipient.objects.bulk_create(
        Recipient(group=Recipient.Group.SEND, unit=f"单位{index}", email=f"r{index}@example.gov.cn", position=index)
        for index in range(start, start + count)
    )


def approved_issue(*, number: int = 193) -> Issue:
    issue = make_issue(number=number, status=Issue.Status.APPROVED)
    make_article(issue=issue, title="上海技术交易所开市", body="正文第一段。\n\n正文第二段。")
    make_article(issue=issue, title="江苏发布区块链产业发展计划", section_slug="economy")
    return issue


def publisher():
    return make_user("chief", role="审核", first_name="李主编", email="chief@zjsh.example.gov.cn")


def publish(issue: Issue, user) -> Issue:
    workflow.publish(issue=issue, user=user)
    issue.refresh_from_db()
    return issue


def parsed(message) -> email.message.EmailMessage:
    """A Django EmailMessage (e.g. from mail.outbox) as a reader's mail program parses it."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
