"""Properties of the query parser, normalisation and highlighting (hypothesis), and of the search on the database."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editorial import search
from editorial.models import Article
from editorial.search import QueryError, parse_query
from editorial.text import normalise_for_match
from tests.factories import make_article, make_published_issue

# Text readers and editors actually type: CJK, full-width forms, ASCII, Chinese punctuation, all kinds of spaces.
CHARACTERS = st.sampled_from(
    list("长三角上海区块链浦东新区江苏浙江安徽基站的一")
    + list("ＡＩＳ５Ｇ（）＂　")
    + list("AaBbZz059()%_'\\\":!&|*-")
    + list("，。、“”《》：")
    + [" ", "\t", "\n", "\u3000", "\u200b", "\ufeff"]
)
TEXT = st.text(alphabet=CHARACTERS, max_size=60)
QUERY = st.text(alphabet=CHARACTERS, max_size=search.MAX_QUERY_LENGTH)


def parsed_or_none(raw: str):
    try:
        return parse_query(raw)
    except QueryError:
        return None


@given(QUERY)
def test_terms_are_normalised_non_empty_distinct_and_few(raw):
    terms = parsed_or_none(raw)
    if terms is None:
        return
    assert all(term and normalise_for_match(term) == term for term in terms)
    assert not any(character.isspace() for term in terms for character in term)
    assert len(set(terms)) == len(terms) <= search.MAX_TERMS


@given(QUERY)
def test_every_term_comes_from_the_query(raw):
    terms = parsed_or_none(raw)
    if terms is None:
        return
    assert all(term in normalise_for_match(raw) for term in terms)


@given(QUERY)
def test_parsing_the_terms_again_gives_the_same_terms(raw):
    terms = parsed_or_none(raw)
    if terms is None:
        return
    assert parse_query(" ".join(terms)) == terms


@given(st.text(max_size=search.MAX_QUERY_LENGTH))
def test_any_text_either_parses_or_is_refused_with_a_chinese_reason(raw):
    try:
        parse_query(raw)
    except QueryError as error:
        assert "请" in str(error)


@given(st.text(min_size=search.MAX_QUERY_LENGTH + 1, max_size=search.MAX_QUERY_LENGTH + 50))
def test_an_overlong_query_is_always_refused(raw):
    with pytest.raises(QueryError):
        parse_query(raw)


@given(st.text())
def test_normalisation_is_idempotent(text):
    assert normalise_for_match(normalise_for_match(text)) == normalise_for_match(text)


@given(TEXT)
def test_character_by_character_normalisation_agrees_with_the_whole_text(text):
    normalized, spans = search._normalised_with_spans(text)
    assert normalized == normalise_for_match(text)
    assert len(spans) == len(normalized)


@given(TEXT, QUERY)
def test_highlighting_keeps_the_text_and_marks_every_occurrence(text, raw):
    terms = parsed_or_none(raw) or ()
    fragments = search.highlight(text, terms)
    assert "".join(fragment.text for fragment in fragments) == text
    assert all(fragment.text for fragment in fragments)
    marked, offset = set(), 0
    for fragment in fragments:
        if fragment.is_match:
            marked.update(range(offset, offset + len(fragment.text)))
        offset += len(fragment.text)
    normalized, spans = search._normalised_with_spans(text)
    for term in terms:
        position = normalized.find(term)
        while position != -1:
            assert all(spans[index][0] in marked for index in range(position, position + len(term)))
            position = normalized.find(term, position + 1)


@given(TEXT, QUERY)
def test_an_excerpt_is_a_piece_of_the_text(text, raw):
    terms = parsed_or_none(raw) or ()
    fragments = search.excerpt(text, terms, length=20)
    inner = [fragment for fragment in fragments if fragment.text != "…"]
    assert "".join(fragment.text for fragment in inner) in " ".join(text.split())
    assert len("".join(fragment.text for fragment in inner)) <= 20


@given(title=TEXT, body=TEXT, data=st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_database_finds_an_article_by_any_piece_of_its_text_and_agrees_with_the_rule(title, body, data, db):
    """On PostgreSQL this runs through the bigram index; on SQLite through the substring scan."""
    issue = make_published_issue()
    try:
        article = make_article(issue=issue, title=title or "无题", body=body)
        text = normalise_for_match(article.title) + normalise_for_match(article.body)
        if text:
            start = data.draw(st.integers(0, len(text) - 1))
            piece = text[start : start + data.draw(st.integers(1, 6))]
            assert list(search.search_articles(Article.objects.published(), terms=[piece])) == (
                [article] if search.matches([piece], title=article.title, body=article.body) else []
            )
        raw = data.draw(QUERY)
        terms = parsed_or_none(raw) or ()
        hits = list(search.search_articles(Article.objects.published(), terms=terms))
        expected = not terms or search.matches(terms, title=article.title, body=article.body)
        assert hits == ([article] if expected else [])
    finally:
        issue.delete()
