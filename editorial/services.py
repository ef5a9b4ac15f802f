"""Writes: every change to issues and articles goes through a function here (or workflow.py)."""

import datetime

from django.db import transaction

from .models import Issue, IssueSection, Publication, Section


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
    return issue


def issue_section_ensure(*, issue: Issue, section: Section) -> IssueSection:
    """The section's place in the issue, appended after the others when it has none yet."""
    placed = IssueSection.objects.filter(issue=issue, section=section).first()
    if placed is not None:
        return placed
    last = IssueSection.objects.filter(issue=issue).order_by("-position").values_list("position", flat=True).first()
    return IssueSection.objects.create(issue=issue, section=section, position=(last or 0) + 1)
