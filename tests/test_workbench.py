"""The admin's home page is each person's workbench: what is theirs to do, by role, in a fixed number of queries;
and an issue the reviewer sent back reads 已退回, with the reason, wherever issues are listed."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial import autosave, workflow
from editorial.newsroom import desk_for
from tests.factories import make_article, make_issue, make_published_issue

INDEX = reverse("admin:index")
REASON = "第二篇标题太长，请压缩到二十字以内。"


def a_week_of_work(*, editor, reviewer, size: int, first: int = 201):
    """This week's draft, one returned, one waiting for review, one signed off, one scheduled, `size` articles each."""
    today = timezone.localdate()
    issues = {}
    for number in range(first, first + 5):
        issue = make_issue(number=number, date=today + datetime.timedelta(days=number - first + 1))
        for _ in range(size):
            make_article(issue=issue)
        issues[number - first + 201] = issue
    workflow.submit(issue=issues[202], user=editor, comment="请审阅")
    workflow.return_to_draft(issue=issues[202], user=reviewer, comment=REASON)
    for number in (203, 204, 205):
        workflow.submit(issue=issues[number], user=editor)
    for number in (204, 205):
        workflow.approve(issue=issues[number], user=reviewer)
    workflow.schedule(issue=issues[205], user=reviewer, at=timezone.now() + datetime.timedelta(days=1))
    for index in range(size):
        article = make_article(title=f"我写的稿件{index}")
        article.updated_by = editor
        article.save()
    make_published_issue(number=first + 50)
    return issues


@pytest.mark.django_db
def test_an_editor_sees_this_weeks_issue_what_came_back_and_their_own_articles(client, editor, reviewer):
    a_week_of_work(editor=editor, reviewer=reviewer, size=2)
    autosave.draft_save(user=editor, key="new-abcdef12", title="没保存的新稿", body="正文", base_version=None)
    client.force_login(editor)
    page = client.get(INDEX).text
    assert "本周的期刊" in page and "第201期" in page and "共 <strong>2</strong> 篇稿件" in page
    assert "退回修改的期刊（1）" in page and "第202期" in page and REASON in page and "已退回" in page
    assert "我最近修改的稿件" in page and "我写的稿件1" in page
    assert "没保存的新稿" in page and "?draft=new-abcdef12" in page
    assert "等待审核" not in page and "被锁定的账号" not in page
    # The newsroom's notifications: the return reached the editor who submitted.
    notices = page[page.index('id="notifications-heading"') :][:2000]
    assert "通知" in notices and "第202期" in notices


@pytest.mark.django_db
def test_a_reviewer_sees_what_waits_for_review_for_publishing_and_on_a_schedule(client, editor, reviewer):
    a_week_of_work(editor=editor, reviewer=reviewer, size=1)
    client.force_login(reviewer)
    page = client.get(INDEX).text
    review = page[page.index("等待审核") : page.index("本周的期刊")]
    assert "等待审核（1）" in review and "第203期" in review and "提交审核" in review
    assert "已签发，尚未发布（1）" in review and "第204期" in review
    assert "定时发布（1）" in review and "第205期" in review and "自动发布" in review
    assert page.index("等待审核") < page.index("本周的期刊")  # their own work first
    assert "被锁定的账号" not in page


@pytest.mark.django_db
def test_an_administrator_also_sees_imports_and_locked_out_accounts(client, administrator):
    from tests.factories import make_legacy_sample_issue

    make_legacy_sample_issue()
    AccessAttempt.objects.create(
        username="xiaowang", ip_address="10.0.0.8", failures_since_start=5, user_agent="", http_accept="", path_info=""
    )
    AccessAttempt.objects.create(
        username="once", ip_address="10.0.0.9", failures_since_start=1, user_agent="", http_accept="", path_info=""
    )
    client.force_login(administrator)
    page = client.get(INDEX).text
    assert "最近的导入" in page and "导入旧版文本" in page and "2020年第193期" in page
    assert "被锁定的账号（1）" in page and "xiaowang" in page and "10.0.0.8" in page and "once" not in page
    assert reverse("admin:axes_accessattempt_changelist") in page


@pytest.mark.django_db
def test_with_nothing_open_the_editor_is_offered_the_next_issue(client, editor):
    make_published_issue(number=100)
    client.force_login(editor)
    page = client.get(INDEX).text
    assert "现在没有正在编的期刊" in page and reverse("admin:editorial_issue_next") in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "reviewer", "administrator"])
def test_the_workbench_takes_the_same_number_of_queries_whatever_the_amount_of_work(client, role, request):
    editor, reviewer = request.getfixturevalue("editor"), request.getfixturevalue("reviewer")
    user = request.getfixturevalue(role)
    client.force_login(user)
    client.get(INDEX)  # warm: content types, the session
    counts = []
    for first, size in ((201, 1), (301, 6)):  # the second round adds to the first one's work
        a_week_of_work(editor=editor, reviewer=reviewer, size=size, first=first)
        for index in range(size):
            autosave.draft_save(user=user, key=f"new-token{first}{index:03d}", title="t", body="b", base_version=None)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(INDEX).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # Editor and reviewer 12, administrator 14 (imports, lockouts); the notifications take two of them.
    assert counts[0] <= 14


@pytest.mark.django_db
def test_the_desk_is_read_in_a_fixed_number_of_queries(editor, reviewer, django_assert_num_queries):
    a_week_of_work(editor=editor, reviewer=reviewer, size=3)
    with django_assert_num_queries(5):  # open issues, their log, my articles, my drafts, the pool
        desk = desk_for(reviewer)
    assert [issue.number for issue in desk.open_issues] == [201, 202, 203, 204, 205]
    assert desk.this_week.number == 201


# --- 已退回 wherever issues are listed -------------------------------------------------------------


@pytest.mark.django_db
def test_a_returned_issue_reads_returned_with_its_reason_in_the_lists_and_on_its_page(client, editor, reviewer):
    issues = a_week_of_work(editor=editor, reviewer=reviewer, size=1)
    returned = issues[202]
    client.force_login(editor)

    issue_list = client.get(reverse("admin:editorial_issue_changelist")).text
    row = issue_list[issue_list.index("第202期") :][:1500]
    assert "已退回" in row and REASON in row
    untouched = issue_list[issue_list.index("第201期") :][:800]
    assert "草稿" in untouched and "已退回" not in untouched

    article_list = client.get(reverse("admin:editorial_article_changelist"), {"placement": "draft"}).text
    assert "已退回" in article_list

    issue_page = client.get(reverse("admin:editorial_issue_change", args=[returned.pk])).text
    assert "已退回修改：" in issue_page and REASON in issue_page


@pytest.mark.django_db
def test_resubmitting_a_returned_issue_ends_its_returned_state(client, editor, reviewer):
    issues = a_week_of_work(editor=editor, reviewer=reviewer, size=1)
    workflow.submit(issue=issues[202], user=editor, comment="已改")
    client.force_login(editor)
    issue_list = client.get(reverse("admin:editorial_issue_changelist")).text
    assert "已退回" not in issue_list
