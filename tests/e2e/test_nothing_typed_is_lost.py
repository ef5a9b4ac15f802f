"""In Chromium: what an editor types survives a closed tab, another browser, a stale tab and a paste from WPS."""

import re

import pytest

from editorial import workflow
from editorial.models import Article, ArticleDraft
from tests.e2e.admin import log_in
from tests.factories import TEST_PASSWORD, make_article, make_issue, make_user

TYPED = "这是我在标签页关掉之前写下的一段话。"
WPS_CLIPBOARD = "\u3000\u3000长三角数据中心集群开工。\n\u3000\u3000项目总投资\u00a0120\u00a0亿元。\u200b\n\u3000\u3000预计2027年投用。\n"


def edit_url(article) -> str:
    return f"/admin/editorial/article/{article.pk}/change/"


def type_into_body(page, text: str) -> None:
    page.locator("#id_body").click()
    page.keyboard.press("End")
    page.keyboard.insert_text(text)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_tab_closed_mid_typing_offers_the_text_back_and_saving_it_keeps_it(page):
    make_user("editor", role="编辑")
    article = make_article(issue=make_issue(), body="原来的正文。")
    log_in(page, "editor")
    context = page.context
    page.goto(edit_url(article))
    context.set_offline(True)  # the server out of reach: only this browser keeps the text
    type_into_body(page, TYPED)
    page.close()  # mid-typing, without saving
    context.set_offline(False)
    assert not ArticleDraft.objects.exists()

    again = context.new_page()
    again.goto(edit_url(article))
    offer = again.locator(".digest-recover")
    assert "本浏览器中" in offer.inner_text() and "没有保存的修改" in offer.inner_text()
    assert TYPED not in again.locator("#id_body").input_value()
    again.get_by_role("button", name="恢复未保存的内容").click()
    assert again.locator("#id_body").input_value() == "原来的正文。" + TYPED
    again.on("dialog", lambda dialog: dialog.accept())
    again.get_by_role("button", name="保存", exact=True).click()
    again.wait_for_url(re.compile(r"/admin/editorial/article/$"))
    assert Article.objects.get(pk=article.pk).body == "原来的正文。" + TYPED

    # Saved: opening the article again offers nothing.
    again.goto(edit_url(article))
    assert again.locator(".digest-recover").count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_server_copy_comes_back_in_another_browser(page, browser, live_server):
    make_user("editor", role="编辑")
    article = make_article(issue=make_issue(), body="原来的正文。")
    log_in(page, "editor")
    page.goto(edit_url(article))
    type_into_body(page, TYPED)
    page.locator(".digest-autosave-status", has_text="已自动保存").wait_for()
    page.context.close()  # the whole browser gone, its local copy with it

    elsewhere = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    other = elsewhere.new_page()
    log_in(other, "editor")
    other.goto(edit_url(article))
    assert "服务器上" in other.locator(".digest-recover").inner_text()
    other.get_by_role("button", name="恢复未保存的内容").click()
    assert other.locator("#id_body").input_value() == "原来的正文。" + TYPED
    other.locator(".digest-autosave-status", has_text="已自动保存").wait_for()  # nothing left in flight
    elsewhere.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stale_tab_keeps_the_typed_text_and_saves_it_to_the_pool(page):
    editor = make_user("editor", role="编辑")
    issue = make_issue()
    article = make_article(issue=issue, title="原标题", body="原来的正文。")
    log_in(page, "editor")
    page.goto(edit_url(article))
    page.fill("#id_title", "我在旧标签页改的标题")
    type_into_body(page, TYPED)

    workflow.submit(issue=issue, user=editor)  # meanwhile, from another tab
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()

    assert "正在审核，编辑不能再修改" in page.locator(".errornote, .errorlist").first.inner_text() + page.content()
    assert page.locator("#id_title").input_value() == "我在旧标签页改的标题"
    assert page.locator("#id_body").input_value() == "原来的正文。" + TYPED
    page.get_by_role("button", name="另存为新稿件（放入稿件库）").click()
    page.wait_for_load_state()

    copy = Article.objects.exclude(pk=article.pk).get()
    assert page.url.endswith(edit_url(copy))
    assert "已另存为新稿件" in page.locator(".messagelist").inner_text()
    assert (copy.issue, copy.title, copy.body) == (None, "我在旧标签页改的标题", "原来的正文。" + TYPED)
    assert Article.objects.get(pk=article.pk).title == "原标题"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_paste_from_wps_becomes_one_paragraph_a_line_and_the_count_says_so(page):
    make_user("editor", role="编辑")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "editor")
    page.goto("/admin/editorial/article/add/")
    page.fill("#id_title", "数据中心集群开工")
    page.evaluate("text => navigator.clipboard.writeText(text)", WPS_CLIPBOARD)
    page.locator("#id_body").click()
    page.keyboard.press("Control+V")

    body = page.locator("#id_body").input_value()
    assert body == "长三角数据中心集群开工。\n\n项目总投资 120 亿元。\n\n预计2027年投用。"
    assert page.locator(".digest-body-count").inner_text() == "正文 33 字，3 段"
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/editorial/article/$"))
    assert Article.objects.get().paragraphs == ["长三角数据中心集群开工。", "项目总投资 120 亿元。", "预计2027年投用。"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_article_opened_from_the_board_comes_back_to_the_board_after_saving(page):
    make_user("editor", role="编辑")
    issue = make_issue()
    article = make_article(issue=issue, title="板上的稿件")
    log_in(page, "editor")
    page.goto(f"/admin/editorial/issue/{issue.pk}/change/")
    page.locator("[data-board] .digest-board__title", has_text="板上的稿件").click()
    page.fill("#id_title", "板上的稿件（改）")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(rf"/admin/editorial/issue/{issue.pk}/change/#board$"))
    assert page.locator("[data-board] .digest-board__title").all_inner_texts() == ["板上的稿件（改）"]
    assert Article.objects.get(pk=article.pk).title == "板上的稿件（改）"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_save_after_the_login_expired_offers_the_text_back_after_logging_in_again(page):
    make_user("editor", role="编辑")
    article = make_article(issue=make_issue(), body="原来的正文。")
    log_in(page, "editor")
    page.goto(edit_url(article))
    type_into_body(page, TYPED)
    page.context.clear_cookies(name="sessionid")  # the login expired while the editor was typing
    page.get_by_role("button", name="保存", exact=True).click()

    page.wait_for_url(re.compile(r"/admin/login/\?next="))
    page.fill("#id_username", "editor")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(rf"{edit_url(article)}$"))
    assert "没有保存的修改" in page.locator(".digest-recover").inner_text()
    page.get_by_role("button", name="恢复未保存的内容").click()
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/editorial/article/$"))
    assert Article.objects.get(pk=article.pk).body == "原来的正文。" + TYPED

    # Saved in this login: the copies are let go, and the form offers nothing any more.
    page.goto(edit_url(article))
    assert page.locator(".digest-recover").count() == 0
    assert not ArticleDraft.objects.exists()
