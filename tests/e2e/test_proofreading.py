"""In Chromium: 校对 in the article form — a faulty sentence typed into the body is flagged under it, one click
fixes it, "全部修正" fixes the rest, and a finding dismissed for its passage stays dismissed after a reload."""

import pytest

from editorial.models import Article, ProofreadingDismissal
from tests.e2e.admin import log_in
from tests.e2e.test_accessibility import AXE
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


def serious_violations_in(page, selector: str) -> list[str]:
    """axe-core's serious and critical violations inside `selector` (the admin's own markup is not ours to judge)."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `make setup` (npm ci installs it from package-lock.json).")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async selector => await axe.run(document.querySelector(selector), {resultTypes: ['violations']})", selector
    )
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_panel_and_the_report_have_no_serious_accessibility_violations(page):
    make_user("editor", role="编辑")
    issue = make_issue(number=802)
    article = make_article(issue=issue, title="标题有句号。", body="上海,江苏...\n\n他的的书“４+X")
    log_in(page, "editor")
    page.goto(f"/admin/editorial/article/{article.pk}/change/")
    wait_for_status(page, "发现 6 处问题")
    assert serious_violations_in(page, "#proofreading") == []
    page.goto(f"/admin/editorial/issue/{issue.pk}/proofreading/")
    assert serious_violations_in(page, "#content-main") == []
    page.goto(f"/admin/editorial/issue/{issue.pk}/change/")
    assert serious_violations_in(page, "#proofreading-summary") == []
