"""The PDF of the real sample issue, checked the way a reader would: with poppler's own tools."""

import logging
import re
import shutil
import subprocess
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.db import transaction

from editorial import pdf
from editorial.models import Issue, Publication
from editorial.printing import PrintDocument, print_document, render_print_html
from tests import factories
from tests.factories import STANDING_SECTIONS

# Every test here counts as a database test, so it runs before the browser tests, which empty the
# database (reference data included) when they end.
pytestmark = pytest.mark.django_db

OFFICE = "浙江省人民政府驻上海办事处"


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: install poppler-utils (scripts/system-packages.txt, `make setup`).")
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def squeeze(text: str) -> str:
    """Text with all whitespace removed: pdftotext breaks and spaces lines its own way."""
    return "".join(text.split())


@dataclass
class SamplePdf:
    path: Path
    rendered: pdf.RenderedPdf
    document: PrintDocument

    def page_text(self, number: int) -> str:
        return poppler("pdftotext", "-layout", "-f", str(number), "-l", str(number), str(self.path), "-")

    @cached_property
    def _pages(self) -> list[str]:
        return [self.page_text(number) for number in range(1, self.rendered.page_count + 1)]

    def pages(self) -> list[str]:
        return list(self._pages)

    def body_text(self) -> str:
        """All pages' text without the running header and the page numbers, whitespace removed."""
        kept = []
        for number, text in enumerate(self.pages(), start=1):
            lines = [line for line in text.splitlines() if line.strip()]
            kept.extend(lines if number == 1 else lines[1:-1])
        return squeeze("".join(kept))

    def words(self, number: int) -> list[tuple[str, float, float, float, float]]:
        """The words of a page with their boxes (text, x_min, y_min, x_max, y_max) in points."""
        html = poppler("pdftotext", "-bbox", "-f", str(number), "-l", str(number), str(self.path), "-")
        return [
            (word.text, *(float(word.get(edge)) for edge in ("xMin", "yMin", "xMax", "yMax")))
            for word in ElementTree.fromstring(html.encode()).iter("{http://www.w3.org/1999/xhtml}word")
        ]

    def info(self) -> dict[str, str]:
        lines = poppler("pdfinfo", str(self.path)).splitlines()
        return dict(line.split(":", 1) for line in lines if ":" in line)

    def catalog_objects(self) -> bytes:
        """The raw PDF with its compressed object streams inflated, to find catalog entries."""
        data = self.path.read_bytes()
        inflated = [data]
        for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
            try:
                inflated.append(zlib.decompress(match.group(1)))
            except zlib.error:
                continue
        return b"\n".join(inflated)


def render_to_file(issue: Issue, folder: Path) -> SamplePdf:
    document = print_document(issue=Issue.objects.select_related("publication").get(pk=issue.pk))
    rendered = pdf.html_to_pdf(render_print_html(document, for_pdf=True))
    path = folder / f"{issue.number}.pdf"
    path.write_bytes(rendered.content)
    return SamplePdf(path=path, rendered=rendered, document=document)


@pytest.fixture(scope="module")
def sample(django_db_setup, django_db_blocker, tmp_path_factory) -> SamplePdf:
    """The sample issue 2020年第193期 imported and rendered once for the whole module."""
    with django_db_blocker.unblock(), transaction.atomic():
        rendered = render_to_file(factories.make_legacy_sample_issue(), tmp_path_factory.mktemp("pdf"))
        transaction.set_rollback(True)
    return rendered


def test_the_sample_has_all_its_articles_to_print(sample):
    assert len(sample.document.articles) == 22
    assert [section.name for section in sample.document.sections] == STANDING_SECTIONS


def test_every_article_title_appears_in_the_pdf_text(sample):
    text = squeeze("".join(sample.pages()))
    missing = [article.title for article in sample.document.articles if squeeze(article.title) not in text]
    assert missing == []


def test_every_paragraph_is_printed_in_full(sample):
    text = sample.body_text()
    missing = [
        paragraph[:20]
        for article in sample.document.articles
        for paragraph in article.paragraphs
        if squeeze(paragraph) not in text
    ]
    assert missing == []


