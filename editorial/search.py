"""Search that works for Chinese: normalisation, query parsing, the search selector, highlighting.

Chinese has no spaces between words, so word-based full-text search misses: here every
whitespace-separated term of the query must occur in the article's title or body as a
substring. Both sides are compared in one normal form (`text.normalise_for_match`): NFKC (full-width
letters, digits and brackets become the ordinary ones), case-folded, with whitespace and
invisible format characters removed — so `AIS基站` finds `AIS 基站` and `长三角(上海)`
finds `长三角（上海）`. Articles store that form of their title and text
(`Article.derive_fields`).

Ranking: articles with more terms in the title first, then more occurrences of the terms
in title and body, then the newest issue.

On PostgreSQL a generated `tsvector` column holds the overlapping character bigrams of the
stored text (migration 0003), GIN-indexed, as Lucene's CJK analyzer and pg_bigm index
Chinese. A query first narrows the candidates to articles holding every bigram of its
terms, then the substring filter confirms each term, so the index never adds a false hit.
A one-character term has no bigram: the index finds it as the first character of a piece (a
prefix query), since each line's last character also begins one, with the line break
(migration 0015). On SQLite the substring filter is the whole of the search (same results,
slower on a large archive).

A reader's search (SearchResults) ranks at most its newest RANKED_HITS hits, so that its cost
follows the page and not the archive: ranking every hit of a common term reads thousands of
articles. A sample of the table (editorial.estimates) says how many hits there are, and so
which way of finding the newest ones reads fewer articles: through the bigram index (every
hit, then sorted by date) or reading articles newest first until enough are found. Beyond
RANKED_HITS the count shown is the sample's estimate, and the page says only the newest are ranked.
"""

import functools
import operator
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import BooleanField, Case, Func, IntegerField, QuerySet, Value, When
from django.db.models.expressions import ExpressionWrapper, RawSQL
from django.db.models.functions import Replace

from . import estimates
from .text import fold, normalise_for_match

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
# Joins the title and the body in the stored text; normalised text never contains whitespace,
# so no term can match across the join.
TITLE_BODY_SEPARATOR = "\n"
# A double-quoted phrase (an unclosed quote runs to the end), or a run of other non-space characters.
_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')


class QueryError(ValueError):
    """A query the search refuses, with the reason worded for the reader."""


@dataclass(frozen=True)
class Fragment:
    """A piece of displayed text, marked when it is part of a match."""

    text: str
    is_match: bool = False


def search_fields(*, title: str, body: str) -> tuple[str, str]:
    """The stored search fields of an article: its normalised title, and normalised title and body."""
    search_title = normalise_for_match(title)
    return search_title, search_title + TITLE_BODY_SEPARATOR + normalise_for_match(body)


def parse_query(raw: str) -> tuple[str, ...]:
    """The normalised terms of a reader's query, in order, without duplicates.

    Terms are separated by whitespace (the ideographic space too). Text in ASCII double
    quotes is one term; since whitespace inside a term is ignored anyway, `"AIS 基站"` and
    `AIS基站` are the same term. Terms that normalise to nothing are dropped.
    Raises QueryError for a query longer than MAX_QUERY_LENGTH or with more than MAX_TERMS terms.
    """
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryError(f"检索词太长了：最多 {MAX_QUERY_LENGTH} 个字，请精简后再试。")
    terms: list[str] = []
    for phrase, word in _TOKEN.findall(fold(raw)):
        term = normalise_for_match(phrase or word)
        if term and term not in terms:
            terms.append(term)
    if len(terms) > MAX_TERMS:
        raise QueryError(f"关键词太多了：最多 {MAX_TERMS} 个，请删去一些再试。")
    return tuple(terms)


def matches(terms: Sequence[str], *, title: str, body: str) -> bool:
    """Whether an article with this title and body is a hit for the terms (the rule the database applies)."""
    _, text = search_fields(title=title, body=body)
    return all(term in text for term in terms)


def bigrams(text: str) -> list[str]:
    """The distinct overlapping two-character pieces of `text`, in order of first appearance."""
    return list(dict.fromkeys(text[index : index + 2] for index in range(len(text) - 1)))


