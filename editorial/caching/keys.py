"""The one key of every cached page: its path, the query parameters it reads, and the content stamps it shows.

A page's cache key is also its ETag, so the readers' fast lane, the views, the feed and the sitemap
all find a page under one name, and a page is stored once. Parameters a view does not read
(`utm_source`, random junk) are dropped before the key is made — and before the view runs, so
the page cannot depend on them either.
"""

import datetime
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import QueryDict


def _render_fingerprint() -> str:
    """What rendered pages depend on besides the data (templates, static files, code), as one short hash.

    Part of every key and ETag, so a release never serves pages rendered by the one before,
    even from a shared Redis.
    """
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder, pattern in (
        (base / "templates", "**/*.html"),
        (base / "static", "**/*.*"),
        (base / "editorial", "**/*.py"),
    ):
        for path in sorted(folder.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RENDER_VERSION = _render_fingerprint()
# Masthead, section and region names carry no stamp: a renamed section shows everywhere within this time.
REFERENCE_WINDOW = 10 * 60


def stamped_key(*parts) -> str:
    """A short key for something that depends only on `parts` (stamps included) and the reference window."""
    window = int(time.time()) // REFERENCE_WINDOW
    source = "|".join([RENDER_VERSION, str(window), *map(str, parts)])
    return hashlib.sha256(source.encode()).hexdigest()[:40]


def page_params(query: QueryDict, names: Sequence[str]) -> QueryDict:
    """The query reduced to the parameters a page reads, in the page's order; blank values count as absent."""
    kept = QueryDict(mutable=True)
    for name in names:
        values = [value for value in query.getlist(name) if value.strip()]
        if values:
            kept.setlist(name, values)
    kept._mutable = False
    return kept


@dataclass(frozen=True)
class PageKey:
    """Where a page is cached and how clients validate their copy of it."""

    key: str
    last_modified: datetime.datetime | None

    @property
    def etag(self) -> str:
        return f'"{self.key}"'

    @property
    def cache_key(self) -> str:
        return f"page:{self.key}"


def page_key(*, path: str, params: QueryDict, stamps: Sequence, last_modified: datetime.datetime | None) -> PageKey:
    """The key of the page at `path` with `params` (already reduced) whose content depends only on `stamps`."""
    return PageKey(key=stamped_key(path, params.urlencode(), *stamps), last_modified=last_modified)
