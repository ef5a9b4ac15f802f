"""In Chromium: 校对 in the article form — a faulty sentence typed into the body is flagged under it, one click
fixes it, "全部修正" fixes the rest, and a finding dismissed for its passage stays dismissed after a reload."""

import pytest

from editorial.models import Article, ProofreadingDismissal
from tests.e2e.admin import log_in
from tests.factories import make_article, make_issue, make_user

FINDINGS = "[data-list] .digest-finding"


def wait_for_status(page, text: str) -> None:
    page.wait_for_function(
        "text => document.querySelector('[data-status]').textContent.includes(text)", arg=text, timeout=10_000
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_faulty_sentence_is_flagged_as_it_is_typed_and_fixed_with_one_click(page):
    make_user("editor", role="编辑")
    article = make_article(issue=make_issue(number=800), title="上海技术交易所开市", body="第一段没有问题。")
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "editor")
    page.goto(f"/admin/editorial/article/{article.pk}/change/")
    wait_for_status(page, "未发现问题")

    body = page.locator("#id_body")
    body.press("End")
    body.type("\n\n10月28日,上海技术交易所正式开市...这是全国首创的的举措。")
    wait_for_status(page, "发现 3 处问题")
    first = page.locator(FINDINGS).first
    assert first.locator("mark").inner_text() == ","
    assert "全角逗号" in first.inner_text() and "第 2 段" in first.inner_text()

    first.get_by_role("button", name="改为“，”").click()
    wait_for_status(page, "发现 2 处问题")
    assert "10月28日，上海" in body.input_value()

    page.get_by_role("button", name="全部修正").click()
    wait_for_status(page, "未发现问题")
    assert body.input_value() == "第一段没有问题。\n\n10月28日，上海技术交易所正式开市……这是全国首创的举措。"
    assert page.locator(FINDINGS).count() == 0

    # The fixes are the editor's to save, like anything typed.
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/admin/editorial/article/")
    assert Article.objects.get(pk=article.pk).body.endswith("这是全国首创的举措。")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dismissed_finding_stays_dismissed_after_a_reload_and_can_be_restored(page):
    make_user("editor", role="编辑")
    article = make_article(issue=make_issue(number=801), title="标题", body="报告里写的是“A”“B”,不改。")
    log_in(page, "editor")
    page.goto(f"/admin/editorial/article/{article.pk}/change/")
    wait_for_status(page, "发现 1 处问题")

    page.locator(FINDINGS).first.get_by_role("button", name="忽略此处").click()
    wait_for_status(page, "未发现问题")
    assert ProofreadingDismissal.objects.filter(article=article).count() == 1

    page.reload()
    wait_for_status(page, "未发现问题")
    assert page.locator("[data-dismissed-count]").inner_text() == "1"
    page.locator("[data-dismissed] summary").click()
    page.locator("[data-dismissed-list] .digest-finding").get_by_role("button", name="恢复提示").click()
    wait_for_status(page, "发现 1 处问题")
    assert not ProofreadingDismissal.objects.exists()