def bigram_tsquery(terms: Sequence[str]) -> str:
    """A PostgreSQL tsquery requiring every bigram of the terms; without any, a piece beginning with each term.

    The prefix query of a one-character term reads the posting lists of every piece the character
    begins, so it is asked only when no bigram narrows the search. Lexemes are quoted so they are
    taken verbatim (quotes and backslashes doubled).
    """
    pieces = dict.fromkeys(piece for term in terms for piece in bigrams(term))
    if pieces:
        return " & ".join(_lexeme(piece) for piece in pieces)
    return " & ".join(_lexeme(term) + ":*" for term in dict.fromkeys(terms))


def _lexeme(piece: str) -> str:
    return "'" + piece.replace("\\", "\\\\").replace("'", "''") + "'"


class _BigramMatch(RawSQL):
    """The bigram index condition (PostgreSQL).

    It names the article table by the alias of the query it is compiled in: inside a subquery
    Django calls the table U0, and the table's own name there would be the outer query's row
    (a correlated subquery, run once per article).
    """

    def __init__(self, tsquery: str):
        super().__init__("search_bigrams @@ %s::tsquery", (tsquery,), output_field=BooleanField())

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        return f"({table}.{self.sql})", self.params


def values_without_table_scan(queryset: QuerySet, *fields: str) -> list[tuple]:
    """The queryset's rows as tuples of `fields`, PostgreSQL told not to read the whole table for them.

    Through the bigram index. PostgreSQL's planner prices LIKE and reading the bigram vectors at
    almost nothing per row, so once a bigram is in a few percent of the articles it scans the whole
    table instead. On the generated archive the index path was faster for every term measured, up
    to a bigram in three quarters of the articles (24 ms against 41 ms), and three times faster for
    one in a fifth (12 ms against 35 ms). The setting lasts for this one query.
    """
    return _values_with_settings(queryset, fields, WITHOUT_TABLE_SCAN)


def values_newest_first(queryset: QuerySet, *fields: str) -> list[tuple]:
    """The rows of a query limited to the newest hits, read by walking the issues newest first until the limit."""
    return _values_with_settings(queryset, fields, NEWEST_FIRST)


WITHOUT_TABLE_SCAN = ("enable_seqscan",)
# PostgreSQL estimates LIKE '%…%' on the body text far too low for terms of several characters (11 rows
# for 人工智能, which 8,000 of 112,000 articles hold), so it expects no limit to stop a walk early and
# reads every article through some index, then sorts: 194 ms. With sorting, materialising and hash and
# merge joins priced out, the plan left walks issue_date_number_idx, looks up each issue's articles and
# stops at the limit (incremental sort): 22 ms. Priced-out plans look expensive enough to be
# JIT-compiled (150 ms), so JIT is off as well.
NEWEST_FIRST = ("enable_seqscan", "enable_sort", "enable_material", "enable_hashjoin", "enable_mergejoin", "jit")


def _values_with_settings(queryset: QuerySet, fields: Sequence[str], switched_off: Sequence[str]) -> list[tuple]:
    if connections[queryset.db].vendor != "postgresql":
        return list(queryset.values_list(*fields))
    # One statement to switch them off for this transaction and one to restore them: inside an outer
    # transaction a local setting would otherwise outlive this query.
    switch = ", ".join("current_setting(%s), set_config(%s, 'off', true)" for _ in switched_off)
    restore = ", ".join("set_config(%s, %s, true)" for _ in switched_off)
    with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
        cursor.execute(f"SELECT {switch}", [name for setting in switched_off for name in (setting, setting)])
        before = cursor.fetchone()[::2]
        rows = list(queryset.values_list(*fields))
        cursor.execute(
            f"SELECT {restore}", [value for pair in zip(switched_off, before, strict=True) for value in pair]
        )
    return rows


class _Size(Func):
    """A text's size in the unit the database finds fastest: bytes on PostgreSQL (no scan), characters elsewhere."""

    function = "LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="OCTET_LENGTH", **extra_context)


def search_articles(queryset: QuerySet, *, terms: Sequence[str]) -> QuerySet:
    """The articles of `queryset` containing every term, best first; `queryset` unchanged without terms.

    Annotates `title_hits` (how many terms the title contains) and `hits` (occurrences of
    all terms in title and body).
    """
    if not terms:
        return queryset
    return rank(through_bigram_index(matching(queryset, terms=terms), terms=terms), terms=terms)


def matching(queryset: QuerySet, *, terms: Sequence[str]) -> QuerySet:
    """The articles of `queryset` containing every term (the substring rule), in the queryset's order."""
    for term in terms:
        queryset = queryset.filter(search_text__contains=term)
    return queryset


