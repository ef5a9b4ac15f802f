"""The page shown instead of the login form once django-axes has locked an account out (AXES_LOCKOUT_CALLABLE)."""

import math

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse


def lockout_response(request, original_response=None, credentials=None):
    """A 429 page in the admin's look: why the login is refused, for how long, and whom to ask."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {
        **admin.site.each_context(request),
        "title": "登录已暂时锁定",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
    }
    return TemplateResponse(request, "registration/locked_out.html", context, status=429).render()
