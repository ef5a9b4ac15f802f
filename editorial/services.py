"""Writes: every change to issues and articles goes through a function here (or workflow.py)."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import workflow
from .activity import actor_name, log_action
from .models import Article, Issue, IssueSection, IssueTransition, Publication, Section, SourceRegion
from .workflow import format_time


@transaction.atomic
def issue_create(
    *, publication: Publication, number: int, date: datetime.date, user=None, status: str = Issue.Status.DRAFT
) -> Issue:
    """A new issue carrying the standing sections in their default order."""
    issue = Issue(publication=publication, number=number, date=date, status=status, created_by=user, updated_by=user)
    issue.full_clean()
    issue.save()
    IssueSection.objects.bulk_create(
        IssueSection(issue=issue, section=section, position=index)
        for index, section in enumerate(Section.objects.filter(is_standing=True).order_by("position", "pk"), start=1)
    )
    log_action("create", user=user, issue=issue.number, status=issue.status)
    return issue


def issue_section_ensure(*, issue: Issue, section: Section) -> IssueSection:
    """The section's place in the issue, appended after the others when it has none yet."""
    placed = IssueSection.objects.filter(issue=issue, section=section).first()
    if placed is not None:
        return placed
    last = IssueSection.objects.filter(issue=issue).order_by("-position").values_list("position", flat=True).first()
    return IssueSection.objects.create(issue=issue, section=section, position=(last or 0) + 1)


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


def _require(user, permission: str, action: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(f"您没有{action}的权限。")


def issue_mark_changed(*, issue: Issue, user=None) -> None:
    """Bump the issue's content stamp (`updated_at`), which page, ETag and PDF caches key on.

    Every write that changes an issue's articles, their regions or its section order calls this.
    """
    stamp = {"updated_at": timezone.now()}
    if user is not None:
        stamp["updated_by"] = user
    Issue.objects.filter(pk=issue.pk).update(**stamp)
    issue.updated_at = stamp["updated_at"]
    if user is not None:
        issue.updated_by = user


def _content_changed(issue: Issue, *, user, what: str, correction_note: str = "") -> None:
    """Stamp the change; on a published issue, record it as a correction with the editor's note."""
    if issue.status == Issue.Status.PUBLISHED and user is not None:
        workflow.correct(issue=issue, user=user, comment=f"{correction_note.strip()}（{what}）")
        issue.refresh_from_db()
    else:
        issue_mark_changed(issue=issue, user=user)


# ---------------------------------------------------------------------------------------------
# 新建下一期


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
    _require(user, "editorial.add_issue", "新建期刊")
    publication = Publication.objects.select_for_update().get(pk=(publication or Publication.objects.current()).pk)
    issues = Issue.objects.filter(publication=publication)
    latest = issues.order_by("-number").first()
    if latest is not None and latest.status == Issue.Status.DRAFT and not latest.articles.exists():
        # A double click, or two editors at once: one empty draft is enough.
        return NextIssue(issue=latest, created=False)
    issue = issue_create(
        publication=publication,
        number=(latest.number + 1) if latest else 1,
        date=next_issue_date(
            today=today or timezone.localdate(), latest=issues.aggregate(latest=Max("date"))["latest"]
        ),
        user=user,
    )
    IssueTransition.objects.create(
        issue=issue, from_status="", to_status=issue.status, action="create", user=user, comment="新建下一期。"
    )
    return NextIssue(issue=issue, created=True)


# ---------------------------------------------------------------------------------------------
# Positions. Both Article (issue, position) and IssueSection (issue, position) are unique, checked
# row by row on PostgreSQL and SQLite alike; renumbering first lifts the rows that move above every
# position in use, then sets their final positions, so no row ever lands on an occupied one.


def _renumber(rows: QuerySet, ordered_pks: Sequence[int]) -> None:
    """Give `rows` the positions 1…n in the order of `ordered_pks`, writing only the rows that move."""
    current = dict(rows.values_list("pk", "position"))
    target = {pk: index for index, pk in enumerate(ordered_pks, start=1)}
    moving = [pk for pk, position in target.items() if current.get(pk) != position]
    if not moving:
        return
    lift = max([len(target), *(position or 0 for position in current.values())]) + 1
    rows.filter(pk__in=moving).update(position=F("position") + lift)
    rows.model.objects.bulk_update([rows.model(pk=pk, position=target[pk]) for pk in moving], ["position"])


def _lock_issue(issue: Issue) -> Issue:
    return Issue.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=issue.pk)


