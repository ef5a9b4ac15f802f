"""The print view, the PDF and the Word file of an issue.

All three look the issue up through ``views.IssueMixin``: the public gets published issues only
(404 otherwise), staff may preview any issue, and previews are never cached.
"""

import logging

from django.http import FileResponse, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils.http import http_date, quote_etag
from django.views import View

from . import renditions
from .printing import content_disposition, print_document, render_print_html, rendition_filename
from .views import IssueMixin

logger = logging.getLogger(__name__)


class IssuePrintView(IssueMixin, View):
    """The issue laid out as the printed 简报; prints from the browser's own dialog."""

    def get(self, request, *args, **kwargs):
        return HttpResponse(render_print_html(print_document(issue=self.get_issue()), request=request))


class RenditionView(IssueMixin, View):
    """A stored rendition (PDF or Word) of the issue, rendered on the first request for each version."""

    format: renditions.Format
    inline = False

    def get(self, request, *args, **kwargs):
        issue = self.get_issue()
        name = renditions.rendition_name(issue=issue, format=self.format)
        etag = quote_etag(name.rsplit("-", 1)[-1])
        if request.headers.get("If-None-Match") == etag:
            return HttpResponseNotModified(headers={"ETag": etag})
        try:
            rendition = renditions.issue_rendition(issue=issue, format=self.format, name=name)
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
        response["ETag"] = etag
        response["Last-Modified"] = http_date(issue.updated_at.timestamp())
        response["X-Rendition"] = "rendered" if rendition.rendered else "cached"
        return response


class IssuePdfView(RenditionView):
    format = renditions.PDF
    # Opens in the browser's PDF viewer; saving it keeps the Chinese file name.
    inline = True


class IssueDocxView(RenditionView):
    format = renditions.DOCX