def toc_page_numbers(sample: SamplePdf) -> dict[str, int]:
    """Each article's page number as printed in the table of contents (title, dot leader, number)."""
    toc_pages = [text for text in sample.pages() if "目录" in squeeze(text) or "...." in text]
    toc_text = squeeze("".join(toc_pages))
    printed = {}
    for article in sample.document.articles:
        match = re.search(re.escape(squeeze(article.title)) + r"\.{3,}(\d+)", toc_text)
        assert match, f"The table of contents has no page number for {article.title!r}"
        printed[article.title] = int(match.group(1))
    return printed


def body_pages(sample: SamplePdf) -> dict[str, int]:
    """The page each article's title actually stands on, after the table of contents."""
    pages = [squeeze(text) for text in sample.pages()]
    first_body_page = next(number for number, text in enumerate(pages, start=1) if "...." not in text and number > 1)
    found = {}
    for article in sample.document.articles:
        title = squeeze(article.title)
        on = [number for number, text in enumerate(pages, start=1) if number >= first_body_page and title in text]
        assert on, f"{article.title!r} is not printed in the body"
        found[article.title] = on[0]
    return found


def test_the_table_of_contents_prints_the_page_on_which_each_article_starts(sample):
    printed, actual = toc_page_numbers(sample), body_pages(sample)
    assert len(printed) == 22
    mismatches = {title: (printed[title], actual[title]) for title in printed if printed[title] != actual[title]}
    assert mismatches == {}


def test_no_section_heading_or_title_is_left_alone_at_the_foot_of_a_page(sample):
    pages = [squeeze(text) for text in sample.pages()]
    actual = body_pages(sample)
    for section in sample.document.sections:
        first = section.articles[0]
        assert squeeze(section.name) + squeeze(first.title) in pages[actual[first.title] - 1], section.name
        for article in section.articles:
            opening = squeeze(article.title) + squeeze(article.paragraphs[0])[:8]
            assert opening in pages[actual[article.title] - 1], article.title


def test_the_articles_start_after_the_masthead_and_the_table_of_contents(sample):
    assert min(body_pages(sample).values()) >= 2
    assert sorted(body_pages(sample).values()) == list(body_pages(sample).values())


def test_the_masthead_page_shows_title_period_office_and_date(sample):
    first = squeeze(sample.page_text(1))
    assert first.startswith("长三角每周要讯")
    for expected in ("2020年第193期", OFFICE, "2020年10月30日", "目录"):
        assert expected in first


def test_page_numbers_are_printed_as_dashes_around_the_number_except_on_the_masthead_page(sample):
    pages = sample.pages()
    assert not re.search(r"—\s*1\s*—", pages[0])
    for number, text in enumerate(pages[1:], start=2):
        last_line = [line for line in text.splitlines() if line.strip()][-1]
        assert re.fullmatch(rf"—\s*{number}\s*—", last_line.strip()), (number, last_line)


MM = 72 / 25.4
TEXT_LEFT, TEXT_RIGHT, TEXT_BOTTOM = 28 * MM, (210 - 26) * MM, (297 - 35) * MM
ONE_CHARACTER = 15.75


def test_odd_page_numbers_sit_at_the_right_and_even_ones_at_the_left_inset_one_character(sample):
    for number in (2, 3, 4, 5):
        words = sample.words(number)
        folio = [word for word in words if word[2] > TEXT_BOTTOM]
        assert "".join(word[0] for word in folio) == f"—{number}—", (number, folio)
        left, right = min(word[1] for word in folio), max(word[3] for word in folio)
        if number % 2:
            assert right == pytest.approx(TEXT_RIGHT - ONE_CHARACTER, abs=2), (number, right)
        else:
            assert left == pytest.approx(TEXT_LEFT + ONE_CHARACTER, abs=2), (number, left)


