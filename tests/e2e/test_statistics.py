"""In Chromium: 信息工作统计 draws its charts under the site's Content Security Policy, with no serious accessibility
violation, and prints without the admin's chrome; an editor records a leader's instruction with a scan from an
article's page and sees it on the board."""

import datetime
import io

import pytest
from PIL import Image

from tests.e2e.admin import log_in
from tests.e2e.test_accessibility import AXE
from tests.factories import make_adoption, make_article, make_instruction, make_published_issue, make_user

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(event.violatedDirective + ' ' + event.blockedURI + ' ' + (event.sample || ''));
});
"""
HOSTILE = "<script>window.__xss='script'</script><img src=x onerror=\"window.__xss='img'\">"
HOSTILE_NAME = "<img src=x onerror=window.__xss=1>"  # fits a leader's name (50 characters)
CHARTS = ["sections", "provinces", "months", "levels", "record_sections", "record_provinces"]


@pytest.fixture
def watched(page):
    """The page, collecting CSP violations, script errors and failed requests (a browser's favicon request aside)."""
    problems = []
    page.add_init_script(WATCH)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )

    def check(where: str):
        page.wait_for_timeout(150)
        assert page.evaluate("window.__violations") == [], where
        assert page.evaluate("window.__xss") is None, where
        assert problems == [], where

    return check


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_statistics_page_draws_every_chart_with_no_csp_violation_and_prints_without_the_admin(page, watched):
    for week in range(6):
        issue = make_published_issue(number=900 + week, date=datetime.date(2020, 3, 6) + datetime.timedelta(weeks=week))
        for slug, section in (("pudong", "sci-tech"), ("jiashan", "economy"), ("qingdao", "beyond-delta")):
            article = make_article(issue=issue, regions=[slug], section_slug=section, title=f"稿件{week}{slug}")
            if week % 2 == 0:
                make_instruction(
                    article=article, date=issue.date + datetime.timedelta(days=9), leader=HOSTILE_NAME, gist=HOSTILE
                )
            make_adoption(article=article, date=issue.date + datetime.timedelta(days=20), adopted_by=HOSTILE)
    make_user("chief", role="审核")
    log_in(page, "chief")
    page.goto("/admin/")
    page.click("text=信息工作统计")
    page.wait_for_url("**/admin/statistics/")
    page.select_option("#id_year", "2020")
    page.click("button:has-text('查看')")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "2020年信息工作统计"
    for slug in CHARTS:
        chart = page.locator(f'svg[data-chart="{slug}"]')
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100, slug
        bars = chart.locator("rect, circle")
        assert bars.count() > 0, slug
        boxes = [bars.nth(i).bounding_box() for i in range(bars.count())]
        assert any(box and box["width"] > 0 and box["height"] > 0 for box in boxes), slug
        table = page.locator(f"#figure-{slug} table")
        assert table.is_visible(), slug
    assert page.locator('svg[data-chart="sections"] text', has_text="科创聚焦").count() == 1
    assert page.locator(".digest-heat__city", has_text="未覆盖").count() == 41 - 2
    watched("statistics page")
    # axe-core on the page's own content (the admin's header and breadcrumbs are Django's).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run('#content-main', {resultTypes: ['violations']})")
    assert [v["id"] for v in results["violations"] if v["impact"] in {"serious", "critical"}] == []

    page.emulate_media(media="print")
    assert not page.locator(".digest-period").is_visible()
    assert not page.locator("#header").is_visible()
    assert page.locator('svg[data-chart="months"]').is_visible()
    assert page.locator("#figure-months table").is_visible()
    page.emulate_media(media="screen")

    page.select_option("#id_scope", "q2")
    page.click("button:has-text('查看')")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "2020年第二季度信息工作统计"
    watched("a quarter")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_editor_records_an_instruction_with_a_scan_and_the_board_counts_it(page, watched, storage, tmp_path):
    issue = make_published_issue(number=910, date=datetime.date(2020, 10, 30))
    article = make_article(issue=issue, title="示范区跨域项目落地", regions=["jiashan"])
    make_user("writer", role="编辑")
    scan = tmp_path / "批示件.png"
    picture = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(picture, format="PNG")
    scan.write_bytes(picture.getvalue())

    log_in(page, "writer")
    page.goto(f"/admin/editorial/article/{article.pk}/change/")
    watched("article page")
    page.click("text=＋ 登记领导批示")
    page.wait_for_url("**/instruction/add/**")
    page.fill("#id_leader", HOSTILE_NAME)
    page.fill("#id_leader_title", "副省长")
    page.select_option("#id_level", label="省级领导")
    page.fill("#id_date", "2020-11-12")
    page.fill("#id_gist", "请省发展改革委研究借鉴。")
    page.set_input_files("#id_scan_upload", str(scan))
    page.click("input[name=_save]")
    page.wait_for_url(f"**/admin/editorial/article/{article.pk}/change/#records")
    records = page.locator("#records")
    assert records.locator("text=请省发展改革委研究借鉴。").is_visible()
    assert HOSTILE_NAME in records.inner_text()  # the hostile name is shown as text
    watched("article page with the record")

    with page.context.expect_page() as opened:
        records.locator("a", has_text="查看").click()
    viewer = opened.value
    viewer.wait_for_load_state("load")
    assert viewer.evaluate("document.images.length === 1 && document.images[0].naturalWidth") == 300
    viewer.close()

    page.goto(f"/admin/editorial/issue/{issue.pk}/change/")
    counts = page.locator(f'[data-article-id="{article.pk}"] .digest-board__records')
    assert counts.inner_text().split() == ["批示", "1", "采用", "0"]
    watched("compose board")
