"""The issue lifecycle: one object per transition, each owning its permission, its check, the change and the log entry.

    草稿 ──提交审核──▶ 待审 ──签发──▶ 已签发 ──立即发布 / 定时发布──▶ 已发布 ──撤回──▶ 已撤回
      ▲                 │               │                                │
      └────退回修改─────┴───────────────┴────────────────────────────────┘ (从已撤回也可退回修改)
    待审 ──撤回提交──▶ 草稿: only the submitter, while nobody has acted on the issue since.

Who may do what is named here and nowhere else: each transition names the permission it needs,
and `edit_denied_reason` is the one rule for changing an issue's content in each status.
Every transition runs inside a transaction on the locked issue row and is idempotent: when two
reviewers publish at once, the issue is published once, with one log entry, and neither gets an error.
"""

import datetime
import logging
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import renditions
from .activity import log_action
from .delivery import events as delivery_events
from .formatting import actor_name, format_time
from .models import Issue, IssueTransition
from .services.records import record_issue_versions, write_issue_status

Status = Issue.Status
Action = IssueTransition.Action
logger = logging.getLogger(__name__)


# Who may change an issue's content (articles, their order, sections, metadata) in each status.
# None: anyone who may change issues and articles at all.
EDIT_PERMISSION_BY_STATUS = {
    Status.DRAFT: None,
    Status.IN_REVIEW: "editorial.approve_issue",
    Status.APPROVED: "editorial.approve_issue",
    Status.PUBLISHED: "editorial.change_published_issue",
    Status.WITHDRAWN: "",  # nobody: return it to draft first
}
EDIT_REFUSALS = {
    Status.IN_REVIEW: "{issue}正在审核，编辑不能再修改；如需修改，请主编先退回草稿。",
    Status.APPROVED: "{issue}已签发，只有主编可以修改；如需修改，请主编先退回草稿。",
    Status.PUBLISHED: "{issue}已发布，编辑不能修改；如需更正，请联系主编。",
    Status.WITHDRAWN: "{issue}已撤回；如需修改，请主编先退回草稿。",
}


def _may_edit_status(user, status: str) -> bool:
    permission = EDIT_PERMISSION_BY_STATUS[Status(status)]
    return permission is None or bool(permission and user.has_perm(permission))


def editable_statuses(*, user) -> list[str]:
    """The statuses in which `user` may change an issue's content (what the admin offers as destinations)."""
    return [status for status in Status if user is None or _may_edit_status(user, status)]


def edit_denied_reason(*, user, issue: Issue | None) -> str | None:
    """Why `user` may not change the content of `issue` now, or None when they may (the pool is open to all)."""
    if user is None or issue is None or _may_edit_status(user, issue.status):
        return None
    return EDIT_REFUSALS[Status(issue.status)].format(issue=issue.period_label)


def may_edit(*, user, issue: Issue | None) -> bool:
    return edit_denied_reason(user=user, issue=issue) is None


def ensure_may_edit(*, user, issue: Issue | None, correction_note: str = "") -> None:
    """Refuse a content change the rule above forbids; a change to a published issue needs a correction note."""
    reason = edit_denied_reason(user=user, issue=issue)
    if reason:
        raise PermissionDenied(reason)
    if issue is not None and issue.status == Status.PUBLISHED and user is not None and not correction_note.strip():
        raise ValidationError(f"{issue.period_label}已发布：修改已发布的期刊必须填写更正说明，说明改了什么、为什么改。")


def content_problems(issue: Issue) -> list[str]:
    """What keeps an issue from going to review or being signed off, one line per problem, naming the article."""
    problems = []
    articles = list(issue.articles.select_related("section").order_by("position", "pk"))
    if not articles:
        problems.append(f"{issue.period_label}还没有稿件：请先从稿件库加入或新建稿件。")
    for index, article in enumerate(articles, start=1):
        name = f"第{index}篇《{article.title.strip() or '（无标题）'}》"
        if not article.title.strip():
            problems.append(f"{name}没有标题。")
        if not article.body.strip():
            problems.append(f"{name}没有正文。")
        if article.section_id is None:
            problems.append(f"{name}没有栏目。")
    return problems


@dataclass(frozen=True)
class TransitionResult:
    """What a transition did: `changed` is False when the issue was already there (a repeated or concurrent click)."""

    issue: Issue
    changed: bool
    entry: IssueTransition | None = None


