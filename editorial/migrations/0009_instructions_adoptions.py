"""Leaders' instructions (领导批示) and adoptions (被采用) on articles, the leader levels, and who may record them.

编辑 and 审核 record instructions and adoptions (add, change, delete, export); 审核 also reads the
statistics; 管理员 may do all of that and maintain the list of leader levels. The levels start as the
ones the office uses; administrators rename, reorder or add to them in the admin.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

LEVELS = [("国家级领导", 10), ("省级领导", 20), ("厅局级领导", 30), ("其他", 90)]

RECORDING = [
    f"{action}_{model}" for model in ("instruction", "adoption") for action in ("view", "add", "change", "delete")
]
EDITOR_PERMISSIONS = [*RECORDING, "export_instruction", "export_adoption", "view_leaderlevel"]
ROLES = {
    "编辑": EDITOR_PERMISSIONS,
    "审核": [*EDITOR_PERMISSIONS, "view_statistics"],
    "管理员": [
        *EDITOR_PERMISSIONS,
        "view_statistics",
        "add_leaderlevel",
        "change_leaderlevel",
        "delete_leaderlevel",
    ],
}


def load_levels(apps, schema_editor):
    LeaderLevel = apps.get_model("editorial", "LeaderLevel")
    for name, position in LEVELS:
        LeaderLevel.objects.get_or_create(name=name, defaults={"position": position})


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    app_config = apps.get_app_config("editorial")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="editorial", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = {codename for codenames in ROLES.values() for codename in codenames}
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="editorial", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0008_proofreading_dismissals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LeaderLevel",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=30, unique=True, verbose_name="级别名称")),
                (
                    "position",
                    models.PositiveIntegerField(
                        default=0, help_text="选择列表和统计按此顺序排列，数字小的在前。", verbose_name="排序"
                    ),
                ),
            ],
            options={
                "verbose_name": "领导级别",
                "verbose_name_plural": "领导级别",
                "ordering": ["position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Adoption",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "adopted_by",
                    models.CharField(
                        help_text="如“浙江省人民政府办公厅《浙江信息》”。",
                        max_length=100,
                        verbose_name="采用单位或刊物",
                    ),
                ),
                ("date", models.DateField(verbose_name="采用日期")),
                (
                    "note",
                    models.TextField(
                        blank=True, help_text="如采用的期号、全文或摘要采用，可留空。", verbose_name="说明"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="登记时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="修改时间")),
                (
                    "article",
                    models.ForeignKey(
                        help_text="被采用的稿件。",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="adoptions",
                        to="editorial.article",
                        verbose_name="稿件",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="登记人",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="最后修改人",
                    ),
                ),
            ],
            options={
                "verbose_name": "被采用",
                "verbose_name_plural": "被采用",
                "ordering": ["-date", "-pk"],
                "permissions": [("export_adoption", "可导出被采用表格")],
                "indexes": [models.Index(fields=["date"], name="adoption_date_idx")],
            },
        ),
        migrations.CreateModel(
            name="Instruction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("leader", models.CharField(help_text="领导姓名。", max_length=50, verbose_name="批示领导")),
                (
                    "leader_title",
                    models.CharField(blank=True, help_text="如“副省长”，可留空。", max_length=100, verbose_name="职务"),
                ),
                ("date", models.DateField(verbose_name="批示日期")),
                ("gist", models.TextField(help_text="批示的主要内容，可摘录原文。", verbose_name="批示要点")),
                (
                    "scan",
                    models.FileField(
                        blank=True,
                        editable=False,
                        help_text="批示件的扫描件或照片（PDF、JPG 或 PNG），只有编辑部人员可以查看。",
                        max_length=200,
                        upload_to="",
                        verbose_name="批示件扫描",
                    ),
                ),
                ("scan_type", models.CharField(blank=True, editable=False, max_length=40, verbose_name="扫描件类型")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="登记时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="修改时间")),
                (
                    "article",
                    models.ForeignKey(
                        help_text="批示针对的稿件。",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="instructions",
                        to="editorial.article",
                        verbose_name="稿件",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="登记人",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="最后修改人",
                    ),
                ),
                (
                    "level",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="instructions",
                        to="editorial.leaderlevel",
                        verbose_name="领导级别",
                    ),
                ),
            ],
            options={
                "verbose_name": "领导批示",
                "verbose_name_plural": "领导批示",
                "ordering": ["-date", "-pk"],
                "permissions": [
                    ("export_instruction", "可导出领导批示表格"),
                    ("view_statistics", "可查看信息工作统计"),
                ],
                "indexes": [models.Index(fields=["date"], name="instruction_date_idx")],
            },
        ),
        migrations.RunPython(load_levels, migrations.RunPython.noop),
        migrations.RunPython(grant, revoke),
    ]
