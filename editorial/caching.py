"""HTTP validators and the rendered-page cache of the public pages.

A page's validators (ETag, Last-Modified) and its cache key come from content stamps read
fresh on every request: `Issue.updated_at` for an issue's own content (every write path
bumps it), an article's `updated_at`, and the archive stamp — how many issues are published
and the newest `updated_at` among them — for what depends on the set of published issues
(home, archive, neighbour links, lists, search). A change anywhere therefore gives the
affected pages a new ETag and a new cache key; nothing needs deleting.

Masthead, section and region names are not stamped: every key also carries a time window
of REFERENCE_WINDOW seconds, so a renamed section shows everywhere within that time.
Previews of unpublished issues are never cached (IssueMixin marks them never-cache).
"""

import calendar
import datetime
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Count, Max
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from redis.exceptions import RedisError

from .models import Issue

logger = logging.getLogger(__name__)


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
REFERENCE_WINDOW = 10 * 60
PAGE_TIMEOUT = REFERENCE_WINDOW


@dataclass(frozen=True)
class ArchiveStamp:
    """What the set of published issues looks like: their number and the newest change among them."""

    count: int
    latest: datetime.datetime | None

    @property
    def token(self) -> str:
        return f"{self.count}:{self.latest.isoformat() if self.latest else '-'}"


@dataclass(frozen=True)
class Validators:
    """A page's ETag (also its cache key) and Last-Modified."""

    etag: str
    last_modified: datetime.datetime | None


def archive_stamp() -> ArchiveStamp:
    """The archive stamp, in one query."""
    row = Issue.objects.published().aggregate(count=Count("pk"), latest=Max("updated_at"))
    return ArchiveStamp(count=row["count"], latest=row["latest"])


# Stands for the issue number while the stamp query is compiled (in the column's range, never a real number).
_NUMBER_MARKER = 2_147_480_001
# The largest value of the number column (PositiveIntegerField) on every database we run on.
_LARGEST_NUMBER = 2_147_483_647
_issue_stamp_sql: dict[str, tuple[str, tuple]] = {}


def _as_datetime(value) -> datetime.datetime:
    # Without the ORM's converters SQLite hands back naive UTC timestamps (computed ones as text).
    moment = parse_datetime(value) if isinstance(value, str) else value
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


def published_issue_stamp(*, number: int, using: str = DEFAULT_DB_ALIAS):
    """(pk, updated_at, archive stamp) of the published issue `number`, or None: one query, no ORM.

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
    return pk, _as_datetime(updated_at), ArchiveStamp(count=count, latest=_as_datetime(newest))


def stamped_key(*parts) -> str:
    """A short key for something that depends only on `parts` (stamps included) and the reference window."""
    window = int(time.time()) // REFERENCE_WINDOW
    source = "|".join([RENDER_VERSION, str(window), *map(str, parts)])
    return hashlib.sha256(source.encode()).hexdigest()[:40]


def page_validators(request, *stamps, last_modified: datetime.datetime | None) -> Validators:
    """Validators of the page at the request's URL whose content depends only on `stamps`."""
    return Validators(etag=f'"{stamped_key(request.get_full_path(), *stamps)}"', last_modified=last_modified)


def latest(*moments: datetime.datetime | None) -> datetime.datetime | None:
    """The latest of the moments given, ignoring missing ones."""
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def cache_get(key: str):
    """The cached value, or None when missing or when the cache is unreachable (the page still renders)."""
    try:
        return cache.get(key)
    except (RedisError, OSError):
        logger.warning("page cache unavailable; rendering without it", exc_info=True)
        return None


def cache_set(key: str, value, *, timeout: int = PAGE_TIMEOUT) -> None:
    """Store a value; an unreachable cache is logged, not an error."""
    try:
        cache.set(key, value, timeout)
    except (RedisError, OSError):
        logger.warning("page cache unavailable; not storing the page", exc_info=True)


def _with_validators(response: HttpResponse, validators: Validators) -> HttpResponse:
    response["ETag"] = validators.etag
    if validators.last_modified is not None:
        response["Last-Modified"] = http_date(validators.last_modified.timestamp())
    # Stored by browsers and proxies, but checked with us (a cheap 304) before every reuse.
    patch_cache_control(response, public=True, no_cache=True)
    return response


def _timestamp(validators: Validators) -> int | None:
    moment = validators.last_modified
    return calendar.timegm(moment.utctimetuple()) if moment is not None else None


