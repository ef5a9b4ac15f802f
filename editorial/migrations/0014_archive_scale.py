"""An index on issues by date and number, newest first: the admin's lists walk it instead of sorting everything.

The issue list is ordered by it, and the article list by its article's issue (date, number), so PostgreSQL
reads the newest issues and their articles (by the article_issue_position index) and stops after a page.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0013_withdraw_submission_action"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="issue",
            index=models.Index(fields=["-date", "-number"], name="issue_date_number_idx"),
        ),
    ]