def test_the_body_text_stays_inside_the_156_by_225_mm_text_block(sample):
    for number in (3, 4, 5):
        words = [word for word in sample.words(number) if TEXT_BOTTOM > word[2] > 37 * MM - 2]
        assert words
        assert min(word[1] for word in words) >= TEXT_LEFT - 0.5
        assert max(word[3] for word in words) <= TEXT_RIGHT + 0.5
        assert max(word[4] for word in words) <= TEXT_BOTTOM + 2


def test_the_running_header_names_the_publication_and_period_on_every_page_but_the_first(sample):
    pages = sample.pages()
    assert squeeze(pages[0]).count("2020年第193期") == 1
    for text in pages[1:]:
        assert squeeze(text.strip().splitlines()[0]) == "长三角每周要讯2020年第193期"


def test_all_fonts_are_embedded_subset_and_the_chinese_faces(sample):
    rows = poppler("pdffonts", str(sample.path)).splitlines()[2:]
    assert rows, "pdffonts lists no fonts"
    families = set()
    for row in rows:
        name, *_, emb, sub, uni, _object, _generation = row.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert re.fullmatch(r"[A-Z]{6}\+.+", name), f"not a subset font: {row}"
        families.add(name.split("+", 1)[1])
    assert {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold", "Noto-Sans-CJK-SC"} <= families
    # Windows names (仿宋_GB2312, SimHei …) must reach the Noto faces through fonts.conf, never DejaVu.
    assert not any("DejaVu" in family for family in families)


def test_the_pdf_stays_small_because_fonts_are_subset(sample):
    assert 100_000 < sample.path.stat().st_size < 1_500_000


def test_metadata_names_the_issue_the_office_and_chinese(sample):
    info = sample.info()
    assert info["Title"].strip() == "长三角每周要讯 2020年第193期"
    assert info["Author"].strip() == OFFICE
    assert info["Page size"].strip().endswith("(A4)")
    assert b"/Lang (zh-CN)" in sample.catalog_objects()


def test_page_labels_match_the_printed_numbers(sample):
    catalog = sample.catalog_objects()
    labels = re.search(rb"/PageLabels\s*<<\s*/Nums\s*\[(.*?)\]\s*>>", catalog, re.S)
    assert labels, "no /PageLabels in the catalog"
    nums = labels.group(1)
    assert re.search(rb"0\s*<<\s*/P\s*<feff5c019762>\s*>>", nums), nums  # page 1: 封面 (UTF-16)
    assert re.search(rb"1\s*<<\s*/S\s*/D\s*/St\s*2\s*>>", nums), nums  # then 2, 3, 4 …


def test_bookmarks_list_sections_then_their_articles_on_the_right_pages(sample):
    xml = poppler("pdftohtml", "-xml", "-i", "-stdout", "-f", "1", "-l", "1", str(sample.path))
    outline = ElementTree.fromstring(xml.encode()).find("outline")
    assert outline is not None, "the PDF has no bookmarks"
    sections = [item.text for item in outline.findall("item")]
    assert sections == [section.name for section in sample.document.sections]
    nested = outline.findall("outline")
    actual = body_pages(sample)
    for section, articles in zip(sample.document.sections, nested, strict=True):
        items = articles.findall("item")
        assert [item.text for item in items] == [article.title for article in section.articles]
        assert [int(item.get("page")) for item in items] == [actual[article.title] for article in section.articles]


def test_the_table_of_contents_links_jump_to_the_articles(sample):
    destinations = poppler("pdfinfo", "-dests", str(sample.path))
    actual = body_pages(sample)
    for article in sample.document.articles:
        match = re.search(rf"^\s*(\d+)\s+\[.*\]\s+\"{article.anchor}\"$", destinations, re.M)
        assert match, f"no link target for {article.title!r}"
        assert int(match.group(1)) == actual[article.title]


def test_harfbuzz_subsetting_is_available():
    assert pdf.fast_subsetting_available(), (
        "WeasyPrint would subset CJK fonts with fontTools (about 10x slower, ~18 s an issue): "
        "install Debian's libharfbuzz-subset0 (scripts/system-packages.txt)."
    )


@pytest.mark.django_db
def test_rendering_never_falls_back_to_fonttools(caplog, tmp_path):
    issue = factories.make_published_issue()
    factories.make_article(issue=issue, title="一篇测试稿件", body="测试正文，含 AI 与 5G。")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_to_file(issue, tmp_path)
    fallbacks = [record.getMessage() for record in caplog.records if "fontTools" in record.getMessage()]
    assert fallbacks == [], "WeasyPrint fell back to fontTools: install libharfbuzz-subset0"


@pytest.mark.django_db
def test_an_unpublished_issue_is_marked_as_a_proof_on_every_page(tmp_path):
    issue = factories.make_issue(status=Issue.Status.IN_REVIEW)
    for index in range(6):
        factories.make_article(
            issue=issue, title=f"第{index}篇测试文章", body="\n\n".join(["这是一段较长的测试正文。" * 8] * 4)
        )
    pages = render_to_file(issue, tmp_path).pages()
    assert len(pages) >= 2
    # The mark is set at an angle, so pdftotext scatters its characters among the lines.
    assert all(set("未发布样稿") <= set(text) for text in pages)


@pytest.mark.django_db
def test_a_published_issue_carries_no_proof_mark(tmp_path):
    issue = factories.make_published_issue()
    factories.make_article(issue=issue)
    assert "未发布样稿" not in squeeze("".join(render_to_file(issue, tmp_path).pages()))


@pytest.mark.django_db
def test_the_distribution_block_closes_the_last_page_when_the_masthead_has_one(tmp_path):
    Publication.objects.update(
        report_to="省政府办公厅", send_to="省发展改革委", distribute_to="各市驻沪办", print_copies=60
    )
    issue = factories.make_published_issue()
    factories.make_article(issue=issue)
    rendered = render_to_file(issue, tmp_path)
    pages = rendered.pages()
    last = squeeze(pages[-1])
    for expected in ("报：省政府办公厅", "送：省发展改革委", "发：各市驻沪办", "（共印60份）"):
        assert expected in last
    assert "共印" not in squeeze("".join(pages[:-1]))
    lines = {word[0][:2]: word for word in rendered.words(len(pages)) if word[0][:2] in ("报：", "送：", "发：")}
    # Pinned to the foot of the page, on a tight 22pt pitch (no blank lines between the rows).
    assert lines["发："][4] > TEXT_BOTTOM - 90
    assert lines["送："][2] - lines["报："][2] == pytest.approx(24, abs=3)


@pytest.mark.django_db
def test_an_issue_without_articles_still_prints_its_masthead(tmp_path):
    issue = factories.make_published_issue()
    text = squeeze(render_to_file(issue, tmp_path).page_text(1))
    assert "长三角每周要讯" in text
    assert "本期尚未编入稿件" in text


@pytest.mark.django_db
def test_line_breaks_inside_a_paragraph_do_not_print_as_gaps(tmp_path):
    issue = factories.make_published_issue()
    factories.make_article(issue=issue, title="换行测试", body="长三角一体化\n发展国家战略 AI\n应用。")
    text = render_to_file(issue, tmp_path).pages()[-1]
    assert "长三角一体化发展国家战略 AI 应用。" in text


def test_a_long_two_part_headline_prints_on_two_lines_but_keeps_its_whole_bookmark(tmp_path):
    issue = factories.make_published_issue()
    factories.make_article(issue=issue, title="宝山区推进钢铁产业绿色低碳转型 建设氢冶金示范项目", body="正文。")
    rendered = render_to_file(issue, tmp_path)
    lines = [line.strip() for line in rendered.pages()[-1].splitlines() if line.strip()]
    assert "宝山区推进钢铁产业绿色低碳转型" in lines
    assert "建设氢冶金示范项目" in lines
    xml = poppler("pdftohtml", "-xml", "-i", "-stdout", "-f", "1", "-l", "1", str(rendered.path))
    titles = [item.text for item in ElementTree.fromstring(xml.encode()).iter("item")]
    assert "宝山区推进钢铁产业绿色低碳转型 建设氢冶金示范项目" in titles
