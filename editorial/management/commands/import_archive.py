"""import_archive: the first name of import_backup, kept for the scripts and habits that use it."""

from .import_backup import Command  # noqa: F401
