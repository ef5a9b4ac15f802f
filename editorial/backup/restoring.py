"""Restoring a backup into a database without issues or articles: all of it, or nothing."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import services
from ..models import Article, Issue, IssueSection, IssueTransition, Publication, Section, SourceRegion
from ..services.access import validate_fields
from .format import Backup, BackupError, SavedRegion, SavedSection

RESTORED = "从备份恢复"


@dataclass(frozen=True)
class RestoreResult:
    issues: int
    articles: int
    pool: int
    sections: int
    regions: int


def editorial_rows() -> dict[str, int]:
    """What the database already holds of the editorial record; a restore needs all of it to be 0."""
    return {
        "期期刊": Issue.objects.count(),
        "篇稿件": Article.objects.count(),
        "条期刊历史版本": Issue.history.count(),
        "条稿件历史版本": Article.history.count(),
    }


@transaction.atomic
def restore_backup(*, backup: Backup, user=None) -> RestoreResult:
    """Restore the backup into a database without issues or articles: all of it, or nothing (BackupError).

    The masthead, sections and regions become the backup's (replacing what migrate created);
    every issue gets its sections, articles and regions, one version in the history and one
    line in its workflow log saying it was restored — written by the services like any other write.
    """
    held = {what: count for what, count in editorial_rows().items() if count}
    if held:
        raise BackupError(
            f"数据库里已有 {'、'.join(f'{count} {what}' for what, count in held.items())}。"
            "import_backup 只恢复到空数据库：请新建一个数据库，运行 migrate 后再导入。"
        )
    publication = _restore_publication(backup.publication)
    sections = _restore_sections(backup.sections)
    regions = _restore_regions(backup.regions)

    def records(articles):
        return tuple(
            services.ArticleRecord(
                title=item.title,
                body=item.body,
                section=sections[item.section] if item.section else None,
                page=item.page,
                source=item.source,
                regions=tuple(regions[slug] for slug in item.regions),
            )
            for item in articles
        )

    try:
        if backup.issues:
            services.issues_create(
                publication=publication,
                records=[
                    services.IssueRecord(
                        number=item.number,
                        date=item.date,
                        status=item.status,
                        published_at=item.published_at,
                        scheduled_at=item.scheduled_at,
                        distribution=item.distribution,
                        sections=tuple(sections[name] for name in item.section_order),
                        articles=records(item.articles),
                    )
                    for item in backup.issues
                ],
                user=user,
                reason=RESTORED,
                action=IssueTransition.Action.RESTORE_BACKUP,
                comment=f"从备份恢复（备份导出于 {backup.exported_at or '未知时间'}）。",
            )
        services.pool_articles_create(records=records(backup.pool), user=user, reason=RESTORED)
    except ValidationError as refusal:
        raise BackupError(refusal.messages) from refusal
    services.analyze_tables(Section, SourceRegion, Issue, IssueSection, Article, Article.regions.through)
    return RestoreResult(
        issues=len(backup.issues),
        articles=backup.article_count,
        pool=len(backup.pool),
        sections=len(sections),
        regions=len(regions),
    )


def _validate(instances: Iterable, label, *, exclude: list[str]) -> None:
    """The masthead's, sections' and regions' fields checked as the services check issues and articles."""
    try:
        validate_fields(instances, label, exclude=exclude)
    except ValidationError as refusal:
        raise BackupError(refusal.messages) from refusal


def _restore_publication(data: dict) -> Publication:
    publication = Publication.objects.current() or Publication()
    for name, value in data.items():
        setattr(publication, name, value)
    _validate([publication], lambda _: "publication.json", exclude=[])
    publication.save()
    return publication


def _delete_all(queryset, *, parent_field: str) -> None:
    """Delete every row of a self-referencing table, leaves first (the parent link protects parents)."""
    while queryset.exists():
        queryset.exclude(pk__in=queryset.filter(**{f"{parent_field}__isnull": False}).values(parent_field)).delete()


def _restore_sections(saved: tuple[SavedSection, ...]) -> dict[str, Section]:
    # Nothing refers to sections in an empty database: replace them rather than reconcile names and positions.
    Section.objects.all().delete()
    rows = [
        Section(name=item.name, slug=item.slug, position=item.position, is_standing=item.is_standing) for item in saved
    ]
    _validate(rows, lambda section: f"栏目“{section.name}”", exclude=[])
    return {section.name: section for section in Section.objects.bulk_create(rows)}


def _restore_regions(saved: tuple[SavedRegion, ...]) -> dict[str, int]:
    """Replace the regions with the backup's, a level at a time (a parent gets its id before its children)."""
    _delete_all(SourceRegion.objects.all(), parent_field="parent")
    parents = {region.slug: region.parent for region in saved}

    def depth(slug: str) -> int:
        return 0 if parents[slug] is None else 1 + depth(parents[slug])

    ids: dict[str, int] = {}
    levels: dict[int, list[SavedRegion]] = {}
    for region in saved:
        levels.setdefault(depth(region.slug), []).append(region)
    for level in sorted(levels):
        rows = [
            SourceRegion(
                name=region.name,
                slug=region.slug,
                kind=region.kind,
                parent_id=ids[region.parent] if region.parent else None,
                aliases=region.aliases,
                in_yangtze_delta=region.in_yangtze_delta,
                position=region.position,
            )
            for region in levels[level]
        ]
        _validate(rows, lambda region: f"来源地区“{region.name}”", exclude=["parent"])
        ids.update((region.slug, region.pk) for region in SourceRegion.objects.bulk_create(rows))
    return ids
