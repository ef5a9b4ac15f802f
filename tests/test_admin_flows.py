"""The newsroom's flows through the admin: taking back a submission, asking before an early publication or a
sign-off, the printable 签发单, choosing a section when adding from the pool, and deleting into the 回收站."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from editorial import services, workflow
from editorial.models import Article, Issue, IssueSection, IssueTransition
from tests.factories import make_article, make_issue, make_user, section
from tests.test_admin_workflow import database_state, login

Status = Issue.Status


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def transition_url(issue, name):
    return reverse("admin:editorial_issue_transition", args=[issue.pk, name])


def submitted_by(user, **fields) -> Issue:
    issue = make_issue(**fields)
    make_article(issue=issue)
    workflow.submit(issue=issue, user=user)
    issue.refresh_from_db()
    return issue


# --- 撤回提交 ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_submitter_takes_a_submission_back_while_nobody_has_acted_on_it(editor):
    issue = submitted_by(editor)
    assert [t.name for t in workflow.available_transitions(user=editor, issue=issue)] == ["withdraw_submission"]
    result = workflow.withdraw_submission(issue=issue, user=editor, comment="还要补一篇")
    assert result.changed and result.issue.status == Status.DRAFT
    entry = IssueTransition.objects.filter(issue=issue).first()
    assert (entry.action, entry.user, entry.from_status, entry.comment) == (
        "withdraw_submission",
        editor,
        Status.IN_REVIEW,
        "还要补一篇",
    )
    assert workflow.action_label(entry.action) == "撤回提交"


@pytest.mark.django_db
def test_only_the_submitter_may_take_it_back(editor, reviewer):
    issue = submitted_by(editor)
    colleague = make_user("colleague", role="编辑")
    for other in (colleague, reviewer):
        assert "withdraw_submission" not in [t.name for t in workflow.available_transitions(user=other, issue=issue)]
        with pytest.raises(PermissionDenied, match="只有提交人"):
            workflow.withdraw_submission(issue=issue, user=other)
    issue.refresh_from_db()
    assert issue.status == Status.IN_REVIEW


@pytest.mark.django_db
def test_once_the_reviewer_has_changed_the_issue_the_submission_cannot_be_taken_back(editor, reviewer):
    issue = submitted_by(editor)
    article = issue.articles.get()
    article.title = "主编改过的标题"
    services.article_save(article=article, user=reviewer, expected_version=article.version)
    issue.refresh_from_db()
    assert workflow.available_transitions(user=editor, issue=issue) == []
    with pytest.raises(PermissionDenied, match="已经开始处理"):
        workflow.withdraw_submission(issue=issue, user=editor)


@pytest.mark.django_db
def test_after_a_return_there_is_nothing_left_to_take_back(editor, reviewer):
    issue = submitted_by(editor)
    workflow.return_to_draft(issue=issue, user=reviewer, comment="重写导语")
    result = workflow.withdraw_submission(issue=issue, user=editor)
    assert not result.changed and result.issue.status == Status.DRAFT
    assert IssueTransition.objects.filter(issue=issue, action="withdraw_submission").count() == 0


@pytest.mark.django_db
def test_the_issue_page_offers_the_submitter_the_button_and_it_works(client, editor):
    issue = submitted_by(editor)
    login(client, editor)
    page = client.get(reverse("admin:editorial_issue_change", args=[issue.pk])).text
    assert transition_url(issue, "withdraw_submission") in page and "撤回提交" in page
    response = client.post(transition_url(issue, "withdraw_submission"), {"withdraw_submission-comment": ""})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Status.DRAFT
    assert "已撤回提交" in " ".join(messages_of(response))


# --- asking first: early publication, sign-off ---------------------------------------------------------


def approved_issue(reviewer, *, date) -> Issue:
    issue = make_issue(date=date)
    make_article(issue=issue)
    workflow.submit(issue=issue, user=reviewer)
    workflow.approve(issue=issue, user=reviewer)
    issue.refresh_from_db()
    return issue


@pytest.mark.django_db
def test_publishing_before_the_issue_date_is_refused_until_confirmed(client, reviewer):
    friday = timezone.localdate() + datetime.timedelta(days=3)
    issue = approved_issue(reviewer, date=friday)
    login(client, reviewer)
    page = client.get(reverse("admin:editorial_issue_change", args=[issue.pk])).text
    assert "现在发布比出刊日期早 3 天" in page and "data-confirm-early" in page

    before = database_state()
    refused = client.post(transition_url(issue, "publish"), {"publish-comment": ""})
    assert refused.status_code == 302
    assert "没有立即发布" in " ".join(messages_of(refused)) and database_state() == before

    client.post(transition_url(issue, "publish"), {"publish-comment": "", "publish-early_confirmed": "1"})
    issue.refresh_from_db()
    assert issue.status == Status.PUBLISHED


@pytest.mark.django_db
def test_publishing_on_or_after_the_issue_date_asks_nothing_extra(client, reviewer):
    issue = approved_issue(reviewer, date=timezone.localdate())
    login(client, reviewer)
    page = client.get(reverse("admin:editorial_issue_change", args=[issue.pk])).text
    assert "data-confirm-early" not in page
    client.post(transition_url(issue, "publish"), {"publish-comment": ""})
    issue.refresh_from_db()
    assert issue.status == Status.PUBLISHED


@pytest.mark.django_db
def test_scheduling_before_the_issue_date_needs_the_same_confirmation(client, reviewer):
    issue = approved_issue(reviewer, date=timezone.localdate() + datetime.timedelta(days=5))
    login(client, reviewer)
    early = timezone.localtime() + datetime.timedelta(days=1)
    data = {"schedule-comment": "", "schedule-scheduled_at": early.strftime("%Y-%m-%dT%H:%M")}
    refused = client.post(transition_url(issue, "schedule"), data)
    assert "定时发布时间比出刊日期早 4 天" in " ".join(messages_of(refused))
    issue.refresh_from_db()
    assert issue.scheduled_at is None
    client.post(transition_url(issue, "schedule"), {**data, "schedule-early_confirmed": "1"})
    issue.refresh_from_db()
    assert issue.scheduled_at is not None

    on_the_day = (timezone.localtime() + datetime.timedelta(days=5)).replace(hour=9, minute=0)
    data = {"schedule-comment": "", "schedule-scheduled_at": on_the_day.strftime("%Y-%m-%dT%H:%M")}
    client.post(transition_url(issue, "schedule"), data)
    issue.refresh_from_db()
    assert timezone.localtime(issue.scheduled_at).date() == issue.date


@pytest.mark.django_db
def test_signing_off_asks_first(client, editor, reviewer):
    issue = submitted_by(editor)
    login(client, reviewer)
    page = client.get(reverse("admin:editorial_issue_change", args=[issue.pk])).text
    assert f'data-confirm="{workflow.Approve.confirm}"' in page


# --- 签发单 ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_signoff_sheet_lists_the_articles_with_their_printed_pages_and_who_signed(client, editor, reviewer):
    editor.first_name = "小王"
    editor.save()
    issue = make_issue(number=501, date=datetime.date(2026, 11, 27))
    for title, slug in (("上海技术交易所开市", "sci-tech"), ("江苏发布数据条例", "policy")):
        make_article(issue=issue, title=title, section_slug=slug, body="正文一段。\n\n正文二段。")
    workflow.submit(issue=issue, user=editor, comment="两篇，请审阅")
    workflow.approve(issue=issue, user=reviewer, comment="同意签发")
    login(client, editor)

    response = client.get(reverse("admin:editorial_issue_signoff_sheet", args=[issue.pk]))

    page = response.text
    assert response.status_code == 200
    assert "《长三角每周要讯》签发单" in page and "2026年第501期" in page and "2026年11月27日" in page
    rows = response.context["rows"]
    assert [(index, entry.name, article.title) for index, entry, article, _ in rows] == [
        (1, "科创聚焦", "上海技术交易所开市"),
        (2, "政策举措", "江苏发布数据条例"),
    ]
    assert all(isinstance(page_number, int) and page_number >= 2 for *_, page_number in rows)
    assert "小王" in page and "两篇，请审阅" in page and "同意签发" in page and "reviewer" in page
    assert page.count("签字：") == 3 and "打印签发单" in page


@pytest.mark.django_db
def test_an_unsigned_issue_has_a_sheet_with_empty_places(client, editor):
    issue = make_issue()
    make_article(issue=issue)
    login(client, editor)
    page = client.get(reverse("admin:editorial_issue_signoff_sheet", args=[issue.pk])).text
    assert "（尚未提交审核）" in page and "（尚未签发）" in page


# --- adding from the pool: the article's own section, or a choice ------------------------------------


@pytest.mark.django_db
def test_the_pool_offers_each_article_its_own_section_or_asks(client, editor):
    issue = make_issue()
    special = section("beyond-delta")
    IssueSection.objects.filter(issue=issue, section=special).delete()
    no_section = make_article(title="无栏目稿")
    Article.objects.filter(pk=no_section.pk).update(section=None)
    own = make_article(section=special, title="域外稿")
    login(client, editor)
    page = client.get(reverse("admin:editorial_issue_change", args=[issue.pk])).text
    no_section_row = page[page.index(f'data-pool-article="{no_section.pk}"') :][:3000]
    assert '<option value="" selected>请选择栏目…</option>' in no_section_row
    own_row = page[page.index(f'data-pool-article="{own.pk}"') :][:3000]
    assert re.search(rf'<option value="{special.pk}"\s+selected>\s+域外动态\s+（本期新增）', own_row)
    assert "请选择栏目…" not in own_row

    refused = client.post(reverse("admin:editorial_issue_place", args=[issue.pk]), {"article": no_section.pk})
    assert "请先为稿件选择栏目" in " ".join(messages_of(refused))
    assert Article.objects.get(pk=no_section.pk).issue is None

    client.post(reverse("admin:editorial_issue_place", args=[issue.pk]), {"article": own.pk, "section": special.pk})
    own.refresh_from_db()
    assert (own.issue, own.section) == (issue, special)
    assert IssueSection.objects.filter(issue=issue, section=special).exists()


# --- deleting into the 回收站 ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_delete_confirmation_says_the_article_goes_to_the_bin(client, editor):
    article = make_article(issue=make_issue(), title="要删的稿")
    login(client, editor)
    page = client.get(reverse("admin:editorial_article_delete", args=[article.pk])).text
    assert (
        "《要删的稿》" in page and "稿件回收站" in page and "随时可以恢复" in page and "确定删除（放入回收站）" in page
    )

    bulk = client.post(
        reverse("admin:editorial_article_changelist"), {"action": "delete_selected", "_selected_action": [article.pk]}
    ).text
    assert "确定删除下面 1 篇稿件吗？" in bulk and "稿件回收站" in bulk
    assert Article.objects.filter(pk=article.pk).exists()
