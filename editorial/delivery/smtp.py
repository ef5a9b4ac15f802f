"""Django's SMTP backend, keeping what the server answered to each message and whether it was handed over whole.

The delivery log shows the server's reply (``250 2.0.0 Ok: queued as 4F2A1``), which is what a mail
administrator needs to trace a message. And when a connection breaks after the whole message, its
final dot included, has been sent, the server may have accepted it: the sender must then not send it
again blindly (see sending.py), so the connection records that moment.
"""

import smtplib
from email.generator import NLCRE, BytesGenerator
from io import BytesIO

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address

END_OF_DATA = b"\r\n.\r\n"


class ReplyKeeping:
    """Mixin for smtplib.SMTP: `last_reply` after each DATA, `handed_over` once the final dot is on the wire."""

    last_reply: tuple[int, bytes] | None = None
    handed_over = False
    _in_data = False

    def mail(self, sender, options=()):
        # MAIL FROM begins each message: nothing of it has been handed over yet.
        self.last_reply, self.handed_over = None, False
        return super().mail(sender, options)

    def data(self, msg):
        self.last_reply, self.handed_over, self._in_data = None, False, True
        try:
            self.last_reply = super().data(msg)
        finally:
            self._in_data = False
        return self.last_reply

    def send(self, s):
        super().send(s)
        if self._in_data and isinstance(s, bytes | bytearray) and s.endswith(END_OF_DATA):
            self.handed_over = True


class SMTP(ReplyKeeping, smtplib.SMTP):
    pass


class SMTP_SSL(ReplyKeeping, smtplib.SMTP_SSL):
    pass


class LineJoiningGenerator(BytesGenerator):
    """Python's mail generator, writing a part's lines in one piece instead of two writes a line.

    The same bytes; but a PDF attachment is some 7,000 base64 lines, and writing them one by one took
    about 30 ms of each mail's 40.
    """

    def _write_lines(self, lines):
        if not lines:
            return
        lines = NLCRE.split(lines)
        if len(lines) > 1:
            self.write(self._NL.join(lines[:-1]) + self._NL)
        if lines[-1]:
            self.write(lines[-1])


def message_bytes(email_message) -> bytes:
    """The mail as it goes on the wire (what Django's `message().as_bytes(linesep="\\r\\n")` gives)."""
    buffer = BytesIO()
    LineJoiningGenerator(buffer, mangle_from_=False).flatten(email_message.message(), linesep="\r\n")
    return buffer.getvalue()


class EmailBackend(smtp.EmailBackend):
    """The SMTP backend with reply-keeping connections; settings and behaviour are Django's own."""

    @property
    def connection_class(self):
        return SMTP_SSL if self.use_ssl else SMTP

    def _send(self, email_message):
        # Django's own _send, with the faster generator above.
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in email_message.recipients()]
        try:
            self.connection.sendmail(from_email, recipients, message_bytes(email_message))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True


def reply_text(reply: tuple[int, bytes | str] | None) -> str:
    """An SMTP reply as the log shows it: `250 2.0.0 Ok: queued as 4F2A1`."""
    if reply is None:
        return ""
    code, message = reply
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return f"{code} {message}".strip()
