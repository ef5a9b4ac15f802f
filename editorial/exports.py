"""The portable form of an issue: the plain data `export_issue` writes as JSON and as legacy text."""

from .importers.regions import RegionCatalogue, catalogue_from_db
from .models import Issue
from .selectors import TocSection, issue_table_of_contents


def issue_data(
    *, issue: Issue, catalogue: RegionCatalogue | None = None, contents: list[TocSection] | None = None
) -> dict:
    """The issue as plain data: masthead, then sections and articles in reading order (four queries).

    Each region carries the name of its province-level ancestor (its own name when it is one).
    `contents` is the issue's table of contents when the caller has read it already (export_archive reads
    a hundred issues' at once).
    """
    catalogue = catalogue or catalogue_from_db()
    publication = issue.publication
    return {
        "publication": publication.title,
        "office": publication.office,
        "number": issue.number,
        "year": issue.date.year,
        "date": issue.date.isoformat(),
        "status": issue.status,
        "distribution": issue.distribution,
        "sections": [
            {
                "name": toc.section.name,
                "articles": [
                    {
                        "title": article.title,
                        "page": article.page,
                        "regions": [
                            {"name": region.name, "province": _province(region, catalogue)}
                            for region in article.regions.all()
                        ],
                        "paragraphs": article.paragraphs,
                    }
                    for article in toc.articles
                ],
            }
            for toc in (issue_table_of_contents(issue=issue) if contents is None else contents)
        ],
    }


def _province(region, catalogue: RegionCatalogue) -> str:
    if region.slug in catalogue:
        return catalogue.province_of(region.slug).name
    return region.name
