"""When the database is down, answer at once with a 503 page instead of a traceback or a hang."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable: %s %s: %s", request.method, request.path, exception)
        # The page is rendered without a request context: its context processors would query the database.
        nonce = getattr(request, "csp_nonce", "")
        response = HttpResponse(render_to_string("503.html", {"csp_nonce": nonce}), status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
