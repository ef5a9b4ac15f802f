"""PostgreSQL: a search for one character goes through the bigram index too.

A one-character term has no bigram of its own, so a search for a rare character read every
article. But wherever a character occurs in a line, it begins a piece of the index: the bigram
it starts, or at the end of the line a piece of the character and a line break, which this
migration adds. A prefix query ('港':*) then finds every article holding the character. That is
one or two lexemes more an article, where indexing single characters as well would add half
again. Existing articles are rewritten so that their stored column holds the new pieces.
"""

from django.db import migrations

WITH_LINE_ENDS = r"""
CREATE OR REPLACE FUNCTION editorial_search_bigrams(text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_to_tsvector(array_agg(pair.left_char || coalesce(pair.right_char, E'\n'))), ''::tsvector)
    FROM (SELECT string_to_array($1, NULL) AS characters) AS split,
         unnest(split.characters, split.characters[2:]) AS pair(left_char, right_char)
    WHERE pair.left_char <> E'\n'
$$
"""
# Migration 0006's definition, for migrating back.
WITHOUT_LINE_ENDS = r"""
CREATE OR REPLACE FUNCTION editorial_search_bigrams(text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_to_tsvector(array_agg(pair.left_char || pair.right_char)), ''::tsvector)
    FROM (SELECT string_to_array($1, NULL) AS characters) AS split,
         unnest(split.characters[1:cardinality(split.characters) - 1], split.characters[2:])
         AS pair(left_char, right_char)
    WHERE pair.left_char <> E'\n' AND pair.right_char <> E'\n'
$$
"""
# A stored generated column is computed again when its row is updated.
RECOMPUTE = "UPDATE editorial_article SET search_text = search_text"


def replacing_with(definition):
    def replace(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(definition)
            schema_editor.execute(RECOMPUTE)

    return replace


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0014_archive_scale"),
    ]

    operations = [
        migrations.RunPython(replacing_with(WITH_LINE_ENDS), replacing_with(WITHOUT_LINE_ENDS)),
    ]
