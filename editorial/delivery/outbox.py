"""The outbox: mails queued in the same transaction as what causes them, resent on request, listed per issue.

Nothing here talks to a mail server (sending.py does). Every function that queues is called inside
the caller's transaction, so a mail exists exactly when its cause was committed: a publish that
rolls back leaves no mail behind, and a committed one never loses its mails.
"""

import datetime
import uuid
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail.utils import DNS_NAME
from django.db.models import Count, QuerySet
from django.utils import timezone

from ..activity import log_action
from ..formatting import actor_name
from ..models import Issue, OutboxMessage, Recipient

Kind = OutboxMessage.Kind
State = OutboxMessage.State
ISSUE_KINDS = (Kind.ISSUE, Kind.CORRECTION)
# Mails a person is waiting for go before a long list of issue mails.
PRIORITY = {Kind.TEST: 0, Kind.NOTIFICATION: 0, Kind.WITHDRAWAL: 1, Kind.ISSUE: 2, Kind.CORRECTION: 2}
# States in which a mail may have reached its recipient.
MAYBE_DELIVERED = (State.SENT, State.UNKNOWN, State.SENDING)


def mail_domain() -> str:
    """The domain of the office's address, for Message-IDs; the host's name when it has none."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or str(DNS_NAME)


def new_message_id(domain: str | None = None) -> str:
    """A Message-ID fixed when the mail is queued: a resent copy keeps it, so a duplicate is recognisable."""
    return f"<digest.{uuid.uuid4().hex}@{domain or mail_domain()}>"


def issue_subject(issue: Issue, kind: str) -> str:
    """《长三角每周要讯》2020年第193期, with （更正）, 撤回通知 or 【测试】 as the kind requires."""
    title = f"《{issue.publication.title}》{issue.period_label}"
    return {
        Kind.ISSUE: title,
        Kind.CORRECTION: f"{title}（更正）",
        Kind.WITHDRAWAL: f"{title}撤回通知",
        Kind.TEST: f"【测试】{title}",
    }[kind]


def _message(
    *, kind: str, address: str, name: str = "", when: datetime.datetime, domain: str | None = None, **fields
) -> OutboxMessage:
    return OutboxMessage(
        kind=kind,
        address=address,
        name=name[:200],
        priority=PRIORITY[kind],
        next_attempt_at=when,
        message_id=new_message_id(domain),
        **fields,
    )


def queue_issue(*, issue: Issue, user, kind: str = Kind.ISSUE) -> int:
    """One mail of the issue (or of its correction) per active recipient, in one bulk insert; how many.

    A correction waits MAIL_CORRECTION_DELAY_MINUTES, and skips recipients whose mail of this issue
    has not left yet: that mail is composed when it is sent, so it already carries the correction.
    Several corrections in a row therefore reach each recipient as one 更正 mail.
    """
    now = timezone.now()
    when = now
    recipients = Recipient.objects.active().in_list_order()
    if kind == Kind.CORRECTION:
        when = now + datetime.timedelta(minutes=settings.MAIL_CORRECTION_DELAY_MINUTES)
        waiting = OutboxMessage.objects.filter(
            issue=issue, kind__in=ISSUE_KINDS, state=State.QUEUED, recipient__isnull=False
        ).values("recipient_id")
        recipients = recipients.exclude(pk__in=waiting)
    subject, domain = issue_subject(issue, kind), mail_domain()
    messages = [
        _message(
            kind=kind,
            address=recipient.email,
            name=recipient.display_name,
            when=when,
            domain=domain,
            recipient=recipient,
            issue=issue,
            subject=subject,
            queued_by=user,
        )
        for recipient in recipients
    ]
    OutboxMessage.objects.bulk_create(messages)
    return len(messages)


def queue_withdrawal(*, issue: Issue, user) -> int:
    """Stop the issue's mails that have not left, and queue a short notice to everyone it may have reached."""
    OutboxMessage.objects.filter(issue=issue, kind__in=ISSUE_KINDS, state=State.QUEUED).update(
        state=State.CANCELLED, last_reply="期刊已撤回，未发送。", claim_token="", lease_until=None
    )
    reached = (
        OutboxMessage.objects.filter(issue=issue, kind__in=ISSUE_KINDS, state__in=MAYBE_DELIVERED)
        .order_by("pk")
        .values_list("address", "name", "recipient_id")
    )
    now, seen, messages = timezone.now(), set(), []
    subject = issue_subject(issue, Kind.WITHDRAWAL)
    for address, name, recipient_id in reached:
        if address in seen:
            continue
        seen.add(address)
        messages.append(
            _message(
                kind=Kind.WITHDRAWAL,
                address=address,
                name=name,
                when=now,
                recipient_id=recipient_id,
                issue=issue,
                subject=subject,
                queued_by=user,
            )
        )
    OutboxMessage.objects.bulk_create(messages)
    return len(messages)