def _lock_issues(*issue_ids: int | None) -> dict[int, Issue]:
    """Lock issue rows in a fixed order (by id), so two writers never wait on each other in a circle."""
    ids = sorted({pk for pk in issue_ids if pk is not None})
    return {issue.pk: issue for issue in Issue.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def issue_layout(issue: Issue) -> list[tuple[int, list[int]]]:
    """The issue's sections in its own order, each with its article ids in reading order (empty sections too)."""
    articles = Article.objects.filter(issue=issue).order_by("position", "pk").values_list("pk", "section_id")
    by_section: dict[int, list[int]] = {}
    for article_id, section_id in articles:
        by_section.setdefault(section_id, []).append(article_id)
    layout = [
        (section_id, by_section.pop(section_id, []))
        for section_id in IssueSection.objects.filter(issue=issue)
        .order_by("position", "pk")
        .values_list("section_id", flat=True)
    ]
    return layout + sorted(by_section.items())


def _normalise(issue: Issue) -> None:
    """Every article's section placed in the issue; positions 1…n in reading order for sections and articles."""
    layout = issue_layout(issue)
    placed = dict(IssueSection.objects.filter(issue=issue).values_list("section_id", "pk"))
    for section_id, _ in layout:
        if section_id not in placed:
            placed[section_id] = issue_section_ensure(issue=issue, section=Section.objects.get(pk=section_id)).pk
    _renumber(IssueSection.objects.filter(issue=issue), [placed[section_id] for section_id, _ in layout])
    _renumber(Article.objects.filter(issue=issue), [pk for _, article_ids in layout for pk in article_ids])


# ---------------------------------------------------------------------------------------------
# Article versions: one history record per save, with the regions as saved.


def _record_article_version(article: Article, *, user, reason: str = "", created: bool = False) -> None:
    """Keep one version of the article as it is now, its regions included."""
    (record,) = Article.history.bulk_history_create(
        [article], update=not created, default_user=user, default_change_reason=reason[:100]
    )
    regions = Article.history.model.regions.model
    regions.objects.bulk_create(
        regions(history=record, id=row.pk, article_id=row.article_id, sourceregion_id=row.sourceregion_id)
        for row in Article.regions.through.objects.filter(article_id=article.pk)
    )


def _write_article(article: Article, *, user, regions=None, reason: str = "", created: bool = False, **save) -> None:
    """Save the article and its regions as one version, not one per field and one per region change."""
    article.skip_history_when_saving = True
    try:
        article.save(**save)
        if regions is not None:
            article.regions.set(regions)
    finally:
        del article.skip_history_when_saving
    _record_article_version(article, user=user, reason=reason, created=created)


# ---------------------------------------------------------------------------------------------
# Articles: save, move, place from the pool, delete.


def article_lock_for_edit(*, article_pk: int, issue_ids: Sequence[int | None] = ()) -> Article:
    """Lock an article for an edit, its issues first (the order every writer here uses), and return it fresh."""
    current_issue_id = Article.objects.filter(pk=article_pk).values_list("issue_id", flat=True).first()
    _lock_issues(current_issue_id, *issue_ids)
    return Article.objects.select_for_update(of=("self",)).select_related("updated_by", "issue").get(pk=article_pk)


def _ensure_not_stale(stored: Article, expected_version: int | None) -> None:
    if expected_version is not None and stored.version != expected_version:
        raise StaleEditError(what=f"稿件《{stored.title}》", user=stored.updated_by, at=stored.updated_at)


@transaction.atomic
def article_save(
    *,
    article: Article,
    user,
    regions: Iterable[SourceRegion] | None = None,
    expected_version: int | None = None,
    correction_note: str = "",
) -> Article:
    """Create or update an article from an edit form: checked, versioned, placed, and its issues stamped.

    `article` carries the new field values; `expected_version` is the version the form was opened at.
    An article that changes issue or section goes to the end of its section in its issue.
    """
    created = article.pk is None
    _require(user, "editorial.add_article" if created else "editorial.change_article", "新建或修改稿件")
    if created:
        stored = None
        _lock_issues(article.issue_id)
    else:
        stored = article_lock_for_edit(article_pk=article.pk, issue_ids=[article.issue_id])
        _ensure_not_stale(stored, expected_version)
    old_issue = stored.issue if stored else None
    new_issue = Issue.objects.get(pk=article.issue_id) if article.issue_id else None
    for issue in {old_issue, new_issue} - {None}:
        workflow.ensure_may_edit(user=user, issue=issue, correction_note=correction_note)
    moved = created or (stored.issue_id, stored.section_id) != (article.issue_id, article.section_id)
    if new_issue is None:
        article.position = None
    elif moved:
        article.position = _next_position(new_issue)
    elif stored is not None:
        article.position = stored.position
    article.version = 1 if created else stored.version + 1
    article.updated_by = user
    if created:
        article.created_by = user
    article.full_clean()
    _write_article(
        article,
        user=user,
        regions=regions,
        reason=correction_note.strip() or ("新建" if created else ""),
        created=created,
    )
    for issue in {old_issue, new_issue} - {None}:
        if moved:
            _normalise(issue)
        what = f"{'新建' if created else '修改'}稿件《{article.title}》"
        _content_changed(issue, user=user, what=what, correction_note=correction_note)
    if moved and new_issue is not None:
        article.refresh_from_db(fields=["position"])
    log_action(
        "article_create" if created else "article_change",
        user=user,
        article=article.pk,
        issue=new_issue.number if new_issue else None,
        note=correction_note.strip(),
    )
    return article


def _next_position(issue: Issue) -> int:
    last = Article.objects.filter(issue=issue).aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


@transaction.atomic
def article_move(
    *,
    article: Article,
    user,
    issue: Issue | None,
    section: Section | None = None,
    correction_note: str = "",
) -> Article:
    """Move an article to the end of a section of another issue (or of its own), or back to the pool (issue None)."""
    _require(user, "editorial.change_article", "移动稿件")
    stored = article_lock_for_edit(article_pk=article.pk, issue_ids=[issue.pk if issue else None])
    old_issue = stored.issue
    new_issue = _lock_issue(issue) if issue is not None else None
    section = section or stored.section
    if new_issue is not None and section is None:
        raise ValidationError("请为稿件选择栏目。")
    if (stored.issue_id, stored.section_id) == (new_issue.pk if new_issue else None, section.pk if section else None):
        return stored
    for each in {old_issue, new_issue} - {None}:
        workflow.ensure_may_edit(user=user, issue=each, correction_note=correction_note)
    stored.issue = new_issue
    stored.section = section
    stored.position = _next_position(new_issue) if new_issue is not None else None
    stored.version += 1
    stored.updated_by = user
    destination = f"{new_issue.period_label}·{section}" if new_issue else "稿件库"
    _write_article(stored, user=user, reason=f"移至{destination}"[:100])
    for each in {old_issue, new_issue} - {None}:
        _normalise(each)
        _content_changed(
            each, user=user, what=f"稿件《{stored.title}》移至{destination}", correction_note=correction_note
        )
    article.refresh_from_db()
    log_action(
        "article_move",
        user=user,
        article=stored.pk,
        **{"from": old_issue.number if old_issue else "pool", "to": new_issue.number if new_issue else "pool"},
        note=correction_note.strip(),
    )
    return stored


@transaction.atomic
def article_delete(*, article: Article, user) -> None:
    """Delete an article (its history stays, so the 回收站 can bring it back)."""
    _require(user, "editorial.delete_article", "删除稿件")
    stored = article_lock_for_edit(article_pk=article.pk)
    issue = stored.issue
    if issue is not None:
        if issue.status == Issue.Status.PUBLISHED:
            raise PermissionDenied(
                f"《{stored.title}》在已发布的{issue.period_label}中，不能删除；如需撤下，请主编把它移出本期并填写更正说明。"
            )
        workflow.ensure_may_edit(user=user, issue=issue)
    article_id = stored.pk
    stored._history_user = user
    stored.delete()
    if issue is not None:
        _normalise(issue)
        issue_mark_changed(issue=issue, user=user)
    log_action("article_delete", user=user, article=article_id, issue=issue.number if issue else None)


# ---------------------------------------------------------------------------------------------
# The issue: its own section order, arrangement, metadata, deletion.


@transaction.atomic
def issue_arrange(
    *,
    issue: Issue,
    user,
    layout: Sequence[tuple[int, Sequence[int]]],
    expected_stamp: datetime.datetime | None = None,
    correction_note: str = "",
) -> Issue:
    """Set the issue's section order and its articles' sections and order, as laid out on the compose board.

    `layout` lists every section of the issue, in the new order, each with all its article ids in order;
    `expected_stamp` is the issue's `updated_at` when the board was opened (a stale board is refused).
    """
    _require(user, "editorial.change_issue", "调整期刊编排")
    locked = _lock_issue(issue)
    workflow.ensure_may_edit(user=user, issue=locked, correction_note=correction_note)
    if expected_stamp is not None and locked.updated_at != expected_stamp:
        raise StaleEditError(what=f"{locked.period_label}", user=locked.updated_by, at=locked.updated_at)
    _normalise(locked)
    placed = dict(IssueSection.objects.filter(issue=locked).values_list("section_id", "pk"))
    current = dict(Article.objects.filter(issue=locked).values_list("pk", "section_id"))
    section_ids = [section_id for section_id, _ in layout]
    article_ids = [article_id for _, ids in layout for article_id in ids]
    if sorted(section_ids) != sorted(placed) or sorted(article_ids) != sorted(current):
        raise ValidationError(
            "本期的稿件或栏目刚刚有了变化（可能有人加入、移出或删除了稿件），这次的排序没有保存。请刷新页面后重新排序。"
        )
    for section_id, ids in layout:
        for article in Article.objects.filter(pk__in=[pk for pk in ids if current[pk] != section_id]):
            article.section_id = section_id
            article.version += 1
            article.updated_by = user
            _write_article(
                article, user=user, reason="调整栏目", update_fields=["section", "version", "updated_at", "updated_by"]
            )
    _renumber(IssueSection.objects.filter(issue=locked), [placed[section_id] for section_id in section_ids])
    _renumber(Article.objects.filter(issue=locked), article_ids)
    _content_changed(locked, user=user, what="调整本期栏目和稿件顺序", correction_note=correction_note)
    issue.refresh_from_db()
    log_action("arrange", user=user, issue=locked.number, note=correction_note.strip())
    return issue


@transaction.atomic
def issue_section_add(*, issue: Issue, section: Section, user, correction_note: str = "") -> IssueSection:
    """Add a section (a one-off one such as 专题, or a standing one left out) at the end of this issue only."""
    _require(user, "editorial.change_issue", "调整期刊栏目")
    locked = _lock_issue(issue)
    workflow.ensure_may_edit(user=user, issue=locked, correction_note=correction_note)
    if IssueSection.objects.filter(issue=locked, section=section).exists():
        raise ValidationError(f"{locked.period_label}已经有“{section}”栏目了。")
    placed = issue_section_ensure(issue=locked, section=section)
    _content_changed(locked, user=user, what=f"加入栏目“{section}”", correction_note=correction_note)
    log_action("section_add", user=user, issue=locked.number, section=section.slug, note=correction_note.strip())
    return placed


@transaction.atomic
def issue_section_remove(*, issue: Issue, section: Section, user, correction_note: str = "") -> None:
    """Take an empty section out of this issue (other issues keep theirs)."""
    _require(user, "editorial.change_issue", "调整期刊栏目")
    locked = _lock_issue(issue)
    workflow.ensure_may_edit(user=user, issue=locked, correction_note=correction_note)
    count = Article.objects.filter(issue=locked, section=section).count()
    if count:
        raise ValidationError(f"“{section}”栏目下还有 {count} 篇稿件，请先把它们移到别的栏目或移出本期。")
    IssueSection.objects.filter(issue=locked, section=section).delete()
    _normalise(locked)
    _content_changed(locked, user=user, what=f"去掉栏目“{section}”", correction_note=correction_note)
    log_action("section_remove", user=user, issue=locked.number, section=section.slug, note=correction_note.strip())


def issue_lock_for_edit(*, issue_pk: int) -> Issue:
    return Issue.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=issue_pk)


