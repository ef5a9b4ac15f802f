"""Content stamps: what a cached page's content depends on, read fresh (one query) on every request.

`Issue.updated_at` stamps an issue's own content (every write through the services moves it);
the archive stamp — how many issues are published and the newest `updated_at` among them —
stamps what depends on the set of published issues (home, back-issue list, neighbour links,
lists, search, feed, sitemap). A change anywhere gives the pages it touches a new key; nothing
needs deleting.
"""

import datetime
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import Issue


@dataclass(frozen=True)
class ArchiveStamp:
    """What the set of published issues looks like: their number and the newest change among them."""

    count: int
    latest: datetime.datetime | None

    @property
    def token(self) -> str:
        return f"{self.count}:{self.latest.isoformat() if self.latest else '-'}"


def archive_stamp() -> ArchiveStamp:
    """The archive stamp, in one query."""
    row = Issue.objects.published().aggregate(count=Count("pk"), latest=Max("updated_at"))
    return ArchiveStamp(count=row["count"], latest=row["latest"])


@dataclass(frozen=True)
class IssueStamp:
    """A published issue's id and content stamp, with the archive stamp its page also shows (neighbours)."""

    pk: int
    updated_at: datetime.datetime
    archive: ArchiveStamp

    @property
    def parts(self) -> tuple:
        """The stamps of the issue's page, as its key takes them (the view and the fast lane alike)."""
        return ("issue", self.pk, self.updated_at.isoformat(), self.archive.token)

    @property
    def last_modified(self) -> datetime.datetime:
        return latest(self.updated_at, self.archive.latest)


def latest(*moments: datetime.datetime | None) -> datetime.datetime | None:
    """The latest of the moments given, ignoring missing ones."""
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


# Stands for the issue number while the stamp query is compiled (in the column's range, never a real number).
_NUMBER_MARKER = 2_147_480_001
# The largest value of the number column (PositiveIntegerField) on every database we run on.
_LARGEST_NUMBER = 2_147_483_647
_issue_stamp_sql: dict[str, tuple[str, tuple]] = {}


def _as_datetime(value) -> datetime.datetime:
    # Without the ORM's converters SQLite hands back naive UTC timestamps (computed ones as text).
    moment = parse_datetime(value) if isinstance(value, str) else value
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


def published_issue_stamp(*, number: int, using: str = DEFAULT_DB_ALIAS) -> IssueStamp | None:
    """The stamps of the published issue `number`, or None: one query, no ORM.

    The hot path of a cached issue page. The SQL is compiled once per database from the same
    querysets as everywhere else (Issue.objects.published()), then only the number changes.
    """
    if using not in _issue_stamp_sql:
        issue = Issue.objects.published().filter(number=_NUMBER_MARKER).order_by().values_list("pk", "updated_at")
        archive = (
            Issue.objects.published()
            .order_by()
            .values("status")
            .annotate(issue_count=Count("pk"), newest=Max("updated_at"))
            .values_list("issue_count", "newest")
        )
        issue_sql, issue_params = issue.query.get_compiler(using=using).as_sql()
        archive_sql, archive_params = archive.query.get_compiler(using=using).as_sql()
        _issue_stamp_sql[using] = (
            f"SELECT * FROM ({issue_sql}) issue CROSS JOIN ({archive_sql}) archive",
            (*issue_params, *archive_params),
        )
    if not 0 < number <= _LARGEST_NUMBER:
        # No issue has it, and the raw query would fail on a number the column cannot hold.
        return None
    sql, params = _issue_stamp_sql[using]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [number if param == _NUMBER_MARKER else param for param in params])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, updated_at, count, newest = row
    return IssueStamp(pk=pk, updated_at=_as_datetime(updated_at), archive=ArchiveStamp(count, _as_datetime(newest)))


def issue_stamp(issue: Issue, archive: ArchiveStamp) -> IssueStamp:
    """The same stamps for an issue already loaded (staff, who may also preview)."""
    return IssueStamp(pk=issue.pk, updated_at=issue.updated_at, archive=archive)
