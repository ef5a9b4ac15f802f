"""The sender: takes due mails from the outbox, hands each to the mail server once, and records what happened.

Each run (``manage.py deliver_mail``, or the scheduled-publishing loop):

1. Recovers mails whose sender died: a mail claimed but never handed over goes back to the queue; a
   mail handed over whose outcome was never recorded is marked 待核实 (unknown) — see below.
2. Claims a batch of due mails (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several senders
   never take the same mail; SQLite serialises writers) and marks them 发送中 under a fresh token and a lease.
3. For each: composes it; marks it handed over (committed) if it is still this sender's; sends it over
   one SMTP connection per batch; records the result — sent with the server's reply, or for a refusal
   4xx retried after 1, 2, 4 … × MAIL_RETRY_SECONDS, 5xx failed at once, and failed after
   MAIL_MAX_ATTEMPTS attempts. When the server cannot be reached at all, the run stops: the rest of
   the batch waits for the next attempt instead of each timing out in turn.

The guarantee. Nothing is lost: a mail stays in the outbox until its fate is recorded. Nobody is sent a
mail twice by the sender: it never sends a mail without first recording, in its own committed write,
that it is handing it over. The one moment it cannot resolve is a mail handed over whole (its final
dot sent) whose answer never came — the connection broke, or the process died before recording. The
server may have accepted it or not; the sender does not guess. Such a mail is marked 待核实 and not sent
again automatically (at most once); the delivery log shows it, and 重发 sends it again with the same
Message-ID, so a duplicate is recognisable to the recipient's mail system. Everything else is exactly once.
"""

import datetime
import logging
import smtplib
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone

from .. import renditions
from ..models import Issue, OutboxMessage
from . import notifications
from .compose import Composer, NotSendable
from .smtp import reply_text

logger = logging.getLogger(__name__)
State = OutboxMessage.State
MAX_BACKOFF = datetime.timedelta(hours=6)


@dataclass
class DeliveryRun:
    """What one run did: counts per outcome and, when it stopped early, why."""

    counts: Counter = field(default_factory=Counter)
    stopped: str = ""

    @property
    def sent(self) -> int:
        return self.counts["sent"]

    def summary(self) -> str:
        labels = {
            "sent": "已发送",
            "deferred": "稍后重试",
            "failed": "失败",
            "unknown": "待核实",
            "cancelled": "已取消",
            "recovered": "收回",
        }
        parts = [f"{label} {self.counts[key]}" for key, label in labels.items() if self.counts[key]]
        return "，".join(parts) or "没有到期的邮件"


class Outage(Exception):
    """The mail server cannot take any mail now (unreachable, refuses the connection, the login or the sender)."""