@transaction.atomic
def issue_save(*, issue: Issue, user, expected_version: int | None = None, correction_note: str = "") -> Issue:
    """Save an issue's own fields (number, date, masthead) from its edit form, refusing a stale form."""
    _require(user, "editorial.change_issue", "修改期刊")
    stored = issue_lock_for_edit(issue_pk=issue.pk)
    if expected_version is not None and stored.version != expected_version:
        raise StaleEditError(what=stored.period_label, user=stored.updated_by, at=stored.updated_at)
    workflow.ensure_may_edit(user=user, issue=stored, correction_note=correction_note)
    # Status, schedule and publication time change only through workflow transitions.
    issue.status, issue.scheduled_at, issue.published_at = stored.status, stored.scheduled_at, stored.published_at
    issue.version = stored.version + 1
    issue.updated_by = user
    issue._history_user = user
    issue._change_reason = correction_note.strip()[:100]
    issue.full_clean()
    issue.save()
    if stored.status == Issue.Status.PUBLISHED and user is not None:
        workflow.correct(issue=issue, user=user, comment=f"{correction_note.strip()}（修改期刊信息）")
        issue.refresh_from_db()
    log_action("issue_change", user=user, issue=issue.number, note=correction_note.strip())
    return issue


ISSUE_DELETED = "随期刊一并删除"


