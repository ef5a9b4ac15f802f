"""The one writer of article rows and of versions: every change to the editorial record is written here.

Whoever writes — an edit form, the compose board, a legacy import, a backup restore, the
generator, a spreadsheet — each article written keeps what the record promises:

- its body in clean paragraphs (`text.clean_body`, the paste rules), so what an editor's
  counter shows is what readers get, whichever way the text came in;
- its search fields derived from title and body (`ArticleQuerySet`'s bulk writes derive them);
- `version` one higher than stored, so a form opened before this write is refused as stale;
- its regions as given (or as they were), and one version in the history with those regions
  and the reason for the change;
- every issue it leaves or enters stamped (`updated_at`): the key of cached pages, ETags and PDFs.

Writes happen in bulk, so one article and a whole restored archive cost the same few queries
per batch. Deletions leave their record in the history (the 回收站 reads it); deletions made
together share a batch id, so an issue comes back with exactly the articles deleted with it.
"""

import datetime
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, ProtectedError
from django.utils import timezone

from ..models import Article, Issue
from ..text import clean_body

# What an update writes: every field of the article but its identity and origin.
UPDATED_FIELDS = [
    field.name
    for field in Article._meta.concrete_fields
    if not field.primary_key and field.name not in {"created_at", "created_by"}
]
BATCH_SIZE = 1000


@dataclass(frozen=True)
class ArticleWrite:
    """One article to insert (a new instance) or update (one read and changed), with region ids — None keeps them.

    `previous_version` is for an article coming back from the 回收站: its versions go on from there.
    """

    article: Article
    regions: Collection[int] | None = None
    previous_version: int = 0


def _chunks(items: Sequence, size: int = BATCH_SIZE) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_articles(writes: Iterable[ArticleWrite], *, user, reason: str = "", now=None) -> list[Article]:
    """Insert and update articles with every invariant kept (see the module docstring); returns them."""
    writes = list(writes)
    if not writes:
        return []
    now = now or timezone.now()
    # A new instance (even one given the id of a deleted article) is inserted; one read from the database, updated.
    new = [write.article for write in writes if write.article._state.adding]
    old = [write.article for write in writes if not write.article._state.adding]
    stored = {}
    for chunk in _chunks([article.pk for article in old]):  # nothing to read when all are new
        stored.update(
            (pk, (version, issue_id))
            for pk, version, issue_id in Article.objects.select_for_update(of=("self",))
            .filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", "version", "issue_id")
        )
    gone = [article for article in old if article.pk not in stored]
    if gone:
        raise ValidationError(f"稿件《{gone[0].title}》刚刚被删除了，这次的修改没有保存。")
    for write in writes:
        if write.article._state.adding:
            write.article.version = write.previous_version + 1
            if write.article.created_by_id is None:
                write.article.created_by = user
    for article in old:
        article.version = stored[article.pk][0] + 1
    for article in new + old:
        article.body = clean_body(article.body)
        article.updated_by = user
        article.updated_at = now
    Article.objects.bulk_create(new, batch_size=BATCH_SIZE)
    Article.objects.bulk_update(old, UPDATED_FIELDS, batch_size=BATCH_SIZE)
    links = _write_regions(writes, existing={article.pk for article in old})
    _record_article_versions(new, links, user=user, reason=reason, now=now, created=True)
    _record_article_versions(old, links, user=user, reason=reason, now=now, created=False)
    touched = {article.issue_id for article in new + old} | {issue_id for _, issue_id in stored.values()}
    stamp_issues(touched, user=user, now=now)
    return [write.article for write in writes]


def _write_regions(writes: Sequence[ArticleWrite], *, existing: set[int]) -> dict[int, list]:
    """Set the regions of the writes that name them; every written article's links afterwards, by article id."""
    Through = Article.regions.through
    current: dict[int, dict[int, object]] = {write.article.pk: {} for write in writes}
    # Articles inserted a moment ago have no links yet: only the others are read.
    for chunk in _chunks(sorted(existing)):
        for link in Through.objects.filter(article_id__in=chunk):
            current[link.article_id][link.sourceregion_id] = link
    removed, added = [], []
    for write in writes:
        if write.regions is None:
            continue
        have = current[write.article.pk]
        wanted = list(dict.fromkeys(write.regions))
        for region_id in [region_id for region_id in have if region_id not in wanted]:
            removed.append(have.pop(region_id).pk)
        added += [
            Through(article_id=write.article.pk, sourceregion_id=region_id)
            for region_id in wanted
            if region_id not in have
        ]
    for chunk in _chunks(removed):
        Through.objects.filter(pk__in=chunk).delete()
    for link in Through.objects.bulk_create(added, batch_size=BATCH_SIZE):
        current[link.article_id][link.sourceregion_id] = link
    return {pk: list(links.values()) for pk, links in current.items()}