class Transition:
    """One editorial action on an issue: who may do it, from which statuses, what it checks, changes and logs."""

    name: ClassVar[str]
    label: ClassVar[str]
    done_message: ClassVar[str]
    sources: ClassVar[frozenset[str]]
    target: ClassVar[str]
    permission: ClassVar[str | None]
    comment_label: ClassVar[str] = "说明（可选）"
    comment_required: ClassVar[bool] = False
    confirm: ClassVar[str] = ""
    do_not_call_in_templates: ClassVar[bool] = True  # templates read a transition's label, never instantiate it

    def __init__(self, *, issue: Issue, user, comment: str = ""):
        self.issue = issue
        self.user = user
        self.comment = (comment or "").strip()

    @classmethod
    def user_may(cls, user) -> bool:
        return cls.permission is None or (user is not None and user.has_perm(cls.permission))

    @classmethod
    def is_available(cls, issue: Issue) -> bool:
        return issue.status in cls.sources

    @classmethod
    def refusal_for(cls, *, user, issue: Issue) -> str | None:
        """Why `user` may not take this step on `issue` although they hold the permission (e.g. not the submitter)."""
        return None

    def already_done(self, issue: Issue) -> bool:
        """True when a concurrent or repeated request already brought the issue where this one would."""
        return issue.status == self.target and self.target not in self.sources

    def check(self, issue: Issue) -> None:
        """Raise ValidationError, in words for editors, when the locked issue may not take this step."""

    def changes(self, issue: Issue, now: datetime.datetime) -> dict:
        """The fields to write besides status, version and the modification stamp."""
        return {}

    def log_comment(self) -> str:
        return self.comment

    def queue_messages(self, issue: Issue, entry: IssueTransition) -> None:
        """Queue the step's mails and notifications in its own transaction: they exist exactly when it does."""
        delivery_events.queue_for_transition(entry=entry, issue=issue)

    def committed(self, issue: Issue) -> None:
        """Work that must wait until the transition is committed (e.g. pre-rendering a published issue's files)."""

    def _log_and_follow_up(self, issue: Issue) -> None:
        log_action(self.name, user=self.user, issue=issue.number, status=issue.status)
        self.committed(issue)

    def execute(self) -> TransitionResult:
        if not self.user_may(self.user):
            raise PermissionDenied(f"您没有“{self.label}”的权限。")
        if self.comment_required and not self.comment:
            raise ValidationError(f"请填写{self.comment_label}。")
        with transaction.atomic():
            locked = Issue.objects.select_for_update().get(pk=self.issue.pk)
            if self.already_done(locked):
                return TransitionResult(issue=locked, changed=False)
            if not self.is_available(locked):
                raise ValidationError(
                    f"{locked.period_label}现在是“{locked.get_status_display()}”状态，不能{self.label}。请刷新页面查看最新状态。"
                )
            refusal = self.refusal_for(user=self.user, issue=locked)
            if refusal:
                raise PermissionDenied(refusal)
            self.check(locked)
            now = timezone.now()
            if not write_issue_status(locked, target=self.target, user=self.user, now=now, **self.changes(locked, now)):
                return TransitionResult(issue=Issue.objects.get(pk=locked.pk), changed=False)
            entry = IssueTransition.objects.create(
                issue=locked,
                from_status=locked.status,
                to_status=self.target,
                action=self.name,
                user=self.user,
                comment=self.log_comment(),
            )
            locked.refresh_from_db()
            record_issue_versions([locked], user=self.user, reason=self.label, now=now)
            self.queue_messages(locked, entry)
            transaction.on_commit(partial(self._log_and_follow_up, locked))
        self.issue.refresh_from_db()
        return TransitionResult(issue=self.issue, changed=True, entry=entry)


class Submit(Transition):
    name = Action.SUBMIT
    label = Action.SUBMIT.label
    done_message = "已提交审核，等待主编签发。"
    sources = frozenset({Status.DRAFT})
    target = Status.IN_REVIEW
    permission = "editorial.change_issue"
    comment_label = "给主编的说明（可选）"

    def check(self, issue):
        problems = content_problems(issue)
        if problems:
            raise ValidationError(["本期还不能提交审核：", *problems])


class WithdrawSubmission(Transition):
    """撤回提交: the editor who submitted takes the issue back while nobody has acted on it yet."""

    name = Action.WITHDRAW_SUBMISSION
    label = Action.WITHDRAW_SUBMISSION.label
    done_message = "已撤回提交，本期回到草稿，可以继续修改。"
    sources = frozenset({Status.IN_REVIEW})
    target = Status.DRAFT
    permission = "editorial.change_issue"
    comment_label = "撤回说明（可选）"

    @classmethod
    def refusal_for(cls, *, user, issue):
        submitted = issue.transitions.order_by("-created_at", "-pk").first()
        if submitted is None or submitted.action != Submit.name:
            return f"{issue.period_label}不是提交审核后等待处理的状态，不能撤回提交。"
        if user is None or submitted.user_id != user.pk:
            return f"只有提交人{actor_name(submitted.user)}可以撤回提交；如需修改，请主编退回。"
        # Any change since the submission (a reviewer editing in review) moves the issue's stamp past it.
        if issue.updated_at > submitted.created_at:
            return f"{actor_name(issue.updated_by)}已经开始处理{issue.period_label}，不能再撤回提交；如需修改，请联系主编退回。"
        return None


