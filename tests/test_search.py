"""Chinese search: normalisation, query parsing, the search selector's semantics and ranking, on both databases."""

import datetime

import pytest
from django.db import connection

from editorial import search
from editorial.models import Article, Issue
from editorial.search import QueryError, parse_query, search_articles
from editorial.text import normalise_for_match
from tests.factories import make_article, make_issue, make_legacy_sample_issue, make_published_issue


def found(query: str, queryset=None) -> list[str]:
    """Titles of the published articles a reader's query finds, best first."""
    queryset = Article.objects.published() if queryset is None else queryset
    return list(search_articles(queryset, terms=parse_query(query)).values_list("title", flat=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("长三角（上海）", "长三角(上海)"),
        ("ＡＩＳ 基站", "ais基站"),
        ("AIS\u3000基站", "ais基站"),
        ("５Ｇ网络", "5g网络"),
        ("区块\n\n链", "区块链"),
        ("零\u200b宽\ufeff字符\u00ad", "零宽字符"),
        ("Straße", "strasse"),
        ("“十四五”", "“十四五”"),
    ],
)
def test_normalisation_ignores_width_case_whitespace_and_invisible_characters(text, expected):
    assert normalise_for_match(text) == expected


@pytest.mark.parametrize(
    ("raw", "terms"),
    [
        ("区块链", ("区块链",)),
        ("区块链 上海", ("区块链", "上海")),
        ("  区块链\u3000上海  ", ("区块链", "上海")),
        ("上海 上海 ＳＨＡＮＧＨＡＩ shanghai", ("上海", "shanghai")),
        ('"AIS 基站" 上海', ("ais基站", "上海")),
        ("＂AIS 基站＂", ("ais基站",)),
        ('"长三角 互联网', ("长三角互联网",)),
        ('""', ()),
        ("", ()),
        ("   ", ()),
        ("\u200b", ()),
        ("100% 50_50", ("100%", "50_50")),
    ],
)
def test_a_query_splits_into_normalised_distinct_terms(raw, terms):
    assert parse_query(raw) == terms


def test_a_query_longer_than_the_limit_is_refused_in_chinese():
    with pytest.raises(QueryError, match="检索词太长"):
        parse_query("长" * (search.MAX_QUERY_LENGTH + 1))


def test_a_query_with_too_many_terms_is_refused_in_chinese():
    with pytest.raises(QueryError, match="关键词太多"):
        parse_query(" ".join(f"词{n}" for n in range(search.MAX_TERMS + 1)))


def test_bigrams_overlap_and_repeat_once():
    assert search.bigrams("区块链") == ["区块", "块链"]
    assert search.bigrams("哈哈哈") == ["哈哈"]
    assert search.bigrams("沪") == []


def test_the_bigram_query_quotes_every_piece_verbatim():
    assert search.bigram_tsquery(["a'b"]) == "'a''' & '''b'"
    assert search.bigram_tsquery(["c\\d"]) == r"'c\\' & '\\d'"


def test_one_character_terms_are_asked_as_prefixes_only_when_no_term_has_a_bigram():
    assert search.bigram_tsquery(["沪"]) == "'沪':*"
    assert search.bigram_tsquery(["沪", "'", "沪"]) == "'沪':* & '''':*"
    assert search.bigram_tsquery(["沪", "长三角"]) == "'长三' & '三角'"


def test_highlight_marks_matches_in_the_original_text_whatever_their_width():
    fragments = search.highlight("长三角（上海）互联网医院", parse_query("长三角(上海)"))
    assert [(fragment.text, fragment.is_match) for fragment in fragments] == [
        ("长三角（上海）", True),
        ("互联网医院", False),
    ]


def test_highlight_marks_a_term_across_a_space_in_the_text():
    fragments = search.highlight("我国首个 AIS 基站建成", parse_query("ais基站"))
    assert [fragment.text for fragment in fragments if fragment.is_match] == ["AIS 基站"]


def test_an_excerpt_is_cut_around_the_first_match_with_ellipses():
    text = "甲" * 200 + "区块链" + "乙" * 200
    fragments = search.excerpt(text, ["区块链"], length=60, lead=10)
    assert fragments[0].text == "…" and fragments[-1].text == "…"
    assert "".join(fragment.text for fragment in fragments[1:-1]) == "甲" * 10 + "区块链" + "乙" * 47
    assert [fragment.text for fragment in fragments if fragment.is_match] == ["区块链"]


def test_an_excerpt_without_a_match_is_the_start_of_the_text():
    fragments = search.excerpt("短文一段。", ["无关"])
    assert fragments == [search.Fragment("短文一段。")]