def _record_article_versions(articles: list[Article], links: dict[int, list], *, user, reason, now, created) -> None:
    if not articles:
        return
    history = Article.history.bulk_history_create(
        articles,
        update=not created,
        default_user=user,
        default_change_reason=reason[:100],
        default_date=now,
        batch_size=BATCH_SIZE,
    )
    HistoricalRegions = Article.history.model.regions.model
    HistoricalRegions.objects.bulk_create(
        (
            HistoricalRegions(history=row, id=link.pk, article_id=link.article_id, sourceregion_id=link.sourceregion_id)
            for row in history
            for link in links.get(row.id, ())
        ),
        batch_size=BATCH_SIZE * 2,
    )


def delete_articles(articles: Iterable[Article], *, user, reason: str = "", batch: uuid.UUID | None = None) -> None:
    """Delete articles, each leaving its deletion (with `batch`, when they go together with more) in the history."""
    articles = list(articles)
    if not articles:
        return
    now = timezone.now()
    issue_ids = {article.issue_id for article in articles}
    pks = [article.pk for article in articles]  # delete() forgets them
    for article in articles:
        article._history_user = user
        article._change_reason = reason[:100]
        article._history_date = now
        try:
            article.delete()
        except ProtectedError as refusal:
            # Raised before anything is deleted: the office's records of the article (批示, 采用) keep it.
            kinds = "、".join(sorted({str(obj._meta.verbose_name) for obj in refusal.protected_objects}))
            raise ValidationError(
                f"《{article.title}》已登记{kinds}，不能删除；如确需删除，请先在稿件页删除这些记录。", code="protected"
            ) from refusal
    if batch is not None:
        Article.history.filter(id__in=pks, history_type="-", history_date=now).update(deletion_batch=batch)
    stamp_issues(issue_ids, user=user, now=now)


def delete_issue(issue: Issue, *, user, reason: str = "") -> uuid.UUID:
    """Delete an issue and its articles as one batch in the history; returns the batch id."""
    batch = uuid.uuid4()
    delete_articles(Article.objects.filter(issue=issue), user=user, reason=reason, batch=batch)
    now = timezone.now()
    issue._history_user = user
    issue._change_reason = reason[:100]
    issue._history_date = now
    pk = issue.pk
    issue.delete()
    Issue.history.filter(id=pk, history_type="-", history_date=now).update(deletion_batch=batch)
    return batch


def record_issue_versions(issues: Sequence[Issue], *, user, reason: str = "", now=None, created=False) -> None:
    """One version of each issue as it is now (new issues: their first)."""
    Issue.history.bulk_history_create(
        issues,
        update=not created,
        default_user=user,
        default_change_reason=reason[:100],
        default_date=now or timezone.now(),
        batch_size=BATCH_SIZE,
    )


def write_issue_status(issue: Issue, *, target: str, user, now: datetime.datetime, **changes) -> bool:
    """Move a locked issue to `target` with a new version and stamp; False when it changed meanwhile.

    The status and version in the WHERE clause make the write conditional even where SELECT … FOR
    UPDATE is a no-op (SQLite serialises writers with BEGIN IMMEDIATE instead).
    """
    return bool(
        Issue.objects.filter(pk=issue.pk, status=issue.status, version=issue.version).update(
            status=target, version=F("version") + 1, updated_at=now, updated_by=user, **changes
        )
    )


def stamp_issues(issue_ids: Iterable[int | None], *, user=None, now: datetime.datetime | None = None) -> None:
    """Move the issues' content stamp (`updated_at`) on: what page, ETag and PDF caches key on."""
    ids = sorted({pk for pk in issue_ids if pk is not None})
    if not ids:
        return
    stamp = {"updated_at": now or timezone.now()}
    if user is not None:
        stamp["updated_by"] = user
    for chunk in _chunks(ids):
        Issue.objects.filter(pk__in=chunk).update(**stamp)


def article_regions_at(record) -> list[int]:
    """The region ids an article had in one of its versions."""
    return list(
        Article.history.model.regions.model.objects.filter(history=record).values_list("sourceregion_id", flat=True)
    )


def analyze_tables(*models) -> None:
    """Fresh planner statistics for tables just filled in bulk (PostgreSQL; autovacuum would do it later, if it runs)."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
