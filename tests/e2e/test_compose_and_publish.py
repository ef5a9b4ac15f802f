"""In Chromium: an editor composes an issue by drag and drop and submits it; a reviewer signs off and publishes."""

import re

import pytest

from editorial.models import Article, Issue
from tests.e2e.admin import log_in
from tests.factories import make_article, make_user, section


def drag(page, source: str, target: str) -> None:
    """Drag `source` onto the top edge of `target` (so it lands before it)."""
    page.drag_and_drop(source, target, target_position={"x": 40, "y": 3})


def board_titles(page) -> list[str]:
    return page.locator("[data-board] .digest-board__title").all_inner_texts()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_editor_composes_by_drag_and_drop_and_a_reviewer_publishes_in_that_order(page):
    make_user("editor", role="编辑", first_name="小王")
    make_user("reviewer", role="审核", first_name="李老师")
    first = make_article(title="上海技术交易所开市", section_slug="sci-tech")
    second = make_article(title="浦东新区出台区块链建设标准", section_slug="sci-tech")
    third = make_article(title="江苏发布区块链产业发展计划", section_slug="economy")
    page.on("dialog", lambda dialog: dialog.accept())

    # The editor starts the next issue from the issue list.
    log_in(page, "editor")
    page.goto("/admin/editorial/issue/")
    page.get_by_role("button", name="新建下一期").click()
    page.wait_for_url(re.compile(r"/admin/editorial/issue/\d+/change/"))
    issue = Issue.objects.get()
    assert page.locator(".digest-status").first.inner_text() == "草稿"

    # …fills it from the pool, each article into its own section…
    for article in (first, second, third):
        page.locator(f'tr[data-pool-article="{article.pk}"] button').click()
        page.wait_for_load_state()
    assert board_titles(page) == [first.title, second.title, third.title]

    # …then drags the second article above the first, and the 经济热点 section above 科创聚焦.
    drag(page, f'li[data-article-id="{second.pk}"] .digest-handle', f'li[data-article-id="{first.pk}"]')
    economy, sci_tech = section("economy").pk, section("sci-tech").pk
    drag(
        page,
        f'li[data-section-id="{economy}"] > .digest-board__section-header .digest-handle',
        f'li[data-section-id="{sci_tech}"]',
    )
    assert board_titles(page) == [third.title, second.title, first.title]
    assert page.locator("[data-save-bar]").is_visible()
    page.get_by_role("button", name="保存顺序").click()
    page.wait_for_load_state()
    assert "已保存" in page.locator(".messagelist").inner_text()
    assert board_titles(page) == [third.title, second.title, first.title]
    assert page.locator("[data-board] [data-index]").all_inner_texts() == ["1", "2", "3"]

    # …and submits it with a note for the chief editor.
    page.fill("#id_submit-comment", "本期三篇，请审阅。")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert page.locator("#workflow .digest-status").inner_text() == "待审"
    assert page.get_by_role("button", name="签发").count() == 0

    # The reviewer signs it off and publishes it.
    log_in(page, "reviewer")
    page.goto(f"/admin/editorial/issue/{issue.pk}/change/")
    page.get_by_role("button", name="签发").click()
    page.wait_for_load_state()
    assert page.locator("#workflow .digest-status").inner_text() == "已签发"
    page.get_by_role("button", name="立即发布").click()
    page.wait_for_load_state()
    assert page.locator("#workflow .digest-status").inner_text() == "已发布"
    log = page.locator("#log").inner_text()
    assert "本期三篇，请审阅。" in log and "李老师" in log and "小王" in log

    # Readers see the issue in the order the editor arranged.
    page.context.clear_cookies()
    page.goto(issue.get_absolute_url())
    text = page.locator("main").inner_text()
    assert text.index(third.title) < text.index(second.title) < text.index(first.title)
    assert "预览" not in page.locator("main").inner_text()
    assert list(Article.objects.filter(issue=issue).order_by("position").values_list("pk", flat=True)) == [
        third.pk,
        second.pk,
        first.pk,
    ]
