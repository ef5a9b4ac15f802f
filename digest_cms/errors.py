"""The error pages (400, 403, 404, 405, 500 and a refused CSRF check), in Chinese, each with a way back.

Readers get them in the site's design (templates/400.html …); under /admin/ staff get them in the
admin's (templates/admin/errors/…), with the refusal's own words when our code gave a reason, a link
back to the page they came from and, where it helps, to log in again. The 500 page is rendered
without the request's context processors (they may be what failed) and reads the masthead only
when the database answers.
"""

import logging
from contextlib import suppress
from functools import cache
from urllib.parse import urlsplit

from django.contrib import admin
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from editorial.models import Publication

logger = logging.getLogger(__name__)

TITLES = {
    400: "请求有误",
    403: "没有权限",
    404: "页面不存在",
    405: "这个地址不能直接打开",
    500: "系统出错了",
    "csrf": "页面已过期，这次提交没有生效",
}


@cache
def _admin_prefix() -> str:
    return reverse("admin:index")


def is_admin_request(request) -> bool:
    return request.path_info.startswith(_admin_prefix())


def _same_site_referer(request) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    try:
        return referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) else ""
    except DisallowedHost:  # the 400 for a bad Host header still renders
        return ""


def came_from(request) -> str:
    """The page the user came from, when it is on this site and not the failing address itself."""
    referer = _same_site_referer(request)
    return "" if urlsplit(referer).path == request.path else referer


def _reason(exception) -> str:
    """The refusal's own words, when our code gave some (Django's bare refusals carry none)."""
    message = str(exception or "").strip()
    return message if message and not message.isascii() else ""


def _render(request, code, status: int, **extra) -> HttpResponse:
    context = {"title": TITLES[code], "status": status, "back_url": came_from(request), **extra}
    if is_admin_request(request):
        # A request refused before authentication (a bad Host header) has no user for the admin's menus.
        if hasattr(request, "user"):
            context = {**admin.site.each_context(request), **context}
        template = f"admin/errors/{code}.html"
    else:
        template = f"{code}.html"
    return TemplateResponse(request, template, context, status=status).render()


@requires_csrf_token
def bad_request(request, exception=None):
    return _render(request, 400, 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _render(request, 403, 403, reason=_reason(exception))


@requires_csrf_token
def page_not_found(request, exception=None):
    return _render(request, 404, 404)


@requires_csrf_token
def csrf_failure(request, reason=""):
    logger.warning("CSRF check refused %s %s: %s", request.method, request.path, reason)
    # After logging in again: the page the form was on (the address posted to may take POST only).
    referer = urlsplit(_same_site_referer(request))
    login_next = referer.path + (f"?{referer.query}" if referer.query else "") or _admin_prefix()
    # Opening the page again (GET) is the way back, even when the refused form posted to that very address.
    return _render(request, "csrf", 403, login_next=login_next, back_url=_same_site_referer(request))


class MethodNotAllowedPageMiddleware:
    """Django answers a GET to a POST-only address (a bookmarked or reloaded button) with an empty 405: say why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        page = _render(request, 405, 405)
        page["Allow"] = response.get("Allow", "")
        return page


def server_error(request):
    context = {"title": TITLES[500], "admin_url": _admin_prefix()}
    with suppress(DatabaseError):
        context["publication"] = Publication.objects.current()
    template = "admin/errors/500.html" if is_admin_request(request) else "500.html"
    return HttpResponse(render_to_string(template, context), status=500)
