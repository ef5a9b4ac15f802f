"""Scans of leaders' instructions (批示件): what may be uploaded, and the name it gets in storage.

A scan is judged by its content, never by its file name or the browser's word: a PDF starts with
``%PDF-``; an image is whatever Pillow recognises as JPEG or PNG (the two a browser shows and every
scanner and phone writes). It is at most ``INSTRUCTION_SCAN_MAX_BYTES`` and, for an image, at most
MAX_PIXELS (a small file can claim a huge picture). It is stored in the default storage under a
random name (``instruction-scans/<32 hex>.pdf``): even where the storage is public nobody can guess
it, and the original file name — often a leader's name — is not kept. Staff read it through the
admin's permission-checked view only.
"""

import secrets
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

SCAN_DIR = "instruction-scans"
MAX_PIXELS = 60_000_000  # a 600 dpi A3 page is about 70 MB of pixels; 60 Mpx is more than any office scanner makes
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class ScanKind:
    """An accepted kind of scan: its file extension, media type and name for editors."""

    extension: str
    content_type: str
    label: str


PDF = ScanKind("pdf", "application/pdf", "PDF")
JPEG = ScanKind("jpg", "image/jpeg", "JPG 图片")
PNG = ScanKind("png", "image/png", "PNG 图片")
IMAGE_KINDS = {"JPEG": JPEG, "PNG": PNG}
KINDS = {kind.content_type: kind for kind in (PDF, JPEG, PNG)}


def max_bytes() -> int:
    return settings.INSTRUCTION_SCAN_MAX_BYTES


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def check_scan(upload) -> ScanKind:
    """The kind of an uploaded scan, or a ValidationError saying in Chinese why it is refused."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:80]
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            f"文件“{name}”太大（{_megabytes(upload.size)} MB）：批示件扫描最多 {_megabytes(limit)} MB。"
            "请降低扫描分辨率（200–300 dpi 即可）或压缩后再上传。",
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(f"文件“{name}”是空的，请重新选择。", code="empty")
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return PDF
    kind = _image_kind(upload)
    upload.seek(0)
    if kind is None:
        raise ValidationError(
            f"文件“{name}”不是 PDF 文件，也不是 JPG 或 PNG 图片（按文件内容判断，与扩展名无关），无法作为批示件扫描上传。",
            code="wrong_type",
        )
    return kind


def _image_kind(upload) -> ScanKind | None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(upload) as image:
                kind = IMAGE_KINDS.get(image.format or "")
                if kind is None:
                    return None
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ValidationError(
                        f"图片尺寸过大（{width} × {height} 像素），请降低扫描分辨率后再上传。", code="too_many_pixels"
                    )
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return None
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise ValidationError("图片尺寸过大，请降低扫描分辨率后再上传。", code="too_many_pixels") from error
    return kind


def storage_name(kind: ScanKind) -> str:
    """A fresh, unguessable name for a scan in the default storage."""
    return f"{SCAN_DIR}/{secrets.token_hex(16)}.{kind.extension}"
