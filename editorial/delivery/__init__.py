"""报送: each published issue delivered by mail to its recipients, and the newsroom told what happens.

    recipients.py     the 报/送/发 lists: the masthead's lines from them, the CSV import
    resources.py      the lists as a spreadsheet (admin import/export)
    outbox.py         queueing mails in the transaction that causes them; resending; the delivery log
    events.py         what each workflow transition queues (called from workflow.Transition.execute)
    notifications.py  notes to the newsroom: who is told what, the workbench's selectors, mail preference
    compose.py        a queued message made into a mail: subject, text and HTML parts, the PDF
    sending.py        the sender: claim, hand over, record; retry with backoff; the crash rule
    smtp.py           Django's SMTP backend, keeping the server's reply to each message

Mail never leaves inside a web request: `manage.py deliver_mail` (and the scheduled-publishing loop)
sends what is due. docs/delivery.md describes the guarantees.
"""