def through_bigram_index(queryset: QuerySet, *, terms: Sequence[str]) -> QuerySet:
    """`queryset` (already matching the terms) with the bigram condition PostgreSQL's GIN index answers.

    The same rows: the substring filters stay authoritative. Unchanged on other databases.
    """
    if connections[queryset.db].vendor == "postgresql" and any(terms):
        queryset = queryset.filter(_BigramMatch(bigram_tsquery(terms)))
    return queryset


def rank(queryset: QuerySet, *, terms: Sequence[str]) -> QuerySet:
    """`queryset` best first: more terms in the title, then more occurrences, then the newer issue."""
    title_hits = functools.reduce(
        operator.add, (Case(When(search_title__contains=term, then=Value(1)), default=Value(0)) for term in terms)
    )
    # Occurrences: how much the text shrinks when the term is removed, in units of the term's size.
    hits = functools.reduce(
        operator.add,
        (
            ExpressionWrapper(
                (_Size("search_text") - _Size(Replace("search_text", Value(term), Value("")))) / _Size(Value(term)),
                output_field=IntegerField(),
            )
            for term in terms
        ),
    )
    return queryset.annotate(title_hits=title_hits, hits=hits).order_by(
        "-title_hits", "-hits", "-issue__date", "-issue__number", "position", "pk"
    )


@functools.lru_cache(maxsize=20_000)
def _normalised_piece(piece: str) -> str:
    # Articles repeat the same few thousand characters, so highlighting mostly looks them up here.
    return normalise_for_match(piece)


# Characters normalise_for_match() leaves as they are, one for one: CJK ideographs (no decomposition, no
# case), a–z and 0–9. Highlighting maps runs of them at once instead of a character at a time.
_UNCHANGED_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffa-z0-9]+")


def _normalised_with_spans(text: str) -> tuple[str, list[tuple[int, int]]]:
    """normalise_for_match(text), and for each of its characters the span of `text` it came from.

    Works a character at a time (with any combining marks that follow it), which gives the
    same string as normalise_for_match() for all but exotic input; highlighting then at worst misses a mark.
    """
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    start, length = 0, len(text)
    while start < length:
        run = _UNCHANGED_RUN.match(text, start)
        end = run.end() if run else start
        if end < length and unicodedata.combining(text[end]):
            end -= 1  # that character goes with its combining marks, below
        if end > start:
            pieces.append(text[start:end])
            spans.extend(zip(range(start, end), range(start + 1, end + 1), strict=True))
            start = end
            continue
        end = start + 1
        while end < length and unicodedata.combining(text[end]):
            end += 1
        folded = _normalised_piece(text[start:end])
        pieces.append(folded)
        spans.extend([(start, end)] * len(folded))
        start = end
    return "".join(pieces), spans


