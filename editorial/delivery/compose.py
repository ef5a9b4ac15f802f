"""A queued message made into a mail: To one recipient, a plain-text and an HTML part, the issue's PDF.

Issue mails are composed when they are sent, from the issue as it is then and from the PDF stored for
that same version (rendered first if it is not stored yet), so the text and the attachment always
agree and a correction made before a mail left is in it. A `Composer` lives for one sending run and
composes each version of an issue once, whatever the number of recipients.
"""

import base64
from dataclasses import dataclass
from email.header import Header
from email.mime.application import MIMEApplication
from email.utils import formataddr

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .. import renditions
from ..models import Issue, OutboxMessage
from ..printing import rendition_filename
from ..selectors import issue_table_of_contents

Kind = OutboxMessage.Kind
# Mail headers that keep out-of-office replies away from the office's mailbox (Outlook, and RFC 3834).
QUIET_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"}


class NotSendable(Exception):
    """The message must not be sent any more (its issue was withdrawn or deleted); the text says why."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes


@dataclass(frozen=True)
class IssueContent:
    """What every recipient of one version of an issue gets; the PDF's MIME part is encoded once for all."""

    text: str
    html: str
    attachment: Attachment | None
    attachment_note: str
    version: int
    attachment_part: MIMEApplication | None = None


