"""The database's bigrams (PostgreSQL's generated search column, migrations 0006 and 0015) are those of
editorial.search.bigrams() within each line, and each line's last character with the line break."""

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from editorial import search

pytestmark = pytest.mark.django_db

TEXTS = [
    "",
    "沪",
    "区块链",
    "哈哈哈哈",
    "标题\n正文第一段",
    "\n\n",
    "a\nb",
    "AIS基站 5G",
    "引号'与\\反斜杠",
    "𠮷野家𠮷野家",  # outside the Basic Multilingual Plane
]


def database_bigrams(text: str) -> set[str] | None:
    """The lexemes of editorial_search_bigrams(text), or None where the database has no such function (SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(editorial_search_bigrams(%s))", [text])
        return set(cursor.fetchone()[0])


def expected(text: str) -> set[str] | None:
    if connection.vendor != "postgresql":
        return None
    line_ends = {line[-1] + "\n" for line in text.split("\n") if line}
    return {piece for piece in search.bigrams(text) if "\n" not in piece} | line_ends


@pytest.mark.parametrize("text", TEXTS)
def test_the_database_cuts_a_text_into_the_same_bigrams_as_python(text):
    assert database_bigrams(text) == expected(text)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("长三角区块链沪浙苏皖\n 'a\\𠮷"), max_size=40))
def test_the_database_bigrams_match_python_on_random_text(text):
    assert database_bigrams(text) == expected(text)
