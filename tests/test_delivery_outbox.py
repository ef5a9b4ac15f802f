"""The outbox: what each workflow step queues, in its own transaction, and what nothing else queues."""

import datetime
import io
import math

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial import services, workflow
from editorial.delivery import outbox, sending
from editorial.models import Issue, Notification, OutboxMessage, Recipient
from tests.delivery_support import approved_issue, make_recipients, many_recipients, parsed, publish, publisher
from tests.factories import make_legacy_sample_issue, make_user
from tests.samples import legacy_sample_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("render_once")]
Kind = OutboxMessage.Kind
State = OutboxMessage.State


def issue_mails(issue, kind=Kind.ISSUE):
    return OutboxMessage.objects.filter(issue=issue, kind=kind)


def test_publishing_queues_one_mail_per_active_recipient_and_nothing_is_sent_during_the_request():
    recipients = make_recipients()
    Recipient.objects.filter(pk=recipients[2].pk).update(active=False)
    issue = publish(approved_issue(), publisher())
    queued = issue_mails(issue)
    assert sorted(queued.values_list("address", flat=True)) == sorted(r.email for r in recipients[:2])
    assert set(queued.values_list("state", flat=True)) == {State.QUEUED}
    assert set(queued.values_list("subject", flat=True)) == {"《长三角每周要讯》2020年第193期"}
    assert len(set(queued.values_list("message_id", flat=True))) == 2
    assert mail.outbox == []


def test_a_publish_that_rolls_back_leaves_no_mail_behind():
    make_recipients()
    issue = approved_issue()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.publish(issue=issue, user=publisher())
        assert issue_mails(issue).count() == 3
        raise RuntimeError("the request failed after publishing")
    assert OutboxMessage.objects.count() == 0
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.APPROVED


def test_publishing_twice_at_once_queues_the_mails_once():
    make_recipients()
    issue = approved_issue()
    chief = publisher()
    workflow.publish(issue=issue, user=chief)
    workflow.publish(issue=Issue.objects.get(pk=issue.pk), user=chief)
    assert issue_mails(issue).count() == 3


def test_queueing_takes_the_same_queries_for_500_recipients_as_for_5_but_the_insert_batches():
    chief = publisher()

    def publish_counting(number):
        issue = approved_issue(number=number)
        with CaptureQueriesContext(connection) as queries:
            workflow.publish(issue=issue, user=chief)
        inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "editorial_outboxmessage"')]
        return len(queries.captured_queries) - len(inserts), len(inserts)

    many_recipients(5)
    publish_counting(200)  # first use: caches warm up
    few_other, few_inserts = publish_counting(201)
    many_recipients(495, start=5)
    many_other, many_inserts = publish_counting(202)
    assert many_other == few_other
    fields = [f for f in OutboxMessage._meta.concrete_fields if not f.primary_key]
    batch = connection.ops.bulk_batch_size(fields, [None] * 500) or 500
    assert (few_inserts, many_inserts) == (1, math.ceil(500 / batch))


def test_a_scheduled_publish_queues_the_mails_too():
    make_recipients()
    chief = publisher()
    issue = approved_issue()
    workflow.schedule(issue=issue, user=chief, at=timezone.now() + datetime.timedelta(hours=1))
    Issue.objects.filter(pk=issue.pk).update(scheduled_at=timezone.now() - datetime.timedelta(minutes=1))
    workflow.publish_due()
    assert issue_mails(issue).count() == 3
    assert set(issue_mails(issue).values_list("queued_by", flat=True)) == {None}


def test_corrections_in_a_row_reach_each_recipient_as_one_correction_mail(settings):
    settings.MAIL_CORRECTION_DELAY_MINUTES = 10
    make_recipients()
    chief = publisher()
    issue = publish(approved_issue(), chief)
    sending.deliver_due()
    article = issue.articles.first()
    for n in range(3):
        article.refresh_from_db()
        article.body += f"\n\n补充第{n}段。"
        services.article_save(article=article, user=chief, correction_note=f"补充{n}")
    corrections = issue_mails(issue, Kind.CORRECTION)
    assert corrections.count() == 3, "one per recipient, not one per correction"
    assert set(corrections.values_list("subject", flat=True)) == {"《长三角每周要讯》2020年第193期（更正）"}
    due = corrections.first().next_attempt_at
    assert due > timezone.now() + datetime.timedelta(minutes=9)
    assert sending.deliver_due().sent == 0, "corrections wait for the editor to finish"
    assert sending.deliver_due(now=due).sent == 3


def test_a_correction_before_the_issue_mail_left_adds_nothing():
    make_recipients()
    chief = publisher()
    issue = publish(approved_issue(), chief)
    article = issue.articles.first()
    article.title = "改过的标题"
    services.article_save(article=article, user=chief, correction_note="改标题")
    assert issue_mails(issue, Kind.CORRECTION).count() == 0
    assert issue_mails(issue).count() == 3


