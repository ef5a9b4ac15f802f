"""The page shown instead of the login (or password change) form once django-axes has locked an account out."""

import math

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse


def lockout_response(request, original_response=None, credentials=None):
    """A 429 page in the admin's look: why the login is refused, for how long, and whom to ask."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    # Wrong current passwords in the password change form count too (digest_cms/password_change.py).
    changing_password = getattr(request.resolver_match, "url_name", None) == "password_change"
    context = {
        **admin.site.each_context(request),
        "title": "修改密码已暂时锁定" if changing_password else "登录已暂时锁定",
        "changing_password": changing_password,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
    }
    return TemplateResponse(request, "registration/locked_out.html", context, status=429).render()
