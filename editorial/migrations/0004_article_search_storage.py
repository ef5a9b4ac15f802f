"""PostgreSQL: keep the search text inline and uncompressed where it fits, so scanning it reads no TOAST.

With STORAGE MAIN on the search columns, PostgreSQL moves the body and the bigram vector
out of line first when a row is too large. Existing rows are rewritten so they take the
new layout. Nothing changes on SQLite.
"""

from django.db import migrations

SET_MAIN = (
    "ALTER TABLE editorial_article "
    "ALTER COLUMN search_text SET STORAGE MAIN, ALTER COLUMN search_title SET STORAGE MAIN"
)
SET_EXTENDED = (
    "ALTER TABLE editorial_article "
    "ALTER COLUMN search_text SET STORAGE EXTENDED, ALTER COLUMN search_title SET STORAGE EXTENDED"
)
# A changed value (|| '') is stored afresh; an unchanged one would keep its old TOAST pointer.
REWRITE = "UPDATE editorial_article SET search_text = search_text || ''"


def keep_search_text_inline(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SET_MAIN)
        schema_editor.execute(REWRITE)


def back_to_default_storage(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SET_EXTENDED)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0003_article_search"),
    ]

    operations = [
        migrations.RunPython(keep_search_text_inline, back_to_default_storage),
    ]
