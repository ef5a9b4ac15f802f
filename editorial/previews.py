"""Spreadsheets parked between an import's preview and its confirmation: kept an hour at most.

django-import-export parks each uploaded sheet in the default storage (under ``django-import-export/``,
shared by every app server) until the administrator confirms the preview. A preview never confirmed —
the page closed, or refused for its errors — would leave its sheet there for ever. Here a parked sheet
older than PREVIEW_MAX_AGE can no longer be confirmed, every new upload first deletes the sheets
parked longer ago, and ``manage.py expire_import_previews`` does the same from cron, for the weeks
nobody imports. (The legacy text import parks nothing: its files travel inside the preview page,
signed, and expire after the same hour.)
"""

import datetime
import logging
import re

from django.utils import timezone
from import_export.tmp_storages import MediaStorage

logger = logging.getLogger(__name__)

PREVIEW_MAX_AGE = datetime.timedelta(hours=1)
# The names the package gives parked sheets (uuid4().hex); a confirmation naming anything else was tampered with.
_PARKED_NAME = re.compile(r"[0-9a-f]{32}")


class ExpiringMediaStorage(MediaStorage):
    """The package's MediaStorage (IMPORT_EXPORT_TMP_STORAGE_CLASS), keeping each sheet PREVIEW_MAX_AGE at most."""

    def save(self, data):
        expire_previews(storage=self)
        super().save(data)

    def read(self):
        if not _PARKED_NAME.fullmatch(self.name or "") or self._expired():
            raise FileNotFoundError(f"no sheet waiting under {self.name!r}")
        return super().read()

    def _expired(self) -> bool:
        try:
            parked_at = self._storage.get_modified_time(self.get_full_path())
        except FileNotFoundError:
            return True
        return parked_at < timezone.now() - PREVIEW_MAX_AGE


def expire_previews(*, storage: MediaStorage | None = None) -> int:
    """Delete the sheets parked longer than PREVIEW_MAX_AGE ago; how many were deleted."""
    storage = storage or ExpiringMediaStorage()
    files, folder = storage._storage, storage.MEDIA_FOLDER
    try:
        _, names = files.listdir(folder)
    except FileNotFoundError:
        return 0
    oldest_kept = timezone.now() - PREVIEW_MAX_AGE
    deleted = 0
    for name in names:
        path = f"{folder}/{name}"
        try:
            if files.get_modified_time(path) < oldest_kept:
                files.delete(path)
                deleted += 1
        except FileNotFoundError:
            continue  # deleted meanwhile: confirmed, or expired by another server
    if deleted:
        logger.info("expired %d spreadsheet import previews older than %s", deleted, PREVIEW_MAX_AGE)
    return deleted
