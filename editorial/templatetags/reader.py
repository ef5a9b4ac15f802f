"""Template helpers of the public pages: search-term highlighting and excerpts, always HTML-escaped."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from editorial import formatting, search

register = template.Library()


def _render(fragments: list[search.Fragment]) -> SafeString:
    # Every piece of text is escaped before the <mark> tags are added around it.
    return mark_safe(
        "".join(
            f"<mark>{escape(fragment.text)}</mark>" if fragment.is_match else escape(fragment.text)
            for fragment in fragments
        )
    )


@register.filter
def highlight(text, terms) -> SafeString:
    """`text` with the parts matching the search terms in <mark>."""
    return _render(search.highlight(str(text), terms or ()))


# After a Chinese sentence end the next paragraph follows directly; elsewhere a space keeps words apart.
_CLOSES_SENTENCE = tuple("。！？；：…”’）」』")


def _run_on(paragraphs: list[str]) -> str:
    text = ""
    for paragraph in paragraphs:
        text += ("" if not text or text.endswith(_CLOSES_SENTENCE) else " ") + paragraph
    return text


@register.filter
def excerpt(article, terms) -> SafeString:
    """A short passage of the article's body around the first match, matches in <mark>."""
    return _render(search.excerpt(_run_on(article.paragraphs), terms or ()))


@register.filter
def chinese_date(value) -> str:
    """2020年10月30日 (no leading zeros), the way the masthead prints dates."""
    return formatting.chinese_date(value)


@register.simple_tag
def page_numbers(page_obj) -> list:
    """The page numbers to link around the current page, with the paginator's ellipsis between gaps."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1))
