"""Public pages. Every issue lookup goes through IssueMixin, so staff preview and 404s work alike everywhere."""

from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.views.generic import TemplateView

from .models import Issue
from .selectors import issue_table_of_contents, issues_visible_to


class IssueMixin:
    """Looks up the issue in the URL among those the user may see.

    The public sees published issues only (404 otherwise); staff may preview any
    issue, and such a response is marked as a preview and never cached.
    """

    def get_issue(self) -> Issue:
        if not hasattr(self, "_issue"):
            self._issue = get_object_or_404(
                issues_visible_to(user=self.request.user).select_related("publication"), number=self.kwargs["number"]
            )
        return self._issue

    @property
    def is_preview(self) -> bool:
        return not self.get_issue().is_published

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if "number" in self.kwargs and self.is_preview:
            add_never_cache_headers(response)
        return response


class HomeView(TemplateView):
    template_name = "editorial/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issue = Issue.objects.published().newest_first().first()
        context["issue"] = issue
        context["toc"] = issue_table_of_contents(issue=issue) if issue else []
        return context
