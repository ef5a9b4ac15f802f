"""/healthz for load balancers: 200 when the database (and a configured shared cache) answer, 503 otherwise."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("healthz: database unavailable", exc_info=True)
        return False


def _cache_ok() -> bool:
    try:
        cache.set("healthz", "ok", timeout=10)
        return cache.get("healthz") == "ok"
    except (RedisError, OSError):
        logger.warning("healthz: cache unavailable", exc_info=True)
        return False


@never_cache
def healthz(request):
    checks = {"database": _database_ok()}
    if settings.CACHE_URL:
        checks["cache"] = _cache_ok()
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )
