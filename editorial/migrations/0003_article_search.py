"""Search storage: the normalised title and text of each article, and on PostgreSQL a bigram index.

On PostgreSQL only, `search_bigrams` is a generated column the database keeps current
from `search_text` on every insert and update (bulk writes and raw updates included): a
tsvector of the text's overlapping two-character pieces, GIN-indexed. Django's model does
not declare it; editorial.search queries it. Changing the type of `search_text` later means
dropping the column and the function first (PostgreSQL refuses otherwise).
"""

from django.db import migrations, models

# The distinct bigrams of a text; none spans the newline that joins title and body.
CREATE_BIGRAMS_FUNCTION = r"""
CREATE FUNCTION editorial_search_bigrams(text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT substr($1, i, 2))), ''::tsvector)
    FROM generate_series(1, char_length($1) - 1) AS i
    WHERE strpos(substr($1, i, 2), E'\n') = 0
$$
"""
ADD_BIGRAMS_COLUMN = """
ALTER TABLE editorial_article
ADD COLUMN search_bigrams tsvector GENERATED ALWAYS AS (editorial_search_bigrams(search_text)) STORED
"""
CREATE_BIGRAMS_INDEX = "CREATE INDEX article_search_bigrams_gin ON editorial_article USING gin (search_bigrams)"
DROP_BIGRAMS = [
    "DROP INDEX IF EXISTS article_search_bigrams_gin",
    "ALTER TABLE editorial_article DROP COLUMN IF EXISTS search_bigrams",
    "DROP FUNCTION IF EXISTS editorial_search_bigrams(text)",
]


def derive_search_fields(apps, schema_editor):
    """Fill the new fields of existing articles (the same rule as Article.derive_fields)."""
    from editorial.search import search_fields

    Article = apps.get_model("editorial", "Article")
    articles = list(Article.objects.only("pk", "title", "body"))
    for article in articles:
        article.search_title, article.search_text = search_fields(title=article.title, body=article.body)
    Article.objects.bulk_update(articles, ["search_title", "search_text"], batch_size=500)


def create_bigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in (CREATE_BIGRAMS_FUNCTION, ADD_BIGRAMS_COLUMN, CREATE_BIGRAMS_INDEX):
        schema_editor.execute(statement)


def drop_bigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP_BIGRAMS:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0002_masthead_sections_regions_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_title",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                help_text="由标题自动生成，供站内检索使用。",
                verbose_name="检索用标题",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="search_text",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                help_text="由标题和正文自动生成，供站内检索使用。",
                verbose_name="检索用全文",
            ),
        ),
        migrations.RunPython(derive_search_fields, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_bigram_index, drop_bigram_index),
    ]