def queue_notification_mails(*, users, issue: Issue | None, subject: str, text: str) -> int:
    """A plain-text newsroom notification to each user's address (users without one are skipped)."""
    now = timezone.now()
    messages = [
        _message(
            kind=Kind.NOTIFICATION,
            address=user.email,
            name=actor_name(user),
            when=now,
            issue=issue,
            subject=subject,
            text=text,
        )
        for user in users
        if user.email
    ]
    OutboxMessage.objects.bulk_create(messages)
    return len(messages)


def queue_test(*, issue: Issue, user) -> OutboxMessage:
    """The issue's mail as recipients would get it, marked as a test, to the user's own address."""
    if not user.email:
        raise ValidationError("您的账号没有登记邮箱，无法发送测试邮件。请管理员在“用户”中为您填写邮箱。")
    message = _message(
        kind=Kind.TEST,
        address=user.email,
        name=actor_name(user),
        when=timezone.now(),
        issue=issue,
        subject=issue_subject(issue, Kind.TEST),
        queued_by=user,
    )
    message.save()
    log_action("mail_test", user=user, issue=issue.number)
    return message


def resend(*, message: OutboxMessage, user) -> OutboxMessage:
    """Send a mail again: a failed or unconfirmed one is put back in the queue (same Message-ID);
    a sent one is copied as a new mail. Refused while it is still waiting, or when its issue is withdrawn."""
    if message.state in (State.QUEUED, State.SENDING):
        raise ValidationError(f"发给 {message.address} 的邮件还在发送队列中，无需重发。")
    if message.state == State.CANCELLED:
        raise ValidationError(f"发给 {message.address} 的邮件已取消（期刊撤回），不能重发。")
    if message.kind in ISSUE_KINDS and (message.issue is None or not message.issue.is_published):
        raise ValidationError("这一期现在不是已发布状态，不能重发期刊邮件。")
    now = timezone.now()
    if message.state == State.SENT:
        copy = _message(
            kind=message.kind,
            address=message.address,
            name=message.name,
            when=now,
            recipient=message.recipient,
            issue=message.issue,
            subject=message.subject,
            text=message.text,
            queued_by=user,
        )
        copy.save()
        log_action("mail_resend", user=user, issue=getattr(message.issue, "number", None), message=copy.pk)
        return copy
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.QUEUED,
        attempts=0,
        next_attempt_at=now,
        claim_token="",
        lease_until=None,
        handed_at=None,
        queued_by=user,
    )
    message.refresh_from_db()
    log_action("mail_resend", user=user, issue=getattr(message.issue, "number", None), message=message.pk)
    return message


def resend_failed(*, issue: Issue, user) -> int:
    """Put every failed mail of the issue back in the queue; how many."""
    if not issue.is_published:
        raise ValidationError(f"{issue.period_label}现在不是已发布状态，不能重发期刊邮件。")
    count = OutboxMessage.objects.filter(issue=issue, state=State.FAILED).update(
        state=State.QUEUED,
        attempts=0,
        next_attempt_at=timezone.now(),
        claim_token="",
        lease_until=None,
        handed_at=None,
        queued_by=user,
    )
    log_action("mail_resend_failed", user=user, issue=issue.number, count=count)
    return count


def delivery_log(*, issue: Issue) -> QuerySet[OutboxMessage]:
    """The issue's mails (newsroom notifications aside), newest first, with their recipients: the delivery log."""
    return (
        OutboxMessage.objects.filter(issue=issue)
        .exclude(kind=Kind.NOTIFICATION)
        .select_related("recipient", "queued_by")
        .order_by("-pk")
    )


def delivery_summary(*, issue: Issue) -> dict[str, int]:
    """How many of the issue's mails are in each state, by state value (one query)."""
    counts = dict(
        OutboxMessage.objects.filter(issue=issue)
        .exclude(kind=Kind.NOTIFICATION)
        .values("state")
        .annotate(total=Count("pk"))
        .values_list("state", "total")
    )
    return {state: counts.get(state, 0) for state in State.values}
