"""The PDF of an issue: WeasyPrint over the print template. The only module that imports WeasyPrint.

WeasyPrint's own URL fetcher opens any file:// or http(s):// URL, so a stray
``<link rel="attachment" href="file:///etc/passwd">`` would embed a server file in the PDF.
``ProjectFileFetcher`` reads only files inside the project's static and media roots, never the
network, and stops the render on anything else.
"""

import logging
import mimetypes
import os
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation

FONTCONFIG_FILE = Path(__file__).resolve().parent.parent / "digest_cms" / "fonts.conf"
# fontconfig reads FONTCONFIG_FILE each time a configuration is loaded (WeasyPrint loads one at
# import and one per render), so this must be set before the import below. An operator's own
# setting wins.
os.environ.setdefault("FONTCONFIG_FILE", str(FONTCONFIG_FILE))

import pydyf  # noqa: E402
import weasyprint  # noqa: E402
from weasyprint.text.ffi import harfbuzz, harfbuzz_subset  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse  # noqa: E402

logger = logging.getLogger(__name__)

# The print template's links (/static/…, /media/…) resolve against this origin, which is never
# contacted: the fetcher maps it onto the static and media folders. `.invalid` cannot resolve.
PRINT_BASE_URL = "https://digest-cms.invalid/"


class ResourceRefused(ValueError):
    """The print layout asked for something outside the project's static and media files."""


class PdfRenderError(Exception):
    """The PDF could not be made; the message says why in words an editor understands."""


@dataclass(frozen=True)
class RenderedPdf:
    """A rendered PDF with where each anchor landed (1-based page numbers)."""

    content: bytes
    page_count: int
    anchor_pages: dict[str, int]


def fast_subsetting_available() -> bool:
    """True when HarfBuzz's font subsetter is loaded (about 10× faster than fontTools for CJK fonts)."""
    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


if not fast_subsetting_available():
    logger.warning(
        "HarfBuzz-Subset is missing: WeasyPrint will subset CJK fonts with fontTools (about 10x slower). "
        "Install Debian's libharfbuzz-subset0 (scripts/system-packages.txt)."
    )


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(entry[1] if isinstance(entry, list | tuple) else entry))
    return [root.resolve() for root in roots]


def _media_roots() -> list[Path]:
    return [Path(settings.MEDIA_ROOT).resolve()] if settings.MEDIA_ROOT else []


def _inside(path: Path, roots: list[Path]) -> Path | None:
    """The real path of `path` when it is an existing file under one of `roots`, else None."""
    resolved = path.resolve()
    if resolved.is_file() and any(resolved.is_relative_to(root) for root in roots):
        return resolved
    return None


def _decoded_relative_path(encoded: str) -> str:
    """The URL path decoded once; NUL bytes and backslashes, never meaningful here, are refused."""
    decoded = unquote(encoded)
    if "\x00" in decoded or "\\" in decoded:
        raise ResourceRefused(f"不允许的路径：{encoded!r}")
    return decoded.lstrip("/")


class ProjectFileFetcher(URLFetcher):
    """Reads static and media files for WeasyPrint; refuses every other URL and never opens a connection."""

    def __init__(self):
        # fail_on_errors: a refused or missing resource stops the render instead of printing without it.
        super().__init__(allowed_protocols=("file", "https"), allow_redirects=False, fail_on_errors=True)
        self.static_prefix = urljoin(PRINT_BASE_URL, settings.STATIC_URL or "/static/")
        self.media_prefix = urljoin(PRINT_BASE_URL, settings.MEDIA_URL) if settings.MEDIA_URL else None

    def fetch(self, url, headers=None):
        path = self.resolve(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    def resolve(self, url: str) -> Path:
        """The local file behind `url`, or ResourceRefused."""
        parts = urlsplit(url)
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            found = _inside(Path("/" + _decoded_relative_path(parts.path)), _static_roots() + _media_roots())
        elif url.startswith(self.static_prefix):
            found = self._static_file(
                _decoded_relative_path(parts.path.removeprefix(urlsplit(self.static_prefix).path))
            )
        elif self.media_prefix and url.startswith(self.media_prefix):
            relative = _decoded_relative_path(parts.path.removeprefix(urlsplit(self.media_prefix).path))
            found = _inside(Path(settings.MEDIA_ROOT) / relative, _media_roots())
        else:
            found = None
        if found is None:
            raise ResourceRefused(f"打印版式只能读取本站的静态文件和媒体文件，已拒绝：{url}")
        return found

    def _static_file(self, relative: str) -> Path | None:
        roots = _static_roots()
        if settings.STATIC_ROOT and (found := _inside(Path(settings.STATIC_ROOT) / relative, roots)):
            return found
        try:
            candidate = finders.find(relative)
        except SuspiciousFileOperation:
            return None
        return _inside(Path(candidate), roots) if candidate else None


def _add_page_labels(document, pdf) -> None:
    """Page labels matching the printed numbers: the masthead page is 封面, then 2, 3, 4 …"""
    pdf.catalog["PageLabels"] = pydyf.Dictionary(
        {
            "Nums": pydyf.Array(
                [0, pydyf.Dictionary({"P": pydyf.String("封面")}), 1, pydyf.Dictionary({"S": "/D", "St": 2})]
            )
        }
    )


@contextmanager
def _refusals_as_render_errors():
    """WeasyPrint stops on a refused resource with FatalURLFetchingError; readers get PdfRenderError."""
    try:
        yield
    except FatalURLFetchingError as exc:
        raise PdfRenderError(f"打印版式引用了无法读取的文件（{exc.__cause__ or exc}）。") from exc


def chinese_fonts_missing() -> bool:
    """Whether fontconfig (as WeasyPrint will see it) knows no font that covers Chinese.

    Asked before every layout: with no font at all WeasyPrint crashes the whole process (a
    segmentation fault in Pango, taking a server worker down with it), and with no Chinese
    font it prints empty boxes instead of the text.
    """
    try:
        # fc-list only reads fontconfig's cache: no timeout, whose wait polls with time.sleep (the
        # scheduler's loop test counts those calls when publishing pre-renders a PDF).
        found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    except OSError:
        return True
    return found.returncode != 0 or not found.stdout.strip()


def _layout(html: str):
    if chinese_fonts_missing():
        raise PdfRenderError("服务器上没有可用的中文字体（需要安装 fonts-noto-cjk），暂时无法排版，请联系管理员。")
    with _refusals_as_render_errors():
        return weasyprint.HTML(string=html, base_url=PRINT_BASE_URL, url_fetcher=ProjectFileFetcher()).render()


def _anchor_pages(document) -> dict[str, int]:
    anchor_pages = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            anchor_pages.setdefault(anchor, number)
    return anchor_pages


def anchor_pages(html: str) -> dict[str, int]:
    """Lay the page out without writing a PDF: the page (1-based) each anchor lands on."""
    return _anchor_pages(_layout(html))


def html_to_pdf(html: str) -> RenderedPdf:
    """Lay out the print template's HTML and write it as a PDF with subset, embedded fonts."""
    document = _layout(html)
    # Never full_fonts (a 60 MB file) nor hinting: subset fonts keep the PDF near half a megabyte.
    # Attachments are fetched only now, while the PDF is written.
    with _refusals_as_render_errors():
        content = document.write_pdf(finisher=_add_page_labels)
    return RenderedPdf(content=content, page_count=len(document.pages), anchor_pages=_anchor_pages(document))
