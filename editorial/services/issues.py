"""Issues: create (one, or the next), arrange on the compose board, add and remove sections, edit, delete, restore."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .. import workflow
from ..activity import log_action
from ..formatting import format_time
from ..models import Article, Issue, IssueSection, IssueTransition, Publication, Section
from . import positions
from .access import (
    StaleEditError,
    ensure_issue_not_stale,
    issue_lock_for_edit,
    lock_issue,
    require,
    validate_fields,
)
from .records import ArticleWrite, delete_issue, record_issue_versions, stamp_issues, write_articles

Action = IssueTransition.Action


def issue_mark_changed(*, issue: Issue, user=None) -> None:
    """Bump the issue's content stamp (`updated_at`), which page, ETag and PDF caches key on."""
    now = timezone.now()
    stamp_issues([issue.pk], user=user, now=now)
    issue.updated_at = now
    if user is not None:
        issue.updated_by = user


def content_changed(issue: Issue, *, user, what: str, correction_note: str = "") -> None:
    """Stamp the change; on a published issue, record it as a correction with the editor's note."""
    if issue.status == Issue.Status.PUBLISHED and user is not None:
        workflow.correct(issue=issue, user=user, comment=f"{correction_note.strip()}（{what}）")
        issue.refresh_from_db()
    else:
        issue_mark_changed(issue=issue, user=user)


@dataclass(frozen=True)
class IssueRecord:
    """An issue as plain values, from a parsed legacy file, a backup, the generator or the 新建 button."""

    number: int
    date: datetime.date
    status: str = Issue.Status.DRAFT
    published_at: datetime.datetime | None = None
    scheduled_at: datetime.datetime | None = None
    distribution: str = ""  # 报送记录, the distribution block as printed
    sections: tuple[Section, ...] = ()  # the issue's own order; standing sections follow
    articles: tuple["ArticleRecord", ...] = ()  # reading order


@dataclass(frozen=True)
class ArticleRecord:
    """An article as plain values: what an importer, a restore or the generator has to say about it."""

    title: str
    body: str
    section: Section | None = None
    page: int | None = None
    source: str = ""
    regions: tuple[int, ...] = ()  # region ids


def article_rows(records, *, issue: Issue | None, user) -> list[ArticleWrite]:
    """New articles of `issue` (None: the pool) from plain records, positions in their order; validated."""
    writes = [
        ArticleWrite(
            Article(
                issue=issue,
                section=record.section,
                position=position if issue is not None else None,
                page=record.page,
                title=record.title,
                body=record.body,
                source=record.source,
                created_by=user,
            ),
            record.regions,
        )
        for position, record in enumerate(records, start=1)
    ]
    validate_fields(
        [write.article for write in writes],
        lambda article: f"《{article.title[:20]}》",
        exclude=["issue", "section", "created_by", "updated_by", "version"],
    )
    return writes


def issues_create(
    *,
    publication: Publication,
    records: list[IssueRecord],
    user,
    reason: str,
    action: str,
    comment: str = "",
    log: dict | None = None,
) -> list[Issue]:
    """Create issues with their section order and articles in bulk — every invariant kept — and log each.

    One version per issue and article, one workflow-log entry per issue (`action`, `comment`),
    one activity-log line for the lot. Raises ValidationError, writing nothing, for invalid values.
    """
    now = timezone.now()
    issues = [
        Issue(
            publication=publication,
            number=record.number,
            date=record.date,
            status=record.status,
            published_at=record.published_at,
            scheduled_at=record.scheduled_at,
            distribution=record.distribution,
            created_by=user,
            updated_by=user,
        )
        for record in records
    ]
    validate_fields(issues, lambda issue: f"第 {issue.number} 期", exclude=["publication", "created_by", "updated_by"])
    numbers = [record.number for record in records]
    taken = sorted(
        set(Issue.objects.filter(publication=publication, number__in=numbers).values_list("number", flat=True))
        | {number for number in numbers if numbers.count(number) > 1}
    )
    if taken:
        more = f"等 {len(taken)} 个期号" if len(taken) > 1 else ""
        raise ValidationError(f"第 {taken[0]} 期{more}已经存在（期号不能重复）。", code="number_taken")
    writes = []
    Issue.objects.bulk_create(issues, batch_size=500)
    positions.place_sections(
        [(issue, record.sections) for issue, record in zip(issues, records, strict=True)],
        standing=positions.standing_sections(),
    )
    for issue, record in zip(issues, records, strict=True):
        writes += article_rows(record.articles, issue=issue, user=user)
    write_articles(writes, user=user, reason=reason, now=now)
    stamped = {write.article.issue_id for write in writes}
    for issue in issues:
        if issue.pk in stamped:
            issue.updated_at = now
    record_issue_versions(issues, user=user, reason=reason, now=now, created=True)
    IssueTransition.objects.bulk_create(
        [
            IssueTransition(
                issue=issue, from_status="", to_status=issue.status, action=action, user=user, comment=comment
            )
            for issue in issues
        ],
        batch_size=1000,
    )
    one = len(issues) == 1
    where = {"issue": issues[0].number, "status": issues[0].status} if one else {"issues": len(issues)}
    log_action(action, user=user, **where, articles=len(writes) or None, **(log or {}))
    return issues


