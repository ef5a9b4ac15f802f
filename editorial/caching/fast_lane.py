"""The readers' fast lane: a cached issue page served right after WhiteNoise, without the rest of the stack.

The page everyone reads most, measured against a static file (bench/site.py): the full
middleware stack alone costs about as much as serving the file. Only GET requests without
cookies for /issues/<number>/ take this lane, and only once the full stack has rendered the
page: the lane then stores the page under its one key (keys.py) with the stack's headers and
replays them. The content stamps are still read on every request (one plain query), so a change
shows at once — or, with READER_STAMP_MAX_AGE_MS set, reused that long. Anything else — staff,
other pages, a page not stored yet — goes through the stack unchanged.

Each process also keeps the last LOCAL_PAGES pages it served and the stamps of the last
LOCAL_STAMPS issue numbers asked for: both bounded, whatever numbers a client tries. A key names
one content, so a local copy is exactly as fresh as the shared cache's; it spares the round
trip to Redis, which halved this lane's requests per second (bench/run.py).
"""

import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.db import DatabaseError
from django.http import QueryDict
from django.urls import Resolver404, resolve

from .keys import page_key
from .pages import conditional, holds_current_copy, not_modified
from .stamps import published_issue_stamp
from .store import StoredPage, cache_get, cache_set


class _Recent(OrderedDict):
    """At most `size` entries, the least recently used dropped first; one lock for every thread of a worker."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size
        self.lock = threading.Lock()

    def get_recent(self, key):
        with self.lock:
            value = self.get(key)
            if value is not None:
                self.move_to_end(key)
            return value

    def keep(self, key, value) -> None:
        with self.lock:
            self[key] = value
            self.move_to_end(key)
            while len(self) > self.size:
                self.popitem(last=False)


class CachedIssuePageMiddleware:
    LOCAL_PAGES = 64
    LOCAL_STAMPS = 1024

    def __init__(self, get_response):
        self.get_response = get_response
        # Issue number → (when read, stamps or None), reused READER_STAMP_MAX_AGE_MS.
        self._stamps = _Recent(self.LOCAL_STAMPS)
        # Cache key → StoredPage, the pages this process served last.
        self._pages = _Recent(self.LOCAL_PAGES)

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
        # The issue page reads no query parameters: its key is the view's for the same stamps.
        page = page_key(path=request.path, params=QueryDict(), stamps=found.parts, last_modified=found.last_modified)
        if holds_current_copy(request, page):
            return not_modified(page)
        stored = None if settings.DEBUG else self._stored_page(page.cache_key)
        if stored is not None:
            return conditional(request, stored.response(with_all_headers=True), page)
        # The view below needs the same stamps: hand them over instead of reading them twice.
        request.published_issue_stamp = found
        response = self.get_response(request)
        if response.status_code == 200 and response.get("ETag") == page.etag and not response.cookies:
            stored = StoredPage(response.content, tuple(response.items()), complete=True)
            cache_set(page.cache_key, stored)
            self._pages.keep(page.cache_key, stored)
        return response

    def _stored_page(self, key: str) -> StoredPage | None:
        """A page stored with the whole stack's headers; a view's own entry is completed on the next render."""
        page = self._pages.get_recent(key)
        if page is None:
            page = cache_get(key)
            if not isinstance(page, StoredPage) or not page.complete:
                return None
            self._pages.keep(key, page)
        return page

    def _stamp(self, number: int):
        max_age = settings.READER_STAMP_MAX_AGE_MS / 1000
        if max_age <= 0:
            return published_issue_stamp(number=number)
        now = time.monotonic()
        remembered = self._stamps.get_recent(number)
        if remembered is not None and now - remembered[0] < max_age:
            return remembered[1]
        found = published_issue_stamp(number=number)
        self._stamps.keep(number, (now, found))
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
