"""The shared cache as pages use it: a stored page, and a cache that may be down without taking the site with it."""

import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpResponse
from redis.exceptions import RedisError

from .keys import REFERENCE_WINDOW

logger = logging.getLogger("editorial.caching")
PAGE_TIMEOUT = REFERENCE_WINDOW


@dataclass(frozen=True)
class StoredPage:
    """A rendered page under its key: the content with its headers.

    `complete` when the headers are those of the whole middleware stack (stored by the readers'
    fast lane, which serves them as they are); a view stores its own response, whose headers the
    stack still completes on the way out.
    """

    content: bytes
    headers: tuple[tuple[str, str], ...]
    complete: bool = False

    def response(self, *, with_all_headers: bool) -> HttpResponse:
        response = HttpResponse(self.content)
        for name, value in self.headers:
            if with_all_headers or name.lower() == "content-type":
                response[name] = value
        return response


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
