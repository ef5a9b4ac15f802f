"""Newsroom notifications: who is told of each step, on the workbench and by mail, and the opt-out."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from editorial import workflow
from editorial.delivery import notifications
from editorial.models import Issue, Notification, OutboxMessage
from tests.factories import make_article, make_issue, make_user

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def newsroom():
    """Two editors and two reviewers, all with addresses; the second reviewer turned mail off."""
    people = {
        "wang": make_user("wang", role="编辑", first_name="王编辑", email="wang@example.gov.cn"),
        "zhao": make_user("zhao", role="编辑", first_name="赵编辑", email="zhao@example.gov.cn"),
        "li": make_user("li", role="审核", first_name="李主编", email="li@example.gov.cn"),
        "sun": make_user("sun", role="审核", first_name="孙主编", email="sun@example.gov.cn"),
    }
    notifications.set_mail_enabled(user=people["sun"], enabled=False)
    return people


def told(kind) -> dict[str, str]:
    return {note.user.username: note.text for note in Notification.objects.filter(kind=kind).select_related("user")}


def mailed() -> set[str]:
    return set(OutboxMessage.objects.filter(kind=OutboxMessage.Kind.NOTIFICATION).values_list("address", flat=True))


def draft():
    issue = make_issue(number=193)
    make_article(issue=issue)
    return issue


def test_submitting_tells_the_reviewers_and_mails_those_who_want_mail(newsroom):
    issue = draft()
    workflow.submit(issue=issue, user=newsroom["wang"], comment="请审")
    assert told(Kind.SUBMITTED) == {
        "li": "王编辑提交了2020年第193期，等待审核。说明：请审",
        "sun": "王编辑提交了2020年第193期，等待审核。说明：请审",
    }
    assert mailed() == {"li@example.gov.cn"}, "孙主编 turned mail off: the workbench only"
    mail = OutboxMessage.objects.get(kind=OutboxMessage.Kind.NOTIFICATION)
    assert mail.subject == "【编辑部通知】2020年第193期待审核"
    assert reverse("admin:editorial_issue_change", args=[issue.pk]) in mail.text
    assert mail.state == OutboxMessage.State.QUEUED


def test_returning_tells_the_editor_who_submitted_it_with_the_reason(newsroom):
    issue = draft()
    workflow.submit(issue=issue, user=newsroom["wang"])
    workflow.return_to_draft(issue=issue, user=newsroom["li"], comment="第二篇数据需核实")
    assert told(Kind.RETURNED) == {"wang": "李主编退回了2020年第193期，请修改后重新提交。原因：第二篇数据需核实"}
    assert "wang@example.gov.cn" in mailed()


def test_signing_off_and_publishing_tell_the_editors_but_not_the_one_who_did_it(newsroom):
    issue = draft()
    workflow.submit(issue=issue, user=newsroom["wang"])
    workflow.approve(issue=issue, user=newsroom["li"])
    workflow.publish(issue=Issue.objects.get(pk=issue.pk), user=newsroom["li"])
    assert set(told(Kind.APPROVED)) == {"wang", "zhao", "sun"}
    assert told(Kind.PUBLISHED)["wang"] == "李主编发布了2020年第193期。收件人名单为空，没有报送邮件。"
    assert "li" not in told(Kind.PUBLISHED)


def test_nobody_is_told_twice_when_a_step_is_repeated(newsroom):
    issue = draft()
    workflow.submit(issue=issue, user=newsroom["wang"])
    workflow.submit(issue=Issue.objects.get(pk=issue.pk), user=newsroom["wang"])
    assert Notification.objects.filter(kind=Kind.SUBMITTED).count() == 2  # 李 and 孙, once each


def test_the_workbench_selectors_list_a_users_own_notes_newest_first_and_mark_them_read(newsroom):
    issue = draft()
    workflow.submit(issue=issue, user=newsroom["wang"])
    workflow.return_to_draft(issue=issue, user=newsroom["li"], comment="补充来源")
    li, wang = newsroom["li"], newsroom["wang"]
    assert [note.kind for note in notifications.recent_for(li)] == [Kind.SUBMITTED]
    assert [note.kind for note in notifications.unread_for(wang)] == [Kind.RETURNED]
    assert notifications.mark_read(user=wang) == 1
    assert not notifications.unread_for(wang).exists()
    assert notifications.recent_for(wang)[0].is_read


def test_the_notifications_panel_tag_renders_the_users_notes_for_the_workbench(newsroom, django_assert_num_queries):
    issue = draft()
    workflow.submit(issue=issue, user=newsroom["wang"])
    request = RequestFactory().get("/admin/")
    request.user = newsroom["li"]
    template = Template("{% load delivery %}{% notifications_panel %}")
    with django_assert_num_queries(2):
        html = template.render(Context({"request": request}))
    assert "王编辑提交了2020年第193期" in html and "1 条未读" in html
    assert reverse("admin:editorial_notification_open", args=[Notification.objects.get(user=request.user).pk]) in html


def test_my_notifications_page_shows_only_my_own_and_opening_one_marks_it_read(client, newsroom):
    issue = draft()
    workflow.submit(issue=issue, user=newsroom["wang"])
    workflow.return_to_draft(issue=issue, user=newsroom["li"], comment="补充来源")
    client.force_login(newsroom["wang"])
    page = client.get(reverse("admin:editorial_notification_changelist"))
    assert page.status_code == 200
    assert "退回了2020年第193期" in page.text and "提交了2020年第193期" not in page.text
    note = Notification.objects.get(user=newsroom["wang"])
    response = client.get(reverse("admin:editorial_notification_open", args=[note.pk]))
    assert response.status_code == 302 and response.url == reverse("admin:editorial_issue_change", args=[issue.pk])
    note.refresh_from_db()
    assert note.is_read
    others = Notification.objects.filter(user=newsroom["li"]).first()
    assert client.get(reverse("admin:editorial_notification_open", args=[others.pk])).status_code == 404


def test_each_user_turns_notification_mail_off_and_on_from_the_page(client, newsroom):
    wang = newsroom["wang"]
    client.force_login(wang)
    url = reverse("admin:editorial_notification_mail")
    assert client.post(url, {"email": "off"}).status_code == 302
    assert not notifications.mail_enabled(wang)
    issue = draft()
    workflow.submit(issue=issue, user=newsroom["zhao"])
    workflow.approve(issue=issue, user=newsroom["li"])
    assert "wang" in told(Kind.APPROVED) and "wang@example.gov.cn" not in mailed()
    client.post(url, {"email": "on"})
    assert notifications.mail_enabled(wang)
    assert "关闭邮件通知</button>" in client.get(reverse("admin:editorial_notification_changelist")).text


def test_mark_all_read_refuses_a_get_and_works_with_a_post(client, newsroom):
    issue = draft()
    workflow.submit(issue=issue, user=newsroom["wang"])
    client.force_login(newsroom["li"])
    url = reverse("admin:editorial_notification_read_all")
    assert client.get(url).status_code == 405
    client.post(url)
    assert not notifications.unread_for(newsroom["li"]).exists()
