"""In Chromium: each role signs in to its own workbench and finds there what is theirs to do."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from playwright.sync_api import expect

from editorial import workflow
from tests.e2e.admin import log_in
from tests.factories import make_article, make_issue, make_user

REASON = "第二篇标题太长，请压缩。"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_role_finds_its_own_work_on_the_workbench(page):
    editor = make_user("editor", role="编辑", first_name="小王")
    reviewer = make_user("reviewer", role="审核", first_name="李老师")
    make_user("admin", role="管理员")
    today = timezone.localdate()
    returned = make_issue(number=502, date=today + datetime.timedelta(days=4))
    make_article(issue=returned, title="本期第一篇")
    workflow.submit(issue=returned, user=editor)
    workflow.return_to_draft(issue=returned, user=reviewer, comment=REASON)
    waiting = make_issue(number=503, date=today + datetime.timedelta(days=11))
    make_article(issue=waiting, title="下期第一篇")
    workflow.submit(issue=waiting, user=editor, comment="请审阅")
    AccessAttempt.objects.create(
        username="guest", ip_address="10.0.0.8", failures_since_start=5, user_agent="", http_accept="", path_info=""
    )

    # The editor: this week's issue came back, with the reason, and a way straight to its board.
    log_in(page, "editor")
    week = page.get_by_role("region", name="本周的期刊")
    expect(week).to_contain_text(returned.period_label)
    expect(week.locator(".digest-status").first).to_have_text("已退回")
    expect(week).to_contain_text(REASON)
    expect(page.get_by_role("region", name="退回修改的期刊（1）")).to_contain_text(REASON)
    expect(page.get_by_role("region", name="我最近修改的稿件")).to_be_visible()
    expect(page.get_by_role("region", name="等待审核（1）")).to_have_count(0)
    week.get_by_role("link", name="打开本期编排").click()
    expect(page.locator("#workflow")).to_contain_text("已退回修改")

    # The reviewer: what waits for review comes first.
    log_in(page, "reviewer")
    review = page.get_by_role("region", name="等待审核（1）")
    expect(review).to_contain_text(waiting.period_label)
    expect(review).to_contain_text("提交审核")
    assert page.locator("section.digest-panel").first.get_attribute("aria-labelledby") == "desk-review"
    expect(page.get_by_role("region", name="系统管理")).to_have_count(0)

    # The administrator: also imports and the locked-out account.
    log_in(page, "admin")
    administration = page.get_by_role("region", name="系统管理")
    expect(administration).to_contain_text("被锁定的账号（1）")
    expect(administration).to_contain_text("guest")
