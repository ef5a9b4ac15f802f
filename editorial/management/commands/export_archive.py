"""export_archive: the first name of export_backup, kept for the scripts and habits that use it."""

from .export_backup import Command  # noqa: F401
