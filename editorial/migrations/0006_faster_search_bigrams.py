"""PostgreSQL: the same bigrams for the search index, computed four times faster.

`editorial_search_bigrams` (migration 0003) cut the text with `substr` at every position, and
`substr` on multi-byte text counts characters from the start each time: the generated column
cost about 0.8 ms an article, the largest part of importing an issue on PostgreSQL. Splitting
the text into characters once and pairing neighbours gives the same tsvector in about a
quarter of the time (every article of the generated archive compared). `array_to_tsvector`
drops repeated lexemes itself. Stored values stay as they are: they do not change.
"""

from django.db import migrations

FASTER = r"""
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
# Migration 0003's definition, for migrating back.
SLOWER = r"""
CREATE OR REPLACE FUNCTION editorial_search_bigrams(text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT substr($1, i, 2))), ''::tsvector)
    FROM generate_series(1, char_length($1) - 1) AS i
    WHERE strpos(substr($1, i, 2), E'\n') = 0
$$
"""


def faster(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FASTER)


def slower(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SLOWER)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0005_administrators_unlock_logins"),
    ]

    operations = [
        migrations.RunPython(faster, slower),
    ]
