from django.utils.functional import SimpleLazyObject

from .models import Publication


def publication(request):
    """The masthead every page shows, read at most once per request and only when used."""
    return {"publication": SimpleLazyObject(Publication.objects.current)}
