"""The issue's distribution record (报送记录): the 报/送/发, print run and sign-off lines printed at the end of old issues.

The legacy importer used to lose them into the last article; it now keeps them here, as printed.
"""

from django.db import migrations, models


def distribution_field():
    return models.TextField(
        "报送记录",
        blank=True,
        help_text="印在旧刊末尾的报送范围、印数、签发、责任编辑等（报：…、送：…、共印…份），按原样保存；从旧版文本导入时自动填写。",
    )


class Migration(migrations.Migration):
    dependencies = [("editorial", "0010_recipients_and_outbox")]

    operations = [
        migrations.AddField(model_name="historicalissue", name="distribution", field=distribution_field()),
        migrations.AddField(model_name="issue", name="distribution", field=distribution_field()),
    ]