@transaction.atomic
def issue_delete(*, issue: Issue, user) -> None:
    """Delete an unpublished issue and its articles; the 回收站 can bring both back together."""
    _require(user, "editorial.delete_issue", "删除期刊")
    locked = _lock_issue(issue)
    if locked.status == Issue.Status.PUBLISHED:
        raise PermissionDenied(f"{locked.period_label}已发布，不能删除；如需让读者看不到，请使用“撤回”。")
    for article in Article.objects.filter(issue=locked):
        article._history_user = user
        article._change_reason = ISSUE_DELETED
        article.delete()
    number = locked.number
    locked._history_user = user
    locked.delete()
    log_action("issue_delete", user=user, issue=number)


# ---------------------------------------------------------------------------------------------
# History: restore an old version; recover what was deleted.


def _article_regions_at(record) -> list[int]:
    return list(
        Article.history.model.regions.model.objects.filter(history=record).values_list("sourceregion_id", flat=True)
    )


@transaction.atomic
def article_restore_version(*, article: Article, history_id: int, user, correction_note: str = "") -> Article:
    """Bring back an article's title, body, source, page, section and regions as they were in an old version.

    Its place (issue and order) stays where it is now; the restore is itself a new version.
    """
    record = get_object_or_404(Article.history.model, history_id=history_id, id=article.pk)
    stored = article_lock_for_edit(article_pk=article.pk)
    for field in ("title", "body", "source", "page", "section_id"):
        setattr(stored, field, getattr(record, field))
    if stored.issue_id is not None and stored.section_id is None:
        stored.section_id = article.section_id
    note = correction_note.strip() or f"恢复到 {format_time(record.history_date)} 的版本"
    restored = article_save(
        article=stored,
        user=user,
        regions=SourceRegion.objects.filter(pk__in=_article_regions_at(record)),
        expected_version=stored.version,
        correction_note=note if stored.issue and stored.issue.status == Issue.Status.PUBLISHED else correction_note,
    )
    log_action("article_restore", user=user, article=restored.pk, version=history_id)
    return restored


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