class ReturnToDraft(Transition):
    name = Action.RETURN_TO_DRAFT
    label = Action.RETURN_TO_DRAFT.label
    done_message = "已退回草稿，编辑可以继续修改。"
    sources = frozenset({Status.IN_REVIEW, Status.APPROVED, Status.WITHDRAWN})
    target = Status.DRAFT
    permission = "editorial.approve_issue"
    comment_label = "退回原因"
    comment_required = True

    def changes(self, issue, now):
        return {"scheduled_at": None}


class Approve(Transition):
    name = Action.APPROVE
    label = Action.APPROVE.label
    done_message = "已签发，可以立即发布或定时发布。"
    sources = frozenset({Status.IN_REVIEW})
    target = Status.APPROVED
    permission = "editorial.approve_issue"
    comment_label = "签发意见（可选）"
    confirm = "签发后本期即定稿，编辑不能再修改（主编仍可修改或退回）。确定签发吗？"

    def check(self, issue):
        problems = content_problems(issue)
        if problems:
            raise ValidationError(["本期还不能签发：", *problems])


class Publish(Transition):
    name = Action.PUBLISH
    label = Action.PUBLISH.label
    done_message = "已发布，读者现在可以在网站上看到本期。"
    sources = frozenset({Status.APPROVED})
    target = Status.PUBLISHED
    permission = "editorial.publish_issue"
    confirm = "发布后读者立即可以看到本期。确定发布吗？"

    def changes(self, issue, now):
        # A republished issue keeps the date it first reached readers.
        return {"published_at": issue.published_at or now, "scheduled_at": None}

    def committed(self, issue):
        renditions.prepare_issue_renditions(issue=issue)


class PublishScheduled(Publish):
    """The scheduler's publish: no one clicks it; the reviewer who scheduled it authorised it then."""

    name = Action.PUBLISH_SCHEDULED
    label = Action.PUBLISH_SCHEDULED.label
    permission = None

    def __init__(self, *, issue, user=None, comment="", now: datetime.datetime | None = None):
        super().__init__(issue=issue, user=user, comment=comment)
        self.now = now or timezone.now()

    def check(self, issue):
        if issue.scheduled_at is None or issue.scheduled_at > self.now:
            raise ValidationError(f"{issue.period_label}的定时发布时间还没到。")

    def log_comment(self):
        return self.comment or "按计划时间自动发布。"


class Schedule(Transition):
    name = Action.SCHEDULE
    label = Action.SCHEDULE.label
    done_message = "已设定定时发布，到时间后系统自动发布。"
    sources = frozenset({Status.APPROVED})
    target = Status.APPROVED
    permission = "editorial.publish_issue"

    def __init__(self, *, issue, user, comment="", at: datetime.datetime | None = None):
        super().__init__(issue=issue, user=user, comment=comment)
        self.at = at

    def already_done(self, issue):
        return self.at is not None and issue.status == Status.APPROVED and issue.scheduled_at == self.at

    def check(self, issue):
        if self.at is None:
            raise ValidationError("请填写定时发布的日期和时间。")
        if self.at <= timezone.now():
            raise ValidationError(f"定时发布时间 {format_time(self.at)} 已经过去；要马上发布请用“立即发布”。")

    def changes(self, issue, now):
        return {"scheduled_at": self.at}

    def log_comment(self):
        planned = f"计划于 {format_time(self.at)} 发布。"
        return f"{planned}{self.comment}" if self.comment else planned


class Unschedule(Transition):
    name = Action.UNSCHEDULE
    label = Action.UNSCHEDULE.label
    done_message = "已取消定时发布，本期仍为已签发状态。"
    sources = frozenset({Status.APPROVED})
    target = Status.APPROVED
    permission = "editorial.publish_issue"

    @classmethod
    def is_available(cls, issue):
        return issue.status == Status.APPROVED and issue.scheduled_at is not None

    def already_done(self, issue):
        return issue.status == Status.APPROVED and issue.scheduled_at is None

    def changes(self, issue, now):
        return {"scheduled_at": None}


