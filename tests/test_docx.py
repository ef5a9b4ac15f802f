"""The Word file of an issue: the same masthead, table of contents, sections and articles as the PDF."""

import io

import docx as python_docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from editorial import docx
from editorial.models import Issue, Publication
from editorial.printing import print_document
from tests import factories

pytestmark = pytest.mark.django_db


def build(issue: Issue, **options) -> python_docx.document.Document:
    document = print_document(issue=Issue.objects.select_related("publication").get(pk=issue.pk))
    return python_docx.Document(io.BytesIO(docx.issue_docx(document, **options)))


def texts(document, style: str) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs if paragraph.style.name == style]


def instructions(element) -> list[str]:
    return [node.text.strip() for node in element.iter(qn("w:instrText"))]


@pytest.fixture
def issue():
    issue = factories.make_published_issue(number=193)
    factories.make_article(issue=issue, title="上海技术交易所开市", body="第一段。\n\n第二段，含 AI 与 5G。")
    factories.make_article(issue=issue, title="江苏发布区块链产业发展计划", section_slug="economy", body="江苏的正文。")
    factories.make_article(issue=issue, title="浦东新区出台区块链标准", section_slug="sci-tech", body="浦东的正文。")
    return issue


def test_the_masthead_is_the_red_title_period_office_and_date(issue):
    document = build(issue)
    paragraphs = [paragraph for paragraph in document.paragraphs if paragraph.text]
    title = paragraphs[0]
    assert title.text == "长三角每周要讯"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.color.rgb == RGBColor(0xE6, 0x00, 0x12)
    assert title.runs[0].font.size == Pt(40)
    assert title.runs[0].font.bold
    assert paragraphs[1].text == "2020年第193期"
    assert paragraphs[2].text == "浙江省人民政府驻上海办事处\t2020年10月30日"
    rule = paragraphs[2]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "E60012"


def test_sections_and_articles_are_headings_in_the_issues_reading_order(issue):
    document = build(issue)
    assert texts(document, "Heading 1") == ["科创聚焦", "经济热点"]
    assert texts(document, "Heading 2") == [
        "上海技术交易所开市",
        "浦东新区出台区块链标准",
        "江苏发布区块链产业发展计划",
    ]
    assert texts(document, docx.BODY_STYLE) == ["第一段。", "第二段，含 AI 与 5G。", "浦东的正文。", "江苏的正文。"]


def test_the_articles_start_on_a_new_page_after_the_table_of_contents(issue):
    first_section = next(p for p in build(issue).paragraphs if p.style.name == "Heading 1")
    assert first_section.paragraph_format.page_break_before


def test_the_table_of_contents_links_each_title_to_its_heading_with_a_page_field(issue):
    document = build(issue, page_numbers={})
    body = document.element.body
    links = [
        (link.get(qn("w:anchor")), "".join(t.text for t in link.iter(qn("w:t"))))
        for link in body.iter(qn("w:hyperlink"))
    ]
    assert [title for _, title in links] == [
        "上海技术交易所开市",
        "浦东新区出台区块链标准",
        "江苏发布区块链产业发展计划",
    ]
    bookmarks = {mark.get(qn("w:name")) for mark in body.iter(qn("w:bookmarkStart"))}
    assert {anchor for anchor, _ in links} <= bookmarks
    assert [f"PAGEREF {anchor} \\h" for anchor, _ in links] == [
        i for i in instructions(body) if i.startswith("PAGEREF")
    ]


def test_the_table_of_contents_shows_the_pdfs_page_numbers_until_word_recomputes_them(issue):
    articles = list(issue.articles.order_by("position"))
    pages = {f"article-{articles[0].pk}": 3, f"article-{articles[1].pk}": 4, f"article-{articles[2].pk}": 4}
    document = build(issue, page_numbers=pages)
    entries = [p for p in document.paragraphs if p._p.find(qn("w:hyperlink")) is not None]
    assert [p.text.rsplit("\t", 1)[-1] for p in entries] == ["3", "4", "4"]
    leader = entries[0].paragraph_format.tab_stops[0]
    assert leader.position.mm == pytest.approx(156, abs=0.1)
    assert leader.leader == 1  # dots


