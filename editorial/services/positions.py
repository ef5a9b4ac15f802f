"""Positions: sections and articles of an issue numbered 1…n in reading order, standing sections in place.

Both Article (issue, position) and IssueSection (issue, position) are unique, checked row by
row on PostgreSQL and SQLite alike; renumbering first lifts the rows that move above every
position in use, then sets their final positions, so no row ever lands on an occupied one.
Positions are not content: moving them bumps no version (the stale-form check is about text).
"""

from collections.abc import Iterable, Sequence

from django.db.models import F, Max, QuerySet

from ..models import Article, Issue, IssueSection, Section


def renumber(rows: QuerySet, ordered_pks: Sequence[int]) -> None:
    """Give `rows` the positions 1…n in the order of `ordered_pks`, writing only the rows that move."""
    current = dict(rows.values_list("pk", "position"))
    target = {pk: index for index, pk in enumerate(ordered_pks, start=1)}
    moving = [pk for pk, position in target.items() if current.get(pk) != position]
    if not moving:
        return
    lift = max([len(target), *(position or 0 for position in current.values())]) + 1
    rows.filter(pk__in=moving).update(position=F("position") + lift)
    rows.model.objects.bulk_update([rows.model(pk=pk, position=target[pk]) for pk in moving], ["position"])


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


def issue_section_ensure(*, issue: Issue, section: Section) -> IssueSection:
    """The section's place in the issue, appended after the others when it has none yet."""
    placed = IssueSection.objects.filter(issue=issue, section=section).first()
    if placed is not None:
        return placed
    last = IssueSection.objects.filter(issue=issue).order_by("-position").values_list("position", flat=True).first()
    return IssueSection.objects.create(issue=issue, section=section, position=(last or 0) + 1)


def tidy(issue: Issue) -> None:
    """Every article's section placed in the issue; positions 1…n in reading order for sections and articles."""
    layout = issue_layout(issue)
    placed = dict(IssueSection.objects.filter(issue=issue).values_list("section_id", "pk"))
    for section_id, _ in layout:
        if section_id not in placed:
            placed[section_id] = issue_section_ensure(issue=issue, section=Section.objects.get(pk=section_id)).pk
    renumber(IssueSection.objects.filter(issue=issue), [placed[section_id] for section_id, _ in layout])
    renumber(Article.objects.filter(issue=issue), [pk for _, article_ids in layout for pk in article_ids])


def next_position(issue: Issue) -> int:
    last = Article.objects.filter(issue=issue).aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


def standing_sections() -> list[Section]:
    """The sections every new issue carries, in their default order."""
    return list(Section.objects.filter(is_standing=True).order_by("position", "pk"))


def place_sections(
    issues: Iterable[tuple[Issue, Sequence[Section]]], *, standing: Sequence[Section], replace: bool = False
) -> None:
    """Give each issue its own section order: the sections named first, then the standing ones not named.

    `replace` drops the order an existing issue had; new issues have none.
    """
    issues = list(issues)
    if replace:
        IssueSection.objects.filter(issue__in=[issue for issue, _ in issues]).delete()
    IssueSection.objects.bulk_create(
        (
            IssueSection(issue=issue, section=section, position=position)
            for issue, named in issues
            for position, section in enumerate(dict.fromkeys([*named, *standing]), start=1)
        ),
        batch_size=1000,
    )
