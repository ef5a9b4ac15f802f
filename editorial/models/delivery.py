"""报送: recipients, the mail outbox and newsroom notifications (editorial/delivery/ owns the behaviour)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .record import Issue


class RecipientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def in_list_order(self):
        """报 first, then 送, then 发; within a group by position: the order of the masthead's lines."""
        group_order = models.Case(
            *(models.When(group=value, then=index) for index, value in enumerate(Recipient.Group.values)),
            output_field=models.IntegerField(),
        )
        return self.order_by(group_order, "position", "pk")


class Recipient(models.Model):
    """A person or office that receives each published issue by mail, on the 报, 送 or 发 list."""

    class Group(models.TextChoices):
        REPORT = "report", "报"
        SEND = "send", "送"
        DISTRIBUTE = "distribute", "发"

    group = models.CharField(
        "分组",
        max_length=12,
        choices=Group.choices,
        help_text="报：上级领导和机关；送：有关单位；发：下级和内部。报尾的三行按此分组生成。",
    )
    unit = models.CharField("单位", max_length=100, blank=True, help_text="收件人所在单位，报尾按单位列出。")
    name = models.CharField("姓名", max_length=50, blank=True, help_text="收件人姓名或称呼，可留空。")
    email = models.EmailField("邮箱", unique=True, help_text="每期的邮件只发给这一个地址；同一地址只能登记一次。")
    active = models.BooleanField("启用", default=True, help_text="取消勾选后不再收到新的期刊，已发送的记录保留。")
    position = models.PositiveIntegerField("排序", default=0, help_text="同一分组内按此顺序排列，数字小的在前。")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = RecipientQuerySet.as_manager()

    class Meta:
        verbose_name = "收件人"
        verbose_name_plural = "收件人"
        ordering = ["position", "pk"]
        permissions = [("import_recipient", "可从表格导入收件人"), ("export_recipient", "可导出收件人表格")]

    def __str__(self):
        return self.display_name or self.email

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def clean(self):
        self.email = normalise_email(self.email)
        if not self.unit.strip() and not self.name.strip():
            raise ValidationError("单位和姓名至少要填一项：报尾按单位列出，没有单位时列出姓名。")

    @property
    def display_name(self) -> str:
        """单位 and 姓名 as a letter is addressed: 浙江省发展改革委 张三."""
        return " ".join(part for part in (self.unit.strip(), self.name.strip()) if part)


def normalise_email(address: str) -> str:
    """One spelling per mailbox: surrounding spaces removed, lower case (so an address is registered once)."""
    return (address or "").strip().lower()


class OutboxMessage(models.Model):
    """One mail to one address, waiting in the outbox or sent from it, with its delivery state.

    Issue mails (期刊, 更正, 撤回通知, 测试) are composed when they are sent, from the issue as it is
    then and its stored PDF, so the text and the attachment always show the same version; the
    subject and, for newsroom notifications, the text are fixed when the message is queued.
    """

    class Kind(models.TextChoices):
        ISSUE = "issue", "期刊"
        CORRECTION = "correction", "更正"
        WITHDRAWAL = "withdrawal", "撤回通知"
        NOTIFICATION = "notification", "工作通知"
        TEST = "test", "测试邮件"

    class State(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        UNKNOWN = "unknown", "待核实"
        CANCELLED = "cancelled", "已取消"

    recipient = models.ForeignKey(
        Recipient, on_delete=models.SET_NULL, null=True, blank=True, related_name="mails", verbose_name="收件人"
    )
    address = models.EmailField("收件地址")
    name = models.CharField("收件人名称", max_length=200, blank=True)
    issue = models.ForeignKey(
        Issue, on_delete=models.SET_NULL, null=True, blank=True, related_name="mails", verbose_name="期刊"
    )
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    subject = models.CharField("主题", max_length=300)
    text = models.TextField("正文", blank=True, help_text="工作通知的正文；期刊邮件的正文在发送时生成。")
    priority = models.PositiveSmallIntegerField("优先级", default=1, help_text="数字小的先发。")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间")
    claim_token = models.CharField("发送批次", max_length=32, blank=True, editable=False)
    lease_until = models.DateTimeField("占用到", null=True, blank=True, editable=False)
    handed_at = models.DateTimeField("交给邮件服务器时间", null=True, blank=True, editable=False)
    last_reply = models.TextField("邮件服务器回复", blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    message_id = models.CharField("Message-ID", max_length=200, unique=True)
    issue_version = models.PositiveIntegerField("所发版本", null=True, blank=True)
    attachment = models.CharField("附件", max_length=200, blank=True)
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    created_at = models.DateTimeField("排队时间", auto_now_add=True)

    class Meta:
        verbose_name = "邮件"
        verbose_name_plural = "发送记录"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["issue", "-created_at"], name="outbox_issue_idx"),
        ]
        permissions = [("resend_outboxmessage", "可重新发送邮件和发送测试邮件")]

    def __str__(self):
        return f"{self.subject} → {self.address}"


class NotificationPreference(models.Model):
    """Whether a member of the newsroom also gets workflow notifications by mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference", verbose_name="用户"
    )
    email = models.BooleanField("邮件通知", default=True, help_text="关闭后只在编辑部的“通知”中提醒，不再发邮件。")

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"

    def __str__(self):
        return f"{self.user} · 邮件通知{'开' if self.email else '关'}"


class Notification(models.Model):
    """A note to one member of the newsroom about an issue: submitted, returned, signed off, published, not delivered."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        RETURNED = "returned", "退回修改"
        APPROVED = "approved", "已签发"
        PUBLISHED = "published", "已发布"
        DELIVERY_FAILED = "delivery_failed", "报送失败"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="用户"
    )
    issue = models.ForeignKey(
        Issue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="期刊"
    )
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    text = models.TextField("内容")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_idx")]

    def __str__(self):
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
