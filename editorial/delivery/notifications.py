"""Notes to the newsroom about an issue's progress: on the workbench, and by mail unless a user turned mail off.

    submitted      → the reviewers (who may sign off)
    returned       → the issue's editor (who submitted it), with the reason
    signed off     → the editors (who may change issues)
    published      → the editors
    not delivered  → whoever published the issue (workbench only: mail may be what is failing)

The actor is never told of their own step. The workbench reads `unread_for(user)` / `recent_for(user)`
and may include ``admin/editorial/notification/_recent.html`` (or the tag ``{% notifications_panel %}``).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from ..formatting import actor_name
from ..models import Issue, IssueTransition, Notification, NotificationPreference
from . import outbox

Kind = Notification.Kind
RECENT = 10


def users_with_permission(permission: str) -> QuerySet:
    """Active staff who hold `permission` (app_label.codename) through a role, directly, or as superusers."""
    app_label, codename = permission.split(".")
    through_group = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    direct = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | through_group | direct)
        .distinct()
        .order_by("pk")
    )


def reviewers() -> QuerySet:
    return users_with_permission("editorial.approve_issue")


def editors() -> QuerySet:
    return users_with_permission("editorial.change_issue")


def mail_enabled(user) -> bool:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference is None or preference.email


def set_mail_enabled(*, user, enabled: bool) -> None:
    NotificationPreference.objects.update_or_create(user=user, defaults={"email": enabled})


def notify(*, users, issue: Issue | None, kind: str, text: str, by_mail: bool = True) -> list[Notification]:
    """Record a note for each user; those who did not turn mail off also get it by mail (through the outbox)."""
    users = list(users)
    if not users:
        return []
    notes = Notification.objects.bulk_create(
        Notification(user=user, issue=issue, kind=kind, text=text) for user in users
    )
    if by_mail:
        opted_out = set(
            NotificationPreference.objects.filter(user__in=users, email=False).values_list("user_id", flat=True)
        )
        readers = [user for user in users if user.pk not in opted_out]
        outbox.queue_notification_mails(
            users=readers, issue=issue, subject=_subject(issue, kind), text=_mail_text(issue, text)
        )
    return notes


def _subject(issue: Issue | None, kind: str) -> str:
    what = f"{issue.period_label}{Kind(kind).label}" if issue is not None else Kind(kind).label
    return f"【编辑部通知】{what}"


def _mail_text(issue: Issue | None, text: str) -> str:
    lines = [text, ""]
    if issue is not None:
        lines += [f"打开本期：{settings.SITE_URL}{reverse('admin:editorial_issue_change', args=[issue.pk])}", ""]
    lines += [
        "——",
        "这是编辑部系统自动发出的通知。",
        f"不想再收到通知邮件，可以在“我的通知”中关闭：{settings.SITE_URL}{reverse('admin:editorial_notification_changelist')}",
    ]
    return "\n".join(lines)


def _others(users: QuerySet, actor) -> QuerySet:
    return users.exclude(pk=actor.pk) if actor is not None else users


def _with_comment(text: str, comment: str, label: str = "说明") -> str:
    return f"{text}{label}：{comment}" if comment else text


# --- the workflow's events (called by events.py inside the transition's transaction) ---------------


def issue_submitted(*, issue: Issue, entry: IssueTransition) -> None:
    text = _with_comment(f"{actor_name(entry.user)}提交了{issue.period_label}，等待审核。", entry.comment)
    notify(users=_others(reviewers(), entry.user), issue=issue, kind=Kind.SUBMITTED, text=text)


def issue_returned(*, issue: Issue, entry: IssueTransition) -> None:
    submitted = (
        issue.transitions.filter(action="submit", user__isnull=False).select_related("user").order_by("-pk").first()
    )
    editor = submitted.user if submitted is not None else issue.created_by
    users = [editor] if editor is not None and editor != entry.user and editor.is_active else []
    if editor is None:
        users = list(_others(editors(), entry.user))
    text = f"{actor_name(entry.user)}退回了{issue.period_label}，请修改后重新提交。原因：{entry.comment}"
    notify(users=users, issue=issue, kind=Kind.RETURNED, text=text)


def issue_approved(*, issue: Issue, entry: IssueTransition) -> None:
    text = _with_comment(f"{actor_name(entry.user)}签发了{issue.period_label}。", entry.comment, "签发意见")
    notify(users=_others(editors(), entry.user), issue=issue, kind=Kind.APPROVED, text=text)


def issue_published(*, issue: Issue, entry: IssueTransition, mails: int) -> None:
    if entry.user is None:
        text = f"{issue.period_label}已按计划自动发布"
    else:
        text = f"{actor_name(entry.user)}发布了{issue.period_label}"
    text += f"，{mails} 封报送邮件已排入发送队列。" if mails else "。收件人名单为空，没有报送邮件。"
    notify(users=_others(editors(), entry.user), issue=issue, kind=Kind.PUBLISHED, text=text)


def delivery_failed(*, issue: Issue, failed: int, unknown: int) -> None:
    """Tell whoever published the issue (else the reviewers) that some of its mails did not go out."""
    published = (
        issue.transitions.filter(action="publish", user__isnull=False).select_related("user").order_by("-pk").first()
    )
    users = [published.user] if published is not None and published.user.is_active else list(reviewers())
    parts = []
    if failed:
        parts.append(f"{failed} 封发送失败")
    if unknown:
        parts.append(f"{unknown} 封无法确认是否送达（待核实）")
    text = f"{issue.period_label}的报送邮件中有{'、'.join(parts)}，请在“报送记录”中查看并重发。"
    notify(users=users, issue=issue, kind=Kind.DELIVERY_FAILED, text=text, by_mail=False)


# --- the workbench's selectors -------------------------------------------------------------


def unread_for(user) -> QuerySet[Notification]:
    """The user's unread notifications, newest first."""
    return Notification.objects.filter(user=user, read_at__isnull=True).select_related("issue").order_by("-pk")


def recent_for(user, *, limit: int = RECENT) -> list[Notification]:
    """The user's latest notifications, read or not, newest first."""
    return list(Notification.objects.filter(user=user).select_related("issue").order_by("-pk")[:limit])


def mark_read(*, user, pk: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())