def _last_deletion(model, pk: int):
    if model.objects.filter(pk=pk).exists():
        raise ValidationError("这条内容并没有被删除，不需要恢复。")
    record = model.history.filter(id=pk).order_by("-history_date", "-history_id").first()
    if record is None or record.history_type != "-":
        raise Http404("回收站里没有这条内容。")
    return record


def _recreate_article(deleted, *, user, issue: Issue | None) -> Article:
    """Recreate an article with its old id from its deletion record, into `issue` (None: the pool)."""
    last_saved = (
        Article.history.filter(id=deleted.id).exclude(history_type="-").order_by("-history_date", "-history_id").first()
    )
    article = Article(
        pk=deleted.id,
        issue=issue,
        section_id=deleted.section_id,
        title=deleted.title,
        body=deleted.body,
        source=deleted.source,
        page=deleted.page,
        version=deleted.version + 1,
        created_by_id=deleted.created_by_id,
        updated_by=user,
    )
    taken = issue is not None and Article.objects.filter(issue=issue, position=deleted.position).exists()
    article.position = None if issue is None else (_next_position(issue) if taken else deleted.position)
    if issue is not None and article.section_id is None:
        raise ValidationError(f"《{deleted.title}》原来没有栏目，无法放回期刊。")
    article.skip_history_when_saving = True
    try:
        article.save(force_insert=True)
        article.regions.set(_article_regions_at(last_saved) if last_saved else [])
    finally:
        del article.skip_history_when_saving
    # created_at is auto_now_add; the recovered article keeps the day it was first written.
    Article.objects.filter(pk=article.pk).update(created_at=deleted.created_at)
    article.created_at = deleted.created_at
    _record_article_version(article, user=user, reason="从回收站恢复", created=True)
    return article


