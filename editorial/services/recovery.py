"""The 回收站: bring back a deleted article, or a deleted issue with exactly the articles deleted along with it."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from .. import workflow
from ..activity import log_action
from ..models import Article, Issue, IssueTransition, Section
from . import positions
from .access import lock_issues, require
from .issues import issue_mark_changed
from .records import ArticleWrite, article_regions_at, record_issue_versions, write_articles


@dataclass(frozen=True)
class Recovered:
    """What came back from the 回收站, and where an article went if it could not go home."""

    obj: Issue | Article
    articles: int = 0
    note: str = ""


def _last_deletion(model, pk: int):
    if model.objects.filter(pk=pk).exists():
        raise ValidationError("这条内容并没有被删除，不需要恢复。")
    record = model.history.filter(id=pk).order_by("-history_date", "-history_id").first()
    if record is None or record.history_type != "-":
        raise Http404("回收站里没有这条内容。")
    return record


def _recreated(deleted, *, issue: Issue | None, user) -> ArticleWrite:
    """An article with its old id, text and regions from its deletion record, going into `issue` (None: the pool)."""
    last_saved = (
        Article.history.filter(id=deleted.id).exclude(history_type="-").order_by("-history_date", "-history_id").first()
    )
    if issue is not None and deleted.section_id is None:
        raise ValidationError(f"《{deleted.title}》原来没有栏目，无法放回期刊。")
    article = Article(
        pk=deleted.id,
        issue=issue,
        section_id=deleted.section_id,
        title=deleted.title,
        body=deleted.body,
        source=deleted.source,
        page=deleted.page,
        created_by_id=deleted.created_by_id,
    )
    return ArticleWrite(article, article_regions_at(last_saved) if last_saved else [], previous_version=deleted.version)


def _recreate(deleted_records, *, issue: Issue | None, user) -> list[Article]:
    """Recreate deleted articles (positions: their old ones when free, else at the end), as new versions."""
    writes = [_recreated(record, issue=issue, user=user) for record in deleted_records]
    if issue is not None:
        taken = set(Article.objects.filter(issue=issue).values_list("position", flat=True))
        end = max(taken, default=0)
        for write, record in zip(writes, deleted_records, strict=True):
            if record.position in taken or record.position is None:
                end += 1
                write.article.position = end
            else:
                write.article.position = record.position
            taken.add(write.article.position)
    articles = write_articles(writes, user=user, reason="从回收站恢复")
    # Each keeps the day it was first written (created_at is set on insert).
    for article, record in zip(articles, deleted_records, strict=True):
        Article.objects.filter(pk=article.pk).update(created_at=record.created_at)
        article.created_at = record.created_at
    return articles


@transaction.atomic
def article_recover(*, article_id: int, user) -> Recovered:
    """Bring a deleted article back: into its old issue when that issue still exists and is open, else the pool."""
    require(user, "editorial.add_article", "恢复稿件")
    deleted = _last_deletion(Article, article_id)
    issue = lock_issues(deleted.issue_id).get(deleted.issue_id)
    note = ""
    if deleted.issue_id is not None:
        if issue is None:
            note = "原来的期刊已不存在，稿件放回了稿件库。"
        elif issue.status != Issue.Status.DRAFT or not workflow.may_edit(user=user, issue=issue):
            note = f"{issue.period_label}已不是草稿，稿件放回了稿件库，可以在期刊页面重新加入。"
            issue = None
    (article,) = _recreate([deleted], issue=issue, user=user)
    if issue is not None:
        positions.tidy(issue)
        _move_to_reading_position(issue, article, deleted.position)
        issue_mark_changed(issue=issue, user=user)
        article.refresh_from_db(fields=["position"])
    log_action("article_recover", user=user, article=article.pk, issue=issue.number if issue else "pool")
    return Recovered(obj=article, note=note)


def _move_to_reading_position(issue: Issue, article: Article, position: int) -> None:
    """Put the article back where it was read: after the articles of its section that came before it.

    Positions are kept 1…n in reading order, so the articles that preceded it still have smaller positions.
    """
    layout = positions.issue_layout(issue)
    current = dict(Article.objects.filter(issue=issue).values_list("pk", "position"))
    for _, ids in layout:
        if article.pk in ids:
            ids.remove(article.pk)
            ids.insert(sum(1 for pk in ids if current[pk] < position), article.pk)
    positions.renumber(Article.objects.filter(issue=issue), [pk for _, ids in layout for pk in ids])


@transaction.atomic
def issue_recover(*, issue_id: int, user) -> Recovered:
    """Bring a deleted issue back as a draft, with the articles deleted along with it, in their old order."""
    require(user, "editorial.add_issue", "恢复期刊")
    require(user, "editorial.delete_issue", "恢复期刊")
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
    issue.skip_history_when_saving = True
    try:
        issue.save(force_insert=True)
    finally:
        del issue.skip_history_when_saving
    Issue.objects.filter(pk=issue.pk).update(created_at=deleted.created_at)
    record_issue_versions([issue], user=user, reason="从回收站恢复", created=True)
    # Exactly the articles deleted together with the issue (its deletion batch), in their old order.
    companions = []
    if deleted.deletion_batch is not None:
        companions = list(
            Article.history.filter(deletion_batch=deleted.deletion_batch, history_type="-")
            .exclude(id__in=Article.objects.values("pk"))
            .order_by("position", "id")
        )
    articles = _recreate(companions, issue=issue, user=user)
    sections = Section.objects.filter(pk__in={article.section_id for article in articles}) | Section.objects.filter(
        is_standing=True
    )
    for section in sorted(
        sections.distinct(), key=lambda s: min((a.position for a in articles if a.section_id == s.pk), default=10**9)
    ):
        positions.issue_section_ensure(issue=issue, section=section)
    positions.tidy(issue)
    was = Issue.Status(deleted.status).label
    IssueTransition.objects.create(
        issue=issue,
        from_status="",
        to_status=Issue.Status.DRAFT,
        action=IssueTransition.Action.RECOVER,
        user=user,
        comment=f"从回收站恢复（删除前为“{was}”），一并恢复 {len(articles)} 篇稿件。",
    )
    issue_mark_changed(issue=issue, user=user)
    log_action("issue_recover", user=user, issue=issue.number, articles=len(articles))
    return Recovered(obj=issue, articles=len(articles))
