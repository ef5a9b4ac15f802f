"""The office's legacy samples live in ../shared, outside the repository; tests fail (never skip) without them."""

from pathlib import Path

import pytest
from django.conf import settings


def legacy_samples_dir() -> Path:
    folder = Path(settings.BASE_DIR).parent / "shared" / "samples" / "legacy"
    if not folder.is_dir():
        pytest.fail(
            f"The legacy samples are missing: expected them in {folder} (the shared folder next to the checkout)."
        )
    return folder


def legacy_sample_path(name: str = "2020-193.txt") -> Path:
    path = legacy_samples_dir() / name
    if not path.is_file():
        pytest.fail(f"The legacy sample {path} is missing.")
    return path


def legacy_sample_bytes(name: str = "2020-193.txt") -> bytes:
    return legacy_sample_path(name).read_bytes()
