"""报送: recipients, the outbox, notifications and notification preferences; who may manage and see them.

管理员 manage the recipient lists (with spreadsheet import/export) and see every mail; 审核 see the
delivery log of an issue, resend and send a test to themselves. Editors see neither the lists nor the
addresses. Everyone on the staff sees their own notifications (no permission needed).
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

ADMINISTRATOR = "管理员"
REVIEWER = "审核"
ADMINISTRATOR_PERMISSIONS = [
    "add_recipient",
    "change_recipient",
    "delete_recipient",
    "view_recipient",
    "import_recipient",
    "export_recipient",
    "view_outboxmessage",
    "resend_outboxmessage",
]
REVIEWER_PERMISSIONS = ["view_outboxmessage", "resend_outboxmessage"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    app_config = apps.get_app_config("editorial")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ((ADMINISTRATOR, ADMINISTRATOR_PERMISSIONS), (REVIEWER, REVIEWER_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="editorial", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="editorial", codename__in=ADMINISTRATOR_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0009_instructions_adoptions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Recipient",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "group",
                    models.CharField(
                        choices=[("report", "报"), ("send", "送"), ("distribute", "发")],
                        help_text="报：上级领导和机关；送：有关单位；发：下级和内部。报尾的三行按此分组生成。",
                        max_length=12,
                        verbose_name="分组",
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        blank=True, help_text="收件人所在单位，报尾按单位列出。", max_length=100, verbose_name="单位"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        blank=True, help_text="收件人姓名或称呼，可留空。", max_length=50, verbose_name="姓名"
                    ),
                ),
                (
                    "email",
                    models.EmailField(
                        help_text="每期的邮件只发给这一个地址；同一地址只能登记一次。",
                        max_length=254,
                        unique=True,
                        verbose_name="邮箱",
                    ),
                ),
                (
                    "active",
                    models.BooleanField(
                        default=True, help_text="取消勾选后不再收到新的期刊，已发送的记录保留。", verbose_name="启用"
                    ),
                ),
                (
                    "position",
                    models.PositiveIntegerField(
                        default=0, help_text="同一分组内按此顺序排列，数字小的在前。", verbose_name="排序"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="登记时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="修改时间")),
            ],
            options={
                "verbose_name": "收件人",
                "verbose_name_plural": "收件人",
                "ordering": ["position", "pk"],
                "permissions": [("import_recipient", "可从表格导入收件人"), ("export_recipient", "可导出收件人表格")],
            },
        ),
        migrations.CreateModel(
            name="NotificationPreference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "email",
                    models.BooleanField(
                        default=True, help_text="关闭后只在编辑部的“通知”中提醒，不再发邮件。", verbose_name="邮件通知"
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notification_preference",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={
                "verbose_name": "通知设置",
                "verbose_name_plural": "通知设置",
            },
        ),
        migrations.CreateModel(
            name="Notification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("submitted", "待审核"),
                            ("returned", "退回修改"),
                            ("approved", "已签发"),
                            ("published", "已发布"),
                            ("delivery_failed", "报送失败"),
                        ],
                        max_length=20,
                        verbose_name="类别",
                    ),
                ),
                ("text", models.TextField(verbose_name="内容")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="已读时间")),
                (
                    "issue",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="editorial.issue",
                        verbose_name="期刊",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={
                "verbose_name": "通知",
                "verbose_name_plural": "通知",
                "ordering": ["-created_at", "-pk"],
                "indexes": [models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_idx")],
            },
        ),
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("address", models.EmailField(max_length=254, verbose_name="收件地址")),
                ("name", models.CharField(blank=True, max_length=200, verbose_name="收件人名称")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("issue", "期刊"),
                            ("correction", "更正"),
                            ("withdrawal", "撤回通知"),
                            ("notification", "工作通知"),
                            ("test", "测试邮件"),
                        ],
                        max_length=20,
                        verbose_name="类别",
                    ),
                ),
                ("subject", models.CharField(max_length=300, verbose_name="主题")),
                (
                    "text",
                    models.TextField(
                        blank=True, help_text="工作通知的正文；期刊邮件的正文在发送时生成。", verbose_name="正文"
                    ),
                ),
                (
                    "priority",
                    models.PositiveSmallIntegerField(default=1, help_text="数字小的先发。", verbose_name="优先级"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "待发送"),
                            ("sending", "发送中"),
                            ("sent", "已发送"),
                            ("failed", "发送失败"),
                            ("unknown", "待核实"),
                            ("cancelled", "已取消"),
                        ],
                        default="queued",
                        max_length=12,
                        verbose_name="状态",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="已尝试次数")),
                ("next_attempt_at", models.DateTimeField(verbose_name="下次发送时间")),
                ("claim_token", models.CharField(blank=True, editable=False, max_length=32, verbose_name="发送批次")),
                ("lease_until", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="占用到")),
                (
                    "handed_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="交给邮件服务器时间"),
                ),
                ("last_reply", models.TextField(blank=True, verbose_name="邮件服务器回复")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="发送时间")),
                ("message_id", models.CharField(max_length=200, unique=True, verbose_name="Message-ID")),
                ("issue_version", models.PositiveIntegerField(blank=True, null=True, verbose_name="所发版本")),
                ("attachment", models.CharField(blank=True, max_length=200, verbose_name="附件")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="排队时间")),
                (
                    "issue",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="mails",
                        to="editorial.issue",
                        verbose_name="期刊",
                    ),
                ),
                (
                    "queued_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="mails",
                        to="editorial.recipient",
                        verbose_name="收件人",
                    ),
                ),
            ],
            options={
                "verbose_name": "邮件",
                "verbose_name_plural": "发送记录",
                "ordering": ["-created_at", "-pk"],
                "permissions": [("resend_outboxmessage", "可重新发送邮件和发送测试邮件")],
                "indexes": [
                    models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx"),
                    models.Index(fields=["issue", "-created_at"], name="outbox_issue_idx"),
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
