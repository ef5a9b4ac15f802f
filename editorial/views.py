from django.views.generic import TemplateView

from .models import Issue


class HomeView(TemplateView):
    template_name = "editorial/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["issue"] = Issue.objects.published().newest_first().first()
        return context