def cached_response(request, validators: Validators, render) -> HttpResponse:
    """A 304 when the client's copy is current, else the page from the cache, else `render()` stored.

    `render` returns a response with the page's complete content (a rendered template).
    """
    not_modified = get_conditional_response(request, etag=validators.etag, last_modified=_timestamp(validators))
    if not_modified is not None:
        return _with_validators(not_modified, validators)
    key = "page:" + validators.etag.strip('"')
    # In development templates change under a running server: render every time.
    stored = None if settings.DEBUG else cache_get(key)
    if stored is not None:
        content, content_type = stored
        return _with_validators(HttpResponse(content, content_type=content_type), validators)
    response = render()
    if hasattr(response, "render"):
        response.render()
    if response.status_code == 200 and not settings.DEBUG:
        cache_set(key, (response.content, response["Content-Type"]))
    return _with_validators(response, validators)


class CachedPageMixin:
    """For views: GET answered through cached_response with the validators get_validators() gives.

    get_validators() returns None for a page that must not be cached (a preview).
    """

    def get_validators(self) -> Validators | None:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        validators = self.get_validators()
        if validators is None:
            return super().get(request, *args, **kwargs)
        return cached_response(request, validators, lambda: super(CachedPageMixin, self).get(request, *args, **kwargs))


def issue_page_validators(request, *, pk: int, updated_at: datetime.datetime, stamp: ArchiveStamp) -> Validators:
    """Validators of a published issue's page (the view and the readers' fast lane must agree)."""
    return page_validators(
        request, "issue", pk, updated_at.isoformat(), stamp.token, last_modified=latest(updated_at, stamp.latest)
    )


class CachedIssuePageMiddleware:
    """A reader's cached issue page served right after WhiteNoise, without the rest of the stack.

    The page everyone reads most, measured against a static file (bench/site.py): the full
    middleware stack alone costs about as much as serving the file. Only GET requests without
    cookies for /issues/<number>/ take this lane, and only once the full stack has rendered the
    page: its headers are stored with it and replayed. The content stamps are still read on
    every request (one plain query), so a change shows at once — or, with READER_STAMP_MAX_AGE_MS
    set, reused that long. Anything else — staff, other pages, a page not stored yet — goes
    through the stack unchanged.

    Each process also keeps the last LOCAL_PAGES pages it served. A key names one content (the
    stamps are in it), so a local copy is exactly as fresh as the shared cache's; it spares the
    round trip to Redis, which halved this lane's requests per second (bench/run.py).
    """

    LOCAL_PAGES = 64

    def __init__(self, get_response):
        self.get_response = get_response
        # Issue number → (when read, stamps), kept READER_STAMP_MAX_AGE_MS; dict operations are thread-safe.
        self._stamps: dict[int, tuple[float, tuple | None]] = {}
        # Key → (content, headers), least recently served first.
        self._pages: OrderedDict[str, tuple] = OrderedDict()
        self._pages_lock = threading.Lock()

    def __call__(self, request):
        number = self._issue_number(request)
        if number is None:
            return self.get_response(request)
        try:
            found = self._stamp(number)
        except DatabaseError:
            # The stack below answers a database outage properly (a 503 page).
            return self.get_response(request)
        if found is None:
            return self.get_response(request)
        validators = issue_page_validators(request, pk=found[0], updated_at=found[1], stamp=found[2])
        key = f"issue-page:{translation.get_language_from_request(request)}:{validators.etag.strip(chr(34))}"
        stored = None if settings.DEBUG else self._stored_page(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return get_conditional_response(
                request, etag=validators.etag, last_modified=_timestamp(validators), response=response
            )
        # The view below needs the same stamps: hand them over instead of reading them twice.
        request.published_issue_stamp = found
        response = self.get_response(request)
        if response.status_code == 200 and response.get("ETag") == validators.etag and not response.cookies:
            page = (response.content, list(response.items()))
            cache_set(key, page)
            self._keep_page(key, page)
        return response

    def _stored_page(self, key: str):
        with self._pages_lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                return page
        page = cache_get(key)
        if page is not None:
            self._keep_page(key, page)
        return page

    def _keep_page(self, key: str, page: tuple) -> None:
        with self._pages_lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.LOCAL_PAGES:
                self._pages.popitem(last=False)

    def _stamp(self, number: int):
        max_age = settings.READER_STAMP_MAX_AGE_MS / 1000
        if max_age <= 0:
            return published_issue_stamp(number=number)
        now = time.monotonic()
        remembered = self._stamps.get(number)
        if remembered is not None and now - remembered[0] < max_age:
            return remembered[1]
        found = published_issue_stamp(number=number)
        self._stamps[number] = (now, found)
        return found

    @staticmethod
    def _issue_number(request) -> int | None:
        if request.method != "GET" or request.META.get("HTTP_COOKIE"):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        return match.kwargs["number"] if match.view_name == "editorial:issue-detail" else None
