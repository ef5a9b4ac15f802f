"""Django's SMTP backend, keeping what the server answered to each message and whether it was handed over whole.

The delivery log shows the server's reply (``250 2.0.0 Ok: queued as 4F2A1``), which is what a mail
administrator needs to trace a message. And when a connection breaks after the whole message, its
final dot included, has been sent, the server may have accepted it: the sender must then not send it
again blindly (see sending.py), so the connection records that moment.
"""

import smtplib

from django.core.mail.backends import smtp

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


class EmailBackend(smtp.EmailBackend):
    """The SMTP backend with reply-keeping connections; settings and behaviour are Django's own."""

    @property
    def connection_class(self):
        return SMTP_SSL if self.use_ssl else SMTP


def reply_text(reply: tuple[int, bytes | str] | None) -> str:
    """An SMTP reply as the log shows it: `250 2.0.0 Ok: queued as 4F2A1`."""
    if reply is None:
        return ""
    code, message = reply
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return f"{code} {message}".strip()
