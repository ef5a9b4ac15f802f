"""Deletions made together share a batch id in the history; the workflow log's actions become named choices.

Issues deleted before this migration get their batch from the rule the 回收站 used until now:
the articles deleted "随期刊一并删除" from that issue within the minute before it.
"""

import datetime
import uuid

from django.db import migrations, models

ISSUE_DELETED = "随期刊一并删除"


def batch_earlier_deletions(apps, schema_editor):
    HistoricalIssue = apps.get_model("editorial", "HistoricalIssue")
    HistoricalArticle = apps.get_model("editorial", "HistoricalArticle")
    for deletion in HistoricalIssue.objects.filter(history_type="-", deletion_batch__isnull=True):
        batch = uuid.uuid4()
        HistoricalIssue.objects.filter(pk=deletion.pk).update(deletion_batch=batch)
        HistoricalArticle.objects.filter(
            issue_id=deletion.id,
            history_type="-",
            history_change_reason=ISSUE_DELETED,
            history_date__gte=deletion.history_date - datetime.timedelta(minutes=1),
            history_date__lte=deletion.history_date,
        ).update(deletion_batch=batch)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0006_faster_search_bigrams"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalarticle",
            name="deletion_batch",
            field=models.UUIDField(blank=True, db_index=True, editable=False, null=True, verbose_name="删除批次"),
        ),
        migrations.AddField(
            model_name="historicalissue",
            name="deletion_batch",
            field=models.UUIDField(blank=True, db_index=True, editable=False, null=True, verbose_name="删除批次"),
        ),
        migrations.AlterField(
            model_name="issuetransition",
            name="action",
            field=models.CharField(
                choices=[
                    ("submit", "提交审核"),
                    ("return_to_draft", "退回修改"),
                    ("approve", "签发"),
                    ("publish", "立即发布"),
                    ("publish_scheduled", "定时发布生效"),
                    ("schedule", "定时发布"),
                    ("unschedule", "取消定时"),
                    ("withdraw", "撤回"),
                    ("correct", "更正"),
                    ("create", "新建"),
                    ("import_legacy", "导入旧版文本"),
                    ("reimport_legacy", "以旧版文本更新"),
                    ("recover", "从回收站恢复"),
                    ("import_archive", "从备份恢复"),
                    ("generate_archive", "生成演示存档"),
                ],
                max_length=40,
                verbose_name="操作",
            ),
        ),
        migrations.RunPython(batch_earlier_deletions, migrations.RunPython.noop),
    ]
