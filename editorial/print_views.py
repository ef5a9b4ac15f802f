"""The print view, the PDF and the Word file of an issue.

All three look the issue up through ``views.IssueMixin``: the public gets published issues only
(404 otherwise), staff may preview any issue, and previews are never cached.
"""

import calendar
import hashlib
import logging

from django.http import FileResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.views import View
from django.views.generic import TemplateView

from . import renditions
from .caching import CachedPageMixin
from .printing import PRINT_TEMPLATE, content_disposition, print_context, print_document, rendition_filename
from .views import IssueMixin

logger = logging.getLogger(__name__)


class IssuePrintView(IssueMixin, CachedPageMixin, TemplateView):
    """The issue laid out as the printed 简报; prints from the browser's own dialog."""

    template_name = PRINT_TEMPLATE

    def get_stamps(self):
        if self.is_preview:
            return None
        issue = self.get_issue()
        return ("print", issue.pk, issue.updated_at.isoformat()), issue.updated_at

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **print_context(print_document(issue=self.get_issue()))}


class RenditionView(IssueMixin, View):
    """A stored rendition (PDF or Word) of the issue, rendered on the first request for each version."""

    format: renditions.Format
    inline = False

    def get(self, request, *args, **kwargs):
        issue = self.get_issue()
        name = renditions.rendition_name(issue=issue, format=self.format)
        # A digest of the storage name: changes with every version, and never tells where the file is.
        etag = quote_etag(hashlib.sha256(name.encode()).hexdigest()[:32])
        if not self.is_preview:
            not_modified = get_conditional_response(
                request, etag=etag, last_modified=calendar.timegm(issue.updated_at.utctimetuple())
            )
            if not_modified is not None:
                return self._with_validators(not_modified, etag=etag)
        try:
            rendition = renditions.issue_rendition(issue=issue, format=self.format, name=name)
        except renditions.RenditionBusy as exc:
            return self._busy(request, issue=issue, reason=str(exc), retry_after=exc.retry_after)
        except renditions.RenditionError as exc:
            logger.warning("No %s for issue %s: %s", self.format.label, issue.number, exc)
            return render(
                request,
                "editorial/print/unavailable.html",
                {"issue": issue, "format": self.format, "reason": str(exc)},
                status=503,
            )
        response = FileResponse(rendition.open(), content_type=self.format.content_type)
        response["Content-Disposition"] = content_disposition(
            filename=rendition_filename(issue=issue, extension=self.format.extension),
            ascii_fallback=f"digest-{issue.date.year}-{issue.number}.{self.format.extension}",
            inline=self.inline,
        )
        response["X-Rendition"] = "rendered" if rendition.rendered else "cached"
        return self._with_validators(response, etag=etag)

    def _busy(self, request, *, issue, reason: str, retry_after: int):
        """The 503 page asking the reader to come back in a few seconds (it reloads itself then)."""
        response = render(
            request,
            "editorial/print/busy.html",
            {"issue": issue, "format": self.format, "reason": reason, "retry_after": retry_after},
            status=503,
        )
        response["Retry-After"] = str(retry_after)
        add_never_cache_headers(response)
        return response

    def _with_validators(self, response, *, etag: str):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(self.get_issue().updated_at.timestamp())
        if not self.is_preview:
            # Kept by browsers and proxies, but checked with us (a cheap 304) before every reuse.
            patch_cache_control(response, public=True, no_cache=True)
        return response


class IssuePdfView(RenditionView):
    format = renditions.PDF
    # Opens in the browser's PDF viewer; saving it keeps the Chinese file name.
    inline = True


class IssueDocxView(RenditionView):
    format = renditions.DOCX
