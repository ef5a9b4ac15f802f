"""Reads that span relations: what readers, printers and exporters see of an issue."""

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Article, Issue, IssueSection, Section


@dataclass(frozen=True)
class TocSection:
    """A section of one issue with its articles, both in reading order."""

    section: Section
    articles: list[Article]


def issues_visible_to(*, user) -> QuerySet[Issue]:
    """Published issues for everyone; every issue for staff who may view issues (preview)."""
    if user.is_authenticated and user.is_staff and user.has_perm("editorial.view_issue"):
        return Issue.objects.all()
    return Issue.objects.published()


def issue_table_of_contents(*, issue: Issue) -> list[TocSection]:
    """The issue's sections in the issue's own order, each with its articles by position.

    Two queries whatever the issue's size (three with regions); sections without
    articles are left out, since a reader has nothing to see under them.
    """
    articles = (
        Article.objects.filter(issue=issue)
        .select_related("section")
        .prefetch_related("regions")
        .order_by("position", "pk")
    )
    by_section: dict[int, list[Article]] = {}
    for article in articles:
        by_section.setdefault(article.section_id, []).append(article)
    issue_sections = IssueSection.objects.filter(issue=issue).select_related("section").order_by("position", "pk")
    toc = [
        TocSection(section=placed.section, articles=by_section.pop(placed.section_id))
        for placed in issue_sections
        if placed.section_id in by_section
    ]
    # An article whose section was never placed in the issue still appears: at the end, never lost.
    for stray in sorted(by_section.values(), key=lambda group: (group[0].section.position, group[0].section.pk)):
        toc.append(TocSection(section=stray[0].section, articles=stray))
    return toc
