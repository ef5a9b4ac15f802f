"""The admin site: every list refuses odd lookups with a message, and changing one's password is throttled.

Django's admin lets a list be filtered by any lookup on the model's own fields through the query
string (``?date__year=…``). Some lookups check their value only when the SQL is made — a year
outside 1–9999, a number too large for a date — and would answer 500. Every list on this site
(ours and the packages' alike, since the site wraps each ModelAdmin it registers) makes its SQL
before it runs it and turns such a value into the admin's own answer to a bad filter: back to the
unfiltered list, here with a message. Regular-expression lookups are refused outright: the database
rejects a malformed pattern only while running the query.
"""

import logging
from functools import cache

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models.constants import LOOKUP_SEP
from django.urls import reverse

from .password_change import ThrottledPasswordChangeView

logger = logging.getLogger(__name__)

REFUSED_LOOKUPS = {"regex", "iregex"}
BAD_FILTER_MESSAGE = "网址中的筛选条件无效（例如年份不在 1 至 9999 之间），已改为显示全部记录。"


@cache
def checked_changelist(changelist_class):
    """The changelist class with its query made (not run) as soon as it is built, so odd values fail early."""

    class CheckedChangeList(changelist_class):
        def get_queryset(self, request, exclude_parameters=None):
            try:
                queryset = super().get_queryset(request, exclude_parameters)
                if exclude_parameters is None:
                    # A year lookup works out its date range here: year 0 fails now, not while the page renders.
                    queryset.query.get_compiler(queryset.db, elide_empty=False).as_sql()
            except IncorrectLookupParameters:
                messages.warning(request, BAD_FILTER_MESSAGE)
                raise
            except (ValueError, OverflowError) as error:
                logger.info("admin list %s: refused filter %s (%s)", request.path, request.GET.urlencode(), error)
                messages.warning(request, BAD_FILTER_MESSAGE)
                raise IncorrectLookupParameters(error) from error
            return queryset

    CheckedChangeList.__name__ = CheckedChangeList.__qualname__ = changelist_class.__name__
    return CheckedChangeList


class CheckedLookupsMixin:
    """For ModelAdmins: the list checks its filters (above); regular-expression lookups are refused."""

    def get_changelist(self, request, **kwargs):
        return checked_changelist(super().get_changelist(request, **kwargs))

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP)[-1] in REFUSED_LOOKUPS:
            return False
        return super().lookup_allowed(lookup, value, request)


@cache
def with_checked_lookups(admin_class):
    if issubclass(admin_class, CheckedLookupsMixin):
        return admin_class
    return type(admin_class.__name__, (CheckedLookupsMixin, admin_class), {"__module__": admin_class.__module__})


class DigestAdminSite(admin.AdminSite):
    """The admin site of Digest CMS (the default site: `admin.site`, `@admin.register`)."""

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, with_checked_lookups(admin_class or admin.ModelAdmin), **options)

    def password_change(self, request, extra_context=None):
        request.current_app = self.name
        return ThrottledPasswordChangeView.as_view(
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )(request)
