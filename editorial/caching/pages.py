"""Answering a page request from its key: 304 for a current copy, the stored page, or a fresh render stored once."""

import calendar
from collections.abc import Callable, Sequence

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_etags

from .keys import PageKey, page_key, page_params
from .store import StoredPage, cache_get, cache_set


def with_validators(response: HttpResponse, page: PageKey) -> HttpResponse:
    response["ETag"] = page.etag
    if page.last_modified is not None:
        response["Last-Modified"] = http_date(page.last_modified.timestamp())
    # Stored by browsers and proxies, but checked with us (a cheap 304) before every reuse.
    patch_cache_control(response, public=True, no_cache=True)
    return response


def holds_current_copy(request, page: PageKey) -> bool:
    """Whether the client names this very version (an exact ETag; `*` or a date alone do not prove the page exists)."""
    return page.etag in parse_etags(request.headers.get("If-None-Match", ""))


def not_modified(page: PageKey) -> HttpResponse:
    return with_validators(HttpResponseNotModified(), page)


def conditional(request, response: HttpResponse, page: PageKey) -> HttpResponse:
    """The response, or a 304 when the client's copy is current — asked only of a page that exists."""
    if response.status_code != 200:
        return response
    moment = page.last_modified
    timestamp = calendar.timegm(moment.utctimetuple()) if moment is not None else None
    return get_conditional_response(request, etag=page.etag, last_modified=timestamp, response=response)


def cached_response(
    request,
    *,
    params: Sequence[str],
    stamps: Sequence,
    last_modified,
    render: Callable[[], HttpResponse],
) -> HttpResponse:
    """The page for this request from its one key (keys.py); `render()` makes it when it is not stored.

    Only the query parameters named in `params` reach the key and the view (`request.GET` is
    reduced to them first), so a junk parameter neither makes a new entry nor shows in the page.
    """
    request.GET = page_params(request.GET, params)
    page = page_key(path=request.path, params=request.GET, stamps=stamps, last_modified=last_modified)
    if holds_current_copy(request, page):
        return not_modified(page)
    # In development templates change under a running server: render every time.
    stored = None if settings.DEBUG else cache_get(page.cache_key)
    if isinstance(stored, StoredPage):
        response = stored.response(with_all_headers=False)
    else:
        response = render()
        if hasattr(response, "render"):
            response.render()
        if response.status_code == 200 and not settings.DEBUG:
            cache_set(page.cache_key, StoredPage(response.content, (("Content-Type", response["Content-Type"]),)))
    return conditional(request, with_validators(response, page), page)


class CachedPageMixin:
    """For views: GET answered through cached_response with the key the view's stamps give.

    `cache_params` names the query parameters the page reads; get_stamps() returns the page's
    (stamps, last_modified), or None for a page that must not be cached (a preview).
    """

    cache_params: Sequence[str] = ()

    def get_stamps(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        stamps = self.get_stamps()
        if stamps is None:
            return super().get(request, *args, **kwargs)
        parts, last_modified = stamps
        return cached_response(
            request,
            params=self.cache_params,
            stamps=parts,
            last_modified=last_modified,
            render=lambda: super(CachedPageMixin, self).get(request, *args, **kwargs),
        )
