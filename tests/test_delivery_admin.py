"""The delivery log in the admin, the issue page's line about mail, and addresses kept off public pages."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from editorial.delivery import sending
from editorial.models import OutboxMessage
from tests.delivery_support import RECIPIENTS, approved_issue, make_recipients, publish, publisher
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("render_once")]
State = OutboxMessage.State


@pytest.fixture
def delivered():
    """A published issue whose mails went out, one of them refused by the server for good."""
    make_recipients()
    chief = publisher()
    issue = publish(approved_issue(), chief)
    sending.deliver_due()
    OutboxMessage.objects.filter(address=RECIPIENTS[1][3]).update(
        state=State.FAILED, attempts=1, last_reply="550 5.1.1 User unknown"
    )
    return issue, chief


def test_the_delivery_log_shows_who_was_sent_what_when_and_in_which_state(client, delivered):
    issue, chief = delivered
    client.force_login(chief)
    page = client.get(reverse("admin:editorial_outboxmessage_issue", args=[issue.pk]))
    assert page.status_code == 200
    for _, unit, _name, address in RECIPIENTS:
        assert address in page.text and unit in page.text
    assert "已发送 2" in page.text and "发送失败 1" in page.text
    assert "550 5.1.1 User unknown" in page.text and "PDF 附件" in page.text
    assert "全部重新发送" in page.text and "发一封测试邮件给我" in page.text
    failed_only = client.get(reverse("admin:editorial_outboxmessage_issue", args=[issue.pk]) + "?state=failed")
    assert RECIPIENTS[1][3] in failed_only.text and RECIPIENTS[0][3] not in failed_only.text


def test_resending_all_failed_from_the_log_queues_them_again(client, delivered):
    issue, chief = delivered
    client.force_login(chief)
    response = client.post(reverse("admin:editorial_outboxmessage_resend_failed", args=[issue.pk]), follow=True)
    assert "已将 1 封发送失败的邮件重新排入发送队列" in response.text
    assert OutboxMessage.objects.get(address=RECIPIENTS[1][3]).state == State.QUEUED


def test_resending_one_sent_mail_copies_it_and_the_log_shows_both(client, delivered):
    _issue, chief = delivered
    sent = OutboxMessage.objects.get(address=RECIPIENTS[0][3])
    client.force_login(chief)
    client.post(reverse("admin:editorial_outboxmessage_resend", args=[sent.pk]))
    assert list(OutboxMessage.objects.filter(address=RECIPIENTS[0][3]).values_list("state", flat=True)) == [
        State.QUEUED,
        State.SENT,
    ]


def test_the_issue_page_counts_its_mails_for_reviewers_and_not_for_editors(client, delivered):
    issue, chief = delivered
    client.force_login(chief)
    page = client.get(reverse("admin:editorial_issue_change", args=[issue.pk]))
    assert "报送邮件" in page.text and "已发送 2" in page.text
    assert reverse("admin:editorial_outboxmessage_issue", args=[issue.pk]) in page.text
    client.force_login(make_user("writer", role="编辑"))
    page = client.get(reverse("admin:editorial_issue_change", args=[issue.pk]))
    assert page.status_code == 200 and "报送邮件" not in page.text
    assert client.get(reverse("admin:editorial_outboxmessage_issue", args=[issue.pk])).status_code == 403


def test_the_sent_mail_list_resends_the_selected_mails(client, delivered):
    _issue, chief = delivered
    client.force_login(chief)
    failed = OutboxMessage.objects.get(state=State.FAILED)
    response = client.post(
        reverse("admin:editorial_outboxmessage_changelist"),
        {"action": "resend_selected", "_selected_action": [failed.pk]},
        follow=True,
    )
    assert "已将 1 封邮件重新排入发送队列" in response.text
    failed.refresh_from_db()
    assert failed.state == State.QUEUED


def test_addresses_never_appear_on_public_pages(client, delivered):
    issue, _ = delivered
    cache.clear()
    article = issue.articles.first()
    urls = [
        reverse("editorial:home"),
        issue.get_absolute_url(),
        reverse("editorial:issue-print", args=[issue.number]),
        reverse("editorial:issue-list"),
        article.get_absolute_url(),
        reverse("editorial:search") + "?q=上海",
        reverse("editorial:feed"),
        reverse("editorial:sitemap"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for *_, address in RECIPIENTS:
            assert address not in text, url