@pytest.mark.django_db
class TestSearchSemantics:
    def test_every_term_must_occur_in_title_or_body(self):
        issue = make_published_issue()
        make_article(issue=issue, title="上海成立保险区块链创新中心", body="陆家嘴国际再保险会议。")
        make_article(issue=issue, title="江苏发布区块链产业发展计划", body="到2023年建设底层平台。")
        make_article(issue=issue, title="浦东新区标准", body="政务区块链建设规范。")
        assert set(found("区块链")) == {"上海成立保险区块链创新中心", "江苏发布区块链产业发展计划", "浦东新区标准"}
        assert found("区块链 上海") == ["上海成立保险区块链创新中心"]
        assert found("区块链 陆家嘴") == ["上海成立保险区块链创新中心"]
        assert found("区块链 广东") == []

    def test_full_width_brackets_letters_and_spaces_match_their_plain_forms(self):
        issue = make_published_issue()
        make_article(issue=issue, title="长三角（上海）互联网医院投入运行", body="正文。")
        make_article(issue=issue, title="我国首个海上风机塔 AIS 基站在上海建成", body="正文。")
        assert found("长三角(上海)") == ["长三角（上海）互联网医院投入运行"]
        assert found("AIS基站") == ["我国首个海上风机塔 AIS 基站在上海建成"]
        assert found("ａｉｓ　基站") == ["我国首个海上风机塔 AIS 基站在上海建成"]

    def test_one_character_terms_are_found_by_substring(self):
        issue = make_published_issue()
        make_article(issue=issue, title="沪苏浙皖联合发布", body="正文。")
        make_article(issue=issue, title="江苏发布计划", body="正文。")
        assert found("沪") == ["沪苏浙皖联合发布"]
        assert found("皖 发布") == ["沪苏浙皖联合发布"]

    def test_an_article_with_every_bigram_but_not_the_term_is_no_hit(self):
        issue = make_published_issue()
        # Holds 区块 and 块链 (the bigram index's candidates) but never 区块链.
        make_article(issue=issue, title="区块划分", body="块链状结构。")
        make_article(issue=issue, title="区块链", body="正文。")
        assert found("区块链") == ["区块链"]

    def test_a_term_does_not_match_across_the_end_of_the_title(self):
        issue = make_published_issue()
        make_article(issue=issue, title="新建区块", body="链式反应。")
        assert found("区块链") == []
        assert found("区块") == ["新建区块"]

    def test_unpublished_and_pool_articles_are_never_found(self):
        make_article(issue=make_issue(status=Issue.Status.DRAFT), title="草稿里的区块链", body="正文。")
        make_article(issue=make_issue(status=Issue.Status.WITHDRAWN), title="撤回的区块链", body="正文。")
        make_article(issue=None, title="稿件库的区块链", body="正文。")
        assert found("区块链") == []

    def test_characters_special_to_sql_and_tsquery_are_matched_literally(self):
        issue = make_published_issue()
        make_article(issue=issue, title="增长100%的项目", body="a_b 'q' c\\d x:y !z & |")
        make_article(issue=issue, title="增长1000的项目", body="axb q c/d")
        assert found("100%") == ["增长100%的项目"]
        assert found("a_b") == ["增长100%的项目"]
        assert found("'q'") == ["增长100%的项目"]
        assert found("c\\d") == ["增长100%的项目"]
        assert found("x:y !z & |") == ["增长100%的项目"]

    def test_the_index_follows_every_save(self):
        issue = make_published_issue()
        article = make_article(issue=issue, title="旧标题", body="旧正文。")
        article.title, article.body = "新标题", "新正文。"
        article.save()
        assert found("旧标题") == [] and found("旧正文") == []
        assert found("新标题") == ["新标题"] and found("新正文") == ["新标题"]

    def test_bulk_created_articles_are_found_once_their_fields_are_derived(self):
        issue = make_published_issue()
        section = make_article(issue=issue).section
        articles = [
            Article(issue=issue, section=section, position=100 + n, title=f"批量稿件{n}", body=f"批量正文第{n}篇。")
            for n in range(3)
        ]
        for article in articles:
            article.derive_fields()
        Article.objects.bulk_create(articles)
        assert sorted(found("批量正文")) == ["批量稿件0", "批量稿件1", "批量稿件2"]

    def test_raw_updates_keep_the_bigram_index_current_on_postgresql(self):
        issue = make_published_issue()
        article = make_article(issue=issue, title="甲", body="乙")
        title, text = search.search_fields(title="全新的标题", body="全新的正文")
        Article.objects.filter(pk=article.pk).update(search_title=title, search_text=text)
        assert found("全新的正文") == ["甲"]

    def test_results_rank_title_hits_first_then_more_hits_then_newer_issues(self):
        old = make_published_issue(number=10, date=datetime.date(2020, 1, 3))
        new = make_published_issue(number=11, date=datetime.date(2020, 1, 10))
        make_article(issue=new, title="正文提到一次", body="区块链。")
        make_article(issue=old, title="正文提到三次（旧）", body="区块链，区块链，区块链。")
        make_article(issue=new, title="正文提到三次（新）", body="区块链，区块链，区块链。")
        make_article(issue=old, title="标题里的区块链", body="无。")
        assert found("区块链") == ["标题里的区块链", "正文提到三次（新）", "正文提到三次（旧）", "正文提到一次"]

    def test_more_terms_in_the_title_rank_higher(self):
        issue = make_published_issue()
        make_article(issue=issue, title="上海发布", body="区块链区块链区块链区块链。")
        make_article(issue=issue, title="上海区块链", body="正文。")
        assert found("上海 区块链") == ["上海区块链", "上海发布"]

    def test_without_terms_the_queryset_is_unchanged(self):
        queryset = Article.objects.published()
        assert search_articles(queryset, terms=()) is queryset

    def test_the_bigram_index_is_used_on_postgresql(self):
        if connection.vendor != "postgresql":
            assert "search_bigrams" not in str(search_articles(Article.objects.all(), terms=["区块链"]).query)
            return
        sql = str(search_articles(Article.objects.all(), terms=["区块链", "沪"]).query)
        assert "search_bigrams" in sql and "@@" in sql
        assert "search_bigrams" in str(search_articles(Article.objects.all(), terms=["沪"]).query)

    def test_one_character_is_found_through_the_index_at_the_end_of_a_title_or_of_the_text(self):
        issue = make_published_issue()
        make_article(issue=issue, title="标题末尾是鲸", body="正文里没有那个字。")
        make_article(issue=issue, title="标题", body="正文最后一个字是鲸")
        make_article(issue=issue, title="鲸", body="")
        make_article(issue=issue, title="无关", body="正文。")
        assert sorted(found("鲸")) == ["标题", "标题末尾是鲸", "鲸"]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Through the index alone, without the substring filter that confirms each hit.
                cursor.execute(
                    "SELECT title FROM editorial_article WHERE search_bigrams @@ %s::tsquery ORDER BY title",
                    [search.bigram_tsquery(["鲸"])],
                )
                assert [row[0] for row in cursor.fetchall()] == ["标题", "标题末尾是鲸", "鲸"]


