"""Writing a backup: every issue, the masthead, sections, regions and the pool, all of it or nothing."""

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from ..exports import issue_data
from ..importers.regions import RegionCatalogue, catalogue_from_db
from ..models import Article, Issue, Publication, Section, SourceRegion
from ..selectors import tables_of_contents
from .format import EXPORT_BATCH, FORMAT, ISSUES, MANIFEST, PUBLICATION_FIELDS, VERSION, BackupError


def issue_filename(number: int) -> str:
    return f"{ISSUES}/{number:04d}.json"


def _dumps(data) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def publication_data(publication: Publication) -> dict:
    return {name: getattr(publication, name) for name in PUBLICATION_FIELDS}


def sections_data() -> list[dict]:
    return list(Section.objects.order_by("position", "pk").values("name", "slug", "position", "is_standing"))


def regions_data() -> list[dict]:
    rows = SourceRegion.objects.order_by("position", "pk").values(
        "name", "slug", "kind", "parent__slug", "aliases", "in_yangtze_delta", "position"
    )
    return [
        {**{key: value for key, value in row.items() if key != "parent__slug"}, "parent": row["parent__slug"]}
        for row in rows
    ]


def saved_issue_data(*, issue: Issue, toc, catalogue: RegionCatalogue) -> dict:
    """`export_issue`'s JSON of the issue, with what a restore needs besides (see the module docstring)."""
    data = issue_data(issue=issue, catalogue=catalogue, contents=toc)
    articles = [article for entry in toc for article in entry.articles]
    exported = [article for section in data["sections"] for article in section["articles"]]
    for article, exported_article in zip(articles, exported, strict=True):
        exported_article["source"] = article.source
        for region, stored in zip(exported_article["regions"], article.regions.all(), strict=True):
            region["slug"] = stored.slug
    data["published_at"] = issue.published_at.isoformat() if issue.published_at else None
    data["scheduled_at"] = issue.scheduled_at.isoformat() if issue.scheduled_at else None
    data["section_order"] = [placed.section.name for placed in issue.issue_sections.all()]
    return data


def pool_data(*, catalogue: RegionCatalogue) -> list[dict]:
    """The articles waiting in the pool, oldest first, in the form of an issue's articles."""
    articles = Article.objects.in_pool().select_related("section").prefetch_related("regions").order_by("pk")
    return [
        {
            "section": article.section.name if article.section else None,
            "title": article.title,
            "page": article.page,
            "regions": [
                {"name": region.name, "province": _province_name(region, catalogue), "slug": region.slug}
                for region in article.regions.all()
            ],
            "paragraphs": article.paragraphs,
            "source": article.source,
        }
        for article in articles
    ]


def _province_name(region: SourceRegion, catalogue: RegionCatalogue) -> str:
    return catalogue.province_of(region.slug).name if region.slug in catalogue else region.name


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    issues: int
    articles: int
    pool: int


def export_backup(*, folder: Path, progress=None) -> ExportResult:
    """Write the backup into `folder` (new, or empty), all of it or nothing.

    Everything is read in one read-only transaction (a consistent snapshot on PostgreSQL),
    written beside `folder`, and moved into place only when complete. `progress(done, total)`
    is called after each batch of issues.
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} 已存在且不是空目录：请指定一个新目录（或空目录），以免新旧备份混在一起。")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        files, counts = _write_files(staging, progress=progress)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": timezone.now().isoformat(),
            **counts,
            "files": files,
        }
        (staging / MANIFEST).write_bytes(_dumps(manifest))
        if folder.exists():
            folder.rmdir()
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(folder=folder, issues=counts["issues"], articles=counts["articles"], pool=counts["pool"])


def _write_files(staging: Path, *, progress) -> tuple[dict[str, str], dict[str, int]]:
    files: dict[str, str] = {}

    def write(name: str, data) -> None:
        content = _dumps(data)
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        files[name] = hashlib.sha256(content).hexdigest()

    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # One snapshot for every file. Inside a caller's transaction (the tests) that transaction decides.
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        publication = Publication.objects.current()
        if publication is None:
            raise BackupError("数据库中还没有刊物（报头）信息，没有可导出的内容。请先运行 migrate。")
        catalogue = catalogue_from_db()
        write("publication.json", publication_data(publication))
        write("sections.json", sections_data())
        write("regions.json", regions_data())
        issues = Issue.objects.filter(publication=publication).select_related("publication").order_by("number")
        total, articles = issues.count(), 0
        for start in range(0, total, EXPORT_BATCH):
            batch = list(issues[start : start + EXPORT_BATCH].prefetch_related("issue_sections__section"))
            contents = tables_of_contents(issues=batch)
            for issue in batch:
                data = saved_issue_data(issue=issue, toc=contents[issue.pk], catalogue=catalogue)
                articles += sum(len(section["articles"]) for section in data["sections"])
                write(issue_filename(issue.number), data)
            if progress:
                progress(min(start + EXPORT_BATCH, total), total)
        pool = pool_data(catalogue=catalogue)
        write("pool.json", pool)
    return files, {"issues": total, "articles": articles, "pool": len(pool)}
