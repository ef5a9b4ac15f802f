"""The print view in Chromium: a toolbar on screen, and the browser's own print gives A4 pages without it."""

import subprocess

import pytest

from tests import factories


@pytest.fixture
def issue(transactional_db):
    issue = factories.make_published_issue(number=193)
    for index in range(8):
        factories.make_article(
            issue=issue,
            title=f"长三角第{index + 1}条要讯",
            section_slug="sci-tech" if index < 4 else "economy",
            body="\n\n".join(["上海、江苏、浙江、安徽四地协同推进一体化发展。" * 6] * 3),
        )
    return issue


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_print_view_shows_a_toolbar_and_the_masthead_on_screen(page, issue):
    page.goto("/issues/193/print/")
    assert page.title() == "长三角每周要讯 2020年第193期"
    assert page.get_by_role("button", name="打印本期").is_visible()
    assert page.get_by_role("link", name="下载 PDF").get_attribute("href") == "/issues/193.pdf"
    title = page.locator(".masthead-title")
    assert title.inner_text() == "长三角每周要讯"
    assert title.evaluate("element => getComputedStyle(element).color") == "rgb(230, 0, 18)"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_table_of_contents_entry_jumps_to_its_article(page, issue):
    page.goto("/issues/193/print/")
    page.get_by_role("link", name="长三角第6条要讯").click()
    assert page.url.endswith(f"#article-{issue.articles.get(title='长三角第6条要讯').pk}")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_printing_from_chromium_gives_a4_pages_without_the_toolbar(page, issue, tmp_path):
    page.goto("/issues/193/print/")
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="打印本期").is_visible()
    path = tmp_path / "printed.pdf"
    page.pdf(path=str(path), prefer_css_page_size=True)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert "(A4)" in info
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    assert pages >= 3
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert "打印本期" not in flat
    assert all(f"长三角第{index}条要讯" in flat for index in range(1, 9))
    # Chromium prints the page numbers from the stylesheet's margin boxes: none on the masthead page.
    first_page = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "—1—" not in "".join(first_page.split())
    assert "—2—" in flat
