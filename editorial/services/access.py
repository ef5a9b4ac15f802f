"""Who may write, and what a writer holds while it writes: permission checks, stale-form refusals, row locks."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError

from ..formatting import actor_name, format_time
from ..models import Article, Issue


class StaleEditError(ValidationError):
    """A save made from a form opened before someone else's save: refused, naming who changed it and when."""

    def __init__(self, *, what: str, user, at: datetime.datetime | None):
        self.changed_by = user
        self.changed_at = at
        super().__init__(
            f"没有保存：{what}已被{actor_name(user)}于 {format_time(at)} 修改过，您看到的是修改前的内容。"
            "为避免覆盖对方的修改，请先把您的改动复制下来，重新打开本页再改。",
            code="stale",
        )


def require(user, permission: str, action: str) -> None:
    """Refuse a person without the permission; None stands for the system itself (imports, scheduler)."""
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(f"您没有{action}的权限。")


def lock_issue(issue: Issue) -> Issue:
    return Issue.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=issue.pk)


def lock_issues(*issue_ids: int | None) -> dict[int, Issue]:
    """Lock issue rows in a fixed order (by id), so two writers never wait on each other in a circle."""
    ids = sorted({pk for pk in issue_ids if pk is not None})
    return {issue.pk: issue for issue in Issue.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def article_lock_for_edit(*, article_pk: int, issue_ids: Sequence[int | None] = ()) -> Article:
    """Lock an article for an edit, its issues first (the order every writer here uses), and return it fresh."""
    current_issue_id = Article.objects.filter(pk=article_pk).values_list("issue_id", flat=True).first()
    lock_issues(current_issue_id, *issue_ids)
    return Article.objects.select_for_update(of=("self",)).select_related("updated_by", "issue").get(pk=article_pk)


def issue_lock_for_edit(*, issue_pk: int) -> Issue:
    return Issue.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=issue_pk)


def ensure_article_not_stale(stored: Article, expected_version: int | None) -> None:
    if expected_version is not None and stored.version != expected_version:
        raise StaleEditError(what=f"稿件《{stored.title}》", user=stored.updated_by, at=stored.updated_at)


def ensure_issue_not_stale(stored: Issue, expected_version: int | None) -> None:
    if expected_version is not None and stored.version != expected_version:
        raise StaleEditError(what=stored.period_label, user=stored.updated_by, at=stored.updated_at)


def validate_fields(instances, label, *, exclude: list[str]) -> None:
    """Field validation of unsaved rows without queries (the database enforces uniqueness); every problem at once.

    `label(instance)` names a row in the message, e.g. 第 193 期 or 《标题》.
    """
    problems = []
    for instance in instances:
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            problems.append(f"{label(instance)}：{'；'.join(error.messages)}")
    if problems:
        raise ValidationError(problems)
