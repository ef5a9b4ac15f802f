"""Cached public pages: one key per page, content stamps instead of purges, a fast lane for issue pages.

    keys.py       the one key (and ETag) of a page: path, the parameters it reads, its stamps
    stamps.py     the content stamps a page depends on, read fresh on every request
    store.py      a stored page in the shared cache, and a cache that may be down
    pages.py      answering a request from its key: 304, stored page, or render and store once
    fast_lane.py  readers' issue pages served ahead of the middleware stack

Previews of unpublished issues are never cached (IssueMixin marks them never-cache).
README.md, "Caching", has the table of every cache, its key, what renews it and how long it lives.
"""

from .fast_lane import CachedIssuePageMiddleware
from .keys import REFERENCE_WINDOW, stamped_key
from .pages import CachedPageMixin, cached_response
from .stamps import ArchiveStamp, IssueStamp, archive_stamp, issue_stamp, latest, published_issue_stamp
from .store import cache_get, cache_set

__all__ = [
    "REFERENCE_WINDOW",
    "ArchiveStamp",
    "CachedIssuePageMiddleware",
    "CachedPageMixin",
    "IssueStamp",
    "archive_stamp",
    "cache_get",
    "cache_set",
    "cached_response",
    "issue_stamp",
    "latest",
    "published_issue_stamp",
    "stamped_key",
]