def _match_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """The spans of `text` that match any term, merged and in order."""
    normalized, spans = _normalised_with_spans(text)
    found: list[tuple[int, int]] = []
    for term in terms:
        position = normalized.find(term)
        while position != -1:
            found.append((spans[position][0], spans[position + len(term) - 1][1]))
            position = normalized.find(term, position + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _fragments(text: str, spans: list[tuple[int, int]], start: int, end: int) -> list[Fragment]:
    fragments: list[Fragment] = []
    cursor = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        if span_start > cursor:
            fragments.append(Fragment(text[cursor:span_start]))
        fragments.append(Fragment(text[span_start:span_end], is_match=True))
        cursor = span_end
    if cursor < end:
        fragments.append(Fragment(text[cursor:end]))
    return fragments


def highlight(text: str, terms: Sequence[str]) -> list[Fragment]:
    """`text` cut into fragments, the parts matching a term marked."""
    return _fragments(text, _match_spans(text, terms), 0, len(text))


def excerpt(text: str, terms: Sequence[str], *, length: int = 110, lead: int = 24) -> list[Fragment]:
    """About `length` characters of `text` around its first match (its start when none), matches marked.

    An ellipsis fragment stands for text cut at either end.
    """
    text = " ".join(text.split())
    spans = _match_spans(text, terms)
    start = max(0, spans[0][0] - lead) if spans else 0
    end = min(len(text), start + length)
    start = max(0, end - length)
    fragments = _fragments(text, spans, start, end)
    if start > 0:
        fragments.insert(0, Fragment("…"))
    if end < len(text):
        fragments.append(Fragment("…"))
    return fragments


# A search ranks its newest RANKED_HITS hits at most (25 pages of 20); the count beyond is estimated.
RANKED_HITS = 500
# Reading a hit through the bigram index costs about twice as much as reading the next article newest
# first: index hits are scattered over the table, an issue's articles lie together (5,000 issues, PostgreSQL).
INDEX_READ_COST = 2


def reads_index_first(*, hits: int, table_rows: int, wanted: int) -> bool:
    """Whether the newest `wanted` of `hits` hits are cheaper to find through the bigram index than newest first.

    Through the index PostgreSQL reads every hit and sorts them by date; newest first it reads
    about wanted × table_rows / hits articles, checking each, until it has `wanted`.
    """
    if hits <= wanted:
        return True
    return INDEX_READ_COST * hits < wanted * table_rows / hits


class SearchResults(Sequence):
    """A search's results as Paginator takes them, at a cost that follows the page rather than the archive.

    With terms: the newest RANKED_HITS + 1 hits are found (the sample of editorial.estimates tells
    whether through the bigram index or newest first), the newest RANKED_HITS of them ranked in one
    narrow query, and each page loads only its own rows. With more hits than that, `total` is the
    sample's estimate and `truncated` is true: only the newest are ranked. Without terms (filters
    only) the rows are the queryset's own, newest first, a page at a time, and `total` is exact or
    estimated (estimates.count). `queryset` holds the matching articles (`matching()`), newest first;
    `load` turns a queryset of a page's articles into the rows to show (e.g. with related objects).
    """

    def __init__(self, queryset: QuerySet, *, terms: Sequence[str] = (), load=lambda articles: articles, remember=None):
        self._queryset = queryset
        self._terms = tuple(terms)
        self._load = load
        # remember: an optional (get, set) pair keeping the ranking and count for the next pages of the same search.
        self._remember = remember
        self._found: dict | None = None

    @property
    def found(self) -> dict:
        if self._found is None and self._remember is not None:
            self._found = self._remember[0]()
        if self._found is None:
            self._found = self._rank() if self._terms else self._count()
            if self._remember is not None:
                self._remember[1](self._found)
        return self._found

    def _count(self) -> dict:
        counted = estimates.count(self._queryset)
        return {"pks": None, "count": counted.value, "estimated": counted.estimated, "truncated": False}

    def _rank(self) -> dict:
        wanted = RANKED_HITS + 1
        sample = estimates.sample(self._queryset)
        hits = self._queryset
        read = values_newest_first
        if sample is not None and reads_index_first(hits=sample.rows, table_rows=sample.table_rows, wanted=wanted):
            hits = through_bigram_index(hits, terms=self._terms)
            read = values_without_table_scan
        # One query: the newest hits (a subquery with its limit), ranked.
        newest = self._queryset.model._default_manager.filter(pk__in=hits[:wanted].values("pk"))
        rows = list(read(rank(newest, terms=self._terms), "pk", "issue__date", "issue__number", "position"))
        truncated = len(rows) == wanted
        if truncated:
            # The oldest of them is the one beyond RANKED_HITS: it only showed there are more.
            rows.remove(max(rows, key=lambda row: (-row[1].toordinal(), -row[2], row[3], row[0])))
        ranked = [row[0] for row in rows]
        if not truncated:
            count, estimated = len(ranked), False
        elif sample is not None and not sample.complete:
            count, estimated = max(sample.rows, wanted), True
        else:
            count, estimated = (sample.rows if sample is not None else self._queryset.count()), False
        return {"pks": ranked, "count": count, "estimated": estimated, "truncated": truncated}

    @property
    def total(self) -> estimates.Count:
        """How many articles match: exact, or estimated beyond what is ranked."""
        return estimates.Count(self.found["count"], estimated=self.found["estimated"])

    @property
    def truncated(self) -> bool:
        """Whether there are more hits than the RANKED_HITS ranked (and shown)."""
        return self.found["truncated"]

    def __len__(self) -> int:
        found = self.found
        return len(found["pks"]) if found["pks"] is not None else found["count"]

    def count(self) -> int:
        return len(self)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0] if index >= 0 else self[len(self) + index]
        if self.found["pks"] is None:
            return list(self._load(self._queryset)[index])
        pks = self.found["pks"][index]
        rows = {row.pk: row for row in self._load(self._queryset.model._default_manager.filter(pk__in=pks))}
        return [rows[pk] for pk in pks if pk in rows]