QUERIES_ON_THE_SAMPLE = [
    "区块链",
    "上海",
    "长三角(上海)",
    "AIS基站",
    "浦东新区 标准",
    "5G",
    "营商环境",
    "2023",
    "的",
    "互联网医院 中山医院",
    "“拼单”",
    "ＡＩ",
    "十四五",
    "天津 联盟",
    "不存在的词语",
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES_ON_THE_SAMPLE)
def test_on_the_real_sample_search_returns_exactly_the_articles_containing_the_query(query):
    issue = make_legacy_sample_issue()
    articles = list(issue.articles.all())
    assert len(articles) == 22
    terms = parse_query(query)
    expected = {article.title for article in articles if search.matches(terms, title=article.title, body=article.body)}
    assert set(found(query)) == expected
    assert len(found(query)) == len(expected)


@pytest.mark.django_db
def test_on_the_real_sample_the_queries_find_what_a_reader_expects():
    make_legacy_sample_issue()
    assert found("长三角(上海)")[0] == "长三角(上海)互联网医院投入运行 提升健康服务能级"
    assert found("AIS基站") == ["我国首个海上风机塔 AIS 基站在上海建成"]
    assert found("区块链")[:3] == sorted(found("区块链")[:3], key=lambda title: "区块链" not in title)
    assert len(found("区块链")) == 4
    assert found("不存在的词语") == []


@pytest.mark.django_db
def test_ranking_through_the_index_keeps_the_order_and_restores_the_planner_setting():
    issue = make_published_issue()
    for n in range(5):
        make_article(issue=issue, title=f"第{n}篇", body="区块链。" * n)
    queryset = search_articles(Article.objects.published(), terms=["区块链"])
    assert ("search_bigrams @@" in str(queryset.query)) is (connection.vendor == "postgresql")
    ranked = [row[0] for row in search.values_without_table_scan(queryset, "pk")]
    assert ranked == list(queryset.values_list("pk", flat=True))
    assert [Article.objects.get(pk=pk).title for pk in ranked] == [
        "第4篇",
        "第3篇",
        "第2篇",
        "第1篇",
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan")
            assert cursor.fetchone()[0] == "on"
