"""Articles: write from a form, move, delete, restore an old version, and write a spreadsheet's row."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404

from .. import workflow
from ..activity import log_action
from ..formatting import format_time
from ..models import Article, Issue, Section, SourceRegion
from . import positions
from .access import article_lock_for_edit, ensure_article_not_stale, lock_issue, lock_issues, require
from .issues import content_changed
from .records import ArticleWrite, article_regions_at, delete_articles, write_articles


def _region_ids(regions: Iterable[SourceRegion] | None) -> list[int] | None:
    return None if regions is None else [region.pk if hasattr(region, "pk") else region for region in regions]


@transaction.atomic
def article_save(
    *,
    article: Article,
    user,
    regions: Iterable[SourceRegion] | None = None,
    expected_version: int | None = None,
    correction_note: str = "",
    reason: str = "",
) -> Article:
    """Create or update an article from an edit form: checked, versioned, placed, and its issues stamped.

    `article` carries the new field values; `expected_version` is the version the form was opened at;
    `reason` names the change in the article's history when no correction note does.
    An article that changes issue or section goes to the end of its section in its issue.
    """
    created = article.pk is None
    require(user, "editorial.add_article" if created else "editorial.change_article", "新建或修改稿件")
    if created:
        stored = None
        lock_issues(article.issue_id)
    else:
        stored = article_lock_for_edit(article_pk=article.pk, issue_ids=[article.issue_id])
        ensure_article_not_stale(stored, expected_version)
    old_issue = stored.issue if stored else None
    new_issue = Issue.objects.get(pk=article.issue_id) if article.issue_id else None
    for issue in {old_issue, new_issue} - {None}:
        workflow.ensure_may_edit(user=user, issue=issue, correction_note=correction_note)
    moved = created or (stored.issue_id, stored.section_id) != (article.issue_id, article.section_id)
    if new_issue is None:
        article.position = None
    elif moved:
        article.position = positions.next_position(new_issue)
    elif stored is not None:
        article.position = stored.position
    article.full_clean(exclude=["version"])
    write_articles(
        [ArticleWrite(article, _region_ids(regions))],
        user=user,
        reason=correction_note.strip() or reason or ("新建" if created else ""),
    )
    for issue in {old_issue, new_issue} - {None}:
        if moved:
            positions.tidy(issue)
        what = f"{'新建' if created else '修改'}稿件《{article.title}》"
        content_changed(issue, user=user, what=what, correction_note=correction_note)
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
    require(user, "editorial.change_article", "移动稿件")
    stored = article_lock_for_edit(article_pk=article.pk, issue_ids=[issue.pk if issue else None])
    old_issue = stored.issue
    new_issue = lock_issue(issue) if issue is not None else None
    section = section or stored.section
    if new_issue is not None and section is None:
        raise ValidationError("请为稿件选择栏目。")
    if (stored.issue_id, stored.section_id) == (new_issue.pk if new_issue else None, section.pk if section else None):
        return stored
    for each in {old_issue, new_issue} - {None}:
        workflow.ensure_may_edit(user=user, issue=each, correction_note=correction_note)
    stored.issue = new_issue
    stored.section = section
    stored.position = positions.next_position(new_issue) if new_issue is not None else None
    destination = f"{new_issue.period_label}·{section}" if new_issue else "稿件库"
    write_articles([ArticleWrite(stored)], user=user, reason=f"移至{destination}")
    for each in {old_issue, new_issue} - {None}:
        positions.tidy(each)
        content_changed(
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
    require(user, "editorial.delete_article", "删除稿件")
    stored = article_lock_for_edit(article_pk=article.pk)
    issue = stored.issue
    if issue is not None:
        if issue.status == Issue.Status.PUBLISHED:
            raise PermissionDenied(
                f"《{stored.title}》在已发布的{issue.period_label}中，不能删除；如需撤下，请主编把它移出本期并填写更正说明。"
            )
        workflow.ensure_may_edit(user=user, issue=issue)
    article_id = stored.pk
    delete_articles([stored], user=user)
    if issue is not None:
        positions.tidy(issue)
    log_action("article_delete", user=user, article=article_id, issue=issue.number if issue else None)


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
        regions=SourceRegion.objects.filter(pk__in=article_regions_at(record)),
        expected_version=stored.version,
        correction_note=note if stored.issue and stored.issue.status == Issue.Status.PUBLISHED else correction_note,
        reason=note,
    )
    log_action("article_restore", user=user, article=restored.pk, version=history_id)
    return restored
