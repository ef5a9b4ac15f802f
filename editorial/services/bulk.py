"""Writes that come in batches: a legacy file replacing an issue's articles, a spreadsheet's rows.

Both go through `records.write_articles` like every form does, so what they change is
versioned, searchable, stamped and logged the same way; a published issue they touch gets a
correction entry in its workflow log naming the import.
"""

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import workflow
from ..activity import log_action
from ..models import Article, Issue, IssueTransition, Section
from ..text import normalise_for_match
from . import positions
from .access import lock_issues
from .issues import ArticleRecord, article_rows
from .records import ArticleWrite, delete_articles, record_issue_versions, write_articles

POSITION_SHIFT = 1_000_000


def issue_replace_articles(
    *,
    issue: Issue,
    date,
    distribution: str,
    sections: Sequence[Section],
    articles: Sequence[ArticleRecord],
    user,
    reason: str,
    action: str,
    comment,
    log: dict | None = None,
) -> dict[str, int]:
    """Replace an issue's articles (and its date and 报送记录) in place with the file's; its row and status stay.

    Articles whose title matches (compared normalised) keep their row, URL, source and regions
    (an editor may have corrected them); new titles are added with the records' regions, titles
    gone are deleted. `comment(counts)` words the workflow-log entry. Returns the counts.
    """
    now = timezone.now()
    by_title: dict[str, list[Article]] = {}
    for article in issue.articles.order_by("position", "pk"):
        by_title.setdefault(normalise_for_match(article.title), []).append(article)
    # Park current positions out of the way so renumbering never trips the unique constraint.
    Article.objects.filter(issue=issue).update(position=F("position") + POSITION_SHIFT)
    kept, created = [], []
    fresh = article_rows(articles, issue=issue, user=user)
    for write in fresh:
        matches = by_title.get(normalise_for_match(write.article.title))
        if matches:
            old = matches.pop(0)
            for name in ("section", "position", "page", "title", "body"):
                setattr(old, name, getattr(write.article, name))
            kept.append(ArticleWrite(old))
        else:
            created.append(write)
    gone = [article for leftovers in by_title.values() for article in leftovers]
    delete_articles(gone, user=user, reason=reason)
    write_articles([*kept, *created], user=user, reason=reason, now=now)
    positions.place_sections([(issue, sections)], standing=positions.standing_sections(), replace=True)
    issue.date = date
    issue.distribution = distribution
    issue.version += 1
    issue.updated_by = user
    issue.updated_at = now
    issue.full_clean(exclude=["publication", "created_by", "updated_by"], validate_unique=False)
    Issue.objects.filter(pk=issue.pk).update(
        date=date, distribution=distribution, version=issue.version, updated_by=user, updated_at=now
    )
    record_issue_versions([issue], user=user, reason=reason, now=now)
    counts = {"created": len(created), "updated": len(kept), "deleted": len(gone)}
    IssueTransition.objects.create(
        issue=issue, from_status=issue.status, to_status=issue.status, action=action, user=user, comment=comment(counts)
    )
    log_action(action, user=user, issue=issue.number, articles=len(articles), **(log or {}))
    return counts


@transaction.atomic
def spreadsheet_article_write(*, article: Article, regions: Iterable[int] | None, user) -> Article:
    """Write one row of an article spreadsheet: the fields as the sheet has them, positions included.

    The sheet's own rules (all or nothing, swapped positions) are the resource's; the invariants
    of the record are the ones every writer keeps. The issues it touches must be open to the user.
    """
    issue_ids = [article.issue_id]
    if not article._state.adding:
        issue_ids.append(Article.objects.filter(pk=article.pk).values_list("issue_id", flat=True).first())
    for issue in lock_issues(*issue_ids).values():
        workflow.ensure_may_edit(user=user, issue=issue, correction_note=SPREADSHEET_REASON)
    (written,) = write_articles([ArticleWrite(article, regions)], user=user, reason=SPREADSHEET_REASON)
    return written


SPREADSHEET_REASON = "从表格导入"


def record_import_corrections(*, issue_ids: Iterable[int], user, what: str) -> None:
    """A correction entry for each published issue an import changed (they were stamped as they were written)."""
    for issue in Issue.objects.filter(pk__in=set(issue_ids), status=Issue.Status.PUBLISHED).order_by("pk"):
        workflow.correct(issue=issue, user=user, comment=what)