class Withdraw(Transition):
    name = Action.WITHDRAW
    label = Action.WITHDRAW.label
    done_message = "已撤回，读者不再能看到本期。"
    sources = frozenset({Status.PUBLISHED})
    target = Status.WITHDRAWN
    permission = "editorial.publish_issue"
    comment_label = "撤回原因"
    comment_required = True
    confirm = "撤回后读者将看不到本期。确定撤回吗？"

    def committed(self, issue):
        renditions.issue_renditions_delete(issue=issue)


class Correct(Transition):
    """A recorded correction of a published issue; services run it with the content change it describes."""

    name = Action.CORRECT
    label = Action.CORRECT.label
    done_message = "更正已保存并记录。"
    sources = frozenset({Status.PUBLISHED})
    target = Status.PUBLISHED
    permission = "editorial.change_published_issue"
    comment_label = "更正说明"
    comment_required = True

    def already_done(self, issue):
        return False


TRANSITIONS: dict[str, type[Transition]] = {
    transition.name: transition
    for transition in (
        Submit,
        WithdrawSubmission,
        ReturnToDraft,
        Approve,
        Publish,
        Schedule,
        Unschedule,
        Withdraw,
        Correct,
    )
}
# The buttons on an issue page; corrections happen by editing, and scheduled publishing by the clock.
MANUAL_TRANSITIONS = (
    Action.SUBMIT,
    Action.WITHDRAW_SUBMISSION,
    Action.APPROVE,
    Action.PUBLISH,
    Action.SCHEDULE,
    Action.UNSCHEDULE,
    Action.RETURN_TO_DRAFT,
    Action.WITHDRAW,
)


def action_label(action: str) -> str:
    """How the log names an action code, e.g. approve → 签发."""
    return Action(action).label if action in Action.values else action


def available_transitions(*, user, issue: Issue) -> list[type[Transition]]:
    """The actions to offer `user` on `issue` now, in the order the page shows them."""
    return [
        TRANSITIONS[name]
        for name in MANUAL_TRANSITIONS
        if TRANSITIONS[name].is_available(issue)
        and TRANSITIONS[name].user_may(user)
        and TRANSITIONS[name].refusal_for(user=user, issue=issue) is None
    ]


def submit(*, issue: Issue, user, comment: str = "") -> TransitionResult:
    return Submit(issue=issue, user=user, comment=comment).execute()


def withdraw_submission(*, issue: Issue, user, comment: str = "") -> TransitionResult:
    return WithdrawSubmission(issue=issue, user=user, comment=comment).execute()


def return_to_draft(*, issue: Issue, user, comment: str) -> TransitionResult:
    return ReturnToDraft(issue=issue, user=user, comment=comment).execute()


def approve(*, issue: Issue, user, comment: str = "") -> TransitionResult:
    return Approve(issue=issue, user=user, comment=comment).execute()


def publish(*, issue: Issue, user, comment: str = "") -> TransitionResult:
    return Publish(issue=issue, user=user, comment=comment).execute()


def schedule(*, issue: Issue, user, at: datetime.datetime, comment: str = "") -> TransitionResult:
    return Schedule(issue=issue, user=user, at=at, comment=comment).execute()


def unschedule(*, issue: Issue, user, comment: str = "") -> TransitionResult:
    return Unschedule(issue=issue, user=user, comment=comment).execute()


def withdraw(*, issue: Issue, user, comment: str) -> TransitionResult:
    return Withdraw(issue=issue, user=user, comment=comment).execute()


def correct(*, issue: Issue, user, comment: str) -> TransitionResult:
    return Correct(issue=issue, user=user, comment=comment).execute()


def scheduled_issues_due(*, now: datetime.datetime | None = None):
    """Signed-off issues whose scheduled time has come, earliest first."""
    return Issue.objects.filter(status=Status.APPROVED, scheduled_at__lte=now or timezone.now()).order_by(
        "scheduled_at", "number"
    )


def publish_due(*, now: datetime.datetime | None = None) -> list[Issue]:
    """Publish every issue whose scheduled time has come; safe to run any number of times, concurrently too."""
    now = now or timezone.now()
    published = []
    for issue in scheduled_issues_due(now=now):
        scheduler = (
            issue.transitions.filter(action=Schedule.name).select_related("user").order_by("-created_at", "-pk").first()
        )
        comment = f"按计划于 {format_time(issue.scheduled_at)} 自动发布"
        if scheduler is not None:
            comment += f"（由{actor_name(scheduler.user)}于 {format_time(scheduler.created_at)} 设定）"
        try:
            result = PublishScheduled(issue=issue, user=None, comment=comment + "。", now=now).execute()
        except ValidationError as refusal:
            # Someone unscheduled or returned it between the query and the lock: their decision stands.
            logger.info("定时发布跳过 %s：%s", issue.period_label, " ".join(refusal.messages))
            continue
        if result.changed:
            published.append(result.issue)
    return published
