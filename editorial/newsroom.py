"""Reads for the newsroom: which issues came back to their editors (已退回), and what is on each person's desk.

"Returned" is not a status: an issue is returned while it is a draft and the last step in its log
(IssueTransition) is 退回修改 — the reviewer's comment on that step is the reason. Resubmitting,
taking the submission back or any later step ends it. Every list that shows issues annotates
them with `with_last_step` (two subqueries, no extra query) and asks `returned_reason`.

The workbench (the admin's home page) reads a fixed number of queries whatever the archive's
size; tests/test_workbench.py asserts it.
"""

import datetime
from dataclasses import dataclass, field

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Article, ArticleDraft, Issue, IssueTransition

Status = Issue.Status
Action = IssueTransition.Action
OPEN_STATUSES = (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED)
IMPORT_ACTIONS = (Action.IMPORT_LEGACY, Action.REIMPORT_LEGACY, Action.RESTORE_BACKUP)
RECENT = 8


def with_last_step(rows: QuerySet, *, issue_field: str = "pk") -> QuerySet:
    """Annotate issues (or, with issue_field="issue_id", articles) with their issue's latest logged action and comment."""
    latest = IssueTransition.objects.filter(issue=OuterRef(issue_field)).order_by("-created_at", "-pk")
    return rows.annotate(
        last_action=Subquery(latest.values("action")[:1]), last_comment=Subquery(latest.values("comment")[:1])
    )


def returned_reason(issue: Issue | None, *, last_action: str | None = None, last_comment: str = "") -> str | None:
    """The reviewer's reason when `issue` is a draft because it was returned (退回修改), else None.

    Reads the annotations of `with_last_step`, or the values passed in.
    """
    if issue is None or issue.status != Status.DRAFT:
        return None
    action = last_action if last_action is not None else getattr(issue, "last_action", None)
    if action != Action.RETURN_TO_DRAFT:
        return None
    return (last_comment or getattr(issue, "last_comment", None) or "").strip()


def _with_article_count(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    count = Article.objects.filter(issue=OuterRef("pk")).values("issue").annotate(total=Count("pk")).values("total")
    return issues.annotate(article_total=Coalesce(Subquery(count, output_field=IntegerField()), 0))


@dataclass(frozen=True)
class Step:
    """The latest log entry of an issue on the desk: who did what, when, and what they wrote."""

    action: str
    user: object
    at: datetime.datetime
    comment: str


@dataclass
class Desk:
    """What the workbench shows one person: their issues, articles, drafts and, by role, reviews and admin matters."""

    this_week: Issue | None = None
    open_issues: list[Issue] = field(default_factory=list)
    returned: list[Issue] = field(default_factory=list)
    recent_articles: list[Article] = field(default_factory=list)
    unsaved: list[ArticleDraft] = field(default_factory=list)
    pool_total: int = 0
    waiting_review: list[Issue] = field(default_factory=list)
    signed_off: list[Issue] = field(default_factory=list)
    scheduled: list[Issue] = field(default_factory=list)
    imports: list[IssueTransition] = field(default_factory=list)
    locked_out: list[AccessAttempt] = field(default_factory=list)


def desk_for(user, *, today: datetime.date | None = None) -> Desk:
    """Everything on `user`'s workbench, in a fixed number of queries."""
    today = today or timezone.localdate()
    desk = Desk()
    open_issues = list(
        _with_article_count(with_last_step(Issue.objects.filter(status__in=OPEN_STATUSES))).order_by("date", "number")
    )
    steps = _latest_steps(open_issues)
    for issue in open_issues:
        issue.last_step = steps.get(issue.pk)
    desk.open_issues = open_issues
    desk.returned = [issue for issue in open_issues if returned_reason(issue) is not None]
    # This week's issue: the next one to go out (the earliest still open from this week on), else the latest open one.
    monday = today - datetime.timedelta(days=today.weekday())
    upcoming = [issue for issue in open_issues if issue.date >= monday]
    desk.this_week = upcoming[0] if upcoming else (open_issues[-1] if open_issues else None)
    desk.recent_articles = list(
        Article.objects.filter(updated_by=user)
        .select_related("issue", "section")
        .order_by("-updated_at", "-pk")[:RECENT]
    )
    desk.unsaved = list(
        ArticleDraft.objects.filter(user=user).select_related("article").order_by("-saved_at", "-pk")[:RECENT]
    )
    desk.pool_total = Article.objects.in_pool().count()
    if user.has_perm("editorial.approve_issue"):
        desk.waiting_review = [issue for issue in open_issues if issue.status == Status.IN_REVIEW]
        approved = [issue for issue in open_issues if issue.status == Status.APPROVED]
        desk.signed_off = [issue for issue in approved if issue.scheduled_at is None]
        desk.scheduled = sorted((i for i in approved if i.scheduled_at is not None), key=lambda i: i.scheduled_at)
    if user.has_perm("editorial.import_legacy_issue"):
        desk.imports = list(
            IssueTransition.objects.filter(action__in=IMPORT_ACTIONS)
            .select_related("issue", "user")
            .order_by("-created_at", "-pk")[:RECENT]
        )
    if user.has_perm("axes.view_accessattempt"):
        desk.locked_out = locked_out_accounts()
    return desk


def _latest_steps(issues: list[Issue]) -> dict[int, Step]:
    """The latest log entry of each issue, with its user: one query for all of them."""
    steps: dict[int, Step] = {}
    entries = (
        IssueTransition.objects.filter(issue__in=[issue.pk for issue in issues])
        .select_related("user")
        .order_by("issue", "-created_at", "-pk")
    )
    for entry in entries:
        steps.setdefault(entry.issue_id, Step(entry.action, entry.user, entry.created_at, entry.comment))
    return steps


def locked_out_accounts() -> list[AccessAttempt]:
    """Account and address pairs django-axes is refusing now (five failed logins within the lockout time)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return list(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since)
        .only("pk", "username", "ip_address", "failures_since_start", "attempt_time")
        .order_by("-attempt_time")[:RECENT]
    )