def pool_articles_create(*, records, user, reason: str) -> list[Article]:
    """New articles in the pool (稿件库), from plain records."""
    return write_articles(article_rows(records, issue=None, user=user), user=user, reason=reason)


@transaction.atomic
def issue_create(
    *, publication: Publication, number: int, date: datetime.date, user=None, status: str = Issue.Status.DRAFT
) -> Issue:
    """A new, empty issue carrying the standing sections in their default order."""
    (issue,) = issues_create(
        publication=publication,
        records=[IssueRecord(number=number, date=date, status=status)],
        user=user,
        reason="新建",
        action=Action.CREATE,
        comment="新建。",
    )
    return issue


FRIDAY = 4


def next_issue_date(*, today: datetime.date, latest: datetime.date | None) -> datetime.date:
    """The Friday the next issue comes out: the first Friday from today on, and always after the latest issue."""

    def friday_on_or_after(day: datetime.date) -> datetime.date:
        return day + datetime.timedelta(days=(FRIDAY - day.weekday()) % 7)

    date = friday_on_or_after(today)
    if latest is not None and date <= latest:
        date = friday_on_or_after(latest + datetime.timedelta(days=1))
    return date


@dataclass(frozen=True)
class NextIssue:
    issue: Issue
    created: bool


@transaction.atomic
def issue_create_next(*, user, publication: Publication | None = None, today: datetime.date | None = None) -> NextIssue:
    """新建下一期: the next number, next Friday's date, empty, in draft — or the empty draft already waiting."""
    require(user, "editorial.add_issue", "新建期刊")
    publication = Publication.objects.select_for_update().get(pk=(publication or Publication.objects.current()).pk)
    issues = Issue.objects.filter(publication=publication)
    latest = issues.order_by("-number").first()
    if latest is not None and latest.status == Issue.Status.DRAFT and not latest.articles.exists():
        # A double click, or two editors at once: one empty draft is enough.
        return NextIssue(issue=latest, created=False)
    (issue,) = issues_create(
        publication=publication,
        records=[
            IssueRecord(
                number=(latest.number + 1) if latest else 1,
                date=next_issue_date(
                    today=today or timezone.localdate(), latest=issues.aggregate(latest=Max("date"))["latest"]
                ),
            )
        ],
        user=user,
        reason="新建",
        action=Action.CREATE,
        comment="新建下一期。",
    )
    return NextIssue(issue=issue, created=True)


def _locked_for_change(issue: Issue, *, user, action: str, correction_note: str) -> Issue:
    """The issue locked for a change to its layout, once the user may make it in the issue's status."""
    require(user, "editorial.change_issue", action)
    locked = lock_issue(issue)
    workflow.ensure_may_edit(user=user, issue=locked, correction_note=correction_note)
    return locked


@transaction.atomic
def issue_arrange(
    *,
    issue: Issue,
    user,
    layout,
    expected_stamp: datetime.datetime | None = None,
    correction_note: str = "",
) -> Issue:
    """Set the issue's section order and its articles' sections and order, as laid out on the compose board.

    `layout` lists every section of the issue, in the new order, each with all its article ids in order;
    `expected_stamp` is the issue's `updated_at` when the board was opened (a stale board is refused).
    """
    locked = _locked_for_change(issue, user=user, action="调整期刊编排", correction_note=correction_note)
    if expected_stamp is not None and locked.updated_at != expected_stamp:
        raise StaleEditError(what=f"{locked.period_label}", user=locked.updated_by, at=locked.updated_at)
    positions.tidy(locked)
    placed = dict(IssueSection.objects.filter(issue=locked).values_list("section_id", "pk"))
    current = dict(Article.objects.filter(issue=locked).values_list("pk", "section_id"))
    section_ids = [section_id for section_id, _ in layout]
    article_ids = [article_id for _, ids in layout for article_id in ids]
    if sorted(section_ids) != sorted(placed) or sorted(article_ids) != sorted(current):
        raise ValidationError(
            "本期的稿件或栏目刚刚有了变化（可能有人加入、移出或删除了稿件），这次的排序没有保存。请刷新页面后重新排序。"
        )
    moved = []
    for section_id, ids in layout:
        for article in Article.objects.filter(pk__in=[pk for pk in ids if current[pk] != section_id]):
            article.section_id = section_id
            moved.append(ArticleWrite(article))
    write_articles(moved, user=user, reason="调整栏目")
    positions.renumber(IssueSection.objects.filter(issue=locked), [placed[section_id] for section_id in section_ids])
    positions.renumber(Article.objects.filter(issue=locked), article_ids)
    content_changed(locked, user=user, what="调整本期栏目和稿件顺序", correction_note=correction_note)
    issue.refresh_from_db()
    log_action("arrange", user=user, issue=locked.number, note=correction_note.strip())
    return issue