def test_withdrawing_cancels_the_unsent_and_notifies_only_those_who_received_it():
    make_recipients()
    chief = publisher()
    issue = publish(approved_issue(), chief)
    sending.deliver_due(limit=1)
    workflow.withdraw(issue=issue, user=chief, comment="内容有误")
    assert issue_mails(issue).filter(state=State.CANCELLED).count() == 2
    (notice,) = issue_mails(issue, Kind.WITHDRAWAL)
    assert notice.address == issue_mails(issue).get(state=State.SENT).address
    assert sending.deliver_due().sent == 1
    assert parsed(mail.outbox[-1])["Subject"] == "《长三角每周要讯》2020年第193期撤回通知"


def test_a_mail_whose_issue_was_withdrawn_meanwhile_is_cancelled_not_sent():
    make_recipients(
        [(Recipient.Group.SEND, "单位", "", "one@example.gov.cn")],
    )
    chief = publisher()
    issue = publish(approved_issue(), chief)
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.WITHDRAWN)  # e.g. between claim and compose
    run = sending.deliver_due()
    assert run.counts["cancelled"] == 1 and mail.outbox == []
    assert "未发送" in issue_mails(issue).get().last_reply


def test_importing_the_legacy_archive_sends_nothing(tmp_path):
    make_recipients()
    make_user("editor-x", role="编辑", email="editor@example.gov.cn")
    make_user("chief-x", role="审核", email="chief@example.gov.cn")
    make_legacy_sample_issue()
    call_command("import_legacy", str(legacy_sample_path()), "--update", stdout=io.StringIO(), stderr=io.StringIO())
    assert OutboxMessage.objects.count() == 0
    assert Notification.objects.count() == 0
    assert sending.deliver_due().counts.total() == 0 and mail.outbox == []


def test_resending_puts_a_failed_mail_back_with_its_message_id_and_copies_a_sent_one():
    make_recipients()
    chief = publisher()
    issue = publish(approved_issue(), chief)
    sending.deliver_due()
    sent = issue_mails(issue).first()
    copy = outbox.resend(message=sent, user=chief)
    assert copy.pk != sent.pk and copy.message_id != sent.message_id and copy.state == State.QUEUED
    failed = issue_mails(issue).exclude(pk=sent.pk).first()
    OutboxMessage.objects.filter(pk=failed.pk).update(state=State.FAILED, attempts=8)
    failed.refresh_from_db()
    again = outbox.resend(message=failed, user=chief)
    assert (again.pk, again.message_id, again.state, again.attempts) == (failed.pk, failed.message_id, State.QUEUED, 0)
    with pytest.raises(ValidationError, match="还在发送队列中"):
        outbox.resend(message=again, user=chief)


def test_a_test_mail_needs_an_address_on_the_account():
    issue = approved_issue()
    with pytest.raises(ValidationError, match="没有登记邮箱"):
        outbox.queue_test(issue=issue, user=make_user("no-mail", role="审核"))
    assert OutboxMessage.objects.count() == 0


def run_command(name, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def test_deliver_mail_sends_what_is_due_once_and_says_so(settings):
    make_recipients()
    publish(approved_issue(), publisher())
    out, _, error = run_command("deliver_mail")
    assert error is None and "已发送 3" in out
    assert len(mail.outbox) == 3
    assert run_command("deliver_mail") == ("", "", None)
    assert "没有到期的邮件" in run_command("deliver_mail", "-v", "2")[0]


def test_deliver_mail_fails_loudly_when_the_mail_server_is_unreachable(settings):
    from tests.delivery_support import free_port

    settings.EMAIL_BACKEND = "editorial.delivery.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    make_recipients()
    publish(approved_issue(), publisher())
    _, err, error = run_command("deliver_mail")
    assert error is not None and "稍后自动重试" in str(error) and "邮件服务器暂时无法使用" in err
    assert "无法连接" in OutboxMessage.objects.get(attempts=1).last_reply
    assert OutboxMessage.objects.filter(state=State.QUEUED).count() == 3


def test_the_scheduled_publishing_loop_also_sends_the_mails():
    make_recipients()
    chief = publisher()
    issue = approved_issue()
    workflow.schedule(issue=issue, user=chief, at=timezone.now() + datetime.timedelta(hours=1))
    Issue.objects.filter(pk=issue.pk).update(scheduled_at=timezone.now() - datetime.timedelta(minutes=1))
    out, _, _ = run_command("publish_scheduled")
    assert "已发布 2020年第193期" in out and "已发送 4" in out  # three issue mails, one notification
    to = {parsed(message)["To"].addresses[0].addr_spec: parsed(message)["Subject"] for message in mail.outbox}
    assert set(to) == {*Recipient.objects.values_list("email", flat=True), chief.email}
    assert to[chief.email] == "【编辑部通知】2020年第193期已发布", "the reviewer who scheduled it is told"
