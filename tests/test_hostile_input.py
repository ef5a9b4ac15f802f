"""Hostile input comes out as text everywhere: markup, javascript: URLs and Unicode tricks in titles, bodies,
region and section names, search queries and imported legacy files — on the public pages, search highlights,
the feed, the admin, the PDF, the Word file and spreadsheet exports (formulas neutralised).

And the search and archive parameters take anything (quotes, %, _, backslashes, NUL, very long input):
a clean 200 or 400, never a server error.
"""

import datetime
import io
import subprocess
import xml.etree.ElementTree as ElementTree
import zipfile

import openpyxl
import pytest
import tablib
from django.contrib import admin
from django.urls import reverse

from editorial import renditions
from editorial.models import Article, Section, SourceRegion
from editorial.resources import neutralise
from tests.factories import make_article, make_published_issue, region
from tests.samples import legacy_sample_bytes

SCRIPT = "<script>window.__xss=1</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(document.cookie)"
RLO = "\u202e"
ZWSP = "\u200b"
TITLE = f"恶意标题{SCRIPT}{IMG}"
BODY = f"第一段{SCRIPT}。\n\n第二段{IMG}，链接{JS_URL}。\n\n第三段{RLO}txt.exe{ZWSP}结束。"
RAW = ["<script>window.__xss", "<img src=x", 'href="javascript:', "onerror=alert(1)>"]


@pytest.fixture
def hostile(db):
    section = Section.objects.create(name="栏目<script>x</script>", slug="hostile", position=80, is_standing=False)
    place = SourceRegion.objects.create(
        name="<img src=x onerror=a()>", slug="hostile-place", kind=SourceRegion.Kind.DISTRICT, parent=region("shanghai")
    )
    issue = make_published_issue(number=700, date=datetime.date(2020, 10, 30))
    article = make_article(issue=issue, section=section, title=TITLE, body=BODY, source=JS_URL, regions=[place])
    return {"issue": issue, "article": article, "section": section, "place": place}


def assert_inert(text: str, where: str):
    for raw in RAW:
        assert raw not in text, (where, raw)


def public_urls(hostile) -> dict[str, str]:
    issue, article = hostile["issue"], hostile["article"]
    return {
        "home": reverse("editorial:home"),
        "archive": reverse("editorial:issue-list"),
        "issue": issue.get_absolute_url(),
        "print": reverse("editorial:issue-print", args=[issue.number]),
        "article": article.get_absolute_url(),
        "region": reverse("editorial:region-detail", args=["hostile-place"]),
        "province": reverse("editorial:region-detail", args=["shanghai"]),
        "section": reverse("editorial:section-detail", args=["hostile"]),
        "search": reverse("editorial:search") + "?q=恶意",
        "search-filter": reverse("editorial:search") + "?region=hostile-place&section=hostile",
        "sitemap": reverse("editorial:sitemap"),
    }


def test_every_public_page_shows_hostile_text_escaped(client, hostile):
    for name, url in public_urls(hostile).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert_inert(response.text, name)
    article_page = client.get(hostile["article"].get_absolute_url()).text
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in article_page
    assert JS_URL in article_page  # shown as text, never as a link
    assert f"{RLO}txt.exe{ZWSP}" in article_page  # Unicode tricks are kept as the text they are


def test_search_highlights_hostile_queries_and_matches_as_text(client, hostile):
    for query in ("<script>", IMG, "onerror", "javascript:", f"恶意{ZWSP}标题", f"{RLO}txt"):
        response = client.get(reverse("editorial:search"), {"q": query})
        assert response.status_code == 200, query
        assert_inert(response.text, query)
    marked = client.get(reverse("editorial:search"), {"q": "<script>"}).text
    assert "<mark>&lt;script&gt;</mark>" in marked
    assert response.context["paginator"].count == 1  # zero-width and direction marks are ignored when matching


def test_the_feed_carries_hostile_text_as_escaped_html(client, hostile):
    feed = client.get(reverse("editorial:feed"))
    root = ElementTree.fromstring(feed.content)
    atom = "{http://www.w3.org/2005/Atom}"
    (entry,) = root.findall(f"{atom}entry")
    content = entry.find(f"{atom}summary") if entry.find(f"{atom}summary") is not None else entry.find(f"{atom}content")
    assert content.get("type") == "html"
    # What a feed reader renders: the entry's HTML, in which the payload is only escaped text.
    assert_inert(content.text, "feed entry html")
    assert "&lt;script&gt;" in content.text
    assert entry.find(f"{atom}title").get("type") in (None, "text")