def test_the_page_is_a4_with_the_gbt_9704_text_block(issue):
    section = build(issue).sections[0]
    measures = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
    measures += [section.left_margin, section.right_margin]
    assert [round(length.mm, 1) for length in measures] == [210, 297, 37, 35, 28, 26]


def test_body_text_is_sanhao_fangsong_on_a_28_9pt_pitch_indented_two_characters(issue):
    document = build(issue)
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing == Pt(28.9)
    indent = document.styles[docx.BODY_STYLE].element.pPr.find(qn("w:ind"))
    assert indent.get(qn("w:firstLineChars")) == "200"
    assert document.styles["Heading 1"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"


def test_page_numbers_are_fields_right_on_odd_left_on_even_pages_and_none_on_the_first(issue):
    document = build(issue)
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    assert section.different_first_page_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert (odd.alignment, even.alignment) == (WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT)
    for footer in (odd, even):
        assert instructions(footer._p) == ["PAGE"]
        assert footer.text == "— 1 —"
    assert instructions(section.first_page_footer._element) == []


def test_the_running_header_names_publication_and_period(issue):
    section = build(issue).sections[0]
    assert section.header.paragraphs[0].text == "长三角每周要讯　2020年第193期"
    assert section.first_page_header.paragraphs[0].text == ""


def test_document_properties_name_the_issue_the_office_and_chinese(issue):
    document = build(issue)
    props = document.core_properties
    assert props.title == "长三角每周要讯 2020年第193期"
    assert props.author == "浙江省人民政府驻上海办事处"
    assert props.language == "zh-CN"
    lang = document.styles.element.find(qn("w:docDefaults")).iter(qn("w:lang"))
    assert next(lang).get(qn("w:eastAsia")) == "zh-CN"


def test_an_unpublished_issue_is_marked_as_a_proof_in_every_header():
    issue = factories.make_issue(status=Issue.Status.APPROVED)
    factories.make_article(issue=issue)
    section = build(issue).sections[0]
    for header in (section.header, section.even_page_header, section.first_page_header):
        assert "未发布样稿" in header.paragraphs[0].text


def test_the_distribution_block_closes_the_document_when_the_masthead_has_one(issue):
    Publication.objects.update(report_to="省政府办公厅", send_to="", distribute_to="各市驻沪办", print_copies=60)
    paragraphs = [paragraph.text for paragraph in build(issue).paragraphs if paragraph.text]
    assert paragraphs[-3:] == ["报：省政府办公厅", "发：各市驻沪办", "（共印60份）"]


def test_control_characters_from_a_legacy_file_are_dropped_instead_of_breaking_the_file():
    issue = factories.make_published_issue()
    factories.make_article(issue=issue, title="分页\x0c符号", body="正文\x0c里的分页符\x07。")
    document = build(issue)
    assert texts(document, "Heading 2") == ["分页符号"]
    assert texts(document, docx.BODY_STYLE) == ["正文里的分页符。"]


def test_an_issue_without_articles_still_gets_its_masthead():
    issue = factories.make_published_issue()
    paragraphs = [paragraph.text for paragraph in build(issue).paragraphs if paragraph.text]
    assert paragraphs[0] == "长三角每周要讯"
    assert "本期尚未编入稿件。" in paragraphs


def test_the_real_sample_keeps_all_22_articles_and_their_paragraphs():
    issue = factories.make_legacy_sample_issue()
    document = build(issue)
    titles = texts(document, "Heading 2")
    assert len(titles) == 22
    assert titles == [article.title for article in issue.articles.order_by("position")]
    expected = sum(len(article.paragraphs) for article in issue.articles.all())
    assert len(texts(document, docx.BODY_STYLE)) == expected
