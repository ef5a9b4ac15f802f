"""Backup and restore of the editorial record as a folder of JSON files (`export_backup`, `import_backup`).

Layout (format 1)::

    manifest.json      what this is, when it was written, the counts, and a SHA-256 of every other file
    publication.json   the masthead (刊物)
    sections.json      every section: name, slug, default position, standing or not
    regions.json       every source region: name, slug, kind, parent's slug, aliases, in the delta, position
    issues/0193.json   one file per issue: exactly what `export_issue --format json` writes, plus what a
                       restore needs beyond what readers see — `published_at`, `scheduled_at`, the issue's
                       own `section_order` (empty sections too), each article's `source` and each region's `slug`
    pool.json          the articles not placed in any issue (稿件库), in the same form as an issue's

Users, versions (history), the workflow log and rendered PDF/Word files are not in it: `pg_dump`
keeps those (README.md, Deployment). The keys an issue file adds to `export_issue`'s are optional
when reading: without them regions are found by name and province, a published issue counts as
published at midnight of its date, and articles have no source.

Reading is pure (files in, frozen dataclasses out, every problem collected with the file it is
in); restoring is one transaction into a database that has no issues or articles yet.
"""

from .format import Backup, BackupError
from .reading import read_backup
from .restoring import RestoreResult, editorial_rows, restore_backup
from .writing import ExportResult, export_backup

__all__ = [
    "Backup",
    "BackupError",
    "ExportResult",
    "RestoreResult",
    "editorial_rows",
    "export_backup",
    "read_backup",
    "restore_backup",
]