@pytest.mark.django_db
def test_the_admin_shows_hostile_text_escaped(client, hostile, administrator):
    client.force_login(administrator)
    issue, article = hostile["issue"], hostile["article"]
    for url in (
        reverse("admin:editorial_article_changelist"),
        reverse("admin:editorial_article_changelist") + "?q=" + "恶意",
        reverse("admin:editorial_article_change", args=[article.pk]),
        reverse("admin:editorial_article_history", args=[article.pk]),
        reverse("admin:editorial_issue_changelist"),
        reverse("admin:editorial_issue_change", args=[issue.pk]),
        reverse("admin:editorial_sourceregion_changelist"),
        reverse("admin:editorial_section_changelist"),
        reverse("admin:editorial_article_suggest_regions") + "?title=" + "%3Cscript%3E",
        reverse("admin:editorial_article_move", args=[article.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.text, url)


def test_the_pdf_prints_hostile_text_as_text(hostile, tmp_path):
    issue = hostile["issue"]
    pdf = tmp_path / "issue.pdf"
    pdf.write_bytes(renditions.render(issue=issue, format=renditions.PDF))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    flat = "".join(text.stdout.split())
    assert "<script>window.__xss=1</script>" in flat
    assert "onerror=alert(1)>" in flat
    assert JS_URL in flat
    assert b"/JavaScript" not in pdf.read_bytes() and b"/JS " not in pdf.read_bytes()


def test_the_word_file_holds_hostile_text_as_text_and_links_nowhere(hostile):
    data = renditions.render(issue=hostile["issue"], format=renditions.DOCX)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        document = package.read("word/document.xml").decode()
        relationships = "".join(package.read(name).decode() for name in package.namelist() if name.endswith(".rels"))
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in document
    assert "javascript:" not in relationships
    assert 'TargetMode="External"' not in relationships


FORMULAS = ['=HYPERLINK("http://evil.example","点我")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd", "-2+3", "\t=1", "\r=1"]


@pytest.mark.django_db
@pytest.mark.parametrize("format_name", ["CSV", "XLSX"])
def test_admin_exports_neutralise_formulas_and_keep_markup_as_text(client, hostile, administrator, format_name):
    for index, formula in enumerate(FORMULAS, start=2):
        make_article(issue=hostile["issue"], title=formula, body=formula, position=index)
    client.force_login(administrator)
    export_url = reverse("admin:editorial_article_export")
    form = client.get(export_url).context["form"]
    formats = [f.__name__ for f in admin.site._registry[Article].get_export_formats()]
    data = {name: "on" for name, field in form.fields.items() if field.widget.input_type == "checkbox"}
    data.update(format=str(formats.index(format_name)), resource="0")
    response = client.post(export_url, data)
    assert response.status_code == 200
    if format_name == "CSV":
        rows = [
            list(row.values()) for row in tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv").dict
        ]
        cells = [cell for row in rows for cell in row]
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        cells = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    for formula in FORMULAS:
        assert neutralise(formula) in cells and neutralise(formula).startswith("'"), formula
        assert formula not in cells, formula
    assert TITLE in cells  # markup is just text in a sheet


@pytest.mark.django_db
def test_a_legacy_file_carrying_hostile_text_is_previewed_and_published_as_text(client, administrator):
    original = "上海技术交易所开市 建成服务全国技术转移交易网络"
    hostile_title = f"上海技术交易所开市{SCRIPT}{IMG}"
    text = legacy_sample_bytes().decode("utf-8").replace(original, hostile_title)
    text = text.replace("上海技术交易所", f"上海技术交易所{JS_URL}{RLO}", 3)
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = "2020-193.txt"
    client.force_login(administrator)
    preview = client.post(reverse("admin:editorial_issue_import_legacy"), {"files": [upload], "status": "published"})
    assert preview.status_code == 200
    assert_inert(preview.text, "legacy preview")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in preview.text
    done = client.post(reverse("admin:editorial_issue_import_legacy"), {"token": preview.context["token"]})
    assert_inert(done.text, "legacy import done")
    article = Article.objects.get(title__contains="<script>")
    client.logout()
    for url in (article.get_absolute_url(), article.issue.get_absolute_url()):
        page = client.get(url)
        assert page.status_code == 200
        assert_inert(page.text, url)


# --- odd parameters: never a server error -------------------------------------------------------------

ODD_VALUES = [
    "'",
    "''",
    '"',
    "' OR '1'='1",
    "1; DROP TABLE editorial_article;--",
    "%",
    "%%",
    "_",
    "100%_done",
    "\\",
    "\\'",
    "a\\%b",
    "\x00",
    "a\x00b",
    "&",
    "|",
    "!",
    ":*",
    "'\\''",
    "<->",
    "上海' & '浙江",
    "(",
    ")",
    "\u202e\u200b",
    "🀄" * 30,
    "长" * 100,
    "长" * 101,
    "x" * 5000,
    " ".join("词" + str(n) for n in range(9)),
    "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize("parameter", ["q", "region", "section", "year", "date_from", "date_to", "page"])
def test_any_search_parameter_is_a_clean_answer_never_a_server_error(client, hostile, parameter, value):
    response = client.get(
        reverse("editorial:search"), {parameter: value, "q": "恶意"} if parameter != "q" else {"q": value}
    )
    assert response.status_code in (200, 400), (parameter, value, response.status_code)
    assert_inert(response.text, parameter)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ODD_VALUES[:20])
def test_the_archive_year_and_page_take_anything(client, hostile, value):
    for params in ({"year": value}, {"page": value}):
        assert client.get(reverse("editorial:issue-list"), params).status_code in (200, 400, 404), params


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/regions/%27%20OR%201=1/",
        "/sections/%00/",
        "/articles/99999999999999999999/",
        "/issues/99999999999999999999/",
        "/issues/0/print/",
        "/issues/-1/",
    ],
)
def test_odd_paths_are_404s(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["\x00", "a\x00b", "%00"])
def test_a_nul_character_in_any_query_string_is_a_400_before_the_database_sees_it(client, administrator, q):
    client.force_login(administrator)
    issue = make_published_issue(number=710)
    nul = "\x00" in q
    for url, parameter in (
        (reverse("admin:editorial_issue_changelist"), "q"),
        (reverse("admin:editorial_article_changelist"), "q"),
        (reverse("admin:editorial_sourceregion_changelist"), "q"),
        (reverse("admin:editorial_issue_change", args=[issue.pk]), "pool_q"),
        (reverse("editorial:search"), "q"),
        (reverse("editorial:issue-list"), "year"),
    ):
        response = client.get(url, {parameter: q})
        assert response.status_code == (400 if nul else 200), (url, q)
        if nul:
            assert "无效字符" in response.content.decode()
