"""The 批示 and 采用 panel on an article's admin page (staff only; reader templates never load this library)."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from ..models import Article

register = template.Library()


@register.inclusion_tag("admin/editorial/article/_records.html", takes_context=True)
def article_records(context, article: Article) -> dict:
    """The article's instructions and adoptions with the links to record more, as far as the user may see them."""
    user = context["request"].user
    back = reverse("admin:editorial_article_change", args=[article.pk]) + "#records"
    query = urlencode({"article": article.pk, "next": back})
    panel = {"article": article, "instructions": None, "adoptions": None}
    if user.has_perm("editorial.view_instruction"):
        panel["instructions"] = list(article.instructions.select_related("level").order_by("-date", "-pk"))
        panel["add_instruction_url"] = (
            reverse("admin:editorial_instruction_add") + "?" + query
            if user.has_perm("editorial.add_instruction")
            else ""
        )
    if user.has_perm("editorial.view_adoption"):
        panel["adoptions"] = list(article.adoptions.order_by("-date", "-pk"))
        panel["add_adoption_url"] = (
            reverse("admin:editorial_adoption_add") + "?" + query if user.has_perm("editorial.add_adoption") else ""
        )
    panel["back"] = urlencode({"next": back})
    return panel