def backoff(attempts: int) -> datetime.timedelta:
    """The wait before attempt `attempts + 1`: MAIL_RETRY_SECONDS doubled for each failed attempt, at most 6 hours."""
    return min(datetime.timedelta(seconds=settings.MAIL_RETRY_SECONDS * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


def recover_abandoned(*, now: datetime.datetime) -> tuple[int, list[OutboxMessage]]:
    """Mails whose sender's lease ran out: back to the queue if never handed over, else 待核实.

    Returns how many went back to the queue, and the mails marked 待核实.
    """
    expired = OutboxMessage.objects.filter(state=State.SENDING, lease_until__lt=now)
    requeued = expired.filter(handed_at__isnull=True).update(state=State.QUEUED, claim_token="", lease_until=None)
    abandoned = list(expired.filter(handed_at__isnull=False))
    OutboxMessage.objects.filter(pk__in=[message.pk for message in abandoned], state=State.SENDING).update(
        state=State.UNKNOWN,
        last_reply="发送过程中断：邮件已交给邮件服务器，但没有记下服务器的答复，无法确认是否送达。未自动重发。",
    )
    return requeued, abandoned


def claim(*, now: datetime.datetime, size: int) -> tuple[str, list[OutboxMessage]]:
    """Take up to `size` due mails for this sender: (its token, the mails), most urgent first."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = OutboxMessage.objects.filter(state=State.QUEUED, next_attempt_at__lte=now).order_by(
            "priority", "next_attempt_at", "pk"
        )
        if db_connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:size])
        # The state in the WHERE clause keeps the claim exclusive where FOR UPDATE is a no-op.
        OutboxMessage.objects.filter(pk__in=ids, state=State.QUEUED).update(
            state=State.SENDING,
            claim_token=token,
            lease_until=now + datetime.timedelta(seconds=settings.MAIL_LEASE_SECONDS),
            handed_at=None,
        )
    claimed = OutboxMessage.objects.filter(claim_token=token, state=State.SENDING).order_by(
        "priority", "next_attempt_at", "pk"
    )
    return token, list(claimed)


def _mine(message: OutboxMessage, token: str):
    return OutboxMessage.objects.filter(pk=message.pk, claim_token=token)


def hand_over(message: OutboxMessage, *, token: str, now: datetime.datetime) -> bool:
    """Record, before sending, that this sender hands the mail over; False if it is no longer this sender's."""
    return bool(
        _mine(message, token)
        .filter(state=State.SENDING, handed_at__isnull=True)
        .update(handed_at=now, lease_until=now + datetime.timedelta(seconds=settings.MAIL_LEASE_SECONDS))
    )


def _record(message: OutboxMessage, token: str, **fields) -> None:
    # The token, not the state: a mail marked 待核实 while its (slow, living) sender still held it
    # takes the outcome the sender saw.
    _mine(message, token).update(claim_token="", lease_until=None, **fields)


def record_sent(message: OutboxMessage, *, token: str, reply: str, issue_version, attachment: str) -> None:
    _record(
        message,
        token,
        state=State.SENT,
        sent_at=timezone.now(),
        attempts=message.attempts + 1,
        last_reply=reply,
        issue_version=issue_version,
        attachment=attachment,
    )


def record_failure(message: OutboxMessage, *, token: str, now: datetime.datetime, reply: str, permanent: bool) -> str:
    """A refused or failed attempt: retried later, or failed for good. Returns the outcome's name."""
    attempts = message.attempts + 1
    if permanent or attempts >= settings.MAIL_MAX_ATTEMPTS:
        _record(message, token, state=State.FAILED, attempts=attempts, last_reply=reply, handed_at=None)
        return "failed"
    _record(
        message,
        token,
        state=State.QUEUED,
        attempts=attempts,
        last_reply=reply,
        handed_at=None,
        next_attempt_at=now + backoff(attempts),
    )
    return "deferred"


def release(message: OutboxMessage, *, token: str, until: datetime.datetime) -> None:
    """Give back a claimed mail that was never handed over, to be tried at `until` (no attempt counted)."""
    _mine(message, token).filter(handed_at__isnull=True).update(
        state=State.QUEUED, claim_token="", lease_until=None, next_attempt_at=until
    )


def deliver_due(*, now: datetime.datetime | None = None, limit: int | None = None, connection=None) -> DeliveryRun:
    """Send every due mail (at most `limit`) once and return what happened; safe to run concurrently."""
    now = now or timezone.now()
    run = DeliveryRun()
    requeued, abandoned = recover_abandoned(now=now)
    run.counts["recovered"] = requeued
    run.counts["unknown"] = len(abandoned)
    troubled = {message.issue_id for message in abandoned if message.issue_id}
    backend = connection or get_connection(fail_silently=False)
    composer = Composer()
    handled = 0
    try:
        while limit is None or handled < limit:
            size = settings.MAIL_BATCH_SIZE if limit is None else min(settings.MAIL_BATCH_SIZE, limit - handled)
            token, batch = claim(now=now, size=size)
            if not batch:
                break
            for position, message in enumerate(batch):
                try:
                    outcome = _deliver_one(message, token=token, now=now, backend=backend, composer=composer)
                except Outage as outage:
                    # The server takes nothing now: the rest of the batch waits as long as this mail does.
                    run.counts["deferred"] += 1
                    run.stopped = str(outage)
                    wait = now + backoff(message.attempts + 1)
                    for rest in batch[position + 1 :]:
                        release(rest, token=token, until=wait)
                    return run
                run.counts[outcome] += 1
                handled += 1
                if outcome in ("failed", "unknown") and message.issue_id:
                    troubled.add(message.issue_id)
            _close(backend)  # one connection per batch
    finally:
        _close(backend)
        _report_trouble(troubled)
    return run


def _deliver_one(message: OutboxMessage, *, token: str, now, backend, composer: Composer) -> str:
    try:
        composed = composer.compose(message)
    except NotSendable as reason:
        _record(message, token, state=State.CANCELLED, last_reply=str(reason))
        return "cancelled"
    except renditions.RenditionError as error:
        return record_failure(message, token=token, now=now, reply=f"PDF 生成失败：{error}", permanent=False)
    try:
        backend.open()  # opened here, the connection stays open for the batch and keeps the server's reply
    except (smtplib.SMTPException, OSError) as error:
        _close(backend)
        reply = _describe(error)
        if isinstance(error, smtplib.SMTPResponseException):
            reply = reply_text((error.smtp_code, error.smtp_error))
        record_failure(message, token=token, now=now, reply=f"无法连接邮件服务器：{reply}", permanent=False)
        raise Outage(reply) from error
    if not hand_over(message, token=token, now=now):
        return "skipped"  # another sender took it over after this one's lease ran out
    connection = getattr(backend, "connection", None)
    if connection is not None:
        connection.handed_over = False  # this mail's own moment, not the previous one's
    try:
        backend.send_messages([composed.email])
    except smtplib.SMTPRecipientsRefused as refused:
        code, text = next(iter(refused.recipients.values()))
        return record_failure(message, token=token, now=now, reply=reply_text((code, text)), permanent=code >= 500)
    except (smtplib.SMTPSenderRefused, smtplib.SMTPAuthenticationError) as error:
        # The server refuses the office itself: every other mail would be refused too.
        reply = reply_text((error.smtp_code, error.smtp_error))
        record_failure(message, token=token, now=now, reply=reply, permanent=False)
        raise Outage(reply) from error
    except smtplib.SMTPResponseException as error:
        # A refusal of this message (DATA 4xx/5xx); 421 means the server is closing: stop for now.
        reply = reply_text((error.smtp_code, error.smtp_error))
        outcome = record_failure(message, token=token, now=now, reply=reply, permanent=error.smtp_code >= 500)
        if error.smtp_code == 421:
            _close(backend)
            raise Outage(reply) from error
        return outcome
    except (smtplib.SMTPException, OSError) as error:
        if _handed_over_whole(backend):
            _record(
                message,
                token,
                state=State.UNKNOWN,
                attempts=message.attempts + 1,
                last_reply=f"邮件已完整交给邮件服务器，但没有收到答复（{_describe(error)}），无法确认是否送达。未自动重发。",
            )
            _close(backend)
            return "unknown"
        _close(backend)
        record_failure(message, token=token, now=now, reply=f"无法连接邮件服务器：{_describe(error)}", permanent=False)
        raise Outage(_describe(error)) from error
    record_sent(
        message,
        token=token,
        reply=reply_text(getattr(getattr(backend, "connection", None), "last_reply", None)),
        issue_version=composed.issue_version,
        attachment=composed.attachment_note,
    )
    return "sent"


def _handed_over_whole(backend) -> bool:
    return bool(getattr(getattr(backend, "connection", None), "handed_over", False))


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _close(backend) -> None:
    try:
        backend.close()
    except (smtplib.SMTPException, OSError):
        # The connection is gone already; the next message opens a new one.
        if hasattr(backend, "connection"):
            backend.connection = None


def _report_trouble(issue_ids: set[int]) -> None:
    """Tell the newsroom about issues with mails that failed or could not be confirmed in this run."""
    for issue in Issue.objects.filter(pk__in=issue_ids):
        mails = OutboxMessage.objects.filter(issue=issue).exclude(kind=OutboxMessage.Kind.NOTIFICATION)
        failed = mails.filter(state=State.FAILED).count()
        unknown = mails.filter(state=State.UNKNOWN).count()
        if failed or unknown:
            notifications.delivery_failed(issue=issue, failed=failed, unknown=unknown)