@dataclass(frozen=True)
class ComposedMail:
    """A mail ready for the backend, with what the log records of it."""

    email: EmailMultiAlternatives
    issue_version: int | None
    attachment_note: str


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def size_label(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def pdf_part(attachment: Attachment) -> MIMEApplication:
    """The PDF as a MIME part whose Chinese file name every client reads.

    The standard form (RFC 2231, `filename*=utf-8''…`) is in Content-Disposition; Outlook before 2013,
    Foxmail and many webmail readers look for an RFC 2047 encoded word in Content-Type's `name`.
    """
    part = MIMEApplication(attachment.content, _subtype="pdf")
    encoded_word = "=?utf-8?b?" + base64.b64encode(attachment.filename.encode()).decode("ascii") + "?="
    part.set_param("name", encoded_word)
    part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", attachment.filename))
    return part


def encoded_subject(subject: str) -> str:
    """The subject as RFC 2047 encoded words short enough to fold between them.

    Left to Django, a Chinese subject becomes one long encoded word that Python's mail generator
    folds onto a line of its own, and readers then show it with a leading space.
    """
    return Header(subject, "utf-8", maxlinelen=60, header_name="Subject").encode().replace("\n ", " ")


def _mail(message: OutboxMessage, *, text: str, html: str | None = None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=encoded_subject(message.subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((message.name, message.address))],
        headers={"Message-ID": message.message_id, **QUIET_HEADERS},
    )
    if html is not None:
        email.attach_alternative(html, "text/html")
    return email


class Composer:
    """Makes mails from queued messages; each issue version's parts and PDF are made once per run."""

    def __init__(self):
        self._contents: dict[tuple, IssueContent | renditions.RenditionError] = {}

    def compose(self, message: OutboxMessage) -> ComposedMail:
        if message.kind == Kind.NOTIFICATION:
            return ComposedMail(email=_mail(message, text=message.text), issue_version=None, attachment_note="")
        issue = Issue.objects.select_related("publication").filter(pk=message.issue_id).first()
        if issue is None:
            raise NotSendable("期刊已被删除，未发送。")
        if message.kind in (Kind.ISSUE, Kind.CORRECTION) and not issue.is_published:
            raise NotSendable(f"期刊现在是“{issue.get_status_display()}”状态，未发送。")
        content = self._content(issue, message.kind)
        email = _mail(message, text=content.text, html=content.html)
        if content.attachment_part is not None:
            # One part for every recipient's mail: nothing in sending a mail changes it.
            email.attach(content.attachment_part)
        return ComposedMail(email=email, issue_version=content.version, attachment_note=content.attachment_note)

    def _content(self, issue: Issue, kind: str) -> IssueContent:
        key = (issue.pk, issue.version, issue.updated_at, kind)
        if key not in self._contents:
            try:
                self._contents[key] = (
                    withdrawal_content(issue) if kind == Kind.WITHDRAWAL else issue_content(issue, kind=kind)
                )
            except renditions.RenditionError as error:
                # Remembered for the run: 500 recipients must not mean 500 failing renders.
                self._contents[key] = error
        content = self._contents[key]
        if isinstance(content, renditions.RenditionError):
            raise content
        return content


def issue_content(issue: Issue, *, kind: str) -> IssueContent:
    """The mail of an issue: masthead, contents linking to each article, and the PDF attached or linked.

    Raises renditions.RenditionError when the PDF cannot be made (the sender tries again later).
    """
    rendition = renditions.issue_rendition(issue=issue, format=renditions.PDF)
    size = rendition_size(rendition)
    pdf_url = absolute(reverse("editorial:issue-pdf", kwargs={"number": issue.number}))
    if size <= settings.MAIL_ATTACHMENT_MAX_BYTES:
        attachment = Attachment(rendition_filename(issue=issue, extension="pdf"), rendition.read())
        note = f"PDF 附件 {size_label(size)}"
    else:
        attachment = None
        note = f"PDF 链接（{size_label(size)}，超过附件上限）"
    context = {
        "publication": issue.publication,
        "issue": issue,
        "kind": kind,
        "is_correction": kind == Kind.CORRECTION,
        "is_test": kind == Kind.TEST,
        "date_label": f"{issue.date.year}年{issue.date.month}月{issue.date.day}日",
        "sections": [
            (entry.section.name, [(article.title, absolute(article.get_absolute_url())) for article in entry.articles])
            for entry in issue_table_of_contents(issue=issue)
        ],
        "issue_url": absolute(issue.get_absolute_url()),
        "pdf_url": pdf_url,
        "attached": attachment is not None,
        "pdf_size": size_label(size),
        "filename": rendition_filename(issue=issue, extension="pdf"),
        "correction_notice": correction_notice(),
        "test_notice": test_notice(),
        "footer": office_footer(issue)[1],
    }
    return IssueContent(
        text=issue_text(context),
        html=render_to_string("editorial/mail/issue.html", context),
        attachment=attachment,
        attachment_note=note,
        version=issue.version,
        attachment_part=pdf_part(attachment) if attachment is not None else None,
    )


def rendition_size(rendition: renditions.Rendition) -> int:
    return default_storage.size(rendition.name)


def withdrawal_content(issue: Issue) -> IssueContent:
    """A short notice that an issue was withdrawn: no contents, no attachment."""
    context = {
        "publication": issue.publication,
        "issue": issue,
        "date_label": f"{issue.date.year}年{issue.date.month}月{issue.date.day}日",
        "footer": office_footer(issue)[1],
    }
    return IssueContent(
        text="\n".join([withdrawal_notice(context), "", *office_footer(issue)]),
        html=render_to_string("editorial/mail/withdrawal.html", {**context, "notice": withdrawal_notice(context)}),
        attachment=None,
        attachment_note="",
        version=issue.version,
    )


def correction_notice() -> str:
    return "本期内容已更正，请以本邮件所附版本为准，此前收到的版本请作废。"


def test_notice() -> str:
    return "这是发布前的测试邮件：本期尚未发布，内容和附件都是样稿，请勿转发。"


def withdrawal_notice(context: dict) -> str:
    issue = context["issue"]
    return (
        f"《{context['publication'].title}》{issue.period_label}（{context['date_label']}）已撤回。"
        "请勿再转发、引用，此前收到的电子版请删除。"
    )


def office_footer(issue: Issue) -> list[str]:
    return ["——", f"{issue.publication.office}编发。本邮件由系统发出，如需更改收件地址，请直接回复本邮件告知。"]


def issue_text(context: dict) -> str:
    """The plain-text part: the same masthead, notice and contents as the HTML part, links written out."""
    issue, publication = context["issue"], context["publication"]
    lines = []
    if context["is_test"]:
        lines += [f"【测试】{test_notice()}", ""]
    if context["is_correction"]:
        lines += [f"【更正】{correction_notice()}", ""]
    lines += [publication.title, issue.period_label, f"{publication.office}　{context['date_label']}", "", "目　录", ""]
    for name, articles in context["sections"]:
        lines.append(f"【{name}】")
        for title, url in articles:
            lines += [f"  {title}", f"  {url}"]
        lines.append("")
    lines.append(f"网页版：{context['issue_url']}")
    if context["attached"]:
        lines.append(f"PDF 版见附件《{context['filename']}》，也可下载：{context['pdf_url']}")
    else:
        lines.append(f"PDF 版（{context['pdf_size']}）较大，未作附件，请下载：{context['pdf_url']}")
    lines += ["", *office_footer(issue)]
    return "\n".join(lines)
