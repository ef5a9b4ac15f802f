"""报送 through a real SMTP server (aiosmtpd, started by each test): what arrives, and what outages and crashes do.

The guarantee under test (editorial/delivery/sending.py): nothing is lost, and nobody is sent a mail
twice; a mail handed over whole whose answer never came is marked 待核实 and not resent automatically.
"""

import datetime
import email.header

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from editorial import renditions
from editorial.delivery import outbox, sending
from editorial.models import Notification, OutboxMessage
from tests.delivery_support import RECIPIENTS, approved_issue, make_recipients, many_recipients, publish, publisher

pytestmark = pytest.mark.django_db
State = OutboxMessage.State


def later(seconds: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


def test_publishing_delivers_one_mail_to_each_recipient_with_both_parts_and_the_stored_pdf(smtp_server, render_once):
    make_recipients()
    issue = publish(approved_issue(), publisher())
    run = sending.deliver_due()
    assert run.sent == 3 + 0 and not run.stopped
    received = smtp_server.mailbox.received
    assert sorted(smtp_server.mailbox.recipients()) == sorted(address for *_, address in RECIPIENTS)
    stored = renditions.issue_rendition(issue=issue, format=renditions.PDF)
    for mail in received:
        assert len(mail.rcpt_tos) == 1, "recipients never see each other"
        message = mail.message
        (address,) = mail.rcpt_tos
        assert address in message["To"] and "," not in message["To"]
        assert message["Subject"] == "《长三角每周要讯》2020年第193期"
        assert message["From"] == "浙江省人民政府驻上海办事处 <digest@zjsh.example.gov.cn>"
        # UTF-8 headers travel as RFC 2047 encoded words: the raw header block is plain ASCII.
        raw_headers = mail.data.split(b"\r\n\r\n", 1)[0]
        raw_headers.decode("ascii")
        assert b"=?utf-8?" in raw_headers.lower()
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for part in (text, html):
            assert "长三角每周要讯" in part and "2020年第193期" in part
            assert "上海技术交易所开市" in part and "江苏发布区块链产业发展计划" in part
            assert "https://digest.example.gov.cn/articles/" in part
            assert "https://digest.example.gov.cn/issues/193/" in part
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == "长三角每周要讯-2020年第193期.pdf"
        # The name legacy clients read (Outlook 2010, Foxmail): an RFC 2047 word in Content-Type.
        raw_name = attachment.get_param("name", header="content-type")
        assert str(email.header.make_header(email.header.decode_header(raw_name))) == "长三角每周要讯-2020年第193期.pdf"
        assert attachment.get_content() == stored.read()
    rows = list(OutboxMessage.objects.filter(issue=issue))
    assert {row.state for row in rows} == {State.SENT}
    assert {row.message_id for row in rows} == {mail.message["Message-ID"] for mail in received}
    for row in rows:
        assert row.last_reply.startswith("250 2.0.0 Ok: queued as TEST")
        assert row.sent_at is not None and row.attempts == 1
        assert row.issue_version == issue.version
        assert row.attachment.startswith("PDF 附件")
    assert render_once == [issue.pk], "one render for all recipients (the stored rendition is reused)"
    assert sending.deliver_due().sent == 0


def test_a_pdf_over_the_size_limit_is_linked_instead_of_attached(smtp_server, render_once, settings):
    settings.MAIL_ATTACHMENT_MAX_BYTES = 1000
    make_recipients(RECIPIENTS[:1])
    publish(approved_issue(), publisher())
    sending.deliver_due()
    (mail,) = smtp_server.mailbox.received
    message = mail.message
    assert list(message.iter_attachments()) == []
    assert "https://digest.example.gov.cn/issues/193.pdf" in message.get_body(("plain",)).get_content()
    assert "https://digest.example.gov.cn/issues/193.pdf" in message.get_body(("html",)).get_content()
    assert OutboxMessage.objects.get().attachment.startswith("PDF 链接")


def test_a_correction_says_so_and_carries_the_corrected_text(smtp_server, render_once, settings):
    from editorial import services

    settings.MAIL_CORRECTION_DELAY_MINUTES = 0
    make_recipients(RECIPIENTS[:1])
    chief = publisher()
    issue = publish(approved_issue(), chief)
    sending.deliver_due()
    article = issue.articles.order_by("position").first()
    article.title = "上海技术交易所正式开市"
    services.article_save(article=article, user=chief, correction_note="标题漏字")
    sending.deliver_due(now=later(1))
    _, correction = smtp_server.mailbox.received
    assert correction.message["Subject"] == "《长三角每周要讯》2020年第193期（更正）"
    text = correction.message.get_body(("plain",)).get_content()
    assert "已更正" in text and "上海技术交易所正式开市" in text
    assert "标题漏字" not in text, "the newsroom's correction note stays in the newsroom"


def test_an_outage_then_recovery_delivers_everything_exactly_once(smtp_server, render_once):
    many_recipients(12)
    publish(approved_issue(), publisher())
    smtp_server.stop()
    run = sending.deliver_due()
    assert run.stopped and run.sent == 0
    rows = OutboxMessage.objects.filter(kind="issue")
    assert rows.filter(state=State.QUEUED).count() == 12, "nothing is lost"
    tried = rows.get(attempts=1)
    assert "无法连接邮件服务器" in tried.last_reply
    assert rows.filter(attempts=0).count() == 11, "one connection failure, not twelve timeouts"
    assert set(rows.values_list("next_attempt_at", flat=True)) == {tried.next_attempt_at}
    assert sending.deliver_due().counts.total() == 0, "nobody is hammered before the retry time"

    smtp_server.start()
    run = sending.deliver_due(now=later(61))
    assert run.sent == 12 and not run.stopped
    assert sending.deliver_due(now=later(3600)).sent == 0
    addresses = smtp_server.mailbox.recipients()
    assert len(addresses) == 12 and len(set(addresses)) == 12
    assert set(rows.values_list("state", flat=True)) == {State.SENT}


def test_a_temporary_refusal_is_retried_with_backoff_and_the_reply_kept(smtp_server, render_once):
    make_recipients()
    publish(approved_issue(), publisher())
    smtp_server.mailbox.data_replies = ["451 4.7.1 Greylisted, try again later"]
    now = timezone.now()
    run = sending.deliver_due(now=now)
    assert (run.sent, run.counts["deferred"]) == (2, 1)
    waiting = OutboxMessage.objects.get(state=State.QUEUED)
    assert waiting.last_reply == "451 4.7.1 Greylisted, try again later"
    assert waiting.attempts == 1 and waiting.next_attempt_at == now + datetime.timedelta(seconds=60)
    assert sending.deliver_due(now=now + datetime.timedelta(seconds=30)).sent == 0
    assert sending.deliver_due(now=now + datetime.timedelta(seconds=60)).sent == 1
    assert sorted(smtp_server.mailbox.recipients()) == sorted(address for *_, address in RECIPIENTS)


def test_the_wait_doubles_with_each_failed_attempt_up_to_six_hours(settings):
    settings.MAIL_RETRY_SECONDS = 60
    assert [sending.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert sending.backoff(30) == datetime.timedelta(hours=6)


def test_a_mail_that_keeps_failing_is_marked_failed_and_its_publisher_told(smtp_server, render_once, settings):
    settings.MAIL_MAX_ATTEMPTS = 3
    make_recipients(RECIPIENTS[:1])
    chief = publisher()
    issue = publish(approved_issue(), chief)
    smtp_server.mailbox.always_reply = "452 4.3.1 Insufficient system storage"
    for hours in (0, 1, 2):
        sending.deliver_due(now=later(hours * 3600))
    failed = OutboxMessage.objects.get(kind="issue")
    assert (failed.state, failed.attempts) == (State.FAILED, 3)
    assert failed.last_reply == "452 4.3.1 Insufficient system storage"
    assert sending.deliver_due(now=later(10 * 3600)).counts.total() == 0
    note = Notification.objects.get(user=chief, kind=Notification.Kind.DELIVERY_FAILED)
    assert "1 封发送失败" in note.text and note.issue == issue

    smtp_server.mailbox.always_reply = ""
    assert outbox.resend_failed(issue=issue, user=chief) == 1
    assert sending.deliver_due().sent == 1
    assert smtp_server.mailbox.recipients() == [RECIPIENTS[0][3]]


def test_a_refused_address_fails_at_once_and_the_others_are_delivered(smtp_server, render_once):
    make_recipients()
    smtp_server.mailbox.refused_addresses = {"lisi@fgw.example.gov.cn": "550 5.1.1 User unknown"}
    publish(approved_issue(), publisher())
    run = sending.deliver_due()
    assert (run.sent, run.counts["failed"]) == (2, 1)
    refused = OutboxMessage.objects.get(address="lisi@fgw.example.gov.cn")
    assert (refused.state, refused.attempts, refused.last_reply) == (State.FAILED, 1, "550 5.1.1 User unknown")
    assert "lisi@fgw.example.gov.cn" not in smtp_server.mailbox.recipients()


class SimulatedCrash(BaseException):
    """The sender's process dying (kill -9, power cut): nothing after it runs, nothing is rolled back."""


def test_a_crash_between_the_server_accepting_and_the_record_sends_nobody_twice(
    smtp_server, render_once, monkeypatch, settings
):
    many_recipients(6)
    issue = publish(approved_issue(), publisher())
    real_record_sent = sending.record_sent
    calls = []

    def crash_on_the_second(message, **kwargs):
        calls.append(message.pk)
        if len(calls) == 2:
            raise SimulatedCrash
        real_record_sent(message, **kwargs)

    monkeypatch.setattr(sending, "record_sent", crash_on_the_second)
    with pytest.raises(SimulatedCrash):
        sending.deliver_due()
    monkeypatch.setattr(sending, "record_sent", real_record_sent)
    assert len(smtp_server.mailbox.received) == 2, "the server accepted the second mail before the crash"
    in_doubt = OutboxMessage.objects.get(pk=calls[1])
    assert in_doubt.state == State.SENDING and in_doubt.handed_at is not None

    # Before the dead sender's lease runs out nobody touches its mails; after it, they are sorted out.
    assert sending.deliver_due().sent == 0
    run = sending.deliver_due(now=later(settings.MAIL_LEASE_SECONDS + 1))
    assert run.sent == 4 and run.counts["unknown"] == 1 and run.counts["recovered"] == 4
    in_doubt.refresh_from_db()
    assert in_doubt.state == State.UNKNOWN and "无法确认" in in_doubt.last_reply
    addresses = smtp_server.mailbox.recipients()
    assert len(addresses) == 6 and len(set(addresses)) == 6, "everyone once, nobody twice"
    assert sending.deliver_due(now=later(7200)).sent == 0, "待核实 is never resent on its own"
    assert Notification.objects.filter(kind=Notification.Kind.DELIVERY_FAILED, issue=issue).exists()

    # Resent by hand after checking: the same Message-ID, so the recipient's system can tell a duplicate.
    outbox.resend(message=in_doubt, user=None)
    sending.deliver_due()
    assert smtp_server.mailbox.received[-1].message["Message-ID"] == in_doubt.message_id


def test_an_answer_lost_after_the_whole_mail_was_sent_is_marked_unknown_not_resent(smtp_server, render_once, settings):
    settings.EMAIL_TIMEOUT = 1
    many_recipients(3)
    publish(approved_issue(), publisher())
    smtp_server.mailbox.late_answers = [3]  # the first mail: accepted, but the answer comes too late
    run = sending.deliver_due()
    assert (run.sent, run.counts["unknown"]) == (2, 1)
    unknown = OutboxMessage.objects.get(state=State.UNKNOWN)
    assert "没有收到答复" in unknown.last_reply
    assert sending.deliver_due(now=later(7200)).sent == 0
    assert len(smtp_server.mailbox.received) == 3


def test_two_senders_never_take_the_same_mail(render_once):
    many_recipients(10)
    publish(approved_issue(), publisher())
    now = timezone.now()
    token_a, first = sending.claim(now=now, size=6)
    _, second = sending.claim(now=now, size=6)
    assert len(first) == 6 and len(second) == 4
    assert not {message.pk for message in first} & {message.pk for message in second}
    # A sender whose lease ran out loses its unsent mails to another, and cannot hand them over after.
    sending.recover_abandoned(now=now + datetime.timedelta(seconds=3600))
    token_c, third = sending.claim(now=now + datetime.timedelta(seconds=3600), size=20)
    assert len(third) == 10
    assert not sending.hand_over(first[0], token=token_a, now=now)
    assert sending.hand_over(third[0], token=token_c, now=now)


def test_withdrawing_cancels_waiting_mails_and_notifies_those_who_got_the_issue(smtp_server, render_once):
    from editorial import workflow

    make_recipients()
    chief = publisher()
    issue = publish(approved_issue(), chief)
    sending.deliver_due(limit=2)
    workflow.withdraw(issue=issue, user=chief, comment="数据有误")
    assert OutboxMessage.objects.filter(kind="issue", state=State.CANCELLED).count() == 1
    run = sending.deliver_due()
    assert run.sent == 2
    notices = [mail for mail in smtp_server.mailbox.received if "撤回" in mail.message["Subject"]]
    assert len(notices) == 2
    assert {mail.rcpt_tos[0] for mail in notices} == {mail.rcpt_tos[0] for mail in smtp_server.mailbox.received[:2]}
    text = notices[0].message.get_body(("plain",)).get_content()
    assert "已撤回" in text and "数据有误" not in text
    assert list(notices[0].message.iter_attachments()) == []


def test_a_test_mail_reaches_the_reviewer_before_publishing_marked_as_a_test(smtp_server, render_once):
    chief = publisher()
    issue = approved_issue()
    outbox.queue_test(issue=issue, user=chief)
    sending.deliver_due()
    (mail,) = smtp_server.mailbox.received
    assert mail.rcpt_tos == ("chief@zjsh.example.gov.cn",)
    assert mail.message["Subject"] == "【测试】《长三角每周要讯》2020年第193期"
    assert "测试邮件" in mail.message.get_body(("plain",)).get_content()
    assert default_storage.exists(renditions.rendition_name(issue=issue, format=renditions.PDF))


def test_the_backends_faster_generator_writes_exactly_what_djangos_would(render_once):
    from editorial.delivery.compose import Composer
    from editorial.delivery.smtp import message_bytes

    make_recipients(RECIPIENTS[:1])
    publish(approved_issue(), publisher())
    composed = Composer().compose(OutboxMessage.objects.get())
    email_message = composed.email.message()
    composed.email.message = lambda: email_message  # the same Date and boundary for both
    assert message_bytes(composed.email) == email_message.as_bytes(linesep="\r\n")


def test_a_pdf_that_cannot_be_made_is_retried_later_and_tried_once_per_run(smtp_server, storage, monkeypatch):
    calls = []

    def failing(*, issue, format):
        calls.append(issue.pk)
        raise renditions.RenditionError("排版失败")

    monkeypatch.setattr(renditions, "render", failing)
    many_recipients(5)
    publish(approved_issue(), publisher())
    run = sending.deliver_due()
    assert run.counts["deferred"] == 5 and smtp_server.mailbox.received == []
    assert len(calls) == 1
    assert set(OutboxMessage.objects.values_list("last_reply", flat=True)) == {"PDF 生成失败：排版失败"}