@dataclass(frozen=True)
class Recovered:
    """What came back from the 回收站, and where an article went if it could not go home."""

    obj: Issue | Article
    articles: int = 0
    note: str = ""


@transaction.atomic
def article_recover(*, article_id: int, user) -> Recovered:
    """Bring a deleted article back: into its old issue when that issue still exists and is open, else the pool."""
    _require(user, "editorial.add_article", "恢复稿件")
    deleted = _last_deletion(Article, article_id)
    issue = _lock_issues(deleted.issue_id).get(deleted.issue_id)
    note = ""
    if deleted.issue_id is not None:
        if issue is None:
            note = "原来的期刊已不存在，稿件放回了稿件库。"
        elif issue.status != Issue.Status.DRAFT or not workflow.may_edit(user=user, issue=issue):
            note = f"{issue.period_label}已不是草稿，稿件放回了稿件库，可以在期刊页面重新加入。"
            issue = None
    article = _recreate_article(deleted, user=user, issue=issue)
    if issue is not None:
        _normalise(issue)
        _move_to_reading_position(issue, article, deleted.position)
        issue_mark_changed(issue=issue, user=user)
        article.refresh_from_db(fields=["position"])
    log_action("article_recover", user=user, article=article.pk, issue=issue.number if issue else "pool")
    return Recovered(obj=article, note=note)


def _move_to_reading_position(issue: Issue, article: Article, position: int) -> None:
    """Put the article back where it was read: after the articles of its section that came before it.

    Positions are kept 1…n in reading order, so the articles that preceded it still have smaller positions.
    """
    layout = issue_layout(issue)
    current = dict(Article.objects.filter(issue=issue).values_list("pk", "position"))
    for _, ids in layout:
        if article.pk in ids:
            ids.remove(article.pk)
            ids.insert(sum(1 for pk in ids if current[pk] < position), article.pk)
    _renumber(Article.objects.filter(issue=issue), [pk for _, ids in layout for pk in ids])


@transaction.atomic
def issue_recover(*, issue_id: int, user) -> Recovered:
    """Bring a deleted issue back as a draft, with the articles deleted along with it, in their old order."""
    _require(user, "editorial.add_issue", "恢复期刊")
    _require(user, "editorial.delete_issue", "恢复期刊")
    deleted = _last_deletion(Issue, issue_id)
    if Issue.objects.filter(publication_id=deleted.publication_id, number=deleted.number).exists():
        raise ValidationError(f"第{deleted.number}期已经有另一期占用，无法恢复。请先把那一期改为别的期号。")
    issue = Issue(
        pk=deleted.id,
        publication_id=deleted.publication_id,
        number=deleted.number,
        date=deleted.date,
        status=Issue.Status.DRAFT,
        published_at=deleted.published_at,
        version=deleted.version + 1,
        created_by_id=deleted.created_by_id,
        updated_by=user,
    )
    issue._history_user = user
    issue._change_reason = "从回收站恢复"
    issue.save(force_insert=True)
    Issue.objects.filter(pk=issue.pk).update(created_at=deleted.created_at)
    # The articles that went with the issue: deleted by issue_delete within moments of it.
    companions = (
        Article.history.filter(
            issue_id=deleted.id,
            history_type="-",
            history_change_reason=ISSUE_DELETED,
            history_date__gte=deleted.history_date - datetime.timedelta(minutes=1),
            history_date__lte=deleted.history_date,
        )
        .exclude(id__in=Article.objects.values("pk"))
        .order_by("position", "id")
    )
    articles = [_recreate_article(record, user=user, issue=issue) for record in companions]
    sections = Section.objects.filter(pk__in={article.section_id for article in articles}) | Section.objects.filter(
        is_standing=True
    )
    for section in sorted(
        sections.distinct(), key=lambda s: min((a.position for a in articles if a.section_id == s.pk), default=10**9)
    ):
        issue_section_ensure(issue=issue, section=section)
    _normalise(issue)
    was = Issue.Status(deleted.status).label
    IssueTransition.objects.create(
        issue=issue,
        from_status="",
        to_status=Issue.Status.DRAFT,
        action="recover",
        user=user,
        comment=f"从回收站恢复（删除前为“{was}”），一并恢复 {len(articles)} 篇稿件。",
    )
    issue_mark_changed(issue=issue, user=user)
    log_action("issue_recover", user=user, issue=issue.number, articles=len(articles))
    return Recovered(obj=issue, articles=len(articles))