@transaction.atomic
def issue_section_add(*, issue: Issue, section: Section, user, correction_note: str = "") -> IssueSection:
    """Add a section (a one-off one such as 专题, or a standing one left out) at the end of this issue only."""
    locked = _locked_for_change(issue, user=user, action="调整期刊栏目", correction_note=correction_note)
    if IssueSection.objects.filter(issue=locked, section=section).exists():
        raise ValidationError(f"{locked.period_label}已经有“{section}”栏目了。")
    placed = positions.issue_section_ensure(issue=locked, section=section)
    content_changed(locked, user=user, what=f"加入栏目“{section}”", correction_note=correction_note)
    log_action("section_add", user=user, issue=locked.number, section=section.slug, note=correction_note.strip())
    return placed


@transaction.atomic
def issue_section_remove(*, issue: Issue, section: Section, user, correction_note: str = "") -> None:
    """Take an empty section out of this issue (other issues keep theirs)."""
    locked = _locked_for_change(issue, user=user, action="调整期刊栏目", correction_note=correction_note)
    count = Article.objects.filter(issue=locked, section=section).count()
    if count:
        raise ValidationError(f"“{section}”栏目下还有 {count} 篇稿件，请先把它们移到别的栏目或移出本期。")
    IssueSection.objects.filter(issue=locked, section=section).delete()
    positions.tidy(locked)
    content_changed(locked, user=user, what=f"去掉栏目“{section}”", correction_note=correction_note)
    log_action("section_remove", user=user, issue=locked.number, section=section.slug, note=correction_note.strip())


@transaction.atomic
def issue_save(*, issue: Issue, user, expected_version: int | None = None, correction_note: str = "") -> Issue:
    """Save an issue's own fields (number, date, masthead) from its edit form, refusing a stale form."""
    require(user, "editorial.change_issue", "修改期刊")
    stored = issue_lock_for_edit(issue_pk=issue.pk)
    ensure_issue_not_stale(stored, expected_version)
    workflow.ensure_may_edit(user=user, issue=stored, correction_note=correction_note)
    # Status, schedule and publication time change only through workflow transitions.
    issue.status, issue.scheduled_at, issue.published_at = stored.status, stored.scheduled_at, stored.published_at
    issue.version = stored.version + 1
    issue.updated_by = user
    issue.full_clean()
    issue.skip_history_when_saving = True
    try:
        issue.save()
    finally:
        del issue.skip_history_when_saving
    record_issue_versions([issue], user=user, reason=correction_note.strip())
    if stored.status == Issue.Status.PUBLISHED and user is not None:
        workflow.correct(issue=issue, user=user, comment=f"{correction_note.strip()}（修改期刊信息）")
        issue.refresh_from_db()
    log_action("issue_change", user=user, issue=issue.number, note=correction_note.strip())
    return issue


@transaction.atomic
def issue_delete(*, issue: Issue, user) -> None:
    """Delete an unpublished issue and its articles; the 回收站 can bring both back together."""
    require(user, "editorial.delete_issue", "删除期刊")
    locked = lock_issue(issue)
    if locked.status == Issue.Status.PUBLISHED:
        raise PermissionDenied(f"{locked.period_label}已发布，不能删除；如需让读者看不到，请使用“撤回”。")
    number = locked.number
    delete_issue(locked, user=user, reason="随期刊一并删除")
    log_action("issue_delete", user=user, issue=number)


@transaction.atomic
def issue_restore_version(*, issue: Issue, history_id: int, user, correction_note: str = "") -> Issue:
    """Bring back an issue's number and date as they were in an old version (its status changes only by workflow)."""
    record = get_object_or_404(Issue.history.model, history_id=history_id, id=issue.pk)
    stored = issue_lock_for_edit(issue_pk=issue.pk)
    stored.number, stored.date = record.number, record.date
    note = correction_note.strip()
    if not note and stored.status == Issue.Status.PUBLISHED:
        note = f"恢复到 {format_time(record.history_date)} 的版本"
    restored = issue_save(issue=stored, user=user, expected_version=stored.version, correction_note=note)
    log_action("issue_restore", user=user, issue=restored.number, version=history_id)
    return restored
